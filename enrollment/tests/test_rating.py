from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment import rating
from enrollment.models import AGE_BANDS

RATES = {band: Decimal("100.00") + i for i, band in enumerate(AGE_BANDS)}  # 0-14: 100.00, then age a: 100 + (a - 14), 64+: 150.00
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
