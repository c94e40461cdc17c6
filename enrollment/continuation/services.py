"""Submit each step of a continuation (COBRA or state) as a request: one transaction, the subscriber row locked, the rules checked.

Every `submit_*` reads the subscriber and the continuation through the admin's membership (an
admin limited to subgroups handles only their subscribers), checks the rules (raising
ValidationError keyed by the form's field, nothing saved), and hands a snapshot of what was asked
to the request pipeline (enrollment.change_requests.submit); the worker applies it
(enrollment.continuation_processors). The `check_*` functions are what the forms call too, so a
message shows next to its field before the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.dateformat import format as format_date

from enrollment import change_requests, continuation_coverage, continuation_rules as crules, election_notices, rules
from enrollment.continuation_coverage import LostCoverage
from enrollment.maintenance.services import system_user
from enrollment.models import ChangeRequest, Continuation, Coverage, Dependent, QualifiedBeneficiary, Subscriber
from enrollment.selectors import OPEN_REQUEST_STATUSES

Kind = ChangeRequest.Kind
Status = Continuation.Status
SUBSCRIBER_KEY = continuation_coverage.SUBSCRIBER_KEY

# A termination's reason -> the qualifying event it is (a voluntary termination or one for "other" is none).
SUBSCRIBER_REASON_EVENTS = {
    Coverage.TerminationReason.END_OF_EMPLOYMENT: crules.END_OF_EMPLOYMENT,
    Coverage.TerminationReason.REDUCTION_OF_HOURS: crules.REDUCTION_OF_HOURS,
    Coverage.TerminationReason.DEATH: crules.DEATH,
    Coverage.TerminationReason.MEDICARE: crules.MEDICARE,
}
# A dependent's removal -> the event ("ineligible" only for a child: no longer a dependent child).
DEPENDENT_REASON_EVENTS = {"divorce": crules.DIVORCE, "aged_out": crules.DEPENDENT_CHILD, "ineligible": crules.DEPENDENT_CHILD}
QUALIFYING_REASONS = frozenset(SUBSCRIBER_REASON_EVENTS) | frozenset(DEPENDENT_REASON_EVENTS)
ELECTABLE = (Status.PENDING_ELECTION, Status.NOT_ELECTED)
# Early ends an admin reports (the maximum period is the daily task's).
ADMIN_END_REASONS = (Continuation.EndReason.NON_PAYMENT, Continuation.EndReason.OTHER_COVERAGE, Continuation.EndReason.MEDICARE)


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def _field(name: str, message: str, code: str) -> ValidationError:
    return ValidationError({name: ValidationError(message, code=code)})


def _lock_subscriber(membership, subscriber_id: int) -> Subscriber:
    return Subscriber.objects.for_membership(membership).select_for_update().select_related("group", "subgroup").get(pk=subscriber_id)


def _lock(membership, continuation) -> tuple[Subscriber, Continuation]:
    """Lock the subscriber then the continuation, both read through the admin's membership."""
    subscriber = _lock_subscriber(membership, continuation.subscriber_id)
    continuation = (
        Continuation.objects.for_membership(membership).select_for_update(of=("self",))
        .select_related("group", "subscriber", "plan").get(pk=continuation.pk)
    )
    return subscriber, continuation


def _open_request(continuation: Continuation, kind: str) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.for_group(continuation.group_id)
        .filter(kind=kind, status__in=OPEN_REQUEST_STATUSES, snapshot__continuation_id=continuation.pk).first()
    )


def _submit(*, subscriber, kind, snapshot, acting_user, ip_address=None, coverage=None) -> ChangeRequest:
    return change_requests.submit(
        group=subscriber.group, kind=kind, acting_user=acting_user, snapshot=snapshot, subscriber=subscriber, coverage=coverage,
        ip_address=ip_address,
    )


def people_of(subscriber, keys) -> list[Dependent | None]:
    """Return the members named by keys ("S": the subscriber, as None; "D<id>": one of their dependents), in the order given."""
    ids = [int(k[1:]) for k in keys if k != SUBSCRIBER_KEY]
    dependents = {d.pk: d for d in Dependent.objects.for_group(subscriber.group_id).filter(subscriber=subscriber, pk__in=ids)}
    people = []
    for key in keys:
        if key == SUBSCRIBER_KEY:
            people.append(None)
        elif int(key[1:]) in dependents:
            people.append(dependents[int(key[1:])])
    return people


# --- The qualifying event ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A qualifying event as it would be recorded: who lost which coverage, and their rights."""

    kind: str
    event_date: date
    lost: list[LostCoverage]  # the qualified beneficiaries
    coverage_lost_on: date  # the last day of group coverage
    law: str
    maximum_months: int
    report_due_by: date

    @property
    def start(self) -> date:
        return crules.continuation_start(self.coverage_lost_on)

    @property
    def maximum_end(self) -> date:
        return crules.maximum_end(self.start, self.maximum_months)

    @property
    def row(self) -> Coverage:
        return self.lost[0].row

    def names(self, subscriber) -> list[str]:
        return [(m.dependent or subscriber).full_name for m in self.lost]


def check_qualifying_event(subscriber, *, kind: str, event_date: date, people: list[Dependent | None]) -> Proposal:
    """Check a qualifying event against the coverage on record; return what it gives. Raise ValidationError keyed by field."""
    if kind not in crules.EVENTS:
        raise _field("kind", "Choose a qualifying event from the list.", "kind")
    # An event date still to come is accepted once the loss it causes is on record (a termination dated the end of the
    # month): the members must have been covered the day before it and have a last day of coverage, checked below.
    if not people:
        raise _field("members", "Choose the members who lost coverage.", "no_member")
    try:
        crules.check_qualifying_members(kind, [crules.SUBSCRIBER if p is None else p.relationship for p in people])
    except ValidationError as error:
        raise ValidationError({"members": error}) from None
    lost = continuation_coverage.members_losing_coverage(subscriber, people, event_date=event_date)
    day_before = event_date - timedelta(days=1)
    for member in lost:
        name = (member.dependent or subscriber).full_name
        if member.row is None:
            raise _field("members", "%s was not covered on %s, the day before the qualifying event: only a member covered then may continue coverage."
                         % (name, _shown(day_before)), "not_covered")
        if member.last_day is None:
            raise _field("members", "%s is still covered: terminate the coverage (or remove the dependent) first, then report the qualifying event."
                         % name, "still_covered")
    last_days = sorted({m.last_day for m in lost})
    if len(last_days) > 1:
        raise _field("members", "These members lost coverage on different days (%s): report each loss of coverage on its own."
                     % ", ".join(_shown(d) for d in last_days), "different_days")
    group = subscriber.group
    coverage_lost_on = last_days[0]
    keys = {m.key for m in lost}
    for other in Continuation.objects.for_group(group).filter(subscriber=subscriber, coverage_lost_on=coverage_lost_on).exclude(
        status=Status.VOID
    ).select_related("request").prefetch_related("beneficiaries"):
        if keys & {b.key for b in other.beneficiaries.all()}:
            raise _field("members", "This loss of coverage was already reported (%s)." % other.request.display_number, "duplicate")
    months = crules.maximum_months(kind, law=group.continuation, state_months=group.state_continuation_months)
    return Proposal(kind, event_date, lost, coverage_lost_on, group.continuation, months,
                    crules.report_due_by(kind, event_date, coverage_lost_on))


def offer_from_request(membership, change_request: ChangeRequest) -> tuple[Subscriber, str, date, list[Dependent | None]]:
    """Return (subscriber, event kind, event date, the members who lost coverage) of a completed termination or removal.

    Raise ValidationError when the change is not a qualifying event.
    """
    if change_request.kind not in (Kind.TERMINATION, Kind.DEPENDENT_REMOVED) or change_request.status != ChangeRequest.Status.COMPLETED:
        raise ValidationError("Only a completed termination or removal of a dependent can be a qualifying event.", code="not_a_loss")
    snapshot = change_request.snapshot
    subscriber = Subscriber.objects.for_membership(membership).select_related("group", "subgroup").get(pk=change_request.subscriber_id)
    event_date = date.fromisoformat(snapshot["termination_date"])
    reason = snapshot.get("reason", "")
    if change_request.kind == Kind.TERMINATION:
        kind = SUBSCRIBER_REASON_EVENTS.get(reason)
        if kind is None:
            raise ValidationError("A termination for \"%s\" is not a qualifying event: no continuation is offered." % snapshot.get("reason_label", reason),
                                  code="not_qualifying")
        rows = continuation_coverage.regular_rows(subscriber)
        row, _ = continuation_coverage.coverage_lost(rows, None, day_before_event=event_date - timedelta(days=1))
        dependents = [m.dependent for m in row.covered_members.all()] if row else []
        people = ([None] if kind in crules.EMPLOYMENT_EVENTS else []) + dependents
        if not people:
            raise ValidationError("No dependent was covered with the subscriber: nobody may continue coverage through this event.", code="nobody")
        return subscriber, kind, event_date, people
    dependent = Dependent.objects.for_membership(membership).get(pk=snapshot["dependent_id"], subscriber=subscriber)
    kind = DEPENDENT_REASON_EVENTS.get(reason)
    if reason == "ineligible" and dependent.relationship not in rules.CHILDREN:
        kind = None
    if kind is None:
        raise ValidationError("Removing a dependent for \"%s\" is not a qualifying event: no continuation is offered." % snapshot.get("reason_label", reason),
                              code="not_qualifying")
    return subscriber, kind, event_date, [dependent]


@transaction.atomic
def submit_qualifying_event(*, membership, subscriber, kind: str, event_date: date, people: list[Dependent | None], acting_user, today: date,
                            source_request: ChangeRequest | None = None, ip_address=None) -> ChangeRequest:
    """Record a qualifying event and its qualified beneficiaries (every member who lost coverage) as a request; the worker sends the notice."""
    subscriber = _lock_subscriber(membership, subscriber.pk)
    proposal = check_qualifying_event(subscriber, kind=kind, event_date=event_date, people=people)
    row = proposal.row
    snapshot = {
        "member_key": "QE", "member": ", ".join(proposal.names(subscriber)), "requested_on": today.isoformat(),
        "event_kind": kind, "event_label": Continuation.EventKind(kind).label, "event_date": event_date.isoformat(),
        "coverage_lost_on": proposal.coverage_lost_on.isoformat(), "continuation_start": proposal.start.isoformat(),
        "beneficiaries": proposal.names(subscriber), "plan": row.plan.name, "tier": row.tier, "law": subscriber.group.get_continuation_display(),
        "maximum_months": proposal.maximum_months, "maximum_end": proposal.maximum_end.isoformat(),
        "report_due_by": proposal.report_due_by.isoformat(), "source": source_request.confirmation_number if source_request else "",
    }
    request = _submit(subscriber=subscriber, kind=Kind.QUALIFYING_EVENT, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)
    continuation = Continuation.objects.create(
        group=subscriber.group, subscriber=subscriber, law=proposal.law, event_kind=kind, event_date=event_date,
        coverage_lost_on=proposal.coverage_lost_on, plan_id=row.plan_id, plan_year=row.plan_year, tier=row.tier,
        maximum_months=proposal.maximum_months, maximum_end=proposal.maximum_end, request=request,
    )
    QualifiedBeneficiary.objects.bulk_create([
        QualifiedBeneficiary(continuation=continuation, dependent=m.dependent, relationship=m.relationship) for m in proposal.lost
    ])
    # The worker is queued on commit: it finds the continuation named in the snapshot.
    request.snapshot["continuation_id"] = continuation.pk
    request.save(update_fields=["snapshot"])
    return request


# --- The election ----------------------------------------------------------------------------------------------


def check_election(subscriber, continuation: Continuation, *, elected_on: date, electing: list[str], today: date) -> list[QualifiedBeneficiary]:
    """Check an election; return the beneficiaries electing. Raise ValidationError keyed by field (elected_on, beneficiaries)."""
    if continuation.status == Status.VOID:
        raise ValidationError("This qualifying event was rejected: nobody can elect through it.", code="void")
    # "Not elected" (the daily task closed the period) still takes an election dated by the deadline: a form
    # postmarked on the last day may arrive days later.
    if continuation.election_request_id is not None or continuation.status not in ELECTABLE:
        when = " on %s" % _shown(continuation.elected_on) if continuation.elected_on else ""
        raise _field("beneficiaries", "An election was already recorded for this qualifying event%s: a second one cannot be." % when, "second_election")
    existing = _open_request(continuation, Kind.CONTINUATION_ELECTION)
    if existing is not None:
        raise _field("beneficiaries", "An election for this qualifying event is already open (%s): a second one cannot be." % existing.display_number,
                     "second_election")
    if continuation.election_deadline is None:
        raise ValidationError("The election notice has not been issued yet: record the election once it is.", code="no_notice")
    try:
        crules.check_election_date(elected_on, event_date=continuation.event_date, deadline=continuation.election_deadline, today=today)
    except ValidationError as error:
        raise ValidationError({"elected_on": error}) from None
    if not electing:
        raise _field("beneficiaries", "Choose who elects continuation coverage.", "no_member")
    beneficiaries = {b.key: b for b in continuation.beneficiaries.select_related("dependent")}
    day_before = continuation.event_date - timedelta(days=1)
    strangers = people_of(subscriber, [k for k in electing if k not in beneficiaries])
    if strangers:
        person = strangers[0]
        row, _ = continuation_coverage.coverage_lost(continuation_coverage.regular_rows(subscriber), person, day_before_event=day_before)
        name = (person or subscriber).full_name
        if row is None:
            message = "%s was not covered on %s, the day before the qualifying event: only a qualified beneficiary may elect." % (name, _shown(day_before))
        else:
            message = "%s did not lose coverage through this qualifying event: only a qualified beneficiary may elect." % name
        raise _field("beneficiaries", message, "not_a_beneficiary")
    if not set(electing) <= set(beneficiaries):
        raise _field("beneficiaries", "Only a qualified beneficiary of this event may elect.", "not_a_beneficiary")
    return [b for key, b in beneficiaries.items() if key in set(electing)]


def election_preview(continuation: Continuation, chosen: list[QualifiedBeneficiary], *, elected_on: date) -> dict:
    """Return what the election gives: the tier, the monthly premium (102%), the first payment's due date."""
    tier, rate, premium = election_notices.premium_for(continuation, chosen)
    return {"tier": tier, "rate": rate, "premium": premium, "start": continuation.start, "first_payment_due": crules.first_payment_due(elected_on)}


@transaction.atomic
def submit_election(*, membership, continuation, elected_on: date, electing: list[str], acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Record which qualified beneficiaries elect continuation; the worker writes their coverage from the day after the loss."""
    subscriber, continuation = _lock(membership, continuation)
    chosen = check_election(subscriber, continuation, elected_on=elected_on, electing=electing, today=today)
    preview = election_preview(continuation, chosen, elected_on=elected_on)
    snapshot = {
        "member_key": "C%d" % continuation.pk, "continuation_id": continuation.pk, "requested_on": today.isoformat(),
        "member": ", ".join((b.dependent or subscriber).full_name for b in chosen),
        "electing": [b.key for b in chosen], "elected_on": elected_on.isoformat(), "continuation_start": continuation.start.isoformat(),
        "tier": preview["tier"], "premium": str(preview["premium"]) if preview["premium"] is not None else None,
        "first_payment_due": preview["first_payment_due"].isoformat(), "event_label": continuation.get_event_kind_display(),
    }
    return _submit(subscriber=subscriber, kind=Kind.CONTINUATION_ELECTION, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)


# --- The end ---------------------------------------------------------------------------------------------------------


def check_end(continuation: Continuation, *, reason: str, on: date) -> date:
    """Check an early end; return the last day of continuation (the end of `on`'s month). Raise ValidationError keyed by field."""
    if continuation.status != Status.CONTINUING:
        raise ValidationError("Only a continuation in force can end (this one is %s)." % continuation.get_status_display().lower(), code="not_continuing")
    existing = _open_request(continuation, Kind.CONTINUATION_END)
    if existing is not None:
        raise ValidationError("An end of this continuation is already open (%s)." % existing.display_number, code="open_request")
    if reason not in ADMIN_END_REASONS:
        raise _field("reason", "Choose a reason from the list.", "reason")
    end = rules.last_of_month(on)
    if reason == Continuation.EndReason.NON_PAYMENT:
        if end < continuation.start - timedelta(days=1):
            raise _field("on", "The continuation starts on %s: a date before it cannot end it." % _shown(continuation.start), "before_start")
    elif end < continuation.start:
        raise _field("on", "The continuation starts on %s: choose a date from then on." % _shown(continuation.start), "before_start")
    if end >= continuation.maximum_end:
        raise _field("on", "The continuation ends on %s anyway, at the end of its maximum period." % _shown(continuation.maximum_end), "after_maximum")
    return end


@transaction.atomic
def submit_continuation_end(*, membership, continuation, reason: str, on: date, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """End a continuation before its maximum period: non-payment, other group coverage or Medicare, at the end of `on`'s month."""
    subscriber, continuation = _lock(membership, continuation)
    end = check_end(continuation, reason=reason, on=on)
    return _submit_end(subscriber, continuation, reason=reason, on=on, end=end, acting_user=acting_user, today=today, ip_address=ip_address)


def _submit_end(subscriber, continuation, *, reason, on, end, acting_user, today, ip_address=None) -> ChangeRequest:
    snapshot = {
        "member_key": "C%d" % continuation.pk, "continuation_id": continuation.pk, "requested_on": today.isoformat(),
        "member": ", ".join(b.full_name for b in covered_people(continuation)), "reason": reason,
        "reason_label": Continuation.EndReason(reason).label, "date": on.isoformat(), "coverage_end": end.isoformat(),
        "event_label": continuation.get_event_kind_display(),
    }
    return _submit(subscriber=subscriber, kind=Kind.CONTINUATION_END, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)


def covered_people(continuation: Continuation) -> list:
    chosen = [b for b in continuation.beneficiaries.select_related("dependent") if b.elected]
    return [b.dependent or continuation.subscriber for b in chosen]


def continuations_past_their_maximum(*, today: date):
    """Return the continuations in force, of every active group, whose maximum period ended before today."""
    return Continuation.objects.filter(group__status="active", status=Status.CONTINUING, maximum_end__lt=today).order_by("pk")


@transaction.atomic
def submit_maximum_period_end(*, continuation: Continuation, today: date) -> ChangeRequest | None:
    """Submit the end of a continuation at the end of its maximum period, unless it ended or an end is open already.

    Running it twice submits once: the second finds the open (or completed) end.
    """
    subscriber = Subscriber.objects.for_group(continuation.group_id).select_for_update().select_related("group").get(pk=continuation.subscriber_id)
    continuation = Continuation.objects.for_group(continuation.group_id).select_for_update(of=("self",)).get(pk=continuation.pk)
    if continuation.status != Status.CONTINUING or continuation.maximum_end >= today or _open_request(continuation, Kind.CONTINUATION_END):
        return None
    end = continuation.maximum_end
    return _submit_end(subscriber, continuation, reason=Continuation.EndReason.MAXIMUM_PERIOD, on=end, end=end, acting_user=system_user(), today=today)


def close_lapsed_elections(*, today: date) -> int:
    """Mark "not elected" every pending continuation whose election period closed before today with no election open; return how many."""
    open_election = (
        ChangeRequest.objects.filter(kind=Kind.CONTINUATION_ELECTION, status__in=OPEN_REQUEST_STATUSES)
        .annotate(continuation_id=Cast(KT("snapshot__continuation_id"), IntegerField())).filter(continuation_id=OuterRef("pk"))
    )
    return (
        Continuation.objects.filter(status=Status.PENDING_ELECTION, election_deadline__lt=today)
        .exclude(Exists(open_election)).update(status=Status.NOT_ELECTED)
    )


# --- Extension of the maximum period -----------------------------------------------------------------------------------


def check_extension(continuation: Continuation, *, extension: str, on: date, today: date) -> int:
    """Check a disability or second-event extension; return the new maximum months. Raise ValidationError keyed by field."""
    if continuation.status != Status.CONTINUING:
        raise ValidationError("Only a continuation in force can be extended.", code="not_continuing")
    if continuation.extension:
        raise ValidationError("This continuation was extended already.", code="extended")
    if continuation.law != crules.COBRA or continuation.event_kind not in crules.EMPLOYMENT_EVENTS:
        raise ValidationError("Only an 18-month COBRA continuation (an end of employment or a reduction of hours) can be extended.", code="not_extendable")
    if _open_request(continuation, Kind.CONTINUATION_EXTENSION):
        raise ValidationError("An extension of this continuation is already open.", code="open_request")
    if today > continuation.maximum_end:
        raise ValidationError("The 18 months ended on %s: it is too late to extend them." % _shown(continuation.maximum_end), code="too_late")
    if on > today:
        raise _field("on", "The date cannot be in the future.", "in_future")
    if extension == crules.DISABILITY:
        if not crules.disability_extension_allowed(on, start=continuation.start):
            raise _field("on", "The disability must start within the first 60 days of continuation (by %s) to extend it."
                         % _shown(continuation.start + timedelta(days=crules.DISABILITY_ONSET_DAYS - 1)), "disability_late")
    elif extension == crules.SECOND_EVENT:
        if not continuation.start <= on <= continuation.maximum_end:
            raise _field("on", "A second qualifying event extends the continuation when it happens during the 18 months (%s to %s)."
                         % (_shown(continuation.start), _shown(continuation.maximum_end)), "second_event_outside")
        if continuation.coverages.filter(covers_subscriber=True).exists():
            raise _field("extension", "A second qualifying event extends a spouse's or child's continuation, not the subscriber's own.", "subscriber_continues")
    else:
        raise _field("extension", "Choose an extension from the list.", "extension")
    return crules.maximum_months(continuation.event_kind, law=continuation.law, extension=extension)


@transaction.atomic
def submit_extension(*, membership, continuation, extension: str, on: date, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Extend the maximum period: a disability (29 months) or a second qualifying event (36 months)."""
    subscriber, continuation = _lock(membership, continuation)
    months = check_extension(continuation, extension=extension, on=on, today=today)
    snapshot = {
        "member_key": "C%d" % continuation.pk, "continuation_id": continuation.pk, "requested_on": today.isoformat(),
        "member": ", ".join(p.full_name for p in covered_people(continuation)), "extension": extension,
        "extension_label": Continuation.Extension(extension).label, "date": on.isoformat(), "maximum_months": months,
        "maximum_end": crules.maximum_end(continuation.start, months).isoformat(), "event_label": continuation.get_event_kind_display(),
    }
    return _submit(subscriber=subscriber, kind=Kind.CONTINUATION_EXTENSION, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)
