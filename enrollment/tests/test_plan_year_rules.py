"""Plan years and the Open Enrollment window: pure rules, checked exhaustively over dates."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment import rules

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
months = st.integers(min_value=1, max_value=12)


def test_a_january_renewal_makes_the_plan_year_the_calendar_year():
    assert rules.plan_year_of(1, date(2026, 1, 1)) == 2026
    assert rules.plan_year_of(1, date(2026, 12, 31)) == 2026


def test_a_july_renewal_names_the_plan_year_by_the_year_it_starts():
    assert rules.plan_year_of(7, date(2026, 6, 30)) == 2025
    assert rules.plan_year_of(7, date(2026, 7, 1)) == 2026


def test_the_window_opens_one_month_before_the_renewal_date_and_is_gone_on_it():
    # Renewal 1 December 2026: the link shows from 1 November through 30 November.
    assert not rules.in_open_enrollment(12, date(2026, 10, 31))
    assert rules.in_open_enrollment(12, date(2026, 11, 1))
    assert rules.in_open_enrollment(12, date(2026, 11, 30))
    assert not rules.in_open_enrollment(12, date(2026, 12, 1))


def test_a_january_renewal_window_spans_december():
    assert rules.open_enrollment_window(1, date(2026, 12, 15)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert not rules.in_open_enrollment(1, date(2026, 11, 30))
    assert rules.in_open_enrollment(1, date(2026, 12, 1))
    assert rules.in_open_enrollment(1, date(2026, 12, 31))
    assert not rules.in_open_enrollment(1, date(2027, 1, 1))


def test_a_plan_year_starts_on_the_first_of_the_renewal_month():
    assert rules.plan_year_start(7, 2026) == date(2026, 7, 1)
    assert rules.plan_year_start(1, 2027) == date(2027, 1, 1)


@pytest.mark.parametrize(
    "renewal_month, today, renewal",
    [
        (1, date(2026, 12, 31), date(2027, 1, 1)),
        (1, date(2027, 1, 1), date(2028, 1, 1)),  # on the renewal date, the next one is a year away
        (7, date(2026, 6, 30), date(2026, 7, 1)),
        (7, date(2026, 7, 1), date(2027, 7, 1)),
        (12, date(2026, 11, 30), date(2026, 12, 1)),
    ],
)
def test_the_next_renewal_is_the_first_renewal_date_strictly_after_today(renewal_month, today, renewal):
    assert rules.next_renewal_date(renewal_month, today) == renewal


@pytest.mark.parametrize(
    "renewal_month, today, window",
    [
        (7, date(2026, 6, 15), (date(2026, 6, 1), date(2026, 6, 30))),
        (7, date(2026, 7, 1), (date(2027, 6, 1), date(2027, 6, 30))),
        (3, date(2028, 2, 10), (date(2028, 2, 1), date(2028, 2, 29))),
        (12, date(2026, 1, 5), (date(2026, 11, 1), date(2026, 11, 30))),
    ],
)
def test_the_window_is_the_whole_month_before_the_coming_renewal(renewal_month, today, window):
    assert rules.open_enrollment_window(renewal_month, today) == window


@given(months, days)
def test_every_day_falls_in_the_plan_year_that_starts_on_or_before_it(renewal_month, day):
    start = rules.plan_year_start(renewal_month, rules.plan_year_of(renewal_month, day))
    assert start <= day < rules.plan_year_start(renewal_month, rules.plan_year_of(renewal_month, day) + 1)


@given(months, days)
def test_the_window_is_the_month_before_the_next_renewal(renewal_month, day):
    renewal = rules.next_renewal_date(renewal_month, day)
    assert day < renewal <= day + timedelta(days=366) and renewal.day == 1 and renewal.month == renewal_month
    opens = date(renewal.year, renewal.month - 1, 1) if renewal.month > 1 else date(renewal.year - 1, 12, 1)
    assert rules.in_open_enrollment(renewal_month, day) == (opens <= day < renewal)
    assert not rules.in_open_enrollment(renewal_month, renewal)
    assert rules.in_open_enrollment(renewal_month, renewal - timedelta(days=1))


def test_a_plan_still_offered_carries_over_to_itself():
    assert rules.carry_over_plan(7, 9, {7, 9}) == 7
    assert rules.carry_over_plan(7, None, [7]) == 7


def test_a_plan_no_longer_offered_carries_over_to_its_successor_when_that_is_offered():
    assert rules.carry_over_plan(7, 9, {9, 11}) == 9


def test_a_plan_with_no_offered_successor_does_not_carry_over():
    assert rules.carry_over_plan(7, 9, {11}) is None
    assert rules.carry_over_plan(7, None, set()) is None
