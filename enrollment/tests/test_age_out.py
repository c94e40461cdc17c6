"""A child ageing out at 26: removed at the end of that month by the daily beat task, as a request of its own, once."""

from datetime import date

import pytest

from enrollment import maintenance_tasks
from enrollment.maintenance import selectors, services
from enrollment.models import ChangeRequest, Dependent
from enrollment.tests.maintenance_helpers import family, membership, offer, process, rows
from tests import factories


@pytest.fixture
def plans(group):
    return offer(group)


@pytest.fixture
def adult_child(group, plans):
    """Maria's family; Lucia turns 26 on 20 March 2026."""
    subscriber, _, (child,) = family(group, plans)
    Dependent.objects.filter(pk=child.pk).update(date_of_birth=date(2000, 3, 20))
    return subscriber, Dependent.objects.get(pk=child.pk)


def run(today):
    """What the beat task does on `today`: the requests it submitted."""
    submitted = [services.submit_age_out(dependent=d, today=today) for d in services.children_ageing_out(today=today)]
    return [request for request in submitted if request is not None]


def test_a_child_turning_26_this_month_is_removed_at_its_end_and_a_second_run_submits_nothing(adult_child):
    subscriber, child = adult_child
    assert run(date(2026, 2, 28)) == []  # not yet their month
    (request,) = run(date(2026, 3, 1))
    assert (request.kind, request.snapshot["reason"], request.snapshot["coverage_end"]) == ("dependent_removed", "aged_out", "2026-03-31")
    assert request.submitted_by.username == "portal-system" and not request.submitted_by.has_usable_password()
    assert run(date(2026, 3, 1)) == []  # open: not submitted twice
    assert process(request, date(2026, 3, 1)).status == "completed"
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", ("Carlos", "Lucia")),
        (date(2026, 4, 1), None, "ES", "active", ("Carlos",)),
    ]
    assert Dependent.objects.get(pk=child.pk).removed_on == date(2026, 3, 31)
    assert run(date(2026, 3, 2)) == [] and ChangeRequest.objects.count() == 1


def test_the_beat_task_counts_what_it_submitted_and_is_idempotent(adult_child, settings):
    assert maintenance_tasks.age_out_dependents.apply().get() in (0, 1)  # depends on today's date: see the dated test above
    before = ChangeRequest.objects.count()
    assert maintenance_tasks.age_out_dependents.apply().get() == 0
    assert ChangeRequest.objects.count() == before


def test_a_disabled_adult_child_never_ages_out(group, plans):
    _, _, (child,) = family(group, plans)
    Dependent.objects.filter(pk=child.pk).update(date_of_birth=date(1990, 1, 1), relationship="disabled_adult_child")
    assert run(date(2026, 3, 1)) == []


def test_group_home_lists_children_turning_26_in_the_next_60_days(group, alice, plans, adult_child):
    listed = [row["dependent"].first_name for row in selectors.turning_26_rows(membership(alice, group), today=date(2026, 1, 19))]
    assert listed == ["Lucia"]  # 20 March is 60 days after 19 January
    assert selectors.turning_26_rows(membership(alice, group), today=date(2026, 1, 18)) == []
    (row,) = selectors.turning_26_rows(membership(alice, group), today=date(2026, 3, 20))
    assert (row["birthday"], row["ends"]) == (date(2026, 3, 20), date(2026, 3, 31))
    assert selectors.turning_26_rows(membership(alice, group), today=date(2026, 3, 21)) == []


def test_another_group_s_children_are_not_listed(group, other_group, alice, plans, adult_child):
    other_plans = {"salaried": factories.SubgroupFactory(group=other_group), "gold": plans["gold"]}
    _, _, (kid,) = family(other_group, other_plans, number="M200000001")
    Dependent.objects.filter(pk=kid.pk).update(date_of_birth=date(2000, 3, 25))
    assert [r["dependent"].first_name for r in selectors.turning_26_rows(membership(alice, group), today=date(2026, 3, 1))] == ["Lucia"]
