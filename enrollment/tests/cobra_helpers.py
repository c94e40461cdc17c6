"""A covered family that loses coverage, and the continuation steps run as an admin would (COBRA tests)."""

from datetime import date

from enrollment.continuation import services
from enrollment.maintenance import services as maintenance_services
from enrollment.models import ChangeRequest, Continuation, Coverage
from enrollment.tests.maintenance_helpers import membership, process


def terminate(user, group, subscriber, *, reason, on: date, today: date, dependent=None) -> ChangeRequest:
    """Terminate the subscriber's coverage (or remove a dependent) and process it; return the completed request."""
    request = maintenance_services.submit_termination(
        membership=membership(user, group), subscriber=subscriber, dependent=dependent, reason=reason, termination_date=on, acting_user=user,
        today=today,
    )
    request = process(request, today)
    assert request.status == "completed", request.reason
    return request


def offer(user, group, change: ChangeRequest, *, today: date) -> ChangeRequest:
    """Offer continuation for a completed termination or removal, as "Offer continuation coverage" does; return the event's request."""
    subscriber, kind, event_date, people = services.offer_from_request(membership(user, group), change)
    return services.submit_qualifying_event(
        membership=membership(user, group), subscriber=subscriber, kind=kind, event_date=event_date, people=people, acting_user=user,
        today=today, source_request=change,
    )


def continuation_of(request: ChangeRequest) -> Continuation:
    return Continuation.objects.get(pk=request.snapshot["continuation_id"])


def notified(user, group, change: ChangeRequest, *, today: date) -> Continuation:
    """Offer continuation and let the worker issue the notice on `today`; return the continuation."""
    event = process(offer(user, group, change, today=today), today)
    assert event.status == "completed", event.reason
    return continuation_of(event)


def elect(user, group, continuation: Continuation, *, keys, elected_on: date, today: date) -> ChangeRequest:
    """Record an election and process it; return the request."""
    request = services.submit_election(
        membership=membership(user, group), continuation=continuation, elected_on=elected_on, electing=keys, acting_user=user, today=today,
    )
    return process(request, today)


def beneficiaries(continuation: Continuation) -> list[tuple]:
    """The qualified beneficiaries: (first name, relationship, elected)."""
    return [
        ((b.dependent.first_name if b.dependent else continuation.subscriber.first_name), b.relationship, b.elected)
        for b in continuation.beneficiaries.select_related("dependent").order_by("pk")
    ]


def continuation_rows(subscriber) -> list[tuple]:
    """Every coverage row of the subscriber, oldest first: (start, end, tier, status, covers subscriber, continuation?, members' first names)."""
    return [
        (row.start, row.end, row.tier, row.status, row.covers_subscriber, row.continuation_id is not None,
         tuple(sorted(m.dependent.first_name for m in row.covered_members.all())))
        for row in Coverage.objects.filter(subscriber=subscriber).prefetch_related("covered_members__dependent").order_by("start", "pk")
    ]
