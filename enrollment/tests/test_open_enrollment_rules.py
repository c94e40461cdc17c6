"""Open enrollment's pure rules: a child ageing out at renewal, declining, reminders and the renewal's catch-up."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from enrollment import rules


@pytest.mark.parametrize(
    "relationship, born, renewal, aged_out",
    [
        # Turns 26 on 10 December 2026: eligible through 31 December, so gone at a 1 January renewal.
        ("child", date(2000, 12, 10), date(2027, 1, 1), True),
        ("child", date(2000, 12, 10), date(2026, 12, 1), False),  # still the month they turn 26
        ("child", date(2000, 12, 10), date(2026, 12, 31), False),  # the last day of that month
        ("child", date(2001, 1, 1), date(2027, 1, 1), False),  # turns 26 on the renewal date itself
        ("child", date(2000, 12, 31), date(2027, 1, 1), True),
        ("stepchild", date(1999, 5, 3), date(2027, 1, 1), True),
        ("foster_child", date(1999, 5, 3), date(2027, 1, 1), True),
        ("legal_ward", date(1999, 5, 3), date(2027, 1, 1), True),
        ("disabled_adult_child", date(1980, 5, 3), date(2027, 1, 1), False),  # no age limit
        ("spouse", date(1950, 5, 3), date(2027, 1, 1), False),
        ("domestic_partner", date(1950, 5, 3), date(2027, 1, 1), False),
    ],
)
def test_a_child_past_the_end_of_the_month_they_turn_26_is_aged_out(relationship, born, renewal, aged_out):
    assert rules.aged_out_on(relationship, born, renewal) is aged_out


def test_the_date_of_birth_cut_off_for_sql_is_the_first_of_the_month_26_years_before():
    assert rules.aged_out_born_before(date(2027, 1, 1)) == date(2001, 1, 1)
    assert rules.aged_out_born_before(date(2027, 7, 1)) == date(2001, 7, 1)
    assert rules.aged_out_born_before(date(2027, 7, 19)) == date(2001, 7, 1)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2060, 12, 31)), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_the_sql_cut_off_agrees_with_the_rule_for_every_child(born, on):
    assert rules.aged_out_on("child", born, on) == (born < rules.aged_out_born_before(on))


@pytest.mark.parametrize(
    "reason, name, field",
    [
        ("", "", "reason"),
        ("spouse_plan", "", "alternate_plan_name"),
        ("other_group", "  ", "alternate_plan_name"),
        ("individual", "", "alternate_plan_name"),
    ],
)
def test_decline_needs_a_reason_and_the_alternate_plan_where_another_plan_covers(reason, name, field):
    with pytest.raises(ValidationError) as error:
        rules.check_decline(reason, name)
    assert list(error.value.error_dict) == [field]


def test_decline_without_a_reason_says_so_next_to_the_reason():
    with pytest.raises(ValidationError) as error:
        rules.check_decline("", "Kaiser Silver")
    assert error.value.message_dict == {"reason": ["Choose the reason for declining coverage."]}
    assert [e.code for e in error.value.error_dict["reason"]] == ["decline_reason_required"]


@pytest.mark.parametrize("name", ["", "   ", None])
def test_decline_for_another_plan_without_its_name_says_so_next_to_the_name(name):
    with pytest.raises(ValidationError) as error:
        rules.check_decline("spouse_plan", name)
    assert error.value.message_dict == {"alternate_plan_name": ["Enter the alternate health plan name."]}
    assert [e.code for e in error.value.error_dict["alternate_plan_name"]] == ["alternate_plan_name_required"]


@pytest.mark.parametrize(
    "reason, name",
    [("spouse_plan", "Kaiser Silver"), ("other_group", "Aetna Choice"), ("individual", "Moda Bronze"),
     ("medicare", ""), ("medicaid", ""), ("other", ""), ("medicare", None)],
)
def test_decline_passes_with_what_each_reason_needs(reason, name):
    assert rules.check_decline(reason, name) is None


def test_the_alternate_plan_is_asked_for_exactly_the_reasons_of_other_coverage():
    assert rules.DECLINE_REASONS_WITH_ALTERNATE_PLAN == {"spouse_plan", "other_group", "individual"}


@pytest.mark.parametrize(
    "today, due",
    [
        (date(2026, 11, 30), None),  # the day before the window
        (date(2026, 12, 1), "opening"),  # its first day
        (date(2026, 12, 24), "opening"),
        (date(2026, 12, 25), "closing"),  # seven days before the renewal date
        (date(2026, 12, 31), "closing"),  # the last day
        (date(2027, 1, 1), None),  # the renewal date
    ],
)
def test_the_opening_reminder_is_due_from_the_first_day_and_the_closing_one_for_the_last_seven(today, due):
    assert rules.reminder_due(1, today) == due


@pytest.mark.parametrize(
    "today, due",
    [
        (date(2026, 12, 31), None),
        (date(2027, 1, 1), date(2027, 1, 1)),
        (date(2027, 1, 7), date(2027, 1, 1)),  # caught up within seven days
        (date(2027, 1, 8), None),
        (date(2027, 6, 1), None),
    ],
)
def test_the_renewal_is_due_on_the_renewal_date_and_caught_up_for_a_week(today, due):
    assert rules.renewal_due(1, today) == due


def test_a_july_renewal_is_due_on_the_first_of_july():
    assert rules.renewal_due(7, date(2027, 7, 1)) == date(2027, 7, 1)
    assert rules.renewal_due(7, date(2027, 6, 30)) is None


@pytest.mark.parametrize("today, left", [(date(2026, 12, 31), 1), (date(2026, 12, 30), 2), (date(2026, 12, 1), 31)])
def test_the_days_left_count_today_and_the_last_day(today, left):
    assert rules.days_left_in_window(date(2026, 12, 31), today) == left


def test_the_closing_reminder_day_is_seven_days_before_renewal():
    assert rules.CLOSING_REMINDER_DAYS == 7
    assert rules.reminder_due(12, date(2026, 12, 1) - timedelta(days=7)) == "closing"
    assert rules.reminder_due(12, date(2026, 12, 1) - timedelta(days=8)) == "opening"
