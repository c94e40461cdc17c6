"""Reinstate coverage terminated in the last 60 days: a row the day after the end, no gap, no overlap."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from enrollment import processors
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, Coverage
from enrollment.tests.maintenance_helpers import family, membership, offer, process, rows
from tests import factories


@pytest.fixture
def plans(group):
    return offer(group)


@pytest.fixture
def terminated(group, alice, plans):
    """Maria's family, terminated voluntarily at the end of March 2026."""
    subscriber, _, _ = family(group, plans)
    request = services.submit_termination(membership=membership(alice, group), subscriber=subscriber, reason="voluntary",
                                          termination_date=date(2026, 3, 15), acting_user=alice, today=date(2026, 3, 20))
    assert process(request, date(2026, 3, 20)).status == "completed"
    return subscriber


def reinstate(alice, group, subscriber, today):
    return services.submit_reinstatement(membership=membership(alice, group), subscriber=subscriber, acting_user=alice, today=today)


def test_a_reinstated_coverage_continues_the_day_after_the_end_with_the_same_members(group, alice, terminated):
    request = reinstate(alice, group, terminated, date(2026, 4, 15))
    assert process(request, date(2026, 4, 15)).status == "completed"
    assert rows(terminated) == [
        (date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", ("Carlos", "Lucia")),
        (date(2026, 4, 1), None, "FAM", "active", ("Carlos", "Lucia")),
    ]
    ended, continued = Coverage.objects.filter(subscriber=terminated).order_by("start")
    assert (continued.start - ended.end).days == 1  # no gap, no overlap
    assert ChangeRequest.objects.get(pk=request.pk).coverage == continued


def test_the_database_refuses_an_overlapping_reinstatement(group, alice, terminated, plans):
    with pytest.raises(IntegrityError):
        factories.CoverageFactory(subscriber=terminated, plan=plans["gold"], start=date(2026, 3, 31))


def test_a_coverage_ended_60_days_ago_can_be_reinstated_and_61_days_ago_cannot(group, alice, terminated):
    with pytest.raises(ValidationError) as error:
        reinstate(alice, group, terminated, date(2026, 5, 31))
    assert error.value.code == "reinstatement_window"
    assert process(reinstate(alice, group, terminated, date(2026, 5, 30)), date(2026, 5, 30)).status == "completed"


def test_the_worker_sends_a_reinstatement_past_the_window_to_review(group, alice, terminated, specialist):


    request = reinstate(alice, group, terminated, date(2026, 5, 30))
    late = process(request, date(2026, 5, 31))
    assert late.status == "needs_review"
    assert rows(terminated)[-1][1] == date(2026, 3, 31)
    processors.approve(late, actor=specialist)
    assert rows(terminated)[-1] == (date(2026, 4, 1), None, "FAM", "active", ("Carlos", "Lucia"))


def test_a_coverage_not_terminated_cannot_be_reinstated(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError) as error:
        reinstate(alice, group, subscriber, date(2026, 4, 15))
    assert error.value.code == "not_terminated"


def test_a_second_reinstatement_of_the_same_coverage_is_refused(group, alice, terminated):
    first = reinstate(alice, group, terminated, date(2026, 4, 15))
    with pytest.raises(ValidationError) as error:
        reinstate(alice, group, terminated, date(2026, 4, 15))
    assert error.value.params["number"] == first.display_number


def test_a_reinstatement_into_a_plan_year_where_the_plan_is_not_offered_needs_review(group, alice, plans):
    subscriber, _, _ = family(group, plans, spouse=False, children=0)
    services.submit_termination(membership=membership(alice, group), subscriber=subscriber, reason="voluntary",
                                termination_date=date(2027, 12, 1), acting_user=alice, today=date(2027, 12, 1))
    process(ChangeRequest.objects.get(kind="termination"), date(2027, 12, 1))
    request = reinstate(alice, group, subscriber, date(2027, 12, 20))
    assert process(request, date(2027, 12, 20)).status == "needs_review"  # 2028 is not offered
