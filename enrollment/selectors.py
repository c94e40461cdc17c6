"""Reads that several views share. Pages pass the admin's membership: it scopes every row."""

from collections import defaultdict
from datetime import date

from django.db.models import Case, Count, DecimalField, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL

from core.identifiers import normalize_confirmation_number
from enrollment import pricing, rating, rules
from enrollment.models import ChangeRequest, Coverage, EnrollmentDraft, Plan, PlanAgeRate, PlanOffering, PlanRate, Subscriber

OPEN_REQUEST_STATUSES = (
    ChangeRequest.Status.RECEIVED,
    ChangeRequest.Status.PROCESSING,
    ChangeRequest.Status.NEEDS_REVIEW,
)


def roster(membership, today: date):
    """Return the admin's subscribers, each annotated with roster_status: active, prospective or terminated."""
    # The employee's own coverage: a former employee continuing under COBRA is terminated here (the COBRA roster shows them).
    live = Coverage.objects.regular().filter(subscriber=OuterRef("pk")).exclude(status=Coverage.Status.VOID)
    in_force = live.filter(status=Coverage.Status.ACTIVE, start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today))
    future = live.filter(start__gt=today) | live.filter(status=Coverage.Status.PENDING)
    return (
        Subscriber.objects.for_membership(membership)
        .select_related("subgroup")
        .annotate(
            roster_status=Case(
                When(Exists(in_force), then=Value("active")),
                When(Exists(future), then=Value("prospective")),
                default=Value("terminated"),
            )
        )
    )


def with_coverage_columns(subscribers, group, today: date):
    """Annotate roster rows with the coverage the roster shows and what it costs a month.

    The roster's coverage is the one in force today, else the next to start (prospective), else
    the last to end. Annotations: roster_plan, roster_tier, roster_dependents (covered dependents)
    and monthly_premium: priced by enrollment.pricing (the SQL twin of rating.py) on the plan year
    of this month, or of its first month when it starts later or its last when it ended; a
    coverage of an earlier plan year on the plan renewal will carry it over to. NULL: no rate.
    Correlated subqueries, so a page computes them for its own rows only (sorting by one computes it for all).
    """
    month = rules.first_of_month(today)
    coverage_sql = (
        "(SELECT c.id FROM enrollment_coverage c WHERE c.subscriber_id = enrollment_subscriber.id AND c.status <> 'void' "
        "ORDER BY CASE WHEN c.status = 'active' AND c.start <= %s AND (c.\"end\" IS NULL OR c.\"end\" >= %s) THEN 0 "
        "WHEN c.start > %s OR c.status = 'pending' THEN 1 ELSE 2 END, "
        "CASE WHEN c.start > %s THEN c.start END, c.start DESC LIMIT 1)"
    )
    coverage_params = [today, today, today, today]
    carried, carried_params = pricing.carried_plan_sql(
        plan_sql="rc.plan_id", coverage_plan_year_sql="rc.plan_year", subgroup_sql="rc.subgroup_id", plan_year_sql_="rc.year",
        rows=pricing.carry_over_rows(group, [rules.plan_year_of(group.renewal_month, today)]),
    )
    premium = pricing.monthly_premium_sql(
        rating_method_sql="rc.rating_method", coverage_sql="rc.id", plan_sql=carried, plan_year_sql_="rc.year",
        year_start_sql=pricing.plan_year_start_sql("rc.year", "rc.renewal_month"), tier_sql="rc.tier",
    )
    premium_sql = """
        (SELECT {premium} FROM (
            SELECT c.id, c.tier, c.plan_id, c.plan_year, s2.subgroup_id, g.rating_method, g.renewal_month,
                   {year} AS year
            FROM enrollment_coverage c
            JOIN enrollment_subscriber s2 ON s2.id = c.subscriber_id
            JOIN accounts_employergroup g ON g.id = c.group_id
            CROSS JOIN LATERAL (SELECT GREATEST(date_trunc('month', c.start)::date,
                LEAST(%s::date, COALESCE(date_trunc('month', c."end")::date, %s::date))) AS month) m
            WHERE c.id = {coverage}
        ) rc)
    """.format(premium=premium, year=pricing.plan_year_sql("m.month", "g.renewal_month"), coverage=coverage_sql)
    # The parameters in the order their placeholders appear: the carried plan's arrays sit in the
    # premium expression (twice: tiered and age-banded branches), then the month, then the coverage.
    carried_uses = premium.count("unnest(")
    premium_params = carried_params * carried_uses + [month, month] + coverage_params
    # Raw SQL correlated to the roster's own table (a Subquery with OuterRef to a RawSQL
    # annotation loses the correlation): each column finds the roster's coverage itself.
    def on_coverage(sql):
        return sql.format(coverage=coverage_sql)

    return subscribers.annotate(
        roster_coverage_id=RawSQL(coverage_sql, coverage_params),
        roster_plan=RawSQL(
            on_coverage("(SELECT p.name FROM enrollment_coverage rc JOIN enrollment_plan p ON p.id = rc.plan_id WHERE rc.id = {coverage})"),
            coverage_params,
        ),
        roster_tier=RawSQL(on_coverage("(SELECT rc.tier FROM enrollment_coverage rc WHERE rc.id = {coverage})"), coverage_params),
        roster_dependents=RawSQL(
            on_coverage("(SELECT count(*) FROM enrollment_coveredmember cm WHERE cm.coverage_id = {coverage})"), coverage_params,
            output_field=IntegerField(),
        ),
        monthly_premium=RawSQL(premium_sql, premium_params, output_field=DecimalField(max_digits=12, decimal_places=2)),
    )


def roster_counts(membership, today: date) -> dict:
    """Return how many of the admin's subscribers are active, prospective and terminated (one query)."""
    rows = roster(membership, today).order_by().values("roster_status").annotate(n=Count("pk"))
    counts = {"active": 0, "prospective": 0, "terminated": 0}
    counts.update({row["roster_status"]: row["n"] for row in rows})
    return counts


def open_requests(membership):
    """Return the admin's requests still waiting: received, processing or needing review."""
    return ChangeRequest.objects.for_membership(membership).filter(status__in=OPEN_REQUEST_STATUSES)


# --- New Enrollment ---------------------------------------------------------------------------


def offered_plans(group, subgroup_id, plan_year: int):
    """Return the active plans offered to this subgroup (or to all the group's subgroups) for the plan year."""
    offered = PlanOffering.objects.for_group(group).filter(plan=OuterRef("pk"), plan_year=plan_year).filter(
        Q(subgroup_id=subgroup_id) | Q(subgroup__isnull=True)
    )
    return Plan.objects.filter(is_active=True).filter(Exists(offered))


def group_plans(group, plan_year: int):
    """Return every active plan offered to any of the group's subgroups for the plan year."""
    return Plan.objects.filter(is_active=True).filter(
        Exists(PlanOffering.objects.for_group(group).filter(plan=OuterRef("pk"), plan_year=plan_year))
    )


def find_duplicate_subscriber(group, *, ssn_hash: str, first_name: str, last_name: str, date_of_birth, exclude_pk=None):
    """Return the subscriber already in the group with the same SSN, or the same name and date of birth, or None.

    The whole group is searched, whatever the admin's subgroups: the database refuses a
    duplicate anywhere in the group.
    """
    same = Q(first_name__iexact=first_name, last_name__iexact=last_name, date_of_birth=date_of_birth)
    if ssn_hash:
        same |= Q(ssn_hash=ssn_hash)
    queryset = Subscriber.objects.for_group(group).filter(same)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def drafts_of(membership, user):
    """Return the user's own New Enrollment drafts that this membership reaches (confirmed ones included)."""
    return EnrollmentDraft.objects.for_membership(membership).filter(created_by=user)


def open_drafts(membership, user):
    """Return the user's New Enrollment wizards in progress that this membership reaches (not yet confirmed)."""
    return drafts_of(membership, user).filter(request__isnull=True)


# --- Track Requests ---------------------------------------------------------------------------


def requests_for(membership):
    """Return the admin's requests with what the Track Requests table shows, in one query per page."""
    return ChangeRequest.objects.for_membership(membership).select_related("subscriber", "submitted_by")


def find_request(membership, number: str):
    """Return the admin's request with this confirmation number (any case, dashes or spaces), or None."""
    number = normalize_confirmation_number(number)
    if not number:
        return None
    return requests_for(membership).filter(confirmation_number=number).first()


class RateTable:
    """The carrier's tier and age-band rates, read in two queries and looked up in memory.

    The wizard prices a handful of plans with it; invoice generation prices every
    coverage of a month with one table.
    """

    def __init__(self, *, plan_ids=None, plan_year: int | None = None, rating_method: str | None = None):
        tier_rows, age_rows = PlanRate.objects.all(), PlanAgeRate.objects.all()
        # A page of one group needs only the table of its rating method (None: both).
        if rating_method == "tiered":
            age_rows = age_rows.none()
        elif rating_method == "age_banded":
            tier_rows = tier_rows.none()
        if plan_ids is not None:
            tier_rows, age_rows = tier_rows.filter(plan_id__in=plan_ids), age_rows.filter(plan_id__in=plan_ids)
        if plan_year is not None:
            tier_rows, age_rows = tier_rows.filter(plan_year=plan_year), age_rows.filter(plan_year=plan_year)
        self.tiers = defaultdict(dict)  # (plan id, plan year) -> {tier: monthly premium}
        self.ages = defaultdict(dict)  # (plan id, plan year) -> {age band: monthly premium}
        for row in tier_rows:
            self.tiers[(row.plan_id, row.plan_year)][row.tier] = row.monthly_premium
        for row in age_rows:
            self.ages[(row.plan_id, row.plan_year)][row.age_band] = row.monthly_premium

    def premium(self, group, *, plan_id: int, plan_year: int, tier: str, members, coverage_start: date):
        """Return (monthly premium, members' premiums) of one coverage; the members' list is empty for tiered groups.

        `members` is [(key, relationship, date of birth)], the subscriber's relationship
        being "subscriber". Raise rating.MissingRate when the carrier set no rate.
        """
        if group.rating_method == group.RatingMethod.AGE_BANDED:
            premiums = rating.age_banded_premiums(
                members, self.ages[(plan_id, plan_year)],
                plan_year_start=rules.plan_year_start(group.renewal_month, plan_year), coverage_start=coverage_start,
            )
            return rating.total(premiums), premiums
        return rating.tiered_premium(self.tiers[(plan_id, plan_year)], tier), []


def plan_premiums(group, plans, *, plan_year: int, tier: str, members, coverage_start: date) -> dict:
    """Return {plan id: monthly premium, or None when no rate is set} for the members being covered, in two queries."""
    plan_ids = [plan.pk for plan in plans]
    rates = RateTable(plan_ids=plan_ids, plan_year=plan_year)
    premiums = {}
    for plan_id in plan_ids:
        try:
            premiums[plan_id] = rates.premium(
                group, plan_id=plan_id, plan_year=plan_year, tier=tier, members=members, coverage_start=coverage_start
            )[0]
        except rating.MissingRate:
            premiums[plan_id] = None
    return premiums
