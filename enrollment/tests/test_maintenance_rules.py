"""Roster maintenance's pure rules at their edges: life-event windows, effective dates, retro, reinstatement, age 26."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import rules


@pytest.mark.parametrize("event, requested_on, within", [
    ("marriage", date(2026, 3, 10), True),      # the event day itself
    ("marriage", date(2026, 4, 9), True),       # day 30
    ("marriage", date(2026, 4, 10), False),     # day 31
    ("birth", date(2026, 4, 9), True),
    ("birth", date(2026, 4, 10), False),
    ("adoption", date(2026, 4, 10), False),
    ("loss_of_coverage", date(2026, 4, 9), True),
    ("loss_of_coverage", date(2026, 4, 10), False),
    ("loss_of_medicaid", date(2026, 5, 9), True),   # day 60
    ("loss_of_medicaid", date(2026, 5, 10), False),  # day 61
    ("marriage", date(2026, 3, 9), False),      # before the event
])
def test_the_special_enrollment_window_is_30_days_and_60_for_medicaid_or_chip(event, requested_on, within):
    assert rules.within_special_enrollment_window(event, date(2026, 3, 10), requested_on) is within


@pytest.mark.parametrize("event, event_date, start", [
    ("marriage", date(2026, 3, 10), date(2026, 4, 1)),
    ("marriage", date(2026, 3, 1), date(2026, 4, 1)),
    ("marriage", date(2026, 12, 31), date(2027, 1, 1)),
    ("loss_of_coverage", date(2026, 2, 28), date(2026, 3, 1)),
    ("loss_of_medicaid", date(2026, 1, 31), date(2026, 2, 1)),
    ("birth", date(2026, 3, 17), date(2026, 3, 17)),
    ("adoption", date(2026, 2, 28), date(2026, 2, 28)),
])
def test_life_event_coverage_starts_the_first_of_next_month_or_on_a_birth_or_placement(event, event_date, start):
    assert rules.life_event_coverage_start(event, event_date) == start


@pytest.mark.parametrize("event, days", [
    ("marriage", 30), ("birth", 30), ("adoption", 30), ("loss_of_coverage", 30), ("loss_of_medicaid", 60),
])
def test_each_life_event_has_its_window_in_days(event, days):
    assert rules.special_enrollment_days(event) == days


def test_an_unknown_life_event_is_refused_by_name():
    with pytest.raises(ValueError, match=r"^Unknown life event 'promotion'\.$"):
        rules.life_event_coverage_start("promotion", date(2026, 3, 1))
    with pytest.raises(ValueError, match=r"^Unknown life event 'promotion'\.$"):
        rules.special_enrollment_days("promotion")


def test_a_life_event_in_the_future_is_refused_and_today_is_accepted():
    assert rules.check_life_event_date(date(2026, 3, 10), date(2026, 3, 10)) is None
    assert rules.check_life_event_date(date(2026, 3, 9), date(2026, 3, 10)) is None
    with pytest.raises(ValidationError) as error:
        rules.check_life_event_date(date(2026, 3, 11), date(2026, 3, 10))
    assert (error.value.code, error.value.messages) == ("event_in_future", ["The event date cannot be in the future."])


@pytest.mark.parametrize("on, end", [
    (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 31), date(2026, 3, 31)),
    (date(2028, 2, 10), date(2028, 2, 29)), (date(2026, 2, 10), date(2026, 2, 28)),
])
def test_a_termination_ends_coverage_on_the_last_day_of_its_month(on, end):
    assert rules.termination_end(on) == end


@pytest.mark.parametrize("end, ok", [(date(2026, 3, 11), True), (date(2026, 3, 10), True), (date(2026, 3, 9), False)])
def test_the_retro_window_is_60_days_back_from_today(end, ok):
    assert rules.within_retro_window(end, date(2026, 5, 9), 60) is ok


@pytest.mark.parametrize("end, ok", [
    (date(2026, 3, 10), True),   # 60 days before 9 May
    (date(2026, 3, 9), False),   # 61 days
    (date(2026, 5, 31), True),   # a termination still to come can be taken back
])
def test_a_coverage_ended_in_the_last_60_days_can_be_reinstated(end, ok):
    assert rules.may_reinstate(end, date(2026, 5, 9)) is ok


def test_a_reinstatement_starts_the_day_after_the_end():
    assert rules.reinstatement_start(date(2026, 3, 31)) == date(2026, 4, 1)
    assert rules.reinstatement_start(date(2026, 12, 31)) == date(2027, 1, 1)


@pytest.mark.parametrize("on, latest", [
    (date(2026, 3, 10), date(2000, 3, 10)),
    (date(2028, 2, 29), date(2002, 2, 28)),   # no 29 February in 2002: born the 28th, already 26
    (date(2026, 3, 1), date(2000, 3, 1)),
])
def test_the_latest_birth_date_of_someone_26_agrees_with_age_on(on, latest):
    assert rules.latest_birth_date_of_age(26, on) == latest
    assert rules.age_on(latest, on) == 26
    assert rules.age_on(date.fromordinal(latest.toordinal() + 1), on) == 25


def test_birth_dates_turning_26_in_a_window_include_both_ends():
    after, through = rules.birth_dates_turning(26, date(2026, 3, 10), date(2026, 5, 9))
    assert (after, through) == (date(2000, 3, 9), date(2000, 5, 9))  # born 10 Mar 2000 .. 9 May 2000


@pytest.mark.parametrize("today, latest", [
    (date(2026, 3, 1), date(2000, 3, 31)),
    (date(2026, 3, 31), date(2000, 3, 31)),
    (date(2026, 2, 15), date(2000, 2, 29)),
    (date(2027, 2, 15), date(2001, 2, 28)),
])
def test_children_born_by_the_end_of_this_month_26_years_ago_age_out_this_month(today, latest):
    assert rules.latest_birth_date_ageing_out_by(today) == latest
    assert rules.child_eligible_through(latest) == rules.last_of_month(today)
