"""Plans, offerings and rates for enrollment tests (shared with the browser tests)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import Subgroup
from enrollment import rules
from enrollment.models import AGE_BANDS, PlanAgeRate
from tests import factories

TIER_PREMIUMS = {"EE": Decimal("500.00"), "ES": Decimal("1000.00"), "EC": Decimal("900.00"), "FAM": Decimal("1500.00")}


def offer_plans(group, *, years=None):
    """Salaried and Hourly subgroups; "Gold PPO" offered to both, "Silver HMO" to Salaried only, with tier rates."""
    today = timezone.localdate()
    years = years or [today.year - 1, today.year, today.year + 1]
    salaried = Subgroup.objects.get_or_create(group=group, code="SAL", defaults={"name": "Salaried"})[0]
    hourly = Subgroup.objects.get_or_create(group=group, code="HRLY", defaults={"name": "Hourly"})[0]
    gold = factories.PlanFactory(code="GOLDPPO", name="Gold PPO", metal_level="gold", network="Statewide PPO")
    silver = factories.PlanFactory(
        code="SILVHMO", name="Silver HMO", plan_type="HMO", network="Metro HMO",
        deductible=Decimal("3000.00"), out_of_pocket_max=Decimal("7500.00"),
    )
    for year in years:
        factories.PlanOfferingFactory(plan=gold, group=group, subgroup=None, plan_year=year)
        factories.PlanOfferingFactory(plan=silver, group=group, subgroup=salaried, plan_year=year)
        for plan, factor in ((gold, Decimal("1.2")), (silver, Decimal("1"))):
            for tier, premium in TIER_PREMIUMS.items():
                factories.PlanRateFactory(plan=plan, plan_year=year, tier=tier, monthly_premium=premium * factor)
    return {"salaried": salaried, "hourly": hourly, "gold": gold, "silver": silver}


def add_age_rates(plan, years):
    for year in years:
        for index, band in enumerate(AGE_BANDS):
            PlanAgeRate.objects.create(plan=plan, plan_year=year, age_band=band, monthly_premium=Decimal("100.00") + index)


def recent_hire_date(today=None):
    """Return a hire date ten days ago: with no waiting period coverage starts the next first of month."""
    return (today or timezone.localdate()) - datetime.timedelta(days=10)


def subscriber_post(subgroup, **overrides):
    data = {
        "first_name": "Maria", "middle_initial": "J", "last_name": "Lopez", "date_of_birth": "1988-02-14",
        "gender": "F", "marital_status": "married", "ssn": "123-45-6789", "address_line1": "12 Oak Ave",
        "address_line2": "", "city": "Salem", "state": "OR", "zip_code": "97301", "phone": "503-555-0142",
        "email": "maria@example.com", "hire_date": recent_hire_date().isoformat(), "subgroup": str(subgroup.pk),
    }
    data.update(overrides)
    return data


def proposed_start(group):
    return rules.new_hire_coverage_start(recent_hire_date(), group.waiting_period_days)


def dependents_post(dependents, action="continue"):
    """Return the dependents formset's POST data for a list of dicts."""
    data = {"dep-TOTAL_FORMS": str(len(dependents)), "dep-INITIAL_FORMS": "0", "dep-MIN_NUM_FORMS": "0",
            "dep-MAX_NUM_FORMS": "1000", "action": action}
    for i, dep in enumerate(dependents):
        base = {"key": "", "middle_initial": "", "ssn": "", "gender": "M", "last_name": "Lopez",
                "has_other_coverage": "", "other_carrier": "", "other_policy_number": ""}
        base.update(dep)
        for key, value in base.items():
            data["dep-%d-%s" % (i, key)] = value
    return data


SPOUSE = {"first_name": "Carlos", "date_of_birth": "1986-07-01", "relationship": "spouse", "elect_coverage": "yes"}
CHILD = {"first_name": "Lucia", "date_of_birth": "2015-03-09", "gender": "F", "relationship": "child", "elect_coverage": "yes"}
CHILD_WITH_OTHER_COVERAGE = {
    "first_name": "Diego", "date_of_birth": "2012-11-20", "relationship": "child", "elect_coverage": "no",
    "has_other_coverage": "yes", "other_carrier": "Kaiser", "other_policy_number": "KP-99812",
}
