"""The renewal: on a group's renewal date, every coverage nobody acted on carries over into the new plan year.

Elections made in the window were applied when the worker processed them (Keep and Begin
wrote the new year's row, Decline ended the coverage), so what is left is the silent
subscribers: a coverage in force on the day before the renewal date and still open-ended,
with no open-enrollment request waiting. Each carries over with

- the same members, except a child past the end of the month they turn 26 on the renewal
  date (left out, the tier follows, the reason kept on the election);
- the plan of enrollment.rules.carry_over_plan: the same plan where still offered to the
  subscriber's subgroup in the new plan year, else the carrier's successor where that is
  offered, else none: then nothing is written but an "auto" election flagged for a
  billing specialist, and the coverage stays as it is (a later run, after the carrier set
  up an offering, carries it over);
- the new plan year's rate (coverage rows carry the plan year; invoices price from it).

Set-based and idempotent: each batch is one transaction holding the group's renewal lock (a
second run at the same time waits, then finds those rows no longer open-ended), reads its
candidates and their members in two queries, and writes with bulk statements. The unique
election per subscriber and plan year, and the coverage exclusion constraint, refuse a
double in any case. A subscriber whose row the worker holds (applying an option) is skipped
and counted as left for the next run.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from enrollment import oe_selectors, rules
from enrollment.models import ChangeRequest, Coverage, CoveredMember, OpenEnrollmentElection, Plan

logger = logging.getLogger(__name__)

RENEWAL_LOCK = 834_000  # pg_advisory_xact_lock(RENEWAL_LOCK, group id): one renewal batch of a group at a time
BATCH_SIZE = 2000
Choice = OpenEnrollmentElection.Choice


@dataclass
class RenewalSummary:
    group_number: str
    renewal_date: date
    plan_year: int
    kept: int = 0
    changed: int = 0
    declined: int = 0
    carried_over: int = 0  # all "auto" elections with a plan, this run's and earlier runs'
    carried_over_now: int = 0  # by this run
    flagged: int = 0  # not carried over (no plan to carry over to): left to a billing specialist
    children_left_out: int = 0  # by this run
    waiting: int = 0  # an open-enrollment request not yet applied (received, processing, needs review)
    left: int = 0  # skipped, their row locked at that moment: the next run carries them over
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            "%s renewal %s (plan year %d): kept %d, changed %d, declined %d, carried over %d (%d by this run), "
            "flagged %d, children left out %d, waiting %d, left for the next run %d, in %.2f s"
            % (self.group_number, self.renewal_date.isoformat(), self.plan_year, self.kept, self.changed, self.declined,
               self.carried_over, self.carried_over_now, self.flagged, self.children_left_out, self.waiting, self.left, self.seconds)
        )


def check_renewal_date(group, renewal_date: date) -> None:
    if renewal_date.day != 1 or renewal_date.month != group.renewal_month:
        raise ValueError("%s is not a renewal date of group %s (it renews on the first of month %d)."
                         % (renewal_date.isoformat(), group.group_number, group.renewal_month))


def candidates(group, window):
    """The coverages that carry over: in force the day before renewal, open-ended, no open-enrollment request waiting."""
    waiting = ChangeRequest.objects.filter(
        subscriber=OuterRef("subscriber_id"), kind__in=oe_selectors.OE_KINDS, status__in=oe_selectors.WAITING,
        snapshot__plan_year=window.plan_year,
    )
    return (
        Coverage.objects.for_group(group)
        .filter(status=Coverage.Status.ACTIVE, start__lte=window.day_before_renewal, end__isnull=True)
        .exclude(Exists(waiting))
    )


def run_renewal(group, renewal_date: date, *, batch_size: int = BATCH_SIZE, progress=None) -> RenewalSummary:
    """Carry over the group's silent subscribers into the plan year starting on `renewal_date`; return the summary.

    `progress(done, total)` is called after each batch (the command draws its progress line).
    """
    check_renewal_date(group, renewal_date)
    started = time.monotonic()
    window = oe_selectors.window_of_renewal(group, renewal_date, renewal_date)
    summary = RenewalSummary(group.group_number, renewal_date, window.plan_year)
    offered = oe_selectors.offered_plan_ids(group, window.plan_year)
    plans = {pk: (successor, code) for pk, successor, code in Plan.objects.values_list("pk", "successor_id", "code")}
    total = candidates(group, window).count()
    done, after = 0, 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RENEWAL_LOCK, group.pk])
            rows = (
                candidates(group, window)
                .filter(subscriber_id__gt=after)
                .select_related("subscriber")
                .only("subscriber_id", "plan_id", "subscriber__subgroup_id", "subscriber__subscriber_number")
                # A subscriber the worker is applying an option for (their row locked) is skipped: the option
                # takes effect, or the next run carries them over.
                .select_for_update(of=("self", "subscriber"), skip_locked=True)
                .order_by("subscriber_id")[:batch_size]
            )
            batch = [
                {"pk": c.pk, "subscriber_id": c.subscriber_id, "plan_id": c.plan_id, "subscriber__subgroup_id": c.subscriber.subgroup_id,
                 "subscriber__subscriber_number": c.subscriber.subscriber_number}
                for c in rows
            ]
            if not batch:
                break
            _carry_over(group, window, batch, offered, plans, summary)
        after = batch[-1]["subscriber_id"]
        done += len(batch)
        if progress:
            progress(done, total)
    _count(group, window, summary)
    flagged = OpenEnrollmentElection.objects.filter(
        subscriber=OuterRef("subscriber_id"), plan_year=window.plan_year, choice=Choice.AUTO, plan__isnull=True
    )
    summary.left = candidates(group, window).exclude(Exists(flagged)).count()
    summary.seconds = time.monotonic() - started
    logger.info("renewal %s", summary.line())
    return summary


def _carry_over(group, window, batch, offered, plans, summary: RenewalSummary) -> None:
    """Write one batch: end the carried rows, insert the new year's rows, their members and the "auto" elections."""
    members = {}
    for row in CoveredMember.objects.filter(coverage_id__in=[c["pk"] for c in batch]).values(
        "coverage_id", "dependent_id", "dependent__relationship", "dependent__date_of_birth", "dependent__removed_on",
        "dependent__first_name", "dependent__last_name",
    ):
        members.setdefault(row["coverage_id"], []).append(row)
    ended, new_rows, new_members, elections = [], [], [], []
    now = timezone.now()
    for c in batch:
        successor, code = plans[c["plan_id"]]
        plan_id = rules.carry_over_plan(c["plan_id"], successor, oe_selectors.offered_to(offered, c["subscriber__subgroup_id"]))
        if plan_id is None:
            flag = "%s is not offered to this subscriber's subgroup for plan year %d and has no successor offered: not carried over." % (
                code, window.plan_year)
            elections.append(OpenEnrollmentElection(
                group=group, subscriber_id=c["subscriber_id"], plan_year=window.plan_year, choice=Choice.AUTO, flags=[flag], created_at=now,
            ))
            summary.flags.append("%s: %s" % (c["subscriber__subscriber_number"], flag))
            continue
        kept, flags = [], []
        for m in members.get(c["pk"], []):
            if m["dependent__removed_on"] is not None and m["dependent__removed_on"] < window.renewal_date:
                continue
            if rules.aged_out_on(m["dependent__relationship"], m["dependent__date_of_birth"], window.renewal_date):
                flags.append("%s %s: past the end of the month they turn 26 (eligible through %s); left out, the tier follows." % (
                    m["dependent__first_name"], m["dependent__last_name"],
                    rules.child_eligible_through(m["dependent__date_of_birth"]).strftime("%b %-d, %Y")))
                summary.children_left_out += 1
                continue
            kept.append(m)
        if plan_id != c["plan_id"]:
            flags.append("%s is not offered in plan year %d: carried over to the successor plan %s." % (
                code, window.plan_year, plans[plan_id][1]))
        coverage = Coverage(
            group=group, subscriber_id=c["subscriber_id"], plan_id=plan_id, plan_year=window.plan_year,
            tier=rules.coverage_tier(m["dependent__relationship"] for m in kept), start=window.renewal_date,
            status=Coverage.Status.ACTIVE, created_at=now,
        )
        ended.append(c["pk"])
        new_rows.append(coverage)
        new_members.append((coverage, kept))
        elections.append(OpenEnrollmentElection(
            group=group, subscriber_id=c["subscriber_id"], plan_year=window.plan_year, choice=Choice.AUTO, plan_id=plan_id,
            coverage=coverage, ended_coverage_id=c["pk"], flags=flags, created_at=now,
        ))
    Coverage.objects.filter(pk__in=ended).update(end=window.day_before_renewal, termination_reason=Coverage.TerminationReason.REPLACED)
    Coverage.objects.bulk_create(new_rows)
    CoveredMember.objects.bulk_create([CoveredMember(coverage=cov, dependent_id=m["dependent_id"]) for cov, kept in new_members for m in kept])
    for election in elections:  # the coverages have their ids now
        election.coverage_id = election.coverage.pk if election.coverage else None
    OpenEnrollmentElection.objects.bulk_create(
        elections, update_conflicts=True, unique_fields=["subscriber", "plan_year"],
        update_fields=["choice", "plan", "coverage", "ended_coverage", "flags", "request", "decline_reason", "alternate_plan_name"],
    )
    summary.carried_over_now += len(new_rows)


def _count(group, window, summary: RenewalSummary) -> None:
    """Fill the totals of the group's renewal: the elections by choice, the flagged, the requests still waiting (two queries)."""
    counts = {
        (row["choice"], row["has_plan"]): row["n"]
        for row in OpenEnrollmentElection.objects.for_group(group).filter(plan_year=window.plan_year)
        .values("choice", has_plan=ExpressionWrapper(Q(plan__isnull=False), output_field=BooleanField()))
        .annotate(n=Count("pk"))
    }
    summary.kept = counts.get((Choice.KEEP, True), 0)
    summary.changed = counts.get((Choice.BEGIN, True), 0)
    summary.declined = counts.get((Choice.DECLINE, False), 0)
    summary.carried_over = counts.get((Choice.AUTO, True), 0)
    summary.flagged = counts.get((Choice.AUTO, False), 0)
    waiting = ChangeRequest.objects.for_group(group).filter(
        kind__in=oe_selectors.OE_KINDS, status__in=oe_selectors.WAITING, snapshot__plan_year=window.plan_year,
    )
    summary.waiting = waiting.values("subscriber_id").distinct().count()


def groups_due(groups, today_of) -> list[tuple]:
    """Return [(group, renewal date)] of the groups whose renewal is due on their own today (the daily beat task)."""
    due = []
    for group in groups:
        renewal = rules.renewal_due(group.renewal_month, today_of(group))
        if renewal is not None:
            due.append((group, renewal))
    return due
