"""Every carrier identifier is made, checked, normalised and shown by core.identifiers alone."""

import re
from datetime import date

import pytest

from core import identifiers


def test_a_confirmation_number_is_10_characters_of_the_unambiguous_alphabet():
    for _ in range(300):
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", identifiers.generate_confirmation_number())


@pytest.mark.parametrize(
    "typed, stored",
    [(" abcde-23456 ", "ABCDE23456"), ("7kq2m xp4rt", "7KQ2MXP4RT"), ("", ""), (None, ""), ("ab\x00cd", "ABCD"), ("ä7", "7")],
)
def test_a_typed_confirmation_number_is_stored_upper_case_without_dashes_or_spaces(typed, stored):
    assert identifiers.normalize_confirmation_number(typed) == stored


@pytest.mark.parametrize(
    "text, valid",
    [("7KQ2MXP4RT", True), ("7KQ2MXP4R", False), ("7KQ2MXP4RTZ", False), ("7KQ2MXP4R0", False), ("7KQ2MXP4RI", False),
     ("7kq2mxp4rt", False), ("", False), (None, False)],
)
def test_only_10_characters_of_the_alphabet_make_a_confirmation_number(text, valid):
    assert identifiers.is_confirmation_number(text) is valid


@pytest.mark.parametrize("stored, shown", [("ABCDE23456", "ABCDE-23456"), ("ABC", "ABC"), ("", ""), (None, "")])
def test_a_confirmation_number_is_shown_in_two_halves(stored, shown):
    assert identifiers.display_confirmation_number(stored) == shown


@pytest.mark.parametrize(
    "text, valid", [("104522", True), ("10452", False), ("1045220", False), ("10452a", False), ("١٠٤٥٢٢", False), ("", False)]
)
def test_a_group_number_is_six_ascii_digits(text, valid):
    assert identifiers.is_group_number(text) is valid


def test_a_typed_group_number_loses_its_spaces():
    assert identifiers.normalize_group_number(" 104 522 ") == "104522"


def test_a_subscriber_number_is_m_and_nine_digits():
    for _ in range(200):
        assert re.fullmatch(r"M\d{9}", identifiers.generate_subscriber_number())
    assert identifiers.is_subscriber_number("M482913305")
    for bad in ("m482913305", "M48291330", "M4829133050", "N482913305", ""):
        assert not identifiers.is_subscriber_number(bad)
    assert identifiers.normalize_subscriber_number(" m482 913305") == "M482913305"


@pytest.mark.parametrize(
    "text, looks",
    [("M48", True), ("m4829", True), ("M4", True), (" m 4 ", True), ("M482913305", True), ("M", False), ("", False),
     ("Miller", False), ("48291", False), ("M48x", False), ("MA4", False), ("M-4", False), ("M٤8", False), ("M4٤", False)],
)
def test_a_search_text_reads_as_a_subscriber_number_only_when_it_is_m_and_digits(text, looks):
    assert identifiers.looks_like_subscriber_number(text) is looks


def test_a_member_id_is_the_subscriber_number_and_the_suffix():
    assert identifiers.member_id("M482913305") == "M482913305-00"
    assert identifiers.member_id("M482913305", "02") == "M482913305-02"
    assert identifiers.member_id(None, "02") == "" and identifiers.member_id("M482913305", "") == ""


def test_the_next_member_suffix_follows_the_highest_taken_and_never_reuses_one():
    assert identifiers.next_member_suffix([]) == "01"
    assert identifiers.next_member_suffix(["01", "03"]) == "04"
    assert identifiers.next_member_suffix(["", "09"]) == "10"
    with pytest.raises(ValueError):
        identifiers.next_member_suffix(["99"])


def test_an_invoice_number_names_the_group_and_the_month():
    assert identifiers.invoice_number("104522", date(2027, 1, 1)) == "INV-104522-202701"
    assert identifiers.invoice_number("104522", date(2027, 11, 1), sequence=2) == "INV-104522-202711-2"
    with pytest.raises(ValueError):
        identifiers.invoice_number("104522", date(2027, 1, 1), sequence=0)


@pytest.mark.parametrize(
    "text, valid",
    [("INV-104522-202701", True), ("INV-104522-202701-2", True), ("INV-104522-202701-12", True), ("INV-104522-202701-1", False),
     ("INV-104522-202701-0", False), ("INV-10452-202701", False), ("inv-104522-202701", False), ("INV-104522-2027011", False)],
)
def test_an_invoice_number_has_the_carriers_form(text, valid):
    assert identifiers.is_invoice_number(text) is valid
    assert identifiers.normalize_invoice_number(" inv-104522-202701 ") == "INV-104522-202701"


def test_nothing_typed_is_no_identifier():
    assert identifiers.normalize_group_number(None) == "" and identifiers.normalize_subscriber_number(None) == ""
    assert identifiers.normalize_invoice_number(None) == ""
    for check in (identifiers.is_group_number, identifiers.is_subscriber_number, identifiers.is_confirmation_number, identifiers.is_invoice_number):
        assert check(None) is False and check("") is False


def test_digits_of_other_scripts_make_no_identifier():
    assert not identifiers.is_subscriber_number("M٤٨٢٩١٣٣٠٥")
    assert not identifiers.is_invoice_number("INV-١٠٤٥٢٢-202701")
    assert not identifiers.looks_like_subscriber_number("M٤٨")


def test_subscriber_numbers_are_drawn_from_the_whole_range():
    drawn = {int(identifiers.generate_subscriber_number()[1:]) for _ in range(200)}
    assert len(drawn) > 190 and max(drawn) > 10**8


def test_inner_spaces_are_dropped_from_typed_numbers():
    assert identifiers.normalize_invoice_number("inv-104522 -202701") == "INV-104522-202701"
    assert identifiers.normalize_subscriber_number("m 48") == "M48"


def test_the_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="^A subscriber has at most 99 dependents' suffixes.$"):
        identifiers.next_member_suffix(["99"])
    with pytest.raises(ValueError, match="^An invoice's sequence starts at 1.$"):
        identifiers.invoice_number("104522", date(2027, 1, 1), sequence=0)
