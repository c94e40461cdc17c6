"""An employer group in its open enrollment, for the open-enrollment tests (shared with the browser tests).

The group renews on 1 January: the plan year 2026 ends on 31 December 2026, the window runs
from 1 December through 31 December 2026, and the plan year 2027 starts on 1 January 2027.
"""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from accounts.models import Subgroup
from core.identifiers import generate_confirmation_number
from enrollment import rules
from enrollment.models import (
    ChangeRequest,
    Coverage,
    CoveredMember,
    Dependent,
    OpenEnrollmentElection,
    PlanOffering,
    PlanRate,
    Subscriber,
)
from tests import factories

TODAY = date(2026, 12, 10)  # inside the window
RENEWAL = date(2027, 1, 1)
LAST_DAY = date(2026, 12, 31)
THIS_YEAR, NEXT_YEAR = 2026, 2027
PACIFIC = ZoneInfo("America/Los_Angeles")

# (plan code, 0 for this plan year or 1 for the next): monthly premiums EE, ES, EC, FAM
RATES = {
    ("GOLD", 0): ("500.00", "1000.00", "900.00", "1500.00"),
    ("GOLD", 1): ("530.00", "1060.00", "954.00", "1590.00"),
    ("SILVER", 0): ("400.00", "800.00", "720.00", "1200.00"),
    ("SILVER", 1): ("420.00", "840.00", "756.00", "1260.00"),
    ("BRONZE-OLD", 0): ("300.00", "600.00", "540.00", "900.00"),
    ("BRONZE-NEW", 1): ("320.00", "640.00", "576.00", "960.00"),
    ("LEGACY", 0): ("350.00", "700.00", "630.00", "1050.00"),
}


def noon(day: date) -> datetime.datetime:
    """Noon in the group's time zone on `day` (what time-machine travels to)."""
    return datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=PACIFIC)


def set_up(group, *, renewal_month: int = 1, this_year: int = THIS_YEAR) -> SimpleNamespace:
    """Renew the group on 1 January (or `renewal_month`) with Salaried and Hourly subgroups and these plans:

    Gold PPO (every subgroup, 2026 and 2027), Silver HMO (Salaried, 2026 and 2027), Bronze Old
    (every subgroup, 2026 only; its successor is Bronze New, 2027), Legacy EPO (2026 only, no successor).
    With `this_year`, the plan years are that one and the next.
    """
    group.renewal_month = renewal_month
    group.save(update_fields=["renewal_month"])
    salaried = Subgroup.objects.get_or_create(group=group, code="SAL", defaults={"name": "Salaried"})[0]
    hourly = Subgroup.objects.get_or_create(group=group, code="HRLY", defaults={"name": "Hourly"})[0]
    gold = factories.PlanFactory(code="GOLD", name="Gold PPO", metal_level="gold")
    silver = factories.PlanFactory(code="SILVER", name="Silver HMO", plan_type="HMO")
    bronze_new = factories.PlanFactory(code="BRONZE-NEW", name="Bronze New HMO", metal_level="bronze", plan_type="HMO")
    bronze_old = factories.PlanFactory(code="BRONZE-OLD", name="Bronze Old HMO", metal_level="bronze", plan_type="HMO", successor=bronze_new)
    legacy = factories.PlanFactory(code="LEGACY", name="Legacy EPO", plan_type="EPO")
    now, then = this_year, this_year + 1
    offerings = [
        (gold, None, now), (gold, None, then), (silver, salaried, now), (silver, salaried, then),
        (bronze_old, None, now), (bronze_new, None, then), (legacy, None, now),
    ]
    PlanOffering.objects.bulk_create([PlanOffering(plan=p, group=group, subgroup=sg, plan_year=y) for p, sg, y in offerings])
    plans = {p.code: p for p in (gold, silver, bronze_old, bronze_new, legacy)}
    PlanRate.objects.bulk_create([
        PlanRate(plan=plans[code], plan_year=this_year + later, tier=tier, monthly_premium=Decimal(amount))
        for (code, later), amounts in RATES.items() for tier, amount in zip(("EE", "ES", "EC", "FAM"), amounts)
    ])
    return SimpleNamespace(salaried=salaried, hourly=hourly, gold=gold, silver=silver, bronze_old=bronze_old, bronze_new=bronze_new, legacy=legacy)


def subscriber(group, subgroup, plan, *, last_name, dependents=(), covered=None, start=date(2026, 1, 1), end=None, plan_year=2026,
               reason="", number=None):
    """A subscriber with dependents [(first name, relationship, date of birth)], covered (all by default) from `start`."""
    sub = factories.SubscriberFactory(
        group=group, subgroup=subgroup, last_name=last_name, first_name="Pat" + last_name[:3], date_of_birth=date(1970, 3, 15),
        hire_date=date(2015, 6, 1), **({"subscriber_number": number} if number else {}),
    )
    people = [
        factories.DependentFactory(subscriber=sub, first_name=first, last_name=last_name, relationship=relationship, date_of_birth=born,
                                   member_suffix="%02d" % n)
        for n, (first, relationship, born) in enumerate(dependents, start=1)
    ]
    covered_people = [d for d in people if covered is None or d.first_name in covered]
    coverage = factories.CoverageFactory(
        subscriber=sub, plan=plan, plan_year=plan_year, start=start, end=end, termination_reason=reason,
        tier=rules.coverage_tier(d.relationship for d in covered_people),
    )
    CoveredMember.objects.bulk_create([CoveredMember(coverage=coverage, dependent=d) for d in covered_people])
    return sub


def coverages(subscriber) -> list[tuple]:
    """The subscriber's coverage rows as (plan, plan year, tier, start, end, status, reason, covered first names), by start."""
    return [
        (c.plan.code, c.plan_year, c.tier, c.start, c.end, c.status, c.termination_reason,
         sorted(c.dependents.values_list("first_name", flat=True)))
        for c in Coverage.objects.filter(subscriber=subscriber).select_related("plan").order_by("start", "pk")
    ]


def election(subscriber, plan_year=NEXT_YEAR):
    return OpenEnrollmentElection.objects.filter(subscriber=subscriber, plan_year=plan_year).first()


def bulk_population(group, oe, n: int, *, start_index: int = 0) -> None:
    """Add `n` subscribers with coverage in bulk (a spouse on every other one; every third kept, every fifth declined).

    For the query-count tests: a few statements whatever `n`.
    """
    admin = group.memberships.select_related("user").first().user
    subs = Subscriber.objects.bulk_create([
        Subscriber(
            group=group, subgroup=oe.salaried if i % 2 else oe.hourly, subscriber_number="M7%08d" % i, first_name="Bulk%d" % i,
            last_name="Bulkley%04d" % i, date_of_birth=date(1980, 1, 1), gender="F", marital_status="married",
            address_line1="1 Main St", city="Salem", state="OR", zip_code="97301", hire_date=date(2015, 1, 1),
        )
        for i in range(start_index, start_index + n)
    ])
    spouses = Dependent.objects.bulk_create([
        Dependent(group=group, subscriber=s, first_name="Spouse", last_name=s.last_name, date_of_birth=date(1981, 2, 2), gender="M",
                  relationship="spouse", member_suffix="01")
        for i, s in enumerate(subs) if i % 2 == 0
    ])
    rows = Coverage.objects.bulk_create([
        Coverage(group=group, subscriber=s, plan=oe.gold, plan_year=2026, tier="ES" if i % 2 == 0 else "EE", start=date(2026, 1, 1),
                 status="active")
        for i, s in enumerate(subs)
    ])
    by_subscriber = {c.subscriber_id: c for c in rows}
    CoveredMember.objects.bulk_create([CoveredMember(coverage=by_subscriber[d.subscriber_id], dependent=d) for d in spouses])
    requests = []
    for i, s in enumerate(subs):
        if i % 3 == 0 or i % 5 == 0:
            kind, choice = ("oe_keep", "keep") if i % 3 == 0 else ("oe_decline", "decline")
            requests.append(ChangeRequest(
                group=group, subscriber=s, kind=kind, status="completed", confirmation_number=generate_confirmation_number(),
                submitted_by=admin, snapshot={"plan_year": 2027, "choice": choice},
            ))
    ChangeRequest.objects.bulk_create(requests)
    OpenEnrollmentElection.objects.bulk_create([
        OpenEnrollmentElection(group=group, subscriber_id=r.subscriber_id, plan_year=2027, request=r,
                               choice=r.snapshot["choice"], plan=oe.gold if r.snapshot["choice"] == "keep" else None,
                               decline_reason="medicare" if r.snapshot["choice"] == "decline" else "")
        for r in requests
    ])
