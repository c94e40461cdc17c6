"""Reads that several views share."""

from datetime import date

from django.db.models import Case, Exists, OuterRef, Q, Value, When

from enrollment.models import ChangeRequest, Coverage, Subscriber

OPEN_REQUEST_STATUSES = (
    ChangeRequest.Status.RECEIVED,
    ChangeRequest.Status.PROCESSING,
    ChangeRequest.Status.NEEDS_REVIEW,
)


def roster(group, today: date):
    """The group's subscribers, each annotated with roster_status: active, prospective or terminated."""
    live = Coverage.objects.filter(subscriber=OuterRef("pk")).exclude(status=Coverage.Status.VOID)
    in_force = live.filter(status=Coverage.Status.ACTIVE, start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today))
    future = live.filter(start__gt=today) | live.filter(status=Coverage.Status.PENDING)
    return (
        Subscriber.objects.for_group(group)
        .select_related("subgroup")
        .annotate(
            roster_status=Case(
                When(Exists(in_force), then=Value("active")),
                When(Exists(future), then=Value("prospective")),
                default=Value("terminated"),
            )
        )
    )


def roster_counts(group, today: date) -> dict:
    """How many subscribers are active, prospective and terminated (one query)."""
    from django.db.models import Count

    rows = roster(group, today).order_by().values("roster_status").annotate(n=Count("pk"))
    counts = {"active": 0, "prospective": 0, "terminated": 0}
    counts.update({row["roster_status"]: row["n"] for row in rows})
    return counts


def open_requests(group):
    return ChangeRequest.objects.for_group(group).filter(status__in=OPEN_REQUEST_STATUSES)


# --- New Enrollment ---------------------------------------------------------------------------


def offered_plans(group, subgroup_id, plan_year: int):
    """The active plans offered to this subgroup (or to all the group's subgroups) for the plan year."""
    from enrollment.models import Plan, PlanOffering

    offered = PlanOffering.objects.for_group(group).filter(plan=OuterRef("pk"), plan_year=plan_year).filter(
        Q(subgroup_id=subgroup_id) | Q(subgroup__isnull=True)
    )
    return Plan.objects.filter(is_active=True).filter(Exists(offered))


def group_plans(group, plan_year: int):
    """Every active plan offered to any of the group's subgroups for the plan year."""
    from enrollment.models import Plan, PlanOffering

    return Plan.objects.filter(is_active=True).filter(
        Exists(PlanOffering.objects.for_group(group).filter(plan=OuterRef("pk"), plan_year=plan_year))
    )


def find_duplicate_subscriber(group, *, ssn_hash: str, first_name: str, last_name: str, date_of_birth, exclude_pk=None):
    """The subscriber already in the group with the same SSN, or the same name and date of birth, or None."""
    same = Q(first_name__iexact=first_name, last_name__iexact=last_name, date_of_birth=date_of_birth)
    if ssn_hash:
        same |= Q(ssn_hash=ssn_hash)
    queryset = Subscriber.objects.for_group(group).filter(same)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def open_drafts(group, user):
    """The user's New Enrollment wizards in progress in this group (not yet confirmed)."""
    from enrollment.models import EnrollmentDraft

    return EnrollmentDraft.objects.for_group(group).filter(created_by=user, request__isnull=True)


# --- Track Requests ---------------------------------------------------------------------------


def requests_for_group(group):
    """The group's requests with what the Track Requests table shows, in one query per page."""
    return ChangeRequest.objects.for_group(group).select_related("subscriber", "submitted_by")


def find_request(group, number: str):
    """The group's request with this confirmation number (any case, dashes or spaces), or None."""
    from enrollment.change_requests import normalize_confirmation_number

    number = normalize_confirmation_number(number)
    if not number:
        return None
    return requests_for_group(group).filter(confirmation_number=number).first()


class RateTable:
    """The carrier's tier and age-band rates, read in two queries and looked up in memory.

    The wizard prices a handful of plans with it; invoice generation prices every
    coverage of a month with one table.
    """

    def __init__(self, *, plan_ids=None, plan_year: int | None = None):
        from collections import defaultdict

        from enrollment.models import PlanAgeRate, PlanRate

        tier_rows, age_rows = PlanRate.objects.all(), PlanAgeRate.objects.all()
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
        from enrollment import rating, rules

        if group.rating_method == group.RatingMethod.AGE_BANDED:
            premiums = rating.age_banded_premiums(
                members, self.ages[(plan_id, plan_year)],
                plan_year_start=rules.plan_year_start(group.renewal_month, plan_year), coverage_start=coverage_start,
            )
            return rating.total(premiums), premiums
        return rating.tiered_premium(self.tiers[(plan_id, plan_year)], tier), []


def plan_premiums(group, plans, *, plan_year: int, tier: str, members, coverage_start: date) -> dict:
    """{plan id: monthly premium or None when no rate is set} for the members being covered, in two queries."""
    from enrollment import rating

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
