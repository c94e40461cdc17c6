"""billing.selectors.expected_termination_credit, which enrollment's pages call through enrollment.hooks."""

import datetime

import pytest

from billing.selectors import expected_termination_credit
from billing.tests import helpers
from billing.tests.helpers import D
from enrollment import hooks

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def ryan(group):
    """Covered since January (EE 500.00), invoiced through May (the May invoice issued Apr 15)."""
    setup = helpers.set_up_group(group)
    ryan = helpers.subscriber(group, setup["salaried"], "Ryan")
    helpers.cover(ryan, setup["gold"], d(2026, 1, 1))
    for month in (2, 3, 4, 5):
        helpers.issue(group, d(2026, month, 1))
    return ryan


def test_billing_registers_its_estimate_with_enrollment():
    assert expected_termination_credit in hooks.credit_estimators


@pytest.mark.parametrize("end, today, credit", [
    (d(2026, 3, 31), d(2026, 4, 20), D("1000.00")),  # April and May were billed: both credited
    (d(2026, 4, 30), d(2026, 4, 20), D("500.00")),  # only May
    (d(2026, 5, 31), d(2026, 4, 20), D("0.00")),  # nothing billed after May
    (d(2026, 1, 31), d(2026, 4, 20), D("1500.00")),  # February is outside the retro window on May 15 (back to Mar 16)
])
def test_the_estimate_credits_the_months_billed_after_the_end_inside_the_retro_window(ryan, end, today, credit):
    assert expected_termination_credit(subscriber=ryan, end=end, today=today) == credit
    assert hooks.expected_credit(subscriber=ryan, end=end, today=today) == credit


def test_the_estimate_is_unknown_for_a_subscriber_never_billed(group):
    setup = helpers.set_up_group(group)
    new = helpers.subscriber(group, setup["salaried"], "New")
    assert expected_termination_credit(subscriber=new, end=d(2026, 3, 31), today=d(2026, 3, 20)) is None


def test_under_daily_proration_a_mid_month_end_credits_the_days_after_it(group):
    setup = helpers.set_up_group(group, policy="daily")
    ryan = helpers.subscriber(group, setup["salaried"], "Ryan")
    helpers.cover(ryan, setup["gold"], d(2026, 1, 1))
    helpers.issue(group, d(2026, 4, 1))
    # Ends April 10: April keeps 10 of 30 days (166.67), so 333.33 comes back.
    assert expected_termination_credit(subscriber=ryan, end=d(2026, 4, 10), today=d(2026, 3, 20)) == D("333.33")
