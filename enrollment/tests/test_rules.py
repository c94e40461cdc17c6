from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from enrollment import rules

TODAY = date(2026, 11, 27)
RELATIONSHIPS = ["spouse", "domestic_partner", "child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"]


def code_of(check, *args, **kwargs):
    with pytest.raises(ValidationError) as info:
        check(*args, **kwargs)
    return info.value.code


def test_it_refuses_a_date_of_birth_in_the_future():
    assert code_of(rules.check_date_of_birth, TODAY + timedelta(days=1), TODAY) == "dob_in_future"


def test_it_refuses_a_date_of_birth_before_1900():
    assert code_of(rules.check_date_of_birth, date(1899, 12, 31), TODAY) == "dob_before_1900"


def test_it_accepts_a_date_of_birth_of_today_and_of_1_january_1900():
    rules.check_date_of_birth(TODAY, TODAY)
    rules.check_date_of_birth(date(1900, 1, 1), TODAY)


def dependent(relationship="child", dob=date(2010, 5, 5), subscriber_dob=date(1980, 1, 1), start=date(2026, 12, 1)):
    rules.check_dependent(
        relationship=relationship, date_of_birth=dob, subscriber_date_of_birth=subscriber_dob, coverage_start=start, today=TODAY
    )


def test_it_refuses_a_child_over_26_at_the_coverage_start():
    assert code_of(dependent, dob=date(2000, 10, 15), start=date(2026, 12, 1)) == "child_over_26"


def test_a_child_stays_eligible_through_the_end_of_the_month_they_turn_26():
    dependent(dob=date(2000, 12, 15), start=date(2026, 12, 1))


def test_a_disabled_adult_child_has_no_age_limit():
    dependent(relationship="disabled_adult_child", dob=date(1990, 1, 1), subscriber_dob=date(1960, 1, 1))


def test_it_refuses_a_child_older_than_the_subscriber():
    assert code_of(dependent, dob=date(1979, 1, 1), subscriber_dob=date(1980, 1, 1), start=date(2000, 1, 1)) == "child_older_than_subscriber"


def test_a_spouse_may_be_older_than_the_subscriber():
    dependent(relationship="spouse", dob=date(1950, 1, 1), subscriber_dob=date(1980, 1, 1))


def test_it_refuses_a_second_spouse_or_partner():
    assert code_of(rules.check_one_spouse, ["spouse", "child", "domestic_partner"]) == "more_than_one_spouse"
    rules.check_one_spouse(["spouse", "child", "child"])


def test_coverage_starts_on_a_first_of_month_not_before_hire_plus_waiting_period():
    hire = date(2026, 11, 10)
    assert code_of(rules.check_coverage_start, date(2026, 12, 15), hire, 0) == "start_not_first_of_month"
    assert code_of(rules.check_coverage_start, date(2026, 12, 1), hire, 30) == "start_before_waiting_period"
    rules.check_coverage_start(date(2027, 1, 1), hire, 30)
    rules.check_coverage_start(date(2027, 3, 1), hire, 30)  # a later first of month is fine


def test_enrollment_problems_lists_every_broken_rule_and_nothing_when_all_pass():
    ok = dict(subscriber_date_of_birth=date(1980, 1, 1), hire_date=date(2026, 11, 10), waiting_days=0,
              coverage_start=date(2026, 12, 1), dependents=[("spouse", date(1981, 1, 1)), ("child", date(2015, 1, 1))], today=TODAY)
    assert rules.enrollment_problems(**ok) == []
    bad = {**ok, "dependents": [("spouse", date(1981, 1, 1)), ("domestic_partner", date(1982, 1, 1)), ("child", date(1990, 1, 1))]}
    assert rules.enrollment_problems(**bad) == [
        "A subscriber can have at most one spouse or domestic partner.",
        "A child is eligible only through the end of the month they turn 26 (choose \"Disabled adult child\" if that applies).",
    ]
    assert rules.enrollment_problems(**{**ok, "hire_date": date(1979, 6, 1), "coverage_start": date(2026, 12, 1)}) == [
        "The hire date must be after the date of birth."
    ]
    assert rules.enrollment_problems(**{**ok, "waiting_days": 30}) == [
        "Coverage cannot start before Jan 1, 2027 (hire date plus the group's 30-day waiting period)."
    ]
    everything_wrong = {**ok, "subscriber_date_of_birth": date(2026, 11, 28), "coverage_start": date(2026, 12, 15), "dependents": [
        ("spouse", date(1981, 1, 1)), ("domestic_partner", date(1982, 1, 1)), ("child", date(2015, 1, 1))]}
    assert rules.enrollment_problems(**everything_wrong) == [
        "A date of birth cannot be in the future.",
        "The hire date must be after the date of birth.",
        "Coverage starts on the first day of a month.",
        "A subscriber can have at most one spouse or domestic partner.",
        "A child cannot be older than the subscriber.",
    ]


def test_it_refuses_a_hire_date_on_or_before_the_date_of_birth():
    assert code_of(rules.check_hire_date, date(1980, 1, 1), date(1980, 1, 1)) == "hire_before_birth"
    rules.check_hire_date(date(1998, 6, 1), date(1980, 1, 1))


@given(st.lists(st.sampled_from(RELATIONSHIPS), max_size=6))
def test_the_tier_follows_from_who_is_covered(relationships):
    tier = rules.coverage_tier(relationships)
    # Written out, never read from rules.SPOUSAL / rules.CHILDREN.
    spouse = any(r in {"spouse", "domestic_partner"} for r in relationships)
    child = any(r in {"child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"} for r in relationships)
    assert tier == {(False, False): "EE", (True, False): "ES", (False, True): "EC", (True, True): "FAM"}[(spouse, child)]
    assert rules.coverage_tier(reversed(relationships)) == tier


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), st.sampled_from([0, 30, 60, 90]))
def test_the_proposed_new_hire_start_passes_its_own_rule_and_is_the_earliest_that_does(hire, waiting):
    start = rules.new_hire_coverage_start(hire, waiting)
    rules.check_coverage_start(start, hire, waiting)
    assert start.day == 1 and start > hire + timedelta(days=waiting) - timedelta(days=1)
    earlier = rules.add_months(start, -1)
    with pytest.raises(ValidationError):
        rules.check_coverage_start(earlier, hire, waiting)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 27)))
def test_a_child_is_eligible_exactly_through_the_month_they_turn_26(dob):
    through = rules.child_eligible_through(dob)
    assert through.year == dob.year + 26 and through.month == dob.month
    assert (through + timedelta(days=1)).day == 1
