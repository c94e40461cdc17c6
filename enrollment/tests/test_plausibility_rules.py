"""Plausibility rules at their exact edges, without a database: minimum age at hire, the hire
date's window, ZIP codes, middle initials, the worker's re-check, and when a draft expires.

Every expected answer is written out (the code, the message a person reads, the edge date),
never read from enrollment.rules, so moving an edge or rewording a message fails here. The
forms, the worker and Django admin are tested with the database in test_plausibility.py.
"""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError

from enrollment import rules

TODAY = date(2026, 11, 27)


def refusal(check, *args):
    """Return (code, messages) of the ValidationError the check raises."""
    with pytest.raises(ValidationError) as info:
        check(*args)
    return info.value.code, info.value.messages


TOO_YOUNG = ("too_young_at_hire", ["The subscriber was under 14 on the hire date: check the date of birth and the hire date."])
HIRE_BEFORE_BIRTH = ("hire_before_birth", ["The hire date must be after the date of birth."])
TOO_EARLY = ("hire_too_early", ["A hire date cannot be before Jan 1, 1950."])
ZIP_FORMAT = ("zip_format", ["Enter a 5-digit ZIP code, or ZIP+4 such as 97301-1234."])
NOT_A_LETTER = ("middle_initial_not_a_letter", ["A middle initial is one letter, A to Z."])


def too_far_ahead(latest):
    return ("hire_too_far_ahead", ["A hire date can be at most 6 months ahead (%s at the latest)." % latest])


# --- Minimum working age at hire: 14 ----------------------------------------------------------


def test_it_accepts_a_hire_on_the_14th_birthday():
    assert rules.check_hire_date(date(2014, 3, 15), date(2000, 3, 15)) is None


def test_it_refuses_a_hire_the_day_before_the_14th_birthday():
    assert refusal(rules.check_hire_date, date(2014, 3, 14), date(2000, 3, 15)) == TOO_YOUNG


def test_it_refuses_an_employee_one_day_old_at_hire():
    assert refusal(rules.check_hire_date, date(2026, 1, 2), date(2026, 1, 1)) == TOO_YOUNG


def test_a_hire_on_the_day_of_birth_is_before_birth_not_too_young():
    assert refusal(rules.check_hire_date, date(2000, 3, 15), date(2000, 3, 15)) == HIRE_BEFORE_BIRTH
    assert refusal(rules.check_hire_date, date(2000, 3, 14), date(2000, 3, 15)) == HIRE_BEFORE_BIRTH


def test_a_29_february_child_turns_14_on_1_march_in_a_common_year():
    assert refusal(rules.check_hire_date, date(2022, 2, 28), date(2008, 2, 29)) == TOO_YOUNG
    assert rules.check_hire_date(date(2022, 3, 1), date(2008, 2, 29)) is None


def test_the_too_young_refusal_names_the_minimum_age_as_a_parameter():
    with pytest.raises(ValidationError) as info:
        rules.check_hire_date(date(2014, 3, 14), date(2000, 3, 15))
    assert info.value.params == {"age": 14}
    assert info.value.message == "The subscriber was under %(age)d on the hire date: check the date of birth and the hire date."


# --- Hire date between 1 January 1950 and 183 days ahead --------------------------------------


def test_it_accepts_a_hire_date_of_1_january_1950_and_refuses_the_day_before():
    assert rules.check_hire_date_in_range(date(1950, 1, 1), TODAY) is None
    assert refusal(rules.check_hire_date_in_range, date(1949, 12, 31), TODAY) == TOO_EARLY


def test_it_accepts_a_hire_date_183_days_ahead_and_refuses_184():
    assert rules.check_hire_date_in_range(date(2027, 5, 29), TODAY) is None  # TODAY + 183 days
    assert refusal(rules.check_hire_date_in_range, date(2027, 5, 30), TODAY) == too_far_ahead("May 29, 2027")


def test_a_hire_date_in_the_past_or_today_is_in_range():
    assert rules.check_hire_date_in_range(TODAY, TODAY) is None
    assert rules.check_hire_date_in_range(date(1998, 6, 1), TODAY) is None


def test_it_refuses_hire_dates_in_2999_and_in_1900():
    assert refusal(rules.check_hire_date_in_range, date(2999, 1, 1), TODAY) == too_far_ahead("May 29, 2027")
    assert refusal(rules.check_hire_date_in_range, date(1900, 1, 1), TODAY) == TOO_EARLY


def test_the_latest_hire_date_follows_today():
    assert refusal(rules.check_hire_date_in_range, date(2026, 7, 4), date(2026, 1, 1)) == too_far_ahead("Jul 3, 2026")
    assert rules.check_hire_date_in_range(date(2026, 7, 3), date(2026, 1, 1)) is None


def test_the_range_refusals_carry_their_date_as_a_parameter():
    with pytest.raises(ValidationError) as early:
        rules.check_hire_date_in_range(date(1949, 12, 31), TODAY)
    assert (early.value.message, early.value.params) == ("A hire date cannot be before %(date)s.", {"date": "Jan 1, 1950"})
    with pytest.raises(ValidationError) as ahead:
        rules.check_hire_date_in_range(date(2027, 5, 30), TODAY)
    assert (ahead.value.message, ahead.value.params) == (
        "A hire date can be at most 6 months ahead (%(date)s at the latest).", {"date": "May 29, 2027"},
    )


# --- ZIP codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("zip_code", ["97301", "97301-1234", "00501", "99950", "00001", "97301-0001", "10000"])
def test_it_accepts_five_digit_and_zip_plus_4_codes(zip_code):
    assert rules.check_zip_code(zip_code) is None


@pytest.mark.parametrize("zip_code", ["00000", "00000-1234", "97301-0000", "00000-0000"])
def test_it_refuses_zip_00000_and_a_plus_4_of_0000_naming_the_code(zip_code):
    assert refusal(rules.check_zip_code, zip_code) == ("zip_not_real", ["%s is not a real ZIP code." % zip_code])


def test_the_not_real_refusal_carries_the_code_typed_as_a_parameter():
    with pytest.raises(ValidationError) as info:
        rules.check_zip_code("97301-0000")
    assert (info.value.message, info.value.params) == ("%(zip)s is not a real ZIP code.", {"zip": "97301-0000"})


@pytest.mark.parametrize(
    "zip_code", ["9730", "973011", "97301-123", "97301-12345", "97301 1234", "973011234", "ABCDE", "٩٧٣٠١", "", " 97301", "97301-"],
)
def test_it_refuses_what_is_not_a_zip_code(zip_code):
    assert refusal(rules.check_zip_code, zip_code) == ZIP_FORMAT


# --- Middle initial -----------------------------------------------------------------------------


@pytest.mark.parametrize("initial", ["", "A", "Z", "a", "z", "m"])
def test_a_middle_initial_is_empty_or_one_letter(initial):
    assert rules.check_middle_initial(initial) is None


@pytest.mark.parametrize("initial", ["1", "-", ".", " ", "É", "ß", "ﬁ", "AB", "Ω", "ab"])
def test_it_refuses_a_middle_initial_that_is_not_one_letter_a_to_z(initial):
    assert refusal(rules.check_middle_initial, initial) == NOT_A_LETTER


# --- The confirm step's and the worker's re-check --------------------------------------------------

OK = dict(subscriber_date_of_birth=date(1980, 1, 1), hire_date=date(2026, 11, 10), waiting_days=0,
          coverage_start=date(2026, 12, 1), dependents=[("child", date(2015, 1, 1))], today=TODAY,
          zip_code="97301", middle_initials=["J", "", "k"])


def test_enrollment_problems_pass_a_plausible_enrollment():
    assert rules.enrollment_problems(**OK) == []


def test_enrollment_problems_name_a_zip_code_and_each_middle_initial_that_is_wrong():
    assert rules.enrollment_problems(**{**OK, "zip_code": "00000", "middle_initials": ["J", "7", "", "ß"]}) == [
        "00000 is not a real ZIP code.", "A middle initial is one letter, A to Z.", "A middle initial is one letter, A to Z.",
    ]


def test_enrollment_problems_check_a_zip_code_given_empty_and_skip_one_not_given():
    assert rules.enrollment_problems(**{**OK, "zip_code": ""}) == ["Enter a 5-digit ZIP code, or ZIP+4 such as 97301-1234."]
    assert rules.enrollment_problems(**{**OK, "zip_code": None}) == []
    without = {key: value for key, value in OK.items() if key not in ("zip_code", "middle_initials")}
    assert rules.enrollment_problems(**without) == []


def test_enrollment_problems_name_a_subscriber_too_young_at_hire():
    assert rules.enrollment_problems(**{**OK, "subscriber_date_of_birth": date(2026, 11, 9), "dependents": []}) == [
        "The subscriber was under 14 on the hire date: check the date of birth and the hire date.",
    ]


def test_enrollment_problems_name_a_hire_date_out_of_range_and_skip_the_coverage_start_it_cannot_give():
    # A coverage start that is not a first of month is a problem only where the hire date gives one to compare.
    assert rules.enrollment_problems(**{**OK, "hire_date": date(2999, 1, 1), "coverage_start": date(2026, 12, 15)}) == [
        "A hire date can be at most 6 months ahead (May 29, 2027 at the latest).",
    ]
    born_1930 = {**OK, "subscriber_date_of_birth": date(1930, 1, 1)}
    assert rules.enrollment_problems(**{**born_1930, "hire_date": date(1949, 12, 31), "coverage_start": date(2026, 12, 15)}) == [
        "A hire date cannot be before Jan 1, 1950.",
    ]


def test_enrollment_problems_check_the_coverage_start_at_both_edges_of_the_hire_window():
    born_1930 = {**OK, "subscriber_date_of_birth": date(1930, 1, 1)}
    assert rules.enrollment_problems(**{**born_1930, "hire_date": date(1950, 1, 1), "coverage_start": date(2026, 12, 15)}) == [
        "Coverage starts on the first day of a month.",
    ]
    # Hired 29 May 2027 (183 days ahead): coverage from 1 June 2027 at the earliest.
    assert rules.enrollment_problems(**{**OK, "hire_date": date(2027, 5, 29)}) == [
        "Coverage cannot start before Jun 1, 2027 (hire date plus the group's 0-day waiting period).",
    ]


def test_enrollment_problems_list_the_coverage_start_before_the_spouses_and_the_dependents():
    two_spouses = [("spouse", date(1981, 1, 1)), ("domestic_partner", date(1982, 1, 1)), ("child", date(1979, 1, 1))]
    assert rules.enrollment_problems(**{**OK, "coverage_start": date(2026, 12, 15), "dependents": two_spouses, "zip_code": "0"}) == [
        "Coverage starts on the first day of a month.",
        "A subscriber can have at most one spouse or domestic partner.",
        "Enter a 5-digit ZIP code, or ZIP+4 such as 97301-1234.",
        "A child cannot be older than the subscriber.",
    ]


# --- Drafts of the New Enrollment wizard: deleted 30 days after their last change ------------------

NOW = datetime(2026, 5, 12, 10, 15, tzinfo=dt_timezone.utc)
THIRTY_DAYS_BEFORE = datetime(2026, 4, 12, 10, 15, tzinfo=dt_timezone.utc)


def test_a_draft_expires_exactly_30_days_after_its_last_change():
    assert rules.draft_expires_at(THIRTY_DAYS_BEFORE) == NOW
    assert rules.draft_expires_at(datetime(2026, 12, 15, 0, 0, tzinfo=dt_timezone.utc)) == datetime(
        2027, 1, 14, 0, 0, tzinfo=dt_timezone.utc
    )


def test_drafts_last_changed_30_days_ago_or_earlier_are_stale():
    assert rules.stale_draft_cutoff(NOW) == THIRTY_DAYS_BEFORE
    assert rules.draft_expired(THIRTY_DAYS_BEFORE, NOW) is True
    assert rules.draft_expired(THIRTY_DAYS_BEFORE - timedelta(days=3), NOW) is True
    assert rules.draft_expired(THIRTY_DAYS_BEFORE + timedelta(microseconds=1), NOW) is False
    assert rules.draft_expired(NOW, NOW) is False
