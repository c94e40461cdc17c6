"""Coverage rows of continuation (COBRA or state): who lost which coverage, and the rows an election writes and an end ends.

A continuation coverage is a Coverage row marked with its Continuation (`continuation`), from the
day after the last day of group coverage: no gap, no overlap (the database's exclusion constraints
refuse a subscriber covered twice on one day, and overlapping rows of one continuation). A
continuation without the subscriber (a divorced spouse, the family of a subscriber who died) is a
row with `covers_subscriber` false: its covered people are its CoveredMember rows. The employee's
own coverage (`Coverage.objects.regular()`) is never touched here. Callers lock the subscriber row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q

from enrollment import continuation_rules, coverage_changes, rules, selectors
from enrollment.models import Continuation, Coverage, CoveredMember, Dependent, QualifiedBeneficiary

SUBSCRIBER_KEY = "S"


@dataclass(frozen=True)
class LostCoverage:
    """A member's group coverage the day before an event, and the last day it lasted."""

    key: str  # "S" or "D<id>"
    dependent: Dependent | None
    relationship: str  # "subscriber" or the dependent's
    row: Coverage  # the row in force the day before the event
    last_day: date | None  # None: still covered (the coverage has no end)


def member_key(dependent: Dependent | None) -> str:
    return SUBSCRIBER_KEY if dependent is None else "D%d" % dependent.pk


def regular_rows(subscriber) -> list[Coverage]:
    """Return the subscriber's active rows of their own coverage, oldest first, with their covered members."""
    return list(
        Coverage.objects.for_group(subscriber.group_id).regular()
        .filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
        .select_related("plan")
        .prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.select_related("dependent")))
        .order_by("start")
    )


def _covers(row: Coverage, dependent: Dependent | None) -> bool:
    if dependent is None:
        return True
    return any(m.dependent_id == dependent.pk for m in row.covered_members.all())


def coverage_lost(rows: list[Coverage], dependent: Dependent | None, *, day_before_event: date) -> tuple[Coverage | None, date | None]:
    """Return (the row covering the member on `day_before_event`, the last day the member stayed covered after it).

    The last day follows the rows forward while they join with no gap and keep covering the
    member; None when the member is still covered with no end. (None, None) when the member was
    not covered that day.
    """
    current = next((r for r in rows if r.start <= day_before_event and (r.end is None or r.end >= day_before_event)), None)
    if current is None or not _covers(current, dependent):
        return None, None
    last = current
    for row in rows:
        if row.start <= last.start:
            continue
        if last.end is None or row.start != last.end + timedelta(days=1) or not _covers(row, dependent):
            break
        last = row
    return current, last.end


def members_losing_coverage(subscriber, people: list[Dependent | None], *, event_date: date) -> list[LostCoverage]:
    """Return, for each member (None: the subscriber), the coverage they had the day before the event and when it ended."""
    rows = regular_rows(subscriber)
    lost = []
    for person in people:
        row, last_day = coverage_lost(rows, person, day_before_event=event_date - timedelta(days=1))
        relationship = continuation_rules.SUBSCRIBER if person is None else person.relationship
        lost.append(LostCoverage(member_key(person), person, relationship, row, last_day))
    return lost


def covered_after(subscriber, dependent: Dependent | None, day: date) -> bool:
    """Whether the member's own group coverage covers them on some day after `day`."""
    rows = Coverage.objects.for_group(subscriber.group_id).regular().filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
    rows = rows.filter(Q(end__isnull=True) | Q(end__gt=day))
    if dependent is not None:
        rows = rows.filter(covered_members__dependent=dependent)
    return rows.exists()


def continuation_plan(continuation: Continuation) -> tuple[int, int]:
    """Return (plan id, plan year) the continuation starts with: the coverage the beneficiaries had, in the plan year of its start.

    When the start falls in a later plan year where that plan is not offered to the subscriber's
    subgroup, it carries over to the successor the carrier set up (as at renewal).
    """
    subscriber = continuation.subscriber
    plan_year = rules.plan_year_of(subscriber.group.renewal_month, continuation.start)
    if plan_year == continuation.plan_year:
        return continuation.plan_id, plan_year
    offered = selectors.offered_plans(subscriber.group, subscriber.subgroup_id, plan_year).values_list("pk", flat=True)
    successor = continuation.plan.successor_id
    return rules.carry_over_plan(continuation.plan_id, successor, offered) or continuation.plan_id, plan_year


def start_continuation(continuation: Continuation, electing: list[QualifiedBeneficiary]) -> Coverage:
    """Write the continuation coverage of the beneficiaries electing: from the day after the loss, open-ended."""
    covers_subscriber = any(b.dependent_id is None for b in electing)
    dependents = [b for b in electing if b.dependent_id is not None]
    plan_id, plan_year = continuation_plan(continuation)
    row = Coverage.objects.create(
        group_id=continuation.group_id, subscriber_id=continuation.subscriber_id, plan_id=plan_id, plan_year=plan_year,
        tier=continuation_rules.continuation_tier([b.relationship for b in dependents], covers_subscriber=covers_subscriber),
        start=continuation.start, end=None, status=Coverage.Status.ACTIVE, continuation=continuation, covers_subscriber=covers_subscriber,
    )
    CoveredMember.objects.bulk_create([CoveredMember(coverage=row, dependent_id=b.dependent_id) for b in sorted(dependents, key=lambda b: b.dependent_id)])
    return row


def end_continuation(continuation: Continuation, *, end: date, reason: str) -> list[Coverage]:
    """End the continuation's coverage on `end`: the row in force then ends, rows starting later are voided. Return them."""
    rows = list(
        Coverage.objects.for_group(continuation.group_id).select_for_update()
        .filter(continuation=continuation, status=Coverage.Status.ACTIVE)
        .filter(Q(end__isnull=True) | Q(end__gt=end))
        .order_by("start")
    )
    return coverage_changes.end_rows(rows, end=end, reason=reason)
