"""enrollment.pricing (SQL) prices a coverage exactly as enrollment.rating (Python) does: random families."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Subgroup
from enrollment import pricing, rating, rules
from enrollment.models import AGE_BANDS, Coverage, CoveredMember, PlanAgeRate
from tests import factories

pytestmark = pytest.mark.django_db

RATES = {band: Decimal("101.37") + i * Decimal("9.91") for i, band in enumerate(AGE_BANDS)}
RELATIONSHIPS = ["spouse", "domestic_partner", "child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"]

birthdays = st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2026, 12, 31))


@pytest.fixture
def plan(db):
    gold = factories.PlanFactory(code="GOLD")
    PlanAgeRate.objects.bulk_create([PlanAgeRate(plan=gold, plan_year=2026, age_band=b, monthly_premium=p) for b, p in RATES.items()])
    return gold


def sql_premiums(coverage, plan, year_start):
    members = pricing.member_premiums_sql(coverage_sql="%s", plan_sql="%s", plan_year_sql_="%s", year_start_sql="%s::date")
    total = pricing.monthly_premium_sql(
        rating_method_sql="'age_banded'", coverage_sql="%s", plan_sql="%s", plan_year_sql_="%s", year_start_sql="%s::date", tier_sql="'FAM'",
    )
    with connection.cursor() as cursor:
        # Each fragment names the coverage twice, then the plan and year once each (members), so the
        # parameters repeat in that order.
        cursor.execute(
            "SELECT member_order, dependent_id, age, age_band, premium FROM (%s) m ORDER BY member_order" % members,
            [year_start, coverage.pk, year_start, coverage.pk, plan.pk, 2026],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT %s" % total, [year_start, coverage.pk, year_start, coverage.pk, plan.pk, 2026, plan.pk, 2026])
        return rows, cursor.fetchone()[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    subscriber_born=st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2005, 12, 31)),
    family=st.lists(st.tuples(st.sampled_from(RELATIONSHIPS), birthdays), max_size=7).filter(
        lambda members: sum(relationship in rules.SPOUSAL for relationship, _ in members) <= 1  # one spouse or partner at a time
    ),
    start=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 12, 31)),
)
def test_age_banded_members_and_total_match_rating(group, plan, subscriber_born, family, start):
    with transaction.atomic():
        subgroup = Subgroup.objects.create(group=group, code="X", name="X")
        sub = factories.SubscriberFactory(group=group, subgroup=subgroup, date_of_birth=subscriber_born)
        coverage = Coverage.objects.create(group=group, subscriber=sub, plan=plan, plan_year=2026, tier="FAM", start=start, status="active")
        deps = []
        for i, (relationship, born) in enumerate(family, start=1):
            dep = factories.DependentFactory(subscriber=sub, group=group, relationship=relationship, date_of_birth=born, member_suffix="%02d" % i)
            CoveredMember.objects.create(coverage=coverage, dependent=dep)
            deps.append(dep)
        year_start = rules.plan_year_start(1, 2026)

        rows, total = sql_premiums(coverage, plan, year_start)

        expected = rating.age_banded_premiums(
            [(None, "subscriber", sub.date_of_birth)] + [(d.pk, d.relationship, d.date_of_birth) for d in deps],
            RATES, plan_year_start=year_start, coverage_start=start,
        )
        assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(p.key, p.age, p.band, p.premium) for p in expected]
        assert total == rating.total(expected)
        transaction.set_rollback(True)
