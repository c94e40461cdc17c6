"""Coverage rows as the worker changes them for roster maintenance. Nothing is overwritten:

- a change of who is covered from a day ends the row in force (the day before) and starts a
  new row from that day with the new members and tier; a row starting on or after that day
  is voided and replaced by one with the same dates;
- a termination sets the end of the row in force (and voids rows that would start later);
- a reinstatement starts a new row the day after the end: no gap, no overlap.

The database's exclusion constraint refuses any overlap. django-pghistory keeps every old value
of each row (enrollment.models). Callers lock the subscriber row first. These work on the employee's
own coverage (`regular()`): continuation rows (COBRA) are enrollment.continuation_coverage's.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q

from enrollment import rules
from enrollment.models import Coverage, CoveredMember, Dependent

Reason = Coverage.TerminationReason


class NoCoverage(Exception):
    """The subscriber has no coverage in the books for the day asked."""


def rows_from(subscriber, day: date) -> list[Coverage]:
    """Return the subscriber's active rows in force on `day` or later, locked, oldest first."""
    return list(
        Coverage.objects.for_group(subscriber.group_id)
        .regular()
        .select_for_update()
        .filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .order_by("start")
    )


def in_force_on(subscriber, day: date) -> bool:
    """Whether an active row of the subscriber covers `day`."""
    return Coverage.objects.for_group(subscriber.group_id).regular().filter(subscriber=subscriber).in_force_on(day).exists()


def dependent_covered_after(subscriber, dependent, day: date) -> bool:
    """Whether an active row covers the dependent on some day after `day`."""
    return CoveredMember.objects.filter(
        coverage__subscriber=subscriber, coverage__status=Coverage.Status.ACTIVE, coverage__continuation__isnull=True, dependent=dependent
    ).filter(Q(coverage__end__isnull=True) | Q(coverage__end__gt=day)).exists()


def covered_dependent_ids(row: Coverage) -> set[int]:
    return set(CoveredMember.objects.filter(coverage=row).values_list("dependent_id", flat=True))


def change_members_from(*, subscriber, day: date, add=(), remove=()) -> list[Coverage]:
    """Cover `add` and stop covering `remove` from `day` on; return the new rows (tier from the members).

    Raise NoCoverage when no row is in force on or after `day`.
    """
    rows = rows_from(subscriber, day)
    if not rows:
        raise NoCoverage("No coverage on or after %s." % day.isoformat())
    add_ids = {d.pk for d in add}
    remove_ids = {d.pk for d in remove}
    relationships = dict(Dependent.objects.filter(subscriber=subscriber).values_list("pk", "relationship"))
    created = []
    for row in rows:
        members = (covered_dependent_ids(row) | add_ids) - remove_ids
        if row.start < day:
            start, end = day, row.end
            row.end, row.termination_reason = day - timedelta(days=1), Reason.REPLACED
            row.save(update_fields=["end", "termination_reason"])
        else:
            start, end = row.start, row.end
            row.status, row.termination_reason = Coverage.Status.VOID, Reason.REPLACED
            row.save(update_fields=["status", "termination_reason"])
        new = Coverage.objects.create(
            group_id=row.group_id, subscriber=subscriber, plan_id=row.plan_id, plan_year=row.plan_year,
            tier=rules.coverage_tier(relationships[pk] for pk in members), start=start, end=end, status=Coverage.Status.ACTIVE,
        )
        CoveredMember.objects.bulk_create([CoveredMember(coverage=new, dependent_id=pk) for pk in sorted(members)])
        created.append(new)
    return created


def end_coverage(*, subscriber, end: date, reason: str) -> list[Coverage]:
    """End the subscriber's coverage on `end`: the row in force then ends, later rows are voided.

    Return the rows changed; raise NoCoverage when nothing is covered after `end` already.
    """
    rows = rows_from(subscriber, end + timedelta(days=1))
    if not rows:
        raise NoCoverage("The coverage already ends on or before %s." % end.isoformat())
    return end_rows(rows, end=end, reason=reason)


def end_rows(rows: list[Coverage], *, end: date, reason: str) -> list[Coverage]:
    """End `rows` (locked, each in force after `end`) on `end`: the one in force then ends, those starting later are voided."""
    for row in rows:
        if row.start > end:
            row.status = Coverage.Status.VOID
        else:
            row.end = end
        row.termination_reason = reason
        row.save(update_fields=["status", "end", "termination_reason"])
    return rows


def last_ended_row(subscriber) -> Coverage | None:
    """Return the subscriber's latest active row if it has ended (by a termination, not a replacement), else None."""
    latest = (
        Coverage.objects.for_group(subscriber.group_id)
        .regular()
        .filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
        .order_by("-start")
        .first()
    )
    if latest is None or latest.end is None or latest.termination_reason == Reason.REPLACED:
        return None
    return latest


def reinstate(*, subscriber, ended: Coverage, plan_year: int) -> Coverage:
    """Start a row the day after `ended` ends, with its plan, tier and members, open-ended."""
    members = covered_dependent_ids(ended)
    row = Coverage.objects.create(
        group_id=ended.group_id, subscriber=subscriber, plan_id=ended.plan_id, plan_year=plan_year, tier=ended.tier,
        start=rules.reinstatement_start(ended.end), end=None, status=Coverage.Status.ACTIVE,
    )
    CoveredMember.objects.bulk_create([CoveredMember(coverage=row, dependent_id=pk) for pk in sorted(members)])
    return row
