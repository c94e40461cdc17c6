"""A covered family to change, and the coverage rows read back as literal tuples (roster maintenance tests)."""

from datetime import date

from accounts.models import Membership
from enrollment import processors
from enrollment.models import ChangeRequest, Coverage, CoveredMember
from enrollment.tests import helpers
from tests import factories

YEARS = [2025, 2026, 2027]


def offer(group):
    """Gold PPO (EE 600, ES 1200, EC 1080, FAM 1800 a month) to every subgroup, Silver HMO to Salaried, plan years 2025-2027."""
    return helpers.offer_plans(group, years=YEARS)


def family(group, plans, *, start=date(2026, 1, 1), spouse=True, children=1, subgroup="salaried", number="M100000001", first_name="Maria"):
    """Return (subscriber, spouse or None, [children]) covered by Gold PPO from `start`, member IDs assigned."""
    subscriber = factories.SubscriberFactory(
        group=group, subgroup=plans[subgroup], subscriber_number=number, first_name=first_name, last_name="Lopez",
        date_of_birth=date(1988, 2, 14), hire_date=date(2020, 5, 1), marital_status="married" if spouse else "single",
    )
    dependents, suffix = [], 1
    partner = None
    if spouse:
        partner = factories.DependentFactory(subscriber=subscriber, first_name="Carlos", last_name="Lopez", relationship="spouse",
                                             date_of_birth=date(1986, 7, 1), member_suffix="%02d" % suffix)
        dependents.append(partner)
        suffix += 1
    kids = []
    for n in range(children):
        kid = factories.DependentFactory(subscriber=subscriber, first_name=["Lucia", "Diego", "Ana"][n], last_name="Lopez",
                                         relationship="child", date_of_birth=date(2015 + n, 3, 9), member_suffix="%02d" % suffix)
        kids.append(kid)
        dependents.append(kid)
        suffix += 1
    tier = {(True, True): "FAM", (True, False): "ES", (False, True): "EC", (False, False): "EE"}[(spouse, children > 0)]
    coverage = factories.CoverageFactory(subscriber=subscriber, plan=plans["gold"], plan_year=start.year, tier=tier, start=start)
    CoveredMember.objects.bulk_create([CoveredMember(coverage=coverage, dependent=d) for d in dependents])
    return subscriber, partner, kids


def membership(user, group):
    return Membership.objects.get(user=user, group=group)


def rows(subscriber):
    """The subscriber's coverage rows, oldest first: (start, end, tier, status, members' first names)."""
    return [
        (row.start, row.end, row.tier, row.status, tuple(sorted(m.dependent.first_name for m in row.covered_members.all())))
        for row in Coverage.objects.filter(subscriber=subscriber).prefetch_related("covered_members__dependent").order_by("start", "pk")
    ]


def process(request, today):
    """Run the worker on the request as of `today`; return it reloaded."""
    processors.process(request.pk, today=today)
    return ChangeRequest.objects.get(pk=request.pk)
