"""What the worker does with each kind of request (enrollment.tasks.process_request calls `process`).

A processor checks the rules again against the database as it is now, then applies
the request (complete), leaves it to a billing specialist (needs_review) or refuses
it (reject). Later issues register their kinds in PROCESSORS.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.db import IntegrityError, transaction

from core import identifiers
from enrollment import continuation_processors, maintenance_processors, oe_processors, request_status, rules, selectors
from enrollment.models import ChangeRequest, Coverage, Dependent, Subscriber

Status = ChangeRequest.Status
SUBSCRIBER_NUMBER_ATTEMPTS = 10


@transaction.atomic
def process(request_id: int, *, today: date) -> ChangeRequest:
    """Process one request; a request already taken further is left as it is (idempotent)."""
    request = ChangeRequest.objects.select_for_update(of=("self",)).select_related("group").get(pk=request_id)
    if request.status not in (Status.RECEIVED, Status.PROCESSING):
        return request
    if request.status == Status.RECEIVED:
        request_status.mark_processing(request)
    processor = PROCESSORS.get(request.kind)
    if processor is None:
        request_status.needs_review(request, reason="This kind of request is processed by a billing specialist.")
    else:
        with history_context(request):
            processor(request, today=today)
    return request


@transaction.atomic
def approve(request: ChangeRequest, *, actor) -> None:
    """Apply a request that needed review, as a billing specialist approved it (Django admin calls this)."""
    request = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if request.status != Status.NEEDS_REVIEW:
        raise request_status.RequestAlreadyDecided("Only a request that needs review can be approved.")
    with history_context(request, approved_by=actor):
        APPLIERS[request.kind](request, actor=actor)


def history_context(request: ChangeRequest, *, approved_by=None):
    """Return a django-pghistory context: the rows the request changes record its number and who asked (and approved)."""
    return pghistory.context(
        confirmation_number=request.confirmation_number, user=request.submitted_by_id,
        approved_by=approved_by.pk if approved_by is not None else None,
    )


# --- New enrollment --------------------------------------------------------------------------


def process_new_enrollment(request: ChangeRequest, *, today: date) -> None:
    coverage = Coverage.objects.select_for_update().get(pk=request.coverage_id)
    subscriber = Subscriber.objects.select_for_update().select_related("group").get(pk=request.subscriber_id)
    group = subscriber.group
    dependents = list(Dependent.objects.filter(subscriber=subscriber, removed_on__isnull=True))
    covered = set(coverage.covered_members.values_list("dependent_id", flat=True))

    problems = rules.enrollment_problems(
        subscriber_date_of_birth=subscriber.date_of_birth,
        hire_date=subscriber.hire_date,
        waiting_days=group.waiting_period_days,
        coverage_start=coverage.start,
        dependents=[(d.relationship, d.date_of_birth) for d in dependents],
        today=today,
        zip_code=subscriber.zip_code,
        middle_initials=[subscriber.middle_initial] + [d.middle_initial for d in dependents],
    )
    if not selectors.offered_plans(group, subscriber.subgroup_id, coverage.plan_year).filter(pk=coverage.plan_id).exists():
        problems.append("The plan is not offered to this subscriber's subgroup for plan year %d." % coverage.plan_year)
    if coverage.plan_year != rules.plan_year_of(group.renewal_month, coverage.start):
        problems.append("The coverage's plan year does not match its start date.")
    expected_tier = rules.coverage_tier(d.relationship for d in dependents if d.pk in covered)
    if coverage.tier != expected_tier:
        problems.append("The tier %s does not match the covered members (%s)." % (coverage.tier, expected_tier))
    if problems:
        request_status.reject(request, reason=" ".join(problems))
        return
    if not rules.within_retro_window(coverage.start, today, group.retro_days):
        request_status.needs_review(
            request,
            reason="Coverage would start more than %d days in the past: a billing specialist must approve it." % group.retro_days,
        )
        return
    apply_new_enrollment(request, actor=None)


def apply_new_enrollment(request: ChangeRequest, *, actor) -> None:
    """Give the subscriber an ID and the dependents suffixes, put the coverage in the books, complete."""
    subscriber = Subscriber.objects.select_for_update().get(pk=request.subscriber_id)
    assign_subscriber_number(subscriber)
    assign_member_suffixes(subscriber)
    Coverage.objects.filter(pk=request.coverage_id, status=Coverage.Status.PENDING).update(status=Coverage.Status.ACTIVE)
    request_status.complete(request, note="Subscriber ID %s assigned; coverage in force from its start date." % subscriber.subscriber_number, actor=actor)


def assign_subscriber_number(subscriber: Subscriber) -> str:
    """Give the subscriber a random, unique subscriber number (retrying on a collision); keep one already given."""
    if subscriber.subscriber_number:
        return subscriber.subscriber_number
    for attempt in range(SUBSCRIBER_NUMBER_ATTEMPTS):
        candidate = identifiers.generate_subscriber_number()
        try:
            with transaction.atomic():
                Subscriber.objects.filter(pk=subscriber.pk).update(subscriber_number=candidate)
        except IntegrityError:
            if attempt == SUBSCRIBER_NUMBER_ATTEMPTS - 1:
                raise
            continue
        subscriber.subscriber_number = candidate
        return candidate


def assign_member_suffixes(subscriber: Subscriber) -> None:
    """Give the subscriber's dependents their suffixes -01, -02… in the order they were entered; never renumber."""
    taken = list(Dependent.objects.filter(subscriber=subscriber).exclude(member_suffix="").values_list("member_suffix", flat=True))
    for dependent in Dependent.objects.filter(subscriber=subscriber, member_suffix="").order_by("id"):
        dependent.member_suffix = identifiers.next_member_suffix(taken)
        dependent.save(update_fields=["member_suffix"])
        taken.append(dependent.member_suffix)


PROCESSORS = {
    ChangeRequest.Kind.NEW_ENROLLMENT: process_new_enrollment,
    ChangeRequest.Kind.OE_BEGIN: oe_processors.process_open_enrollment,
    ChangeRequest.Kind.OE_KEEP: oe_processors.process_open_enrollment,
    ChangeRequest.Kind.OE_DECLINE: oe_processors.process_open_enrollment,
}
APPLIERS = {
    ChangeRequest.Kind.NEW_ENROLLMENT: apply_new_enrollment,
    ChangeRequest.Kind.OE_BEGIN: oe_processors.apply_open_enrollment,
    ChangeRequest.Kind.OE_KEEP: oe_processors.apply_open_enrollment,
    ChangeRequest.Kind.OE_DECLINE: oe_processors.apply_open_enrollment,
}
PROCESSORS.update(maintenance_processors.PROCESSORS)
APPLIERS.update(maintenance_processors.APPLIERS)
PROCESSORS.update(continuation_processors.PROCESSORS)  # COBRA or state continuation
APPLIERS.update(continuation_processors.APPLIERS)
