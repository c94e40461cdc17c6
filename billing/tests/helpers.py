"""Builders for billing tests: a group with plans and rates, subscribers with coverage, invoices issued on their day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import Subgroup
from billing import rules, services
from enrollment.models import AGE_BANDS, ChangeRequest, Coverage, CoveredMember, PlanAgeRate, PlanRate
from tests import factories

D = Decimal
TIERS = {"EE": D("500.00"), "ES": D("1000.00"), "EC": D("925.00"), "FAM": D("1450.00")}


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """An aware instant on `day` (UTC)."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.timezone.utc)


def set_up_group(group, *, years=(2025, 2026, 2027), renewal_month=1, policy="mid_month", rating="tiered", retro_days=60):
    """Give `group` a "Salaried" and an "Hourly" subgroup and the plan GOLD offered to both, tier rates x1 a year."""
    group.renewal_month = renewal_month
    group.billing_policy = policy
    group.rating_method = rating
    group.retro_days = retro_days
    group.save()
    salaried = Subgroup.objects.get_or_create(group=group, code="SAL", defaults={"name": "Salaried"})[0]
    hourly = Subgroup.objects.get_or_create(group=group, code="HRLY", defaults={"name": "Hourly"})[0]
    gold = factories.PlanFactory(code="GOLD", name="Gold PPO")
    for year in years:
        factories.PlanOfferingFactory(plan=gold, group=group, subgroup=None, plan_year=year)
        add_tier_rates(gold, year)
    return {"salaried": salaried, "hourly": hourly, "gold": gold}


def add_tier_rates(plan, year, factor=D("1")):
    for tier, premium in TIERS.items():
        PlanRate.objects.update_or_create(plan=plan, plan_year=year, tier=tier, defaults={"monthly_premium": premium * factor})


def add_age_rates(plan, year, rates: dict):
    """Age rates: `rates` maps band to monthly premium; every other band costs 300.00."""
    PlanAgeRate.objects.bulk_create(
        [PlanAgeRate(plan=plan, plan_year=year, age_band=band, monthly_premium=rates.get(band, D("300.00"))) for band in AGE_BANDS]
    )


def subscriber(group, subgroup, last_name, **kwargs):
    return factories.SubscriberFactory(group=group, subgroup=subgroup, last_name=last_name, first_name=kwargs.pop("first_name", "Pat"), **kwargs)


def dependent(subscriber_, relationship, born, first_name, suffix):
    return factories.DependentFactory(
        subscriber=subscriber_, group=subscriber_.group, relationship=relationship, date_of_birth=born,
        first_name=first_name, member_suffix=suffix,
    )


def cover(subscriber_, plan, start, end=None, *, tier="EE", dependents=(), plan_year=None, status=Coverage.Status.ACTIVE):
    coverage = factories.CoverageFactory(
        subscriber=subscriber_, group=subscriber_.group, plan=plan, tier=tier, start=start, end=end, status=status,
        plan_year=plan_year or start.year,
    )
    CoveredMember.objects.bulk_create([CoveredMember(coverage=coverage, dependent=d) for d in dependents])
    return coverage


def end(coverage, day):
    Coverage.objects.filter(pk=coverage.pk).update(end=day)
    coverage.refresh_from_db()
    return coverage


def completed_request(group, subscriber_, kind, decided: datetime.datetime, number: str):
    """A completed request of the subscriber, decided at `decided` (as the maintenance worker leaves it)."""
    return factories.ChangeRequestFactory(
        group=group, subscriber=subscriber_, kind=kind, status=ChangeRequest.Status.COMPLETED, confirmation_number=number,
        submitted_at=decided, decided_at=decided,
    )


def issue(group, period: datetime.date, *, hour: int = 6):
    """Issue the invoice of `period` on its invoice day (early in the morning, as the beat does)."""
    day = rules.invoice_issue_date(period, group.invoice_day)
    return services.issue_invoice(group=group, period=period, today=day, issued_at=at(day, hour)).invoice


def lines(invoice) -> list[tuple]:
    """The invoice's lines as (kind, subscriber last name, month YYYY-MM, plan code, tier, amount, confirmation number)."""
    rows = invoice.lines.select_related("subscriber", "plan", "change_request").order_by("kind", "subscriber__last_name", "service_month", "id")
    return [
        (
            line.kind, line.subscriber.last_name if line.subscriber_id else "", line.service_month.strftime("%Y-%m"),
            line.plan.code if line.plan_id else "", line.tier, line.amount,
            line.change_request.confirmation_number if line.change_request_id else "",
        )
        for line in rows
    ]

