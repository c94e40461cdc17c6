import datetime

import pytest

from accounts import rules

MON, FRI, SAT, SUN = (datetime.date(2026, 11, d) for d in (23, 27, 28, 29))


@pytest.mark.parametrize(
    "submitted, due",
    [
        (MON, datetime.date(2026, 11, 25)),  # Wednesday
        (FRI, datetime.date(2026, 12, 1)),  # Tuesday
        (SAT, datetime.date(2026, 12, 1)),  # counts from Monday
        (SUN, datetime.date(2026, 12, 1)),
        (datetime.date(2026, 11, 26), datetime.date(2026, 11, 30)),  # Thursday -> Monday
    ],
)
def test_access_is_due_two_business_days_after_submission_skipping_weekends(submitted, due):
    assert rules.add_business_days(submitted, 2) == due


@pytest.mark.parametrize(
    "first, last, stem",
    [("Jane", "Smith", "jsmith"), ("José", "Núñez-O'Brien", "jnunezobrien"), ("Ann", "Vanderbilt-Kensington", "avanderbiltk"), ("", "", "user")],
)
def test_a_username_starts_with_the_first_initial_and_last_name(first, last, stem):
    assert rules.username_stem(first, last) == stem
    username = rules.random_username(first, last)
    assert username.startswith(stem) and username[len(stem):].isdigit() and len(username) == len(stem) + 4


def test_a_temporary_password_is_long_random_and_unambiguous():
    passwords = {rules.random_temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 19 and not set(password) & set("0O1lI")


def test_a_temporary_password_expires_at_its_expiry_time():
    at = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)
    assert not rules.temporary_password_expired(at, at - datetime.timedelta(seconds=1))
    assert rules.temporary_password_expired(at, at)
    assert not rules.temporary_password_expired(None, at)


@pytest.mark.parametrize(
    "typed, legal, match",
    [("Acme Manufacturing", "Acme Manufacturing Co.", True), ("ACME manufacturing co", "Acme Manufacturing Co.", True),
     ("Acme Widgets", "Acme Manufacturing Co.", False), ("Inc.", "Inc.", False)],
)
def test_the_company_name_matches_ignoring_case_punctuation_and_suffixes(typed, legal, match):
    assert rules.names_match(typed, legal) is match
