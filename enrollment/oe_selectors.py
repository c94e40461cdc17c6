"""Open enrollment reads: the window, who takes part, what was done for each, the roll-over of a coverage.

Who takes part in an open enrollment (its population): the subscribers with coverage in the
books (active) in force on the day before the renewal date that goes on past it, or that an
option of this open enrollment (or the renewal's carry-over) ended there. A coverage ended on
that day for another reason (a termination, or a life event whose new coverage already starts
on the renewal date in the new plan year) takes no part. Their status comes from their
latest open-enrollment request for the coming plan year that still stands (any status but
rejected or superseded): kept, changed or declined; else "carried over" once the renewal ran;
else nothing yet. Every function here runs a fixed number of queries, whatever the number of
subscribers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import Subgroup
from enrollment import rating, rules, selectors
from enrollment.models import (
    ChangeRequest,
    Coverage,
    CoveredMember,
    Dependent,
    OpenEnrollmentElection,
    Plan,
    PlanOffering,
    Subscriber,
)

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status
OE_KINDS = (Kind.OE_BEGIN, Kind.OE_KEEP, Kind.OE_DECLINE)
# A request that still stands: the latest of these is the subscriber's open-enrollment choice.
STANDING = (Status.RECEIVED, Status.PROCESSING, Status.NEEDS_REVIEW, Status.COMPLETED)
WAITING = (Status.RECEIVED, Status.PROCESSING, Status.NEEDS_REVIEW)

# What the pages call each outcome, in the order they show them.
KEPT, CHANGED, DECLINED, CARRIED_OVER, NOT_YET = "kept", "changed", "declined", "carried_over", "not_yet"
OUTCOMES = (KEPT, CHANGED, DECLINED, CARRIED_OVER, NOT_YET)
OUTCOME_LABELS = {KEPT: "Kept", CHANGED: "Changed", DECLINED: "Declined", CARRIED_OVER: "Carried over", NOT_YET: "Nothing yet"}
OUTCOME_OF_KIND = {Kind.OE_KEEP: KEPT, Kind.OE_BEGIN: CHANGED, Kind.OE_DECLINE: DECLINED}


@dataclass(frozen=True)
class Window:
    """The coming renewal of a group as seen on `today` (the group's own date)."""

    today: date
    renewal_date: date  # the first day of the new plan year
    plan_year: int  # the new plan year
    opens: date
    closes: date  # the last day to act: the day before the renewal date

    @property
    def is_open(self) -> bool:
        return self.opens <= self.today <= self.closes

    @property
    def day_before_renewal(self) -> date:
        return self.renewal_date - timedelta(days=1)

    @property
    def current_plan_year(self) -> int:
        return self.plan_year - 1

    @property
    def days_left(self) -> int:
        return rules.days_left_in_window(self.closes, self.today)


def window_for(group, today: date) -> Window:
    """Return the group's coming open-enrollment window; `today` is the group's date (EmployerGroup.today())."""
    renewal = rules.next_renewal_date(group.renewal_month, today)
    opens, closes = rules.open_enrollment_window(group.renewal_month, today)
    return Window(today, renewal, rules.plan_year_of(group.renewal_month, renewal), opens, closes)


def window_of_renewal(group, renewal_date: date, today: date) -> Window:
    """Return the window that ends the day before `renewal_date` (for the renewal run and the worker)."""
    opens = rules.add_months(renewal_date, -1)
    return Window(today, renewal_date, rules.plan_year_of(group.renewal_month, renewal_date), opens, renewal_date - timedelta(days=1))


# --- Who takes part, and their status -----------------------------------------------------------


def in_force_before_renewal(window: Window, coverages=None):
    """Coverage rows in the books in force on the day before the renewal date (whatever their end), of `coverages` or all."""
    day = window.day_before_renewal
    rows = Coverage.objects.all() if coverages is None else coverages
    return rows.filter(status=Coverage.Status.ACTIVE, start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


def population(membership, window: Window):
    """Return the admin's subscribers taking part in this open enrollment."""
    coverage = in_force_before_renewal(window).filter(subscriber=OuterRef("pk"))
    acted = standing_requests(window).filter(subscriber=OuterRef("pk"))
    carried = OpenEnrollmentElection.objects.filter(
        subscriber=OuterRef("pk"), plan_year=window.plan_year, choice=OpenEnrollmentElection.Choice.AUTO, plan__isnull=False
    )
    return Subscriber.objects.for_membership(membership).filter(
        Exists(coverage.filter(end__isnull=True)) | (Exists(coverage) & (Exists(acted) | Exists(carried)))
    )


def standing_requests(window: Window):
    """Open-enrollment requests for the coming plan year that still stand (latest first)."""
    return ChangeRequest.objects.filter(kind__in=OE_KINDS, status__in=STANDING, snapshot__plan_year=window.plan_year).order_by(
        "-submitted_at", "-pk"
    )


def outcome_of(kind: str | None, carried: bool) -> str:
    if kind:
        return OUTCOME_OF_KIND[kind]
    return CARRIED_OVER if carried else NOT_YET


@dataclass
class OEStatus:
    outcome: str
    request: ChangeRequest | None = None

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def waiting(self) -> bool:
        return self.request is not None and self.request.status in WAITING


def statuses(subscriber_ids, window: Window) -> dict[int, OEStatus]:
    """Return {subscriber id: their open-enrollment status with the request behind it}, in two queries."""
    subscriber_ids = list(subscriber_ids)
    latest = {
        r.subscriber_id: r
        for r in standing_requests(window)
        .filter(subscriber_id__in=subscriber_ids)
        .order_by("subscriber_id", "-submitted_at", "-pk")
        .distinct("subscriber_id")
    }
    carried = set(
        OpenEnrollmentElection.objects.filter(
            subscriber_id__in=subscriber_ids, plan_year=window.plan_year, choice=OpenEnrollmentElection.Choice.AUTO, plan__isnull=False
        ).values_list("subscriber_id", flat=True)
    )
    result = {}
    for pk in subscriber_ids:
        request = latest.get(pk)
        result[pk] = OEStatus(outcome_of(request.kind if request else None, pk in carried), request)
    return result


# --- The search page ------------------------------------------------------------------------------


def search(membership, window: Window, text: str):
    """Return the admin's subscribers in this open enrollment matching a subscriber ID or last name (its start, any case)."""
    return population(membership, window).search(text).select_related("subgroup").order_by("last_name", "first_name", "pk")


@dataclass
class Row:
    subscriber: Subscriber
    coverage: Coverage | None
    premium: Decimal | None  # monthly, this plan year
    status: OEStatus


def rows_for(group, subscribers, window: Window) -> list[Row]:
    """Return a search result row per subscriber (current plan, tier, this year's premium, status) in five queries."""
    subscribers = list(subscribers)
    ids = [s.pk for s in subscribers]
    # A tiered premium needs no members: load them only for an age-banded group.
    coverages = current_coverages(ids, window, with_members=group.rating_method == group.RatingMethod.AGE_BANDED)
    premiums = premiums_of(group, coverages.values(), window.current_plan_year)
    status = statuses(ids, window)
    return [Row(s, coverages.get(s.pk), premiums.get(coverages[s.pk].pk) if s.pk in coverages else None, status[s.pk]) for s in subscribers]


def current_coverages(subscriber_ids, window: Window, *, with_members: bool = True) -> dict[int, Coverage]:
    """Return {subscriber id: the coverage in force on the day before the renewal date}, members loaded (two queries, or one without)."""
    rows = in_force_before_renewal(window).filter(subscriber_id__in=list(subscriber_ids)).select_related("plan", "subscriber")
    if with_members:
        rows = rows.prefetch_related("covered_members__dependent")
    return {c.subscriber_id: c for c in rows}


def rating_members(coverage: Coverage, dependents=None) -> list[tuple]:
    """Return the covered members as rating expects them: (key, relationship, date of birth)."""
    if dependents is None:
        dependents = [m.dependent for m in coverage.covered_members.all()]
    members = [("00", "subscriber", coverage.subscriber.date_of_birth)]
    return members + [(d.pk, d.relationship, d.date_of_birth) for d in dependents]


def premiums_of(group, coverages, plan_year: int) -> dict[int, Decimal | None]:
    """Return {coverage id: its monthly premium in `plan_year` (this one), or None when no rate is set}, in one query.

    An age-banded group's coverages need their covered members loaded (current_coverages).
    """
    coverages = list(coverages)
    table = selectors.RateTable(plan_ids={c.plan_id for c in coverages}, plan_year=plan_year, rating_method=group.rating_method)
    age_banded = group.rating_method == group.RatingMethod.AGE_BANDED
    result = {}
    for c in coverages:
        try:
            result[c.pk] = table.premium(
                group, plan_id=c.plan_id, plan_year=plan_year, tier=c.tier, members=rating_members(c) if age_banded else [],
                coverage_start=c.start,
            )[0]
        except rating.MissingRate:
            result[c.pk] = None
    return result


# --- Progress --------------------------------------------------------------------------------------


@dataclass
class SubgroupProgress:
    subgroup: Subgroup
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def acted(self) -> int:
        return self.counts[KEPT] + self.counts[CHANGED] + self.counts[DECLINED]

    @property
    def cells(self) -> list[int]:
        return [self.counts[key] for key in OUTCOMES]


# One statement with hash joins: correlated subqueries per subscriber cost several times more
# on a 10,000-subscriber group. At most one active coverage of a subscriber is in force on a
# day (the exclusion constraint), so each subscriber counts once.
OUTCOME_COUNTS_SQL = """
WITH taking_part AS (
    SELECT c.subscriber_id, s.subgroup_id, c."end" IS NULL AS open_ended
    FROM {coverage} c JOIN {subscriber} s ON s.id = c.subscriber_id
    WHERE c.group_id = %(group)s AND c.status = 'active' AND c.start <= %(day)s AND (c."end" IS NULL OR c."end" >= %(day)s)
      AND (%(all_subgroups)s OR s.subgroup_id = ANY(%(subgroups)s))
), latest AS (
    SELECT DISTINCT ON (r.subscriber_id) r.subscriber_id, r.kind
    FROM {request} r
    WHERE r.group_id = %(group)s AND r.kind = ANY(%(kinds)s) AND r.status = ANY(%(standing)s)
      AND r.snapshot -> 'plan_year' = to_jsonb(%(year)s::integer)
    ORDER BY r.subscriber_id, r.submitted_at DESC, r.id DESC
)
SELECT t.subgroup_id, latest.kind, e.id IS NOT NULL, count(*)
FROM taking_part t
LEFT JOIN latest ON latest.subscriber_id = t.subscriber_id
LEFT JOIN {election} e ON e.subscriber_id = t.subscriber_id AND e.plan_year = %(year)s AND e.choice = 'auto' AND e.plan_id IS NOT NULL
WHERE t.open_ended OR latest.kind IS NOT NULL OR e.id IS NOT NULL  -- see the module's docstring: who takes part
GROUP BY 1, 2, 3
"""


def outcome_counts(group, window: Window, subgroup_ids=None) -> dict[int, dict[str, int]]:
    """Return {subgroup id: {outcome: how many subscribers}} of this open enrollment, in one query.

    `subgroup_ids` limits it to those subgroups (an admin limited to some); None is every subgroup.
    """
    sql = OUTCOME_COUNTS_SQL.format(
        coverage=Coverage._meta.db_table, subscriber=Subscriber._meta.db_table, request=ChangeRequest._meta.db_table,
        election=OpenEnrollmentElection._meta.db_table,
    )
    params = {
        "group": group.pk, "day": window.day_before_renewal, "year": window.plan_year, "kinds": list(OE_KINDS),
        "standing": list(STANDING), "all_subgroups": subgroup_ids is None, "subgroups": sorted(subgroup_ids or []),
    }
    counts = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for subgroup_id, kind, carried, n in cursor.fetchall():
            counts[subgroup_id][outcome_of(kind, carried)] += n
    return dict(counts)


def progress(membership, window: Window) -> list[SubgroupProgress]:
    """Return the counts of kept, changed, declined, carried over and not yet acted on, per subgroup (two queries)."""
    counts = outcome_counts(membership.group, window, membership.limited_subgroup_ids)
    return [
        SubgroupProgress(sg, counts.get(sg.pk, dict.fromkeys(OUTCOMES, 0)))
        for sg in Subgroup.objects.for_membership(membership).order_by("name")
    ]


def totals(progress_rows) -> dict:
    result = dict.fromkeys(OUTCOMES, 0)
    for row in progress_rows:
        for key, value in row.counts.items():
            result[key] += value
    return result


def not_acted_on(membership, window: Window):
    """Return the coverages of the admin's subscribers in this open enrollment with nothing done yet, for the CSV (one query)."""
    standing = standing_requests(window).filter(subscriber=OuterRef("subscriber_id"))
    carried = OpenEnrollmentElection.objects.filter(
        subscriber=OuterRef("subscriber_id"), plan_year=window.plan_year, choice=OpenEnrollmentElection.Choice.AUTO, plan__isnull=False
    )
    return (
        in_force_before_renewal(window, Coverage.objects.for_membership(membership))
        .filter(end__isnull=True)
        .exclude(Exists(standing))
        .exclude(Exists(carried))
        .order_by("subscriber__last_name", "subscriber__first_name", "subscriber_id")
        .values_list(
            "subscriber__subscriber_number", "subscriber__last_name", "subscriber__first_name", "subscriber__subgroup__name",
            "plan__code", "plan__name", "tier",
        )
    )


def not_acted_on_count(membership, window: Window) -> int:
    """Return how many of the admin's subscribers in this open enrollment have nothing done yet (one query)."""
    counts = outcome_counts(membership.group, window, membership.limited_subgroup_ids)
    return sum(c[NOT_YET] for c in counts.values())


def banner(membership, today: date) -> dict | None:
    """Return Group Home's open-enrollment banner (the window, how many not acted on), or None outside the window (one query)."""
    window = window_for(membership.group, today)
    if not window.is_open:
        return None
    return {"window": window, "not_acted": not_acted_on_count(membership, window)}


# --- Flags: what cannot carry over as it is ------------------------------------------------------


@dataclass(frozen=True)
class AgedOutChild:
    subscriber: Subscriber
    dependent: Dependent
    eligible_through: date

    @property
    def reason(self) -> str:
        return "Turns 26 on %s: eligible as a child only through %s, so not carried over into the new plan year." % (
            _shown(rules.add_months(self.dependent.date_of_birth, 12 * rules.CHILD_AGE_LIMIT)), _shown(self.eligible_through),
        )


def _shown(day: date) -> str:
    return day.strftime("%b %-d, %Y")


def aged_out_children(membership, window: Window, limit: int = 100) -> list[AgedOutChild]:
    """Return up to `limit` + 1 covered children past the end of the month they turn 26 on the renewal date (one query).

    Children of subscribers who declined or began a new enrollment are left out: their new
    election says who is covered. One more than `limit` tells the page there are more.
    """
    day = window.day_before_renewal
    replaced = standing_requests(window).filter(kind__in=(Kind.OE_BEGIN, Kind.OE_DECLINE), subscriber=OuterRef("coverage__subscriber_id"))
    members = (
        CoveredMember.objects.for_membership(membership)
        .filter(coverage__status=Coverage.Status.ACTIVE, coverage__start__lte=day)
        .filter(Q(coverage__end__isnull=True) | Q(coverage__end__gte=day))
        .filter(
            dependent__relationship__in=sorted(rules.CHILDREN - {rules.DISABLED_ADULT_CHILD}),
            dependent__date_of_birth__lt=rules.aged_out_born_before(window.renewal_date),
        )
        .exclude(Exists(replaced))
        .select_related("dependent", "coverage__subscriber")
        .order_by("coverage__subscriber__last_name", "dependent__date_of_birth", "pk")
    )
    return [AgedOutChild(m.coverage.subscriber, m.dependent, rules.child_eligible_through(m.dependent.date_of_birth))
            for m in members[: limit + 1]]


@dataclass(frozen=True)
class PlanMapping:
    plan: Plan
    subgroup: Subgroup
    to_plan: Plan | None  # None: nothing to carry over to
    subscribers: int


def offered_plan_ids(group, plan_year: int) -> dict[int | None, set[int]]:
    """Return {subgroup id, or None for every subgroup: ids of the active plans offered for the plan year} (one query)."""
    offered = defaultdict(set)
    for subgroup_id, plan_id in PlanOffering.objects.for_group(group).filter(plan_year=plan_year, plan__is_active=True).values_list(
        "subgroup_id", "plan_id"
    ):
        offered[subgroup_id].add(plan_id)
    return offered


def offered_to(offered: dict, subgroup_id: int) -> set[int]:
    return offered.get(None, set()) | offered.get(subgroup_id, set())


def plan_changes(membership, window: Window) -> list[PlanMapping]:
    """Return the current plans that do not carry over as they are (a successor, or nothing), with how many subscribers (four queries).

    At most one active coverage of a subscriber is in force on a day, so rows count subscribers.
    """
    rows = (
        in_force_before_renewal(window, Coverage.objects.for_membership(membership))
        .order_by()
        .values("plan_id", "subscriber__subgroup_id")
        .annotate(n=Count("pk"))
    )
    offered = offered_plan_ids(membership.group, window.plan_year)
    rows = list(rows)
    plans = Plan.objects.in_bulk({r["plan_id"] for r in rows})
    subgroups = Subgroup.objects.for_group(membership.group).in_bulk({r["subscriber__subgroup_id"] for r in rows})
    result = []
    for row in rows:
        plan = plans[row["plan_id"]]
        to = rules.carry_over_plan(plan.pk, plan.successor_id, offered_to(offered, row["subscriber__subgroup_id"]))
        if to != plan.pk:
            result.append(PlanMapping(plan, subgroups[row["subscriber__subgroup_id"]], plan.successor if to else None, row["n"]))
    return sorted(result, key=lambda m: (m.plan.name, m.subgroup.name))


# --- Keep Existing Coverage: the current elections rolled into the new plan year -------------------


@dataclass
class Rollover:
    """The current coverage and what it becomes in the new plan year if kept as it is."""

    window: Window
    subscriber: Subscriber
    coverage: Coverage
    premium: Decimal | None  # this plan year's monthly premium
    plan: Plan | None  # the new plan year's plan; None when nothing can carry over
    kept: list[Dependent]
    left_out: list[tuple[Dependent, str]]  # (dependent, the reason)
    tier: str
    new_premium: Decimal | None
    problems: list[str] = field(default_factory=list)

    @property
    def via_successor(self) -> bool:
        return self.plan is not None and self.plan.pk != self.coverage.plan_id

    @property
    def difference(self) -> Decimal | None:
        if self.premium is None or self.new_premium is None:
            return None
        return self.new_premium - self.premium

    @property
    def flags(self) -> list[str]:
        notes = []
        if self.via_successor:
            notes.append("%s is not offered in plan year %d: the carrier's successor plan %s takes its place."
                         % (self.coverage.plan.name, self.window.plan_year, self.plan.name))
        notes += ["%s: %s" % (dependent.full_name, reason) for dependent, reason in self.left_out]
        return notes


def rollover(group, subscriber: Subscriber, window: Window) -> Rollover | None:
    """Return the subscriber's coverage rolled into the new plan year, or None without coverage to roll (seven queries)."""
    coverage = current_coverages([subscriber.pk], window).get(subscriber.pk)
    if coverage is None:
        return None
    kept, left_out = [], []
    for member in coverage.covered_members.all():
        dependent = member.dependent
        if dependent.removed_on is not None and dependent.removed_on < window.renewal_date:
            left_out.append((dependent, "No longer a dependent from %s." % _shown(dependent.removed_on)))
        elif rules.aged_out_on(dependent.relationship, dependent.date_of_birth, window.renewal_date):
            child = AgedOutChild(subscriber, dependent, rules.child_eligible_through(dependent.date_of_birth))
            left_out.append((dependent, child.reason))
        else:
            kept.append(dependent)
    offered = offered_plan_ids(group, window.plan_year)
    plan_id = rules.carry_over_plan(coverage.plan_id, coverage.plan.successor_id, offered_to(offered, subscriber.subgroup_id))
    plan = Plan.objects.filter(pk=plan_id).first() if plan_id else None
    tier = rules.coverage_tier(d.relationship for d in kept)
    premium = premiums_of(group, [coverage], window.current_plan_year)[coverage.pk]
    new_premium = None
    problems = []
    if plan is None:
        problems.append(
            "%s is not offered to %s for plan year %d and has no successor plan offered: choose Begin Enrollment to pick a plan, or Decline Coverage."
            % (coverage.plan.name, subscriber.subgroup.name, window.plan_year)
        )
    else:
        try:
            new_premium = selectors.RateTable(plan_ids=[plan.pk], plan_year=window.plan_year, rating_method=group.rating_method).premium(
                group, plan_id=plan.pk, plan_year=window.plan_year, tier=tier,
                members=rating_members(coverage, kept), coverage_start=window.renewal_date,
            )[0]
        except rating.MissingRate:
            new_premium = None
    return Rollover(window, subscriber, coverage, premium, plan, kept, left_out, tier, new_premium, problems)


def election_of(subscriber, plan_year: int) -> OpenEnrollmentElection | None:
    return OpenEnrollmentElection.objects.filter(subscriber=subscriber, plan_year=plan_year).first()
