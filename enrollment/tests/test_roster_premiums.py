"""The Roster's plan, tier, dependents and monthly premium columns: filtered, sorted, paginated and as CSV."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Membership, Subgroup
from enrollment.models import Coverage, CoveredMember, PlanRate
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def roster(group):
    """Plan year starts January 1. GOLD: EE 500, ES 1000, EC 925, FAM 1450 in 2026; x1.1 in 2027.

    Active: Adams EE, Baker FAM (spouse, child) -- Hourly: Cruz ES. Prospective: Diaz EE from Jan 1, 2027.
    Terminated: Early EE, ended Jun 30, 2026.
    """
    salaried = Subgroup.objects.create(group=group, code="SAL", name="Salaried")
    hourly = Subgroup.objects.create(group=group, code="HRLY", name="Hourly")
    gold = factories.PlanFactory(code="GOLD", name="Gold PPO")
    for year, factor in ((2026, D("1")), (2027, D("1.1"))):
        factories.PlanOfferingFactory(plan=gold, group=group, plan_year=year)
        for tier, premium in {"EE": D("500.00"), "ES": D("1000.00"), "EC": D("925.00"), "FAM": D("1450.00")}.items():
            PlanRate.objects.create(plan=gold, plan_year=year, tier=tier, monthly_premium=premium * factor)

    def person(name, subgroup, tier, start, end=None, deps=()):
        sub = factories.SubscriberFactory(group=group, subgroup=subgroup, last_name=name, first_name="Pat")
        coverage = Coverage.objects.create(
            group=group, subscriber=sub, plan=gold, plan_year=start.year, tier=tier, start=start, end=end, status="active"
        )
        for relationship in deps:
            dep = factories.DependentFactory(subscriber=sub, group=group, relationship=relationship)
            CoveredMember.objects.create(coverage=coverage, dependent=dep)
        return sub

    return {
        "salaried": salaried, "hourly": hourly, "gold": gold,
        "adams": person("Adams", salaried, "EE", datetime.date(2026, 1, 1)),
        "baker": person("Baker", salaried, "FAM", datetime.date(2026, 1, 1), deps=("spouse", "child")),
        "cruz": person("Cruz", hourly, "ES", datetime.date(2026, 1, 1), deps=("spouse",)),
        "diaz": person("Diaz", salaried, "EE", datetime.date(2027, 1, 1)),
        "early": person("Early", salaried, "EE", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
    }


def rows(response):
    html = response.content.decode()
    body = html[html.index("<tbody"): html.index("</tbody>")]
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    ]


def url(group, name="enrollment:roster"):
    return reverse(name, kwargs={"group_number": group.group_number})


def test_the_roster_shows_each_subscribers_plan_tier_dependents_and_monthly_premium(alice_client, group, roster):
    table = rows(alice_client.get(url(group)))

    assert [(r[1], r[4], r[5], r[6], r[7], r[8]) for r in table] == [
        ("Adams, Pat", "Active", "Gold PPO", "EE", "0", "$500.00"),
        ("Baker, Pat", "Active", "Gold PPO", "FAM", "2", "$1,450.00"),
        ("Cruz, Pat", "Active", "Gold PPO", "ES", "1", "$1,000.00"),
        ("Diaz, Pat", "Prospective", "Gold PPO", "EE", "0", "$550.00"),  # priced on its first month's plan year
        ("Early, Pat", "Terminated", "Gold PPO", "EE", "0", "$500.00"),
    ]


def test_the_roster_is_filtered_by_tier_and_plan_and_sorted_by_premium(alice_client, group, roster):
    by_tier = rows(alice_client.get(url(group), {"tier": "EE"}))
    by_premium = rows(alice_client.get(url(group), {"sort": "-monthly_premium"}))
    prospective = rows(alice_client.get(url(group), {"roster_status": "prospective", "plan": roster["gold"].pk}))

    assert [r[1].split(",")[0] for r in by_tier] == ["Adams", "Diaz", "Early"]
    assert [r[8] for r in by_premium] == ["$1,450.00", "$1,000.00", "$550.00", "$500.00", "$500.00"]
    assert [r[1].split(",")[0] for r in prospective] == ["Diaz"]


def test_a_coverage_left_open_into_a_new_plan_year_is_priced_on_that_years_rate(alice_client, group, roster, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2027, 1, 10))
    table = rows(alice_client.get(url(group), {"q": "Adams"}))
    assert table[0][8] == "$550.00"


def test_the_roster_csv_holds_every_filtered_row(alice_client, group, roster):
    response = alice_client.get(url(group, "enrollment:roster_csv"), {"subgroup": roster["salaried"].pk})

    assert response["Content-Disposition"] == 'attachment; filename="roster-104522.csv"'
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == ["Subscriber ID", "Last name", "First name", "Subgroup", "Status", "Hire date", "Plan", "Tier", "Dependents", "Monthly premium"]
    assert [(r[1], r[4], r[7], r[8], r[9]) for r in lines[1:]] == [
        ("Adams", "active", "EE", "0", "500.00"), ("Baker", "active", "FAM", "2", "1450.00"),
        ("Diaz", "prospective", "EE", "0", "550.00"), ("Early", "terminated", "EE", "0", "500.00"),
    ]


def test_a_limited_admin_sees_and_downloads_only_their_subgroup(client, group, roster):
    hana = factories.UserFactory(username="hana")
    membership = factories.MembershipFactory(user=hana, group=group, role=Membership.Role.ENROLLMENT)
    membership.subgroups.set([roster["hourly"]])
    client.force_login(hana)

    assert [r[1].split(",")[0] for r in rows(client.get(url(group)))] == ["Cruz"]
    body = b"".join(client.get(url(group, "enrollment:roster_csv")).streaming_content).decode()
    assert "Cruz" in body and "Adams" not in body


def test_the_roster_page_makes_the_same_number_of_queries_for_5_and_60_subscribers(alice_client, group, roster):
    def queries():
        alice_client.get(url(group))
        with count_queries() as ctx:
            alice_client.get(url(group), {"sort": "-monthly_premium", "tier": "EE"})
        return len(ctx)

    few = queries()
    for n in range(55):
        sub = factories.SubscriberFactory(group=group, subgroup=roster["salaried"], last_name="Zed%02d" % n)
        Coverage.objects.create(group=group, subscriber=sub, plan=roster["gold"], plan_year=2026, tier="EE", start=datetime.date(2026, 1, 1), status="active")
    assert queries() == few
