"""Terminate coverage (the subscriber and so every dependent, or one dependent): the coverage rows and tier afterwards."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Membership
from enrollment import hooks, processors
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, Coverage, Dependent
from enrollment.tests.maintenance_helpers import family, membership, offer, process, rows
from tests import factories

TODAY = date(2026, 3, 10)


@pytest.fixture
def plans(group):
    return offer(group)


def terminate(alice, group, subscriber, *, on, today=TODAY, reason="end_of_employment", dependent=None):
    return services.submit_termination(
        membership=membership(alice, group), subscriber=subscriber, dependent=dependent, reason=reason, termination_date=on,
        acting_user=alice, today=today,
    )


def test_terminating_the_subscriber_ends_the_coverage_on_the_last_day_of_the_month(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    request = process(terminate(alice, group, subscriber, on=date(2026, 3, 5)), TODAY)
    assert (request.kind, request.status) == ("termination", "completed")
    assert request.snapshot["coverage_end"] == "2026-03-31"
    assert rows(subscriber) == [(date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", ("Carlos", "Lucia"))]
    assert Coverage.objects.get(subscriber=subscriber).termination_reason == "end_of_employment"


def test_a_termination_60_days_back_applies_and_61_days_back_needs_review_until_approved(group, alice, plans, specialist):
    subscriber, _, _ = family(group, plans)
    on_edge = process(terminate(alice, group, subscriber, on=date(2026, 3, 2), today=date(2026, 5, 30)), date(2026, 5, 30))
    assert on_edge.status == "completed"  # ends 31 March: 60 days before 30 May

    other, _, _ = family(group, plans, number="M100000002", first_name="Rosa")
    late = process(terminate(alice, group, other, on=date(2026, 3, 2), today=date(2026, 5, 31)), date(2026, 5, 31))
    assert late.status == "needs_review" and "60 days" in late.reason
    assert rows(other)[0][1] is None  # nothing ended yet
    processors.approve(late, actor=specialist)
    late.refresh_from_db()
    assert late.status == "completed"
    assert rows(other) == [(date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", ("Carlos", "Lucia"))]


def test_a_termination_ending_before_a_later_row_voids_that_row(group, alice, plans):
    subscriber, _, _ = family(group, plans, spouse=False, children=0)
    first = Coverage.objects.get(subscriber=subscriber)
    first.end = date(2026, 12, 31)
    first.save()
    factories.CoverageFactory(subscriber=subscriber, plan=plans["gold"], plan_year=2027, tier="EE", start=date(2027, 1, 1))
    process(terminate(alice, group, subscriber, on=date(2026, 11, 15), reason="voluntary"), TODAY)
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 11, 30), "EE", "active", ()),
        (date(2027, 1, 1), None, "EE", "void", ()),
    ]


def test_a_coverage_that_already_ends_cannot_be_terminated_later(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    process(terminate(alice, group, subscriber, on=date(2026, 3, 5)), TODAY)
    with pytest.raises(ValidationError) as error:
        terminate(alice, group, subscriber, on=date(2026, 4, 5))
    assert "already ends" in str(error.value)


def test_a_second_open_termination_is_refused_naming_the_first(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    first = terminate(alice, group, subscriber, on=date(2026, 3, 5))
    with pytest.raises(ValidationError) as error:
        terminate(alice, group, subscriber, on=date(2026, 3, 6))
    assert error.value.code == "open_request" and error.value.params["number"] == first.display_number
    assert ChangeRequest.objects.filter(kind="termination").count() == 1


def test_removing_the_spouse_ends_their_coverage_and_the_tier_becomes_ec(group, alice, plans):
    subscriber, spouse, _ = family(group, plans)
    request = terminate(alice, group, subscriber, on=date(2026, 3, 10), reason="divorce", dependent=spouse)
    assert request.kind == "dependent_removed"
    assert (request.snapshot["tier_from"], request.snapshot["tier_to"]) == ("FAM", "EC")
    assert (request.snapshot["premium_from"], request.snapshot["premium_to"], request.snapshot["premium_on"]) == ("1800.00", "1080.00", "2026-04-01")
    assert process(request, TODAY).status == "completed"
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", ("Carlos", "Lucia")),
        (date(2026, 4, 1), None, "EC", "active", ("Lucia",)),
    ]
    assert Dependent.objects.get(pk=spouse.pk).removed_on == date(2026, 3, 10)


def test_removing_the_last_child_makes_the_tier_ee_and_a_voluntary_removal_keeps_the_dependent(group, alice, plans):
    subscriber, _, (child,) = family(group, plans, spouse=False, children=1)
    process(terminate(alice, group, subscriber, on=date(2026, 3, 31), reason="voluntary", dependent=child), TODAY)
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 3, 31), "EC", "active", ("Lucia",)),
        (date(2026, 4, 1), None, "EE", "active", ()),
    ]
    assert Dependent.objects.get(pk=child.pk).removed_on is None


def test_removing_a_dependent_from_a_coverage_starting_that_day_replaces_the_row(group, alice, plans):
    subscriber, _, (child,) = family(group, plans, spouse=False, children=1, start=date(2026, 4, 1))
    process(terminate(alice, group, subscriber, on=date(2026, 3, 20), reason="other", dependent=child), TODAY)
    assert rows(subscriber) == [
        (date(2026, 4, 1), None, "EC", "void", ("Lucia",)),
        (date(2026, 4, 1), None, "EE", "active", ()),
    ]


def test_a_subscriber_termination_reason_must_be_a_subscriber_one(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError):
        terminate(alice, group, subscriber, on=date(2026, 3, 5), reason="divorce")


def test_an_admin_limited_to_another_subgroup_cannot_terminate_this_subscriber(group, alice, plans):
    subscriber, _, _ = family(group, plans, subgroup="salaried")
    hana = factories.UserFactory(username="hana")
    limited = factories.MembershipFactory(user=hana, group=group, role="enrollment")
    limited.subgroups.set([plans["hourly"]])
    limited = Membership.objects.get(pk=limited.pk)
    with pytest.raises(type(subscriber).DoesNotExist):
        services.submit_termination(membership=limited, subscriber=subscriber, reason="voluntary", termination_date=date(2026, 3, 5),
                                    acting_user=hana, today=TODAY)
    assert not ChangeRequest.objects.exists()


def test_the_worker_rejects_a_termination_when_the_coverage_ended_meanwhile(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    request = terminate(alice, group, subscriber, on=date(2026, 4, 5))
    Coverage.objects.filter(subscriber=subscriber).update(end=date(2026, 3, 31))
    assert process(request, TODAY).status == "rejected"


def test_the_expected_credit_comes_from_billing_s_estimator(group, alice, plans, monkeypatch):


    subscriber, _, _ = family(group, plans)
    monkeypatch.setattr(hooks, "credit_estimators", [lambda *, subscriber, end, today: Decimal("1800.00")])
    request = terminate(alice, group, subscriber, on=date(2026, 2, 5))
    assert request.snapshot["expected_credit"] == "1800.00"
