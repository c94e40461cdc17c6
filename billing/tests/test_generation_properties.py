"""The generator (SQL) against the pure rules (billing/rules.py, enrollment/rating.py), on random coverage histories.

For a few subscribers whose coverage is rewritten at random before each monthly invoice (only
from inside the retro window, as the enrollment services allow), every invoice must hold exactly
the premium lines rules.charges_for_month computes, the adjustment lines rules.adjustment_lines
computes from what was billed before, and age-banded members shared as rules.member_shares does;
and once the changes stop, the lines of every month add up, subscriber by subscriber, to what the
coverage finally in force costs (rules.month_cost).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Subgroup
from billing import rules, services
from billing.models import InvoiceLine, InvoiceLineMember
from billing.tests.helpers import at
from core.money import ZERO
from enrollment import rating
from enrollment.models import AGE_BANDS, Coverage, CoveredMember, PlanAgeRate, PlanOffering, PlanRate
from enrollment.rules import add_months, last_of_month, plan_year_of, plan_year_start
from tests import factories

pytestmark = pytest.mark.django_db

FIRST_PERIOD = datetime.date(2026, 9, 1)
INVOICES = 8  # September 2026 .. April 2027: every renewal month below falls inside
EARLIEST, LATEST = datetime.date(2026, 6, 1), datetime.date(2027, 6, 30)
YEARS = (2025, 2026, 2027)
TIER_RATES = {  # odd cents, so proration rounds
    2025: {"EE": Decimal("401.17"), "ES": Decimal("802.33"), "EC": Decimal("733.33"), "FAM": Decimal("1199.99")},
    2026: {"EE": Decimal("433.33"), "ES": Decimal("866.67"), "EC": Decimal("791.01"), "FAM": Decimal("1297.45")},
    2027: {"EE": Decimal("466.66"), "ES": Decimal("933.33"), "EC": Decimal("853.85"), "FAM": Decimal("1399.97")},
}


def age_rate(year, index):
    return Decimal("97.13") + Decimal(index) * Decimal("7.77") + (year - 2025) * Decimal("11.11")


AGE_RATES = {year: {band: age_rate(year, i) for i, band in enumerate(AGE_BANDS)} for year in YEARS}


# Each subscriber's dependents (any subset is covered): spouses of the subscriber's own age and
# twins make equal member premiums, so the cents left over by a prorated line go by member order.
FAMILIES = [
    [("spouse", datetime.date(1975, 2, 28)), ("child", datetime.date(2008, 6, 30))],
    [("spouse", datetime.date(1977, 3, 2)), ("child", datetime.date(2010, 1, 1)), ("child", datetime.date(2010, 1, 1)), ("child", datetime.date(2024, 2, 29))],
    [("domestic_partner", datetime.date(1990, 5, 5)), ("child", datetime.date(2008, 6, 30)), ("child", datetime.date(2010, 1, 1)),
     ("stepchild", datetime.date(2012, 12, 12)), ("child", datetime.date(2016, 7, 4)), ("child", datetime.date(2016, 7, 4))],
]


@pytest.fixture
def plan(db):
    gold = factories.PlanFactory(code="GOLD")
    PlanRate.objects.bulk_create([PlanRate(plan=gold, plan_year=y, tier=t, monthly_premium=p) for y, r in TIER_RATES.items() for t, p in r.items()])
    PlanAgeRate.objects.bulk_create(
        [PlanAgeRate(plan=gold, plan_year=y, age_band=b, monthly_premium=p) for y, r in AGE_RATES.items() for b, p in r.items()]
    )
    return gold


# --- Random coverage histories --------------------------------------------------------------------

any_day = st.integers(min_value=0, max_value=(LATEST - EARLIEST).days).map(lambda n: EARLIEST + datetime.timedelta(days=n))
# Days where the rules turn: the 1st, the 14th to 16th around the mid-month rule, the month's last days.


def edge(month_index: int, offset: int) -> datetime.date:
    month = add_months(EARLIEST, month_index)
    return min(month + datetime.timedelta(days=offset), last_of_month(month))


edge_day = st.builds(edge, st.integers(0, 12), st.sampled_from([0, 13, 14, 15, 27, 28, 29, 30]))
days = st.one_of(any_day, edge_day)


@st.composite
def periods_from(draw, earliest: datetime.date, *, month_edges: bool):
    """Non-overlapping (start, end or None, tier, dependents mask) from `earliest` on."""
    cuts = sorted(set(draw(st.lists(days.filter(lambda d: d >= earliest), max_size=6))))
    if month_edges:
        cuts = sorted({d.replace(day=1) for d in cuts if d.replace(day=1) >= earliest})
    result = []
    i = 0
    while i < len(cuts):
        start = cuts[i]
        end = None
        if i + 1 < len(cuts):
            end = cuts[i + 1] - datetime.timedelta(days=1) if not draw(st.booleans()) else cuts[i + 1] - datetime.timedelta(days=draw(st.integers(1, 40)))
            if end < start:
                end = start
        tier = draw(st.sampled_from(["EE", "ES", "EC", "FAM"]))
        mask = draw(st.integers(0, 63))
        result.append((start, end, tier, mask))
        if end is None:
            break
        i += 1
        while i < len(cuts) and cuts[i] <= end:
            i += 1
    return result


def truncate(history, cutoff):
    """Keep what is before `cutoff` (a period spanning it ends the day before)."""
    kept = []
    for start, end, tier, mask in history:
        if start >= cutoff:
            continue
        if end is None or end >= cutoff:
            end = cutoff - datetime.timedelta(days=1)
        kept.append((start, end, tier, mask))
    return kept


@st.composite
def scenarios(draw):
    policy = draw(st.sampled_from([rules.MID_MONTH, rules.DAILY]))
    return {
        "policy": policy,
        "rating": draw(st.sampled_from(["tiered", "age_banded"])),
        "renewal_month": draw(st.sampled_from([1, 4, 7, 10])),
        "invoice_day": draw(st.sampled_from([1, 15, 28])),
        "retro_days": draw(st.sampled_from([30, 60, 90])),
        "subscribers": draw(st.integers(1, 3)),
        "first": [draw(periods_from(EARLIEST, month_edges=policy == rules.MID_MONTH and draw(st.booleans()))) for _ in range(3)],
        # Before invoice k (k >= 1): which subscriber's coverage changes, from how far inside the window, into what.
        "changes": [
            (draw(st.integers(0, 2)), draw(st.floats(0, 1)), draw(periods_from(EARLIEST, month_edges=False)))
            if draw(st.booleans()) else None
            for _ in range(INVOICES - 1)
        ],
    }


# --- The oracle -------------------------------------------------------------------------------------


def priced_periods(group, subscriber, dependents, history, coverage_ids, month):
    """The rules' CoveragePeriods of one subscriber for `month`: each priced on the month's plan year."""
    year = plan_year_of(group.renewal_month, month)
    result = []
    for (start, end, tier, mask), pk in zip(history, coverage_ids):
        if group.rating_method == "age_banded":
            members = [(None, "subscriber", subscriber.date_of_birth)] + [
                (d.pk, d.relationship, d.date_of_birth) for i, d in enumerate(dependents) if mask >> i & 1
            ]
            premium = rating.total(
                rating.age_banded_premiums(
                    members, AGE_RATES[year], plan_year_start=plan_year_start(group.renewal_month, year), coverage_start=start
                )
            )
        else:
            premium = TIER_RATES[year][tier]
        result.append(rules.CoveragePeriod(pk, start, end, premium))
    return result


def member_premiums(group, subscriber, dependents, history_row, month):
    start, end, tier, mask = history_row
    year = plan_year_of(group.renewal_month, month)
    members = [(None, "subscriber", subscriber.date_of_birth)] + [
        (d.pk, d.relationship, d.date_of_birth) for i, d in enumerate(dependents) if mask >> i & 1
    ]
    return rating.age_banded_premiums(members, AGE_RATES[year], plan_year_start=plan_year_start(group.renewal_month, year), coverage_start=start)


# --- The property ---------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenario=scenarios())
def test_every_invoice_holds_what_the_rules_compute_and_the_months_add_up_to_the_coverage_in_force(group, plan, scenario):
    with transaction.atomic():
        check(group, plan, scenario)
        transaction.set_rollback(True)


def check(group, plan, s):
    group.billing_policy, group.rating_method = s["policy"], s["rating"]
    group.renewal_month, group.invoice_day, group.retro_days = s["renewal_month"], s["invoice_day"], s["retro_days"]
    group.save()
    subgroup = Subgroup.objects.create(group=group, code="ALL", name="All")
    for year in YEARS:
        PlanOffering.objects.create(plan=plan, group=group, plan_year=year)
    people = []
    for n in range(s["subscribers"]):
        sub = factories.SubscriberFactory(group=group, subgroup=subgroup, last_name="Person%d" % n, date_of_birth=datetime.date(1970 + 7 * n, 3, 1 + n))  # 1977-03-02: as the spouse
        deps = [
            factories.DependentFactory(subscriber=sub, group=group, relationship=rel, date_of_birth=dob, member_suffix="%02d" % (i + 1))
            for i, (rel, dob) in enumerate(FAMILIES[n])
        ]
        people.append({"sub": sub, "deps": deps, "history": [], "ids": []})

    def write(person, history):
        Coverage.objects.filter(pk__in=person["ids"]).update(status=Coverage.Status.VOID)
        person["history"], person["ids"] = history, []
        for start, end, tier, mask in history:
            cov = Coverage.objects.create(
                group=group, subscriber=person["sub"], plan=plan, plan_year=plan_year_of(group.renewal_month, start), tier=tier,
                start=start, end=end, status=Coverage.Status.ACTIVE,
            )
            CoveredMember.objects.bulk_create([CoveredMember(coverage=cov, dependent=d) for i, d in enumerate(person["deps"]) if mask >> i & 1])
            person["ids"].append(cov.pk)

    for person, history in zip(people, s["first"]):
        write(person, history)

    billed = defaultdict(lambda: defaultdict(lambda: ZERO))  # subscriber pk -> month -> net billed (premium + retro)
    periods = [add_months(FIRST_PERIOD, k) for k in range(INVOICES)]
    for k, period in enumerate(periods):
        today = rules.invoice_issue_date(period, group.invoice_day)
        change = s["changes"][k - 1] if k else None
        if change is not None and change[0] < len(people):
            who, depth, new = change
            cutoff = today - datetime.timedelta(days=int(group.retro_days * depth))
            person = people[who]
            write(person, truncate(person["history"], cutoff) + [p for p in new if p[0] >= cutoff])

        invoice = services.issue_invoice(group=group, period=period, today=today, issued_at=at(today, 6)).invoice

        lines = list(InvoiceLine.objects.filter(invoice=invoice))
        for person in people:
            pk = person["sub"].pk
            # Premium lines: exactly rules.charges_for_month on the history in force now.
            expected = rules.charges_for_month(
                priced_periods(group, person["sub"], person["deps"], person["history"], person["ids"], period), period, policy=group.billing_policy
            )
            got = [line for line in lines if line.subscriber_id == pk and line.kind == "premium"]
            assert sorted((l.coverage_id, l.amount, l.covered_days) for l in got) == sorted((c.key, c.amount, c.covered_days) for c in expected)
            # Adjustment lines: exactly rules.adjustment_lines on the months invoiced before.
            earlier = [m for m in periods[:k]]
            cost = {
                m: rules.month_cost(priced_periods(group, person["sub"], person["deps"], person["history"], person["ids"], m), m, policy=group.billing_policy)
                for m in earlier
            }
            expected_adjustments = rules.adjustment_lines(
                billed={m: billed[pk][m] for m in earlier}, cost=cost, today=today, invoice_day=group.invoice_day, retro_days=group.retro_days
            )
            got = [line for line in lines if line.subscriber_id == pk and line.kind == "adjustment"]
            assert sorted((l.service_month, l.amount) for l in got) == [(a.month, a.amount) for a in expected_adjustments]
            for line in lines:
                if line.subscriber_id == pk:
                    billed[pk][line.service_month] += line.amount
            # Age-banded members share each premium line as rules.member_shares does.
            if group.rating_method == "age_banded":
                for line in (l for l in lines if l.subscriber_id == pk and l.kind == "premium"):
                    row = person["history"][person["ids"].index(line.coverage_id)]
                    premiums = member_premiums(group, person["sub"], person["deps"], row, period)
                    members = list(InvoiceLineMember.objects.filter(line=line).order_by("id"))
                    assert [(m.dependent_id, m.age, m.age_band) for m in members] == [(p.key, p.age, p.band) for p in premiums]
                    assert [m.amount for m in members] == rules.member_shares(line.amount, [p.premium for p in premiums])
        assert invoice.current_premium == sum((l.amount for l in lines if l.kind == "premium"), ZERO)
        assert invoice.adjustments_total == sum((l.amount for l in lines if l.kind == "adjustment"), ZERO)

    # Once the changes stop, each month's lines add up to what the coverage finally in force costs.
    for person in people:
        for month in periods:
            final = rules.month_cost(
                priced_periods(group, person["sub"], person["deps"], person["history"], person["ids"], month), month, policy=group.billing_policy
            )
            assert billed[person["sub"].pk][month] == final, (person["sub"].last_name, month)
