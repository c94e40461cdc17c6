import datetime

import pytest
from django.core.exceptions import ValidationError

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


def test_the_number_after_the_stem_is_drawn_below_10000_and_always_four_digits(monkeypatch):
    asked = []
    monkeypatch.setattr(rules.secrets, "randbelow", lambda n: asked.append(n) or 7)
    assert rules.random_username("Jane", "Smith") == "jsmith0007"
    assert asked == [10000]


def test_a_temporary_password_is_long_random_and_unambiguous():
    passwords = {rules.random_temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 19 and not set(password) & set("0O1lI")


def test_a_temporary_password_is_four_groups_of_four_from_the_unambiguous_alphabet():
    alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
    groups = [group for _ in range(50) for group in rules.random_temporary_password().split("-")]
    assert len(groups) == 200 and all(len(group) == 4 and set(group) <= set(alphabet) for group in groups)


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


@pytest.mark.parametrize("suffix", ["Inc", "LLC", "Co", "Corp", "Corporation", "Company", "Ltd", "The", "PC", "LLP", "LP"])
def test_every_usual_suffix_is_ignored_in_any_case(suffix):
    assert rules.names_match("Acme Widgets %s." % suffix, "Acme Widgets")
    assert rules.names_match("acme widgets", "Acme Widgets, %s" % suffix.upper())


@pytest.mark.parametrize(
    "typed, legal, match",
    [("Acme   Widgets", "acme-widgets", True), ("3M Company", "3M", True), ("3M", "M", False), ("Acme Widgets Group", "Acme Widgets", False),
     ("AcmeWidgets", "Acme Widgets", False), ("", "", False), ("The Co.", "Inc", False)],
)
def test_the_company_name_compares_word_by_word(typed, legal, match):
    assert rules.names_match(typed, legal) is match


@pytest.mark.parametrize("role", ["primary", "enrollment", "billing", "read_only"])
def test_every_admin_may_see_all_subgroups(role):
    assert rules.check_subgroup_limit(role=role, group_id=7, subgroup_group_ids=[]) is None


@pytest.mark.parametrize("role", ["enrollment", "billing", "read_only"])
def test_an_admin_who_is_not_primary_may_be_limited_to_subgroups_of_their_group(role):
    assert rules.check_subgroup_limit(role=role, group_id=7, subgroup_group_ids=[7, 7]) is None


@pytest.mark.parametrize("groups", [[7], [8], [7, 8]])
def test_a_primary_admin_is_never_limited(groups):
    with pytest.raises(ValidationError) as error:
        rules.check_subgroup_limit(role="primary", group_id=7, subgroup_group_ids=groups)
    assert (error.value.code, error.value.messages) == (
        "primary_not_limited", ["A primary admin manages the whole group, so their access cannot be limited to subgroups."],
    )


@pytest.mark.parametrize("groups", [[8], [7, 8], [8, 7]])
def test_a_limit_names_only_subgroups_of_the_admins_group(groups):
    with pytest.raises(ValidationError) as error:
        rules.check_subgroup_limit(role="enrollment", group_id=7, subgroup_group_ids=iter(groups))
    assert (error.value.code, error.value.messages) == (
        "subgroup_of_another_group", ["Choose only subgroups of the admin's own group."],
    )
