from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment import rating

# The carrier's 51 bands, written out: 0-14: 100.00, then age a (15..63): 100 + (a - 14), 64+: 150.00.
RATES = {"0-14": Decimal("100.00"), **{str(a): Decimal("100.00") + (a - 14) for a in range(15, 64)}, "64+": Decimal("150.00")}
YEAR_START = date(2026, 1, 1)


def test_age_bands_are_0_to_14_then_each_age_then_64_plus():
    assert [rating.age_band(a) for a in (0, 14, 15, 40, 63, 64, 90)] == ["0-14", "0-14", "15", "40", "63", "64+", "64+"]


def test_the_rating_age_is_taken_at_the_plan_year_start_or_the_later_coverage_start():
    dob = date(1990, 6, 15)
    assert rating.rating_age(dob, plan_year_start=YEAR_START, coverage_start=date(2026, 1, 1)) == 35
    assert rating.rating_age(dob, plan_year_start=YEAR_START, coverage_start=date(2026, 7, 1)) == 36


def test_a_family_pays_for_every_adult_and_only_the_three_oldest_children_under_21():
    members = [
        ("00", "subscriber", date(1980, 1, 1)),   # 46
        ("01", "spouse", date(1982, 1, 1)),       # 44
        ("02", "child", date(2004, 1, 1)),        # 22: an adult child, pays
        ("03", "child", date(2008, 1, 1)),        # 18
        ("04", "child", date(2010, 1, 1)),        # 16
        ("05", "stepchild", date(2013, 1, 1)),    # 13
        ("06", "child", date(2016, 1, 1)),        # 10: fourth child under 21, free
    ]
    premiums = rating.age_banded_premiums(members, RATES, plan_year_start=YEAR_START, coverage_start=YEAR_START)
    charged = {p.key: p.premium for p in premiums}
    #   | member | age | band | premium |
    #   | 00     | 46  | 46   | 132.00  |
    #   | 01     | 44  | 44   | 130.00  |
    #   | 02     | 22  | 22   | 108.00  |
    #   | 03     | 18  | 18   | 104.00  |
    #   | 04     | 16  | 16   | 102.00  |
    #   | 05     | 13  | 0-14 | 100.00  |
    #   | 06     | 10  | 0-14 |   0.00  |
    assert charged == {"00": Decimal("132.00"), "01": Decimal("130.00"), "02": Decimal("108.00"), "03": Decimal("104.00"),
                       "04": Decimal("102.00"), "05": Decimal("100.00"), "06": Decimal("0.00")}
    assert rating.total(premiums) == Decimal("676.00")


def test_tiered_premium_is_the_rate_of_the_tier_and_a_missing_rate_says_so():
    assert rating.tiered_premium({"EE": Decimal("512.345")}, "EE") == Decimal("512.35")
    with pytest.raises(rating.MissingRate):
        rating.tiered_premium({"EE": Decimal("500")}, "FAM")


@given(st.lists(st.dates(min_value=date(2006, 1, 2), max_value=date(2025, 12, 31)), min_size=0, max_size=8))
def test_never_more_than_three_children_under_21_are_charged(child_dobs):
    members = [("00", "subscriber", date(1980, 1, 1))] + [("%02d" % (i + 1), "child", d) for i, d in enumerate(child_dobs)]
    premiums = rating.age_banded_premiums(members, RATES, plan_year_start=YEAR_START, coverage_start=YEAR_START)
    children = [p for p in premiums if p.relationship == "child"]
    assert sum(p.charged for p in children) == min(3, len(children))
    assert all(isinstance(p.premium, Decimal) for p in premiums)
    if children:
        oldest_free = [p for p in children if not p.charged]
        youngest_charged = min((p.age for p in children if p.charged), default=0)
        assert all(p.age <= youngest_charged for p in oldest_free)


def priced(members, rates=RATES, *, coverage_start=YEAR_START):
    return rating.age_banded_premiums(members, rates, plan_year_start=YEAR_START, coverage_start=coverage_start)


def test_the_age_21_line_a_child_who_is_21_at_the_plan_year_start_pays_as_an_adult():
    # Rated on 1 January 2026: born 1 January 2005 is 21 that day, born 2 January 2005 is 20.
    members = [
        ("00", "subscriber", date(1980, 1, 1)),
        ("01", "spouse", date(2005, 1, 2)),                  # 20, but a spouse: always pays
        ("02", "child", date(2005, 1, 1)),                   # 21: an adult, pays
        ("03", "stepchild", date(2005, 1, 2)),               # 20: the oldest under 21
        ("04", "foster_child", date(2010, 6, 30)),           # 15
        ("05", "legal_ward", date(2012, 1, 1)),              # 14: band 0-14
        ("06", "disabled_adult_child", date(2016, 1, 1)),    # 10: fourth child under 21, free
    ]
    premiums = priced(members)
    assert premiums == [
        rating.MemberPremium("00", "subscriber", 46, "46", Decimal("132.00"), True),
        rating.MemberPremium("01", "spouse", 20, "20", Decimal("106.00"), True),
        rating.MemberPremium("02", "child", 21, "21", Decimal("107.00"), True),
        rating.MemberPremium("03", "stepchild", 20, "20", Decimal("106.00"), True),
        rating.MemberPremium("04", "foster_child", 15, "15", Decimal("101.00"), True),
        rating.MemberPremium("05", "legal_ward", 14, "0-14", Decimal("100.00"), True),
        rating.MemberPremium("06", "disabled_adult_child", 10, "0-14", Decimal("0.00"), False),
    ]
    assert str(premiums[6].premium) == "0.00"  # a free child's premium is money too: two places
    assert rating.total(premiums) == Decimal("652.00")


def test_four_children_aged_20_make_the_last_given_free_and_at_21_all_four_pay():
    under_21 = [("0%d" % n, "child", date(2005, 1, 2)) for n in range(1, 5)]
    assert [p.charged for p in priced(under_21)] == [True, True, True, False]
    aged_21 = [("0%d" % n, "child", date(2005, 1, 1)) for n in range(1, 5)]
    assert [p.charged for p in priced(aged_21)] == [True, True, True, True]


@pytest.mark.parametrize("relationship", ["child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"])
def test_every_kind_of_child_counts_toward_the_three_charged_under_21(relationship):
    members = [("01", "child", date(2008, 1, 1)), ("02", "child", date(2009, 1, 1)), ("03", "child", date(2010, 1, 1)),
               ("04", relationship, date(2011, 1, 1))]
    assert [(p.premium, p.charged) for p in priced(members)] == [
        (Decimal("104.00"), True), (Decimal("103.00"), True), (Decimal("102.00"), True), (Decimal("0.00"), False),
    ]


@pytest.mark.parametrize("relationship", ["spouse", "domestic_partner", "subscriber"])
def test_an_adult_under_21_always_pays_and_is_not_counted_as_a_child(relationship):
    members = [("00", relationship, date(2007, 1, 1)), ("01", "child", date(2020, 1, 1)), ("02", "child", date(2021, 1, 1)),
               ("03", "child", date(2022, 1, 1))]
    assert [(p.band, p.premium, p.charged) for p in priced(members)] == [
        ("19", Decimal("105.00"), True), ("0-14", Decimal("100.00"), True), ("0-14", Decimal("100.00"), True),
        ("0-14", Decimal("100.00"), True),
    ]


def test_of_twins_at_the_cut_the_one_listed_first_is_charged():
    # "04" is listed before "03": the order given decides, not the keys (which need not even be comparable).
    members = [("01", "child", date(2008, 1, 1)), ("02", "child", date(2010, 1, 1)),
               ("04", "child", date(2012, 5, 5)), ("03", "child", date(2012, 5, 5))]
    assert {p.key: p.charged for p in priced(members)} == {"01": True, "02": True, "04": True, "03": False}


def test_the_age_band_edges_14_15_and_63_64_price_at_their_bands():
    members = [
        ("00", "subscriber", date(1962, 1, 1)),  # 64
        ("01", "spouse", date(1962, 1, 2)),      # 63
        ("02", "child", date(2011, 1, 1)),       # 15
        ("03", "child", date(2011, 1, 2)),       # 14
    ]
    assert [(p.age, p.band, p.premium) for p in priced(members)] == [
        (64, "64+", Decimal("150.00")), (63, "63", Decimal("149.00")), (15, "15", Decimal("101.00")), (14, "0-14", Decimal("100.00")),
    ]


def test_the_age_is_taken_at_a_coverage_start_after_the_plan_year_start():
    members = [("00", "subscriber", date(1990, 6, 15))]
    assert priced(members, coverage_start=date(2026, 6, 1))[0].age == 35
    assert priced(members, coverage_start=date(2026, 7, 1))[0].age == 36


def test_the_plan_year_start_counts_when_the_coverage_started_before_it():
    dob = date(1990, 6, 15)
    assert rating.rating_age(dob, plan_year_start=date(2026, 7, 1), coverage_start=date(2026, 1, 1)) == 36


def test_a_member_premium_is_rounded_half_up_to_the_cent():
    rates = {**RATES, "46": Decimal("132.005")}
    assert priced([("00", "subscriber", date(1980, 1, 1))], rates)[0].premium == Decimal("132.01")


def test_a_missing_age_band_rate_says_which_band():
    rates = {band: rate for band, rate in RATES.items() if band != "64+"}
    with pytest.raises(rating.MissingRate) as info:
        priced([("00", "subscriber", date(1950, 1, 1))], rates)
    assert str(info.value) == "No rate for age band 64+."


def test_a_missing_tier_rate_says_which_tier_and_is_a_lookup_error():
    with pytest.raises(LookupError) as info:
        rating.tiered_premium({"EE": Decimal("500.00"), "ES": Decimal("900.00")}, "FAM")
    assert type(info.value) is rating.MissingRate
    assert str(info.value) == "No rate for tier FAM."


@pytest.mark.parametrize("tier, premium", [("EE", "512.35"), ("ES", "1024.00"), ("EC", "0.01"), ("FAM", "1500.00")])
def test_each_tier_has_its_own_rate_rounded_half_up(tier, premium):
    rates = {"EE": Decimal("512.345"), "ES": Decimal("1024"), "EC": Decimal("0.005"), "FAM": Decimal("1499.995")}
    assert rating.tiered_premium(rates, tier) == Decimal(premium)


def test_the_total_of_no_members_is_zero_and_of_members_their_sum():
    assert rating.total([]) == Decimal("0.00")
    members = [rating.MemberPremium("00", "subscriber", 40, "40", Decimal("126.00"), True),
               rating.MemberPremium("01", "child", 5, "0-14", Decimal("0.00"), False),
               rating.MemberPremium("02", "spouse", 39, "39", Decimal("125.01"), True)]
    assert rating.total(members) == Decimal("251.01")
