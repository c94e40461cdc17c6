"""The eligibility, tier and date rules at their exact edges: hand-worked tables of literal answers.

Every relationship is written out by name (never read from rules.CHILDREN or rules.SPOUSAL),
so a relationship dropped from, or added to, one of those sets fails here.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import rules

TODAY = date(2026, 11, 27)


def refusal(check, *args, **kwargs):
    """Return (code, messages) of the ValidationError the check raises."""
    with pytest.raises(ValidationError) as info:
        check(*args, **kwargs)
    return info.value.code, info.value.messages


# --- Tiers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relationships, tier",
    [
        ([], "EE"),
        (["spouse"], "ES"),
        (["domestic_partner"], "ES"),
        (["child"], "EC"),
        (["stepchild"], "EC"),
        (["foster_child"], "EC"),
        (["legal_ward"], "EC"),
        (["disabled_adult_child"], "EC"),
        (["spouse", "child"], "FAM"),
        (["spouse", "stepchild"], "FAM"),
        (["spouse", "foster_child"], "FAM"),
        (["spouse", "legal_ward"], "FAM"),
        (["spouse", "disabled_adult_child"], "FAM"),
        (["domestic_partner", "child"], "FAM"),
        (["child", "child", "domestic_partner"], "FAM"),
        (["stepchild", "foster_child", "legal_ward", "disabled_adult_child"], "EC"),
    ],
)
def test_each_relationship_gives_its_tier(relationships, tier):
    assert rules.coverage_tier(relationships) == tier


@pytest.mark.parametrize("relationship", ["parent", "grandchild", "sibling", "subscriber", "Child"])
def test_a_relationship_outside_the_seven_changes_no_tier(relationship):
    assert rules.coverage_tier([relationship]) == "EE"
    assert rules.coverage_tier(["spouse", relationship]) == "ES"


def test_the_tier_reads_a_one_pass_iterable_of_relationships():
    assert rules.coverage_tier(r for r in ["child", "spouse"]) == "FAM"


# --- One dependent's eligibility ----------------------------------------------------------------


def dependent(relationship, dob, *, subscriber_dob=date(1970, 1, 1), start=date(2026, 12, 1)):
    rules.check_dependent(
        relationship=relationship, date_of_birth=dob, subscriber_date_of_birth=subscriber_dob, coverage_start=start, today=TODAY
    )


OVER_26 = "A child is eligible only through the end of the month they turn 26 (choose \"Disabled adult child\" if that applies)."
OLDER = "A child cannot be older than the subscriber."


@pytest.mark.parametrize("relationship", ["child", "stepchild", "foster_child", "legal_ward"])
def test_a_child_of_every_kind_but_disabled_adult_is_refused_after_the_month_they_turn_26(relationship):
    # Turned 26 on 15 October 2026: eligible through 31 October, so not for a 1 December start.
    assert refusal(dependent, relationship, date(2000, 10, 15)) == ("child_over_26", [OVER_26])


@pytest.mark.parametrize("relationship", ["disabled_adult_child", "spouse", "domestic_partner"])
def test_a_disabled_adult_child_a_spouse_and_a_partner_have_no_age_limit(relationship):
    dependent(relationship, date(1950, 10, 15), subscriber_dob=date(1940, 1, 1))


@pytest.mark.parametrize("relationship", ["child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"])
def test_a_child_of_every_kind_cannot_be_older_than_the_subscriber(relationship):
    assert refusal(dependent, relationship, date(1979, 12, 31), subscriber_dob=date(1980, 1, 1), start=date(2000, 1, 1)) == (
        "child_older_than_subscriber", [OLDER]
    )


@pytest.mark.parametrize("relationship", ["spouse", "domestic_partner"])
def test_a_spouse_or_partner_may_be_older_than_the_subscriber(relationship):
    dependent(relationship, date(1979, 12, 31), subscriber_dob=date(1980, 1, 1))


def test_a_child_born_on_the_subscribers_birthday_is_not_older():
    dependent("child", date(1980, 1, 1), subscriber_dob=date(1980, 1, 1), start=date(2000, 1, 1))


def test_a_child_is_eligible_on_the_last_day_of_the_month_they_turn_26_and_not_the_day_after():
    dependent("child", date(2000, 12, 15), start=date(2026, 12, 31))
    assert refusal(dependent, "child", date(2000, 12, 15), start=date(2027, 1, 1))[0] == "child_over_26"


@pytest.mark.parametrize("relationship", ["spouse", "child"])
def test_a_dependents_date_of_birth_is_checked_whatever_the_relationship(relationship):
    assert refusal(dependent, relationship, date(2026, 11, 28))[0] == "dob_in_future"


# --- Every refusal's code and message, as a form shows it next to its field ----------------------------------


@pytest.mark.parametrize(
    "check, args, code, message",
    [
        (rules.check_date_of_birth, (date(2026, 11, 28), TODAY), "dob_in_future", "A date of birth cannot be in the future."),
        (rules.check_date_of_birth, (date(1899, 12, 31), TODAY), "dob_before_1900", "A date of birth cannot be before 1900."),
        (rules.check_hire_date, (date(1980, 1, 1), date(1980, 1, 1)), "hire_before_birth", "The hire date must be after the date of birth."),
        (rules.check_hire_date, (date(1979, 12, 31), date(1980, 1, 1)), "hire_before_birth", "The hire date must be after the date of birth."),
        (rules.check_coverage_start, (date(2027, 1, 2), date(2026, 11, 10), 0), "start_not_first_of_month",
         "Coverage starts on the first day of a month."),
        # 31 January + 30 days = 2 March: the earliest start is 1 April, written MM/DD/YYYY.
        (rules.check_coverage_start, (date(2026, 3, 1), date(2026, 1, 31), 30), "start_before_waiting_period",
         "Coverage cannot start before Apr 1, 2026 (hire date plus the group's 30-day waiting period)."),
        (rules.check_one_spouse, (["spouse", "spouse"],), "more_than_one_spouse", "A subscriber can have at most one spouse or domestic partner."),
        (rules.check_one_spouse, (["domestic_partner", "child", "domestic_partner"],), "more_than_one_spouse",
         "A subscriber can have at most one spouse or domestic partner."),
    ],
)
def test_each_refusal_has_its_code_and_message(check, args, code, message):
    assert refusal(check, *args) == (code, [message])


@pytest.mark.parametrize("relationships", [[], ["spouse"], ["domestic_partner", "child", "stepchild"], ["child"] * 8])
def test_one_spouse_or_partner_or_none_is_accepted(relationships):
    rules.check_one_spouse(relationships)


def test_the_earliest_start_after_the_waiting_period_is_accepted_and_the_month_before_is_not():
    rules.check_coverage_start(date(2026, 4, 1), date(2026, 1, 31), 30)
    assert refusal(rules.check_coverage_start, date(2026, 3, 1), date(2026, 1, 31), 30)[0] == "start_before_waiting_period"


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), 13, date(2027, 6, 30)),
        (date(2000, 2, 29), 312, date(2026, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_clamped_to_the_months_end(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    "dob, on, age",
    [
        (date(1990, 6, 15), date(2026, 5, 20), 35),
        (date(1990, 6, 15), date(2026, 6, 14), 35),
        (date(1990, 6, 15), date(2026, 6, 15), 36),
        (date(1990, 6, 15), date(2026, 7, 1), 36),
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        (date(2000, 2, 29), date(2028, 2, 28), 27),
        (date(2000, 2, 29), date(2028, 2, 29), 28),
    ],
)
def test_the_age_is_whole_years_with_a_29_february_birthday_counting_on_1_march(dob, on, age):
    assert rules.age_on(dob, on) == age


@pytest.mark.parametrize(
    "dob, through",
    [
        (date(2000, 1, 1), date(2026, 1, 31)),
        (date(2000, 1, 31), date(2026, 1, 31)),
        (date(2000, 2, 29), date(2026, 2, 28)),
        (date(2000, 12, 15), date(2026, 12, 31)),
    ],
)
def test_a_child_is_eligible_through_the_last_day_of_the_month_they_turn_26(dob, through):
    assert rules.child_eligible_through(dob) == through


@pytest.mark.parametrize(
    "hire, waiting_days, start",
    [
        (date(2026, 11, 10), 0, date(2026, 12, 1)),
        (date(2026, 11, 30), 0, date(2026, 12, 1)),
        (date(2026, 12, 1), 0, date(2027, 1, 1)),  # hired on a first: the first of the month after
        (date(2026, 11, 10), 30, date(2027, 1, 1)),  # 10 December -> 1 January
        (date(2026, 10, 2), 30, date(2026, 12, 1)),  # 1 November -> 1 December
        (date(2026, 1, 31), 30, date(2026, 4, 1)),  # 2 March -> 1 April
        (date(2026, 1, 1), 90, date(2026, 5, 1)),  # 1 April -> 1 May
    ],
)
def test_a_new_hire_starts_on_the_first_of_the_month_after_hire_plus_waiting_period(hire, waiting_days, start):
    assert rules.new_hire_coverage_start(hire, waiting_days) == start


@pytest.mark.parametrize(
    "day, first",
    [
        (date(2026, 12, 1), date(2026, 12, 1)),
        (date(2026, 12, 2), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        (date(2024, 2, 29), date(2024, 3, 1)),
    ],
)
def test_the_first_of_month_on_or_after_a_day_is_that_day_only_when_it_is_a_first(day, first):
    assert rules.first_of_month_on_or_after(day) == first


@pytest.mark.parametrize(
    "earliest, count, choices",
    [
        (date(2026, 12, 1), 3, [date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]),
        (date(2026, 12, 1), 1, [date(2026, 12, 1)]),
        (date(2026, 12, 1), 0, []),
    ],
)
def test_the_coverage_start_choices_are_the_earliest_and_the_firsts_after_it(earliest, count, choices):
    assert rules.later_first_of_months(earliest, count) == choices


@pytest.mark.parametrize(
    "on, end",
    [
        (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 2, 10), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_a_termination_ends_coverage_on_the_last_day_of_its_month(on, end):
    assert rules.termination_end(on) == end


@pytest.mark.parametrize(
    "end, retro_days, accepted",
    [
        (date(2026, 9, 28), 60, True),  # exactly 60 days before 27 November
        (date(2026, 9, 27), 60, False),
        (date(2026, 12, 31), 60, True),  # a future end is never retroactive
        (date(2026, 11, 27), 0, True),
        (date(2026, 11, 26), 0, False),
    ],
)
def test_a_retroactive_end_is_accepted_up_to_the_retro_window_back(end, retro_days, accepted):
    assert rules.within_retro_window(end, TODAY, retro_days) is accepted


# --- Other medical coverage of a dependent not enrolled ---------------------------------------


NONE_KEPT = {"has_other_coverage": False, "other_carrier": "", "other_policy_number": ""}


def test_an_enrolled_dependent_keeps_no_other_coverage_whatever_was_typed():
    assert rules.other_coverage(elected=True, has_other=True, carrier="Kaiser", policy_number="KP-1") == NONE_KEPT
    assert rules.other_coverage(elected=True, has_other=None, carrier="", policy_number="") == NONE_KEPT


def test_a_dependent_not_enrolled_without_other_coverage_keeps_none():
    assert rules.other_coverage(elected=False, has_other=False, carrier="Kaiser", policy_number="KP-1") == NONE_KEPT


def test_a_dependent_not_enrolled_with_other_coverage_keeps_its_carrier_and_policy():
    assert rules.other_coverage(elected=False, has_other=True, carrier="Kaiser", policy_number="KP-1") == {
        "has_other_coverage": True, "other_carrier": "Kaiser", "other_policy_number": "KP-1",
    }


def test_a_dependent_not_enrolled_must_say_whether_they_have_other_coverage():
    with pytest.raises(ValidationError) as info:
        rules.other_coverage(elected=False, has_other=None, carrier="", policy_number="")
    errors = info.value.error_dict
    assert list(errors) == ["has_other_coverage"]
    assert [(e.code, e.message) for e in errors["has_other_coverage"]] == [
        ("other_coverage_required", "Say whether this dependent has other medical coverage.")
    ]


@pytest.mark.parametrize(
    "carrier, policy, missing",
    [("", "", ["other_carrier", "other_policy_number"]), ("Kaiser", "", ["other_policy_number"]), ("", "KP-1", ["other_carrier"])],
)
def test_other_coverage_needs_its_carrier_and_policy_number(carrier, policy, missing):
    with pytest.raises(ValidationError) as info:
        rules.other_coverage(elected=False, has_other=True, carrier=carrier, policy_number=policy)
    errors = info.value.error_dict
    assert sorted(errors) == missing
    messages = {"other_carrier": "Enter the other coverage's carrier.", "other_policy_number": "Enter the other coverage's policy number."}
    for name in missing:
        assert [(e.code, e.message) for e in errors[name]] == [("other_coverage_detail", messages[name])]
