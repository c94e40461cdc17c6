"""The billing rules, against hand-worked tables. No database: these run in well under a second.

Every expected amount below was worked by hand (premium x days / days in month, then half-up
to the cent) and is written literally; none comes from the code under test.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from billing import rules
from billing.rules import Charge, CoveragePeriod

D = Decimal
MID, DAILY = "mid_month", "daily"
EE, EC = D("500.00"), D("650.00")  # a tier's monthly premium before and after a newborn is added
months_2024_2030 = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 1)).map(lambda d: d.replace(day=1))
premiums = st.decimals(min_value=D("0.00"), max_value=D("99999.99"), places=2)


def period(key, start, end=None, premium=EE):
    return CoveragePeriod(key, start, end, premium)


def lines(periods, month, policy):
    """Return the month's charges as (key, amount, covered days), for literal tables."""
    return [(c.key, c.amount, c.covered_days) for c in rules.charges_for_month(periods, month, policy=policy)]


def raises_value_error(message, call, *args, **kwargs):
    with pytest.raises(ValueError, match="^%s$" % re.escape(message)):
        call(*args, **kwargs)


def validation_error(call, *args):
    with pytest.raises(ValidationError) as info:
        call(*args)
    return info.value.code, info.value.messages


# --- Months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("month, days", [
    (date(2026, 1, 1), 31),
    (date(2026, 2, 1), 28),
    (date(2027, 2, 1), 28),
    (date(2028, 2, 1), 29),   # leap year
    (date(2000, 2, 1), 29),   # divisible by 400: leap
    (date(2100, 2, 1), 28),   # divisible by 100: common
    (date(2026, 4, 1), 30),
    (date(2026, 12, 1), 31),
])
def test_days_in_month(month, days):
    assert rules.days_in_month(month) == days


def test_months_runs_from_the_first_month_through_the_last_across_a_year_end():
    assert rules.months(date(2026, 11, 1), date(2027, 2, 1)) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert rules.months(date(2026, 3, 1), date(2026, 3, 1)) == [date(2026, 3, 1)]
    assert rules.months(date(2026, 4, 1), date(2026, 3, 1)) == []


def test_a_month_is_given_by_its_first_day():
    raises_value_error("A month is given by its first day, not 2026-03-02.", rules.check_month, date(2026, 3, 2))
    raises_value_error("A month is given by its first day, not 2026-03-02.", rules.months, date(2026, 3, 2), date(2026, 4, 1))
    raises_value_error("A month is given by its first day, not 2026-04-30.", rules.months, date(2026, 3, 1), date(2026, 4, 30))
    rules.check_month(date(2026, 3, 1))


@pytest.mark.parametrize("start, end, month, days", [
    (date(2026, 1, 20), None, date(2026, 1, 1), 12),                  # a newborn from the 20th of a 31-day month
    (date(2025, 12, 1), date(2026, 1, 19), date(2026, 1, 1), 19),     # the tier it replaced
    (date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 1), 28),
    (date(2028, 2, 1), None, date(2028, 2, 1), 29),
    (date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1), 1),        # one day
    (date(2026, 3, 31), date(2026, 3, 31), date(2026, 3, 1), 1),
    (date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 1), 0),       # ended the month before
    (date(2026, 4, 1), None, date(2026, 3, 1), 0),                    # starts the month after
    (date(2026, 4, 30), None, date(2026, 3, 1), 0),
])
def test_covered_days(start, end, month, days):
    assert rules.covered_days(start, end, month) == days


# --- The mid-month rule, one coverage ---------------------------------------------------------------

MARCH = date(2026, 3, 1)  # 31 days


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 3, 1), None, [("a", D("500.00"), 31)]),
    (date(2026, 3, 15), None, [("a", D("500.00"), 17)]),              # on the 15th: the whole month
    (date(2026, 3, 16), None, []),                                    # after the 15th: from next month
    (date(2026, 3, 31), None, []),
    (date(2026, 2, 1), date(2026, 3, 31), [("a", D("500.00"), 31)]),  # terminated at the month's end
    (date(2026, 2, 1), date(2026, 3, 1), [("a", D("500.00"), 1)]),    # ending in the month: the whole month
    (date(2026, 3, 1), date(2026, 3, 10), [("a", D("500.00"), 10)]),
    (date(2026, 2, 1), date(2026, 2, 28), []),                        # ended before the month
    (date(2026, 4, 1), None, []),                                     # starts after it
    (date(2026, 3, 16), date(2026, 3, 31), []),                       # starts after the 15th: never this month
    (date(2026, 3, 20), date(2026, 3, 25), []),
])
def test_the_mid_month_rule_bills_one_coverage(start, end, expected):
    assert lines([period("a", start, end)], MARCH, MID) == expected


def test_the_mid_month_rule_bills_the_premium_rounded_half_up_once():
    assert lines([period("a", date(2026, 1, 1), None, D("100.005"))], MARCH, MID) == [("a", D("100.01"), 31)]


def test_no_coverage_bills_nothing():
    assert lines([], MARCH, MID) == []
    assert lines([], MARCH, DAILY) == []


# --- The mid-month rule, a change within the month -----------------------------------------------------


@pytest.mark.parametrize("birth, month, expected", [
    # newborn's date of birth | month billed | the one line: coverage, amount, covered days
    (date(2026, 3, 15), date(2026, 3, 1), [("EC", D("650.00"), 17)]),   # in force on the 15th: the new tier
    (date(2026, 3, 16), date(2026, 3, 1), [("EE", D("500.00"), 15)]),   # born the 16th: the old tier this month
    (date(2026, 3, 16), date(2026, 4, 1), [("EC", D("650.00"), 30)]),   # ... and the new tier from next month
    (date(2026, 3, 1), date(2026, 3, 1), [("EC", D("650.00"), 31)]),    # born on the 1st: a change at the month boundary
    (date(2026, 3, 2), date(2026, 3, 1), [("EC", D("650.00"), 30)]),
    (date(2028, 2, 15), date(2028, 2, 1), [("EC", D("650.00"), 15)]),   # leap February: 15th to 29th
    (date(2028, 2, 16), date(2028, 2, 1), [("EE", D("500.00"), 15)]),
    (date(2027, 2, 15), date(2027, 2, 1), [("EC", D("650.00"), 14)]),   # common February: 15th to 28th
    (date(2026, 4, 30), date(2026, 4, 1), [("EE", D("500.00"), 29)]),   # born on a 30-day month's last day
])
def test_a_newborn_mid_month_bills_the_month_once_at_the_coverage_in_force_on_the_15th(birth, month, expected):
    ee = period("EE", date(2025, 1, 1), birth - timedelta(days=1), EE)
    ec = period("EC", birth, None, EC)
    assert lines([ee, ec], month, MID) == expected
    assert lines([ec, ee], month, MID) == expected  # the order given does not matter


def test_when_no_coverage_is_in_force_on_the_15th_the_one_that_ended_last_in_the_month_bills_it():
    ended = period("EE", date(2026, 1, 1), date(2026, 3, 10))
    later = period("EC", date(2026, 3, 20), None, EC)
    assert lines([ended], MARCH, MID) == [("EE", D("500.00"), 10)]
    assert lines([ended, later], MARCH, MID) == [("EE", D("500.00"), 10)]
    assert lines([ended, later], date(2026, 4, 1), MID) == [("EC", D("650.00"), 30)]
    first = period("A", date(2026, 3, 1), date(2026, 3, 5), D("400.00"))
    second = period("B", date(2026, 3, 6), date(2026, 3, 10), D("450.00"))
    third = period("C", date(2026, 3, 20), None, D("600.00"))
    assert lines([third, second, first], MARCH, MID) == [("B", D("450.00"), 5)]


def test_a_plan_change_on_the_1st_bills_the_old_plan_through_its_month_and_the_new_one_from_the_1st():
    old = period("old", date(2026, 1, 1), date(2026, 3, 31), D("500.00"))
    new = period("new", date(2026, 4, 1), None, D("550.00"))
    for policy in (MID, DAILY):
        assert lines([old, new], MARCH, policy) == [("old", D("500.00"), 31)]
        assert lines([old, new], date(2026, 4, 1), policy) == [("new", D("550.00"), 30)]


def test_a_termination_at_a_month_end_bills_that_month_and_none_after():
    terminated = period("a", date(2026, 1, 1), date(2026, 4, 30))
    for policy in (MID, DAILY):
        assert lines([terminated], date(2026, 4, 1), policy) == [("a", D("500.00"), 30)]
        assert lines([terminated], date(2026, 5, 1), policy) == []


def test_an_open_ended_coverage_bills_every_month_years_later():
    assert lines([period("a", date(2020, 1, 1))], date(2031, 2, 1), MID) == [("a", D("500.00"), 28)]
    assert lines([period("a", date(2020, 1, 1))], date(2032, 2, 1), DAILY) == [("a", D("500.00"), 29)]


# --- Daily proration --------------------------------------------------------------------------------


@pytest.mark.parametrize("birth, month, expected", [
    # 31 days: EE 500.00 x 19 / 31 = 306.4516.. -> 306.45; EC 650.00 x 12 / 31 = 251.6129.. -> 251.61
    (date(2026, 1, 20), date(2026, 1, 1), [("EE", D("306.45"), 19), ("EC", D("251.61"), 12)]),
    # leap February, 29 days: 500.00 x 15 / 29 = 258.6206.. -> 258.62; 650.00 x 14 / 29 = 313.7931.. -> 313.79
    (date(2028, 2, 16), date(2028, 2, 1), [("EE", D("258.62"), 15), ("EC", D("313.79"), 14)]),
    # common February, 28 days: 500.00 x 14 / 28 = 250.00; 650.00 x 14 / 28 = 325.00
    (date(2027, 2, 15), date(2027, 2, 1), [("EE", D("250.00"), 14), ("EC", D("325.00"), 14)]),
    # 30 days: 500.00 x 15 / 30 = 250.00; 650.00 x 15 / 30 = 325.00
    (date(2026, 4, 16), date(2026, 4, 1), [("EE", D("250.00"), 15), ("EC", D("325.00"), 15)]),
    # the month after: the new tier alone, whole
    (date(2026, 1, 20), date(2026, 2, 1), [("EC", D("650.00"), 28)]),
])
def test_daily_proration_bills_each_coverage_for_its_own_days(birth, month, expected):
    ee = period("EE", date(2025, 1, 1), birth - timedelta(days=1), EE)
    ec = period("EC", birth, None, EC)
    assert lines([ec, ee], month, DAILY) == expected


def test_daily_proration_rounds_a_half_cent_up():
    # 100.01 x 15 / 30 = 50.005: half-up gives 50.01 (half-even would give 50.00), on both halves.
    first = period("a", date(2026, 1, 1), date(2026, 4, 15), D("100.01"))
    second = period("b", date(2026, 4, 16), None, D("100.01"))
    assert lines([first, second], date(2026, 4, 1), DAILY) == [("a", D("50.01"), 15), ("b", D("50.01"), 15)]


def test_daily_proration_rounds_once_not_the_daily_rate_first():
    # 500.00 x 12 / 31 = 193.548.. -> 193.55 (a daily rate of 16.13 x 12 would give 193.56)
    assert lines([period("a", date(2026, 1, 20))], date(2026, 1, 1), DAILY) == [("a", D("193.55"), 12)]
    assert rules.prorate(D("500.00"), 12, 31) == D("193.55")
    assert rules.prorate(D("100.01"), 15, 30) == D("50.01")
    assert rules.prorate(D("310.00"), 1, 31) == D("10.00")


def test_daily_proration_bills_a_single_day_and_leaves_months_outside_the_coverage():
    one_day = period("a", date(2026, 3, 31), date(2026, 3, 31), D("310.00"))
    assert lines([one_day], MARCH, DAILY) == [("a", D("10.00"), 1)]
    assert lines([one_day], date(2026, 2, 1), DAILY) == []
    assert lines([one_day], date(2026, 4, 1), DAILY) == []


def test_a_daily_newborn_after_the_15th_bills_its_first_days_where_the_mid_month_rule_does_not():
    newborn = period("EC", date(2026, 3, 20), None, D("620.00"))   # 620.00 x 12 / 31 = 240.00
    assert lines([newborn], MARCH, DAILY) == [("EC", D("240.00"), 12)]
    assert lines([newborn], MARCH, MID) == []


# --- Bad input ------------------------------------------------------------------------------------


def test_it_refuses_an_unknown_policy():
    raises_value_error("Unknown billing policy 'weekly' (expected mid_month or daily).", rules.charges_for_month, [], MARCH, policy="weekly")
    raises_value_error("Unknown billing policy 'weekly' (expected mid_month or daily).", rules.billed_months, MARCH, None,
                       policy="weekly", first_month=MARCH, last_month=MARCH)


def test_it_refuses_a_month_not_given_by_its_first_day():
    raises_value_error("A month is given by its first day, not 2026-03-15.", rules.charges_for_month, [], date(2026, 3, 15), policy=MID)
    raises_value_error("A month is given by its first day, not 2026-03-15.", rules.covered_days, MARCH, None, date(2026, 3, 15))


def test_it_refuses_a_coverage_ending_before_it_starts_but_takes_a_one_day_coverage():
    raises_value_error("Coverage 'a' ends before it starts.", rules.charges_for_month,
                       [period("a", date(2026, 3, 10), date(2026, 3, 9))], MARCH, policy=MID)
    raises_value_error("A coverage cannot end (2026-03-09) before it starts (2026-03-10).", rules.billed_months,
                       date(2026, 3, 10), date(2026, 3, 9), policy=MID, first_month=MARCH, last_month=MARCH)
    assert rules.billed_months(date(2026, 3, 10), date(2026, 3, 10), policy=MID, first_month=MARCH, last_month=MARCH) == [MARCH]
    assert lines([period("a", date(2026, 3, 10), date(2026, 3, 10))], MARCH, MID) == [("a", D("500.00"), 1)]


def test_it_refuses_a_negative_premium_but_takes_a_zero_one():
    raises_value_error("Coverage 'a' has a negative premium.", rules.charges_for_month,
                       [period("a", MARCH, None, D("-0.01"))], MARCH, policy=DAILY)
    assert lines([period("a", MARCH, None, D("0.00"))], MARCH, DAILY) == [("a", D("0.00"), 31)]


def test_it_refuses_overlapping_coverages_but_takes_adjacent_ones():
    raises_value_error("Coverages 'a' and 'b' overlap.", rules.charges_for_month,
                       [period("b", date(2026, 3, 15)), period("a", date(2026, 1, 1))], MARCH, policy=MID)
    raises_value_error("Coverages 'a' and 'b' overlap.", rules.charges_for_month,
                       [period("a", date(2026, 1, 1), date(2026, 3, 15)), period("b", date(2026, 3, 15))], MARCH, policy=MID)
    raises_value_error("Coverages 'b' and 'c' overlap.", rules.charges_for_month,
                       [period("a", date(2025, 1, 1), date(2025, 12, 31)), period("b", date(2026, 1, 1), date(2026, 3, 15)),
                        period("c", date(2026, 3, 1))], MARCH, policy=MID)
    adjacent = [period("a", date(2026, 1, 1), date(2026, 3, 14)), period("b", date(2026, 3, 15), None, EC)]
    assert lines(adjacent, MARCH, MID) == [("b", D("650.00"), 17)]


# --- Months a coverage bills ----------------------------------------------------------------------------

YEAR_2026 = dict(first_month=date(2026, 1, 1), last_month=date(2026, 12, 1))


def month_numbers(months):
    return [(m.year, m.month) for m in months]


@pytest.mark.parametrize("start, end, policy, expected", [
    (date(2026, 3, 15), None, MID, [(2026, m) for m in range(3, 13)]),
    (date(2026, 3, 16), None, MID, [(2026, m) for m in range(4, 13)]),
    (date(2026, 3, 16), None, DAILY, [(2026, m) for m in range(3, 13)]),
    (date(2025, 1, 1), date(2026, 2, 28), MID, [(2026, 1), (2026, 2)]),
    (date(2025, 1, 1), date(2026, 2, 1), MID, [(2026, 1), (2026, 2)]),        # ending on the 1st bills the month
    (date(2026, 3, 16), date(2026, 3, 31), MID, []),
    (date(2026, 3, 16), date(2026, 3, 31), DAILY, [(2026, 3)]),
    (date(2026, 3, 20), date(2026, 4, 30), MID, [(2026, 4)]),
    (date(2026, 3, 1), date(2026, 3, 10), MID, [(2026, 3)]),
    (date(2026, 11, 1), None, MID, [(2026, 11), (2026, 12)]),
    (date(2026, 12, 16), None, MID, []),                                      # from January 2027, past the range
    (date(2026, 12, 16), None, DAILY, [(2026, 12)]),
    (date(2027, 1, 1), None, DAILY, []),
    (date(2025, 1, 1), date(2025, 12, 31), DAILY, []),
    (date(2025, 6, 1), date(2027, 6, 30), MID, [(2026, m) for m in range(1, 13)]),
])
def test_billed_months_of_a_single_coverage_over_a_range(start, end, policy, expected):
    assert month_numbers(rules.billed_months(start, end, policy=policy, **YEAR_2026)) == expected


def test_billed_months_refuses_a_range_not_given_by_first_days():
    raises_value_error("A month is given by its first day, not 2026-01-31.", rules.billed_months, date(2027, 3, 1), None,
                       policy=MID, first_month=date(2026, 1, 31), last_month=date(2026, 2, 1))
    raises_value_error("A month is given by its first day, not 2026-02-28.", rules.billed_months, date(2027, 3, 1), None,
                       policy=MID, first_month=date(2026, 1, 1), last_month=date(2026, 2, 28))


def test_charges_by_month_bills_a_tier_change_after_the_15th_from_the_next_month_and_leaves_out_empty_months():
    ee = period("EE", date(2026, 1, 1), date(2026, 3, 19), EE)
    ec = period("EC", date(2026, 3, 20), date(2026, 5, 31), EC)
    by_month = rules.charges_by_month(iter([ee, ec]), policy=MID, first_month=date(2026, 2, 1), last_month=date(2026, 7, 1))
    assert by_month == {
        date(2026, 2, 1): [Charge("EE", D("500.00"), 28)],
        date(2026, 3, 1): [Charge("EE", D("500.00"), 19)],
        date(2026, 4, 1): [Charge("EC", D("650.00"), 30)],
        date(2026, 5, 1): [Charge("EC", D("650.00"), 31)],
    }
    daily = rules.charges_by_month([ee, ec], policy=DAILY, first_month=date(2026, 3, 1), last_month=date(2026, 3, 1))
    # 500.00 x 19 / 31 = 306.4516.. -> 306.45; 650.00 x 12 / 31 = 251.6129.. -> 251.61
    assert daily == {date(2026, 3, 1): [Charge("EE", D("306.45"), 19), Charge("EC", D("251.61"), 12)]}


def test_month_cost_is_the_exact_sum_of_the_months_lines():
    ee = period("EE", date(2025, 1, 1), date(2026, 1, 19), EE)
    ec = period("EC", date(2026, 1, 20), None, EC)
    assert rules.month_cost(iter([ee, ec]), date(2026, 1, 1), policy=DAILY) == D("558.06")  # 306.45 + 251.61
    assert rules.month_cost([ee, ec], date(2026, 1, 1), policy=MID) == D("500.00")
    assert rules.month_cost([], date(2026, 1, 1), policy=MID) == D("0.00")
    assert str(rules.month_cost([], date(2026, 1, 1), policy=MID)) == "0.00"


# --- An age-banded line's member shares ----------------------------------------------------------------

FAMILY = [D("132.00"), D("130.00"), D("108.00"), D("104.00"), D("102.00"), D("100.00"), D("0.00")]  # 676.00, enrollment's table


def test_a_whole_month_line_shares_out_as_the_members_premiums():
    assert rules.member_shares(D("676.00"), iter(FAMILY)) == FAMILY


def test_a_prorated_line_shares_out_by_largest_remainder_and_adds_up_to_the_line():
    # 676.00 x 12 / 31 = 261.677.. -> 261.68 = 26168 cents. Each member: 26168 x premium / 676.00
    #   | premium | exact cents    | floor | remainder | share |
    #   | 132.00  | 5109.7278..    | 5109  | .7278     | 51.10 |  (2nd largest remainder)
    #   | 130.00  | 5032.3076..    | 5032  | .3076     | 50.32 |
    #   | 108.00  | 4180.6863..    | 4180  | .6863     | 41.81 |  (3rd)
    #   | 104.00  | 4025.8461..    | 4025  | .8461     | 40.26 |  (largest)
    #   | 102.00  | 3948.4260..    | 3948  | .4260     | 39.48 |
    #   | 100.00  | 3871.0059..    | 3871  | .0059     | 38.71 |
    #   |   0.00  | 0              | 0     | 0         |  0.00 |
    # floors add up to 26165: the 3 cents left go to the 3 largest remainders.
    shares = rules.member_shares(D("261.68"), FAMILY)
    assert shares == [D("51.10"), D("50.32"), D("41.81"), D("40.26"), D("39.48"), D("38.71"), D("0.00")]
    assert [str(share) for share in shares][-1] == "0.00"


@pytest.mark.parametrize("line, premiums, shares", [
    ("0.03", ["1.00", "1.00", "1.00"], ["0.01", "0.01", "0.01"]),
    ("0.02", ["1.00", "1.00", "1.00"], ["0.01", "0.01", "0.00"]),   # a tie: the earlier member first
    ("0.01", ["0.00", "5.00"], ["0.00", "0.01"]),
    ("0.00", ["0.00", "0.00"], ["0.00", "0.00"]),
    ("0.00", ["5.00"], ["0.00"]),
    ("10.00", ["2.00", "3.00"], ["4.00", "6.00"]),
])
def test_member_shares(line, premiums, shares):
    assert rules.member_shares(D(line), [D(p) for p in premiums]) == [D(s) for s in shares]


def test_member_shares_refuse_what_cannot_be_shared():
    raises_value_error("A line of 0.01 cannot be shared among members who pay nothing.", rules.member_shares, D("0.01"), [D("0.00")])
    raises_value_error("A line of 0.01 cannot be shared among members who pay nothing.", rules.member_shares, D("0.01"), [])
    raises_value_error("A premium line is never negative.", rules.member_shares, D("-0.01"), [D("1.00")])
    raises_value_error("A line 1.005 is not a whole number of cents.", rules.member_shares, D("1.005"), [D("1.00")])
    raises_value_error("A member's premium 1.005 is not a whole number of cents.", rules.member_shares, D("1.00"), [D("1.005")])
    raises_value_error("A member's premium is never negative.", rules.member_shares, D("1.00"), [D("2.00"), D("-1.00")])


@given(line=premiums, weights=st.lists(premiums, min_size=1, max_size=8))
def test_member_shares_add_up_to_the_line_and_each_is_within_a_cent_of_its_exact_share(line, weights):
    assume(sum(weights))
    shares = rules.member_shares(line, weights)
    assert sum(shares) == line
    for share, weight in zip(shares, weights):
        assert abs(share - line * weight / sum(weights)) < D("0.01")


# --- Invoice dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("month, invoice_day, issued", [
    (date(2026, 4, 1), 15, date(2026, 3, 15)),
    (date(2027, 1, 1), 1, date(2026, 12, 1)),     # across the year end
    (date(2028, 3, 1), 28, date(2028, 2, 28)),
    (date(2027, 3, 1), 28, date(2027, 2, 28)),
])
def test_the_invoice_is_issued_on_the_invoice_day_of_the_month_before(month, invoice_day, issued):
    assert rules.invoice_issue_date(month, invoice_day) == issued


def test_the_invoice_day_defaults_to_the_15th_and_is_between_1_and_28():
    assert rules.invoice_issue_date(date(2026, 4, 1)) == date(2026, 3, 15)
    raises_value_error("The invoice day is between 1 and 28, not 0.", rules.invoice_issue_date, date(2026, 4, 1), 0)
    raises_value_error("The invoice day is between 1 and 28, not 29.", rules.invoice_issue_date, date(2026, 4, 1), 29)
    raises_value_error("The invoice day is between 1 and 28, not 29.", rules.last_invoiced_month, date(2026, 4, 1), 29)
    raises_value_error("A month is given by its first day, not 2026-04-02.", rules.invoice_issue_date, date(2026, 4, 2), 15)


def test_invoice_dates_issue_due_and_grace():
    assert rules.invoice_dates(date(2026, 3, 1), 20) == rules.InvoiceDates(
        period=date(2026, 3, 1), issued_on=date(2026, 2, 20), due_on=date(2026, 3, 1), grace_ends_on=date(2026, 3, 31)
    )
    assert rules.invoice_dates(date(2026, 3, 1)).issued_on == date(2026, 2, 15)


@pytest.mark.parametrize("due, last_grace_day", [
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 2, 1), date(2026, 3, 3)),    # 28-day February
    (date(2028, 2, 1), date(2028, 3, 2)),    # 29-day February
    (date(2026, 4, 1), date(2026, 5, 1)),    # 30-day April
    (date(2026, 12, 1), date(2026, 12, 31)),
])
def test_the_grace_period_ends_30_days_after_the_due_date(due, last_grace_day):
    assert rules.grace_ends_on(due) == last_grace_day


def test_an_invoice_is_past_due_the_day_after_the_grace_period():
    assert rules.is_past_due(date(2026, 3, 1), date(2026, 3, 31)) is False
    assert rules.is_past_due(date(2026, 3, 1), date(2026, 4, 1)) is True
    assert rules.is_past_due(date(2026, 2, 1), date(2026, 3, 3)) is False
    assert rules.is_past_due(date(2026, 2, 1), date(2026, 3, 4)) is True


@pytest.mark.parametrize("today, invoice_day, last_invoiced, next_invoice", [
    (date(2026, 3, 14), 15, date(2026, 3, 1), date(2026, 4, 1)),
    (date(2026, 3, 15), 15, date(2026, 4, 1), date(2026, 5, 1)),   # issued on the invoice day: April is invoiced
    (date(2026, 3, 31), 15, date(2026, 4, 1), date(2026, 5, 1)),
    (date(2026, 12, 15), 15, date(2027, 1, 1), date(2027, 2, 1)),  # across the year end
    (date(2026, 3, 1), 1, date(2026, 4, 1), date(2026, 5, 1)),
    (date(2026, 2, 27), 28, date(2026, 2, 1), date(2026, 3, 1)),
    (date(2026, 2, 28), 28, date(2026, 3, 1), date(2026, 4, 1)),
])
def test_the_last_month_invoiced_and_the_next_invoice(today, invoice_day, last_invoiced, next_invoice):
    assert rules.last_invoiced_month(today, invoice_day) == last_invoiced
    assert rules.next_invoice_month(today, invoice_day) == next_invoice


def test_the_last_month_invoiced_defaults_to_the_15th():
    assert rules.last_invoiced_month(date(2026, 3, 14)) == date(2026, 3, 1)
    assert rules.last_invoiced_month(date(2026, 3, 15)) == date(2026, 4, 1)
    assert rules.next_invoice_month(date(2026, 3, 14)) == date(2026, 4, 1)
    assert rules.next_invoice_month(date(2026, 3, 15)) == date(2026, 5, 1)


def test_a_month_is_invoiced_from_its_issue_date_on():
    assert rules.is_invoiced(date(2026, 4, 1), date(2026, 3, 14)) is False
    assert rules.is_invoiced(date(2026, 4, 1), date(2026, 3, 15)) is True
    assert rules.is_invoiced(date(2026, 3, 1), date(2026, 3, 14)) is True
    assert rules.is_invoiced(date(2026, 4, 1), date(2026, 3, 9), 10) is False
    assert rules.is_invoiced(date(2026, 4, 1), date(2026, 3, 10), 10) is True


# --- Status and balance -----------------------------------------------------------------------------

DUE = date(2026, 3, 1)  # last day of grace 31 March


@pytest.mark.parametrize("amount_due, amount_paid, today, status", [
    ("1000.00", "0.00", date(2026, 2, 20), "open"),              # issued, not yet due
    ("1000.00", "0.00", date(2026, 3, 31), "open"),              # last day of grace
    ("1000.00", "0.00", date(2026, 4, 1), "past_due"),           # the day after
    ("1000.00", "400.00", date(2026, 3, 31), "partially_paid"),
    ("1000.00", "999.99", date(2026, 3, 10), "partially_paid"),
    ("1000.00", "400.00", date(2026, 4, 1), "past_due"),         # a balance left after grace is past due
    ("1000.00", "0.01", date(2026, 3, 1), "partially_paid"),
    ("1000.00", "1000.00", date(2026, 4, 1), "paid"),
    ("1000.00", "1200.00", date(2026, 3, 1), "paid"),            # overpaid: 200.00 carried forward
    ("0.00", "0.00", date(2026, 4, 1), "paid"),                  # nothing owed
    ("-50.00", "0.00", date(2026, 4, 5), "paid"),                # a credit
    ("0.01", "0.00", date(2026, 4, 1), "past_due"),
])
def test_invoice_status(amount_due, amount_paid, today, status):
    assert rules.invoice_status(amount_due=D(amount_due), amount_paid=D(amount_paid), due_on=DUE, today=today) == status


def test_invoice_status_refuses_a_negative_amount_paid():
    raises_value_error("The amount paid on an invoice is never negative.", rules.invoice_status,
                       amount_due=D("10.00"), amount_paid=D("-0.01"), due_on=DUE, today=DUE)


def test_the_balance_and_what_autopay_charges():
    assert rules.balance(D("1000.00"), D("400.00")) == D("600.00")
    assert rules.balance(D("1000.00"), D("1200.00")) == D("-200.00")
    assert rules.autopay_amount(D("1000.00"), D("400.00")) == D("600.00")
    assert rules.autopay_amount(D("1000.00"), D("1000.00")) == D("0.00")
    assert rules.autopay_amount(D("1000.00"), D("1200.00")) == D("0.00")
    assert rules.autopay_amount(D("-50.00"), D("0.00")) == D("0.00")
    assert str(rules.autopay_amount(D("-50.00"), D("0.00"))) == "0.00"


# --- Retro window and adjustments ----------------------------------------------------------------------


@pytest.mark.parametrize("month, today, retro_days, inside", [
    (date(2026, 1, 1), date(2026, 3, 31), 60, True),     # 31 March - 60 days = 30 January <= 31 January
    (date(2025, 12, 1), date(2026, 3, 31), 60, False),
    (date(2025, 12, 1), date(2026, 3, 1), 60, True),     # 1 March - 60 days = 31 December: its last day, inside
    (date(2025, 12, 1), date(2026, 3, 2), 60, False),    # 1 January: December is out
    (date(2026, 3, 1), date(2026, 3, 31), 0, True),
    (date(2026, 2, 1), date(2026, 3, 1), 0, False),
    (date(2026, 2, 1), date(2026, 2, 28), 0, True),
    (date(2026, 6, 1), date(2026, 3, 31), 60, True),     # a future month is never too far back
])
def test_a_month_is_inside_the_retro_window_while_its_last_day_is(month, today, retro_days, inside):
    assert rules.month_within_retro_window(month, today, retro_days) is inside


def test_the_retro_window_takes_months_by_their_first_day():
    raises_value_error("A month is given by its first day, not 2026-01-31.", rules.month_within_retro_window, date(2026, 1, 31), date(2026, 3, 1), 60)


@pytest.mark.parametrize("billed, cost, amount", [
    ("500.00", "0.00", "-500.00"),     # terminated: the whole month credited, never more
    ("500.00", "650.00", "150.00"),    # a newborn raised the tier
    ("650.00", "500.00", "-150.00"),   # a dependent removed
    ("0.00", "650.00", "650.00"),      # a retro enrollment
    ("500.00", "500.00", "0.00"),
    ("0.00", "0.00", "0.00"),
    ("500.00", "558.06", "58.06"),
])
def test_the_adjustment_is_what_the_month_costs_now_minus_what_was_billed(billed, cost, amount):
    assert rules.adjustment_amount(D(billed), D(cost)) == D(amount)


def test_the_adjustment_refuses_a_negative_billed_or_cost():
    raises_value_error("What was billed for a month is never negative (leave manual adjustments out).",
                       rules.adjustment_amount, D("-0.01"), D("0.00"))
    raises_value_error("What a month costs is never negative.", rules.adjustment_amount, D("0.00"), D("-0.01"))


RETRO = dict(invoice_day=15, retro_days=60)


def months_and_amounts(adjustments):
    return [(a.month, a.amount) for a in adjustments]


def test_a_retro_termination_credits_each_invoiced_month_inside_the_window():
    # Today 20 March 2026: invoiced through April (issued 15 March); the window reaches months whose
    # last day is on or after 19 January. Terminated at the end of January, billed 500.00 a month.
    billed = {date(2025, 12, 1): D("500.00"), date(2026, 1, 1): D("500.00"), date(2026, 2, 1): D("500.00"),
              date(2026, 3, 1): D("500.00"), date(2026, 4, 1): D("500.00")}
    cost = {date(2025, 12, 1): D("500.00"), date(2026, 1, 1): D("500.00")}
    adjustments = rules.adjustment_lines(billed=billed, cost=cost, today=date(2026, 3, 20), **RETRO)
    assert months_and_amounts(adjustments) == [
        (date(2026, 2, 1), D("-500.00")), (date(2026, 3, 1), D("-500.00")), (date(2026, 4, 1), D("-500.00")),
    ]
    assert adjustments[0] == rules.AdjustmentLine(date(2026, 2, 1), D("-500.00"), D("500.00"), D("0.00"))


def test_a_month_outside_the_window_gets_no_line_and_one_just_inside_does():
    billed = {date(2025, 12, 1): D("500.00"), date(2026, 1, 1): D("500.00")}
    on_the_edge = rules.adjustment_lines(billed=billed, cost={}, today=date(2026, 3, 1), **RETRO)
    assert months_and_amounts(on_the_edge) == [(date(2025, 12, 1), D("-500.00")), (date(2026, 1, 1), D("-500.00"))]
    a_day_later = rules.adjustment_lines(billed=billed, cost={}, today=date(2026, 3, 2), **RETRO)
    assert months_and_amounts(a_day_later) == [(date(2026, 1, 1), D("-500.00"))]
    # 2 March - 30 days = 31 January: January's last day, inside; 29 days reach only 1 February.
    thirty = rules.adjustment_lines(billed=billed, cost={}, today=date(2026, 3, 2), invoice_day=15, retro_days=30)
    assert months_and_amounts(thirty) == [(date(2026, 1, 1), D("-500.00"))]
    assert rules.adjustment_lines(billed=billed, cost={}, today=date(2026, 3, 2), invoice_day=15, retro_days=29) == []


def test_a_month_not_yet_invoiced_gets_no_line_its_own_invoice_bills_it():
    # A newborn added retroactively under daily proration, today 14 February (March not yet invoiced),
    # then on 15 February (March invoiced that day).
    billed = {date(2026, 1, 1): D("500.00"), date(2026, 2, 1): D("500.00")}
    cost = {date(2026, 1, 1): D("558.06"), date(2026, 2, 1): D("650.00"), date(2026, 3, 1): D("650.00")}
    assert months_and_amounts(rules.adjustment_lines(billed=billed, cost=cost, today=date(2026, 2, 14), **RETRO)) == [
        (date(2026, 1, 1), D("58.06")), (date(2026, 2, 1), D("150.00")),
    ]
    assert months_and_amounts(rules.adjustment_lines(billed=billed, cost=cost, today=date(2026, 2, 15), **RETRO)) == [
        (date(2026, 1, 1), D("58.06")), (date(2026, 2, 1), D("150.00")), (date(2026, 3, 1), D("650.00")),
    ]


def test_the_groups_invoice_day_decides_which_months_are_invoiced():
    # Invoice day 10: on 12 March April is invoiced already (it would not be with the 15th).
    cost = {date(2026, 4, 1): D("650.00")}
    assert months_and_amounts(rules.adjustment_lines(billed={}, cost=cost, today=date(2026, 3, 12), invoice_day=10, retro_days=60)) == [
        (date(2026, 4, 1), D("650.00")),
    ]
    assert rules.adjustment_lines(billed={}, cost=cost, today=date(2026, 3, 9), invoice_day=10, retro_days=60) == []


def test_zero_differences_produce_no_line_and_earlier_adjustments_count_as_billed():
    # March billed 650.00 then credited 150.00 by an earlier adjustment: net 500.00. Terminated now:
    # the credit is the 500.00 left, never the 650.00 first billed.
    billed = {date(2026, 2, 1): D("500.00"), date(2026, 3, 1): D("500.00")}
    cost = {date(2026, 2, 1): D("500.00")}
    assert months_and_amounts(rules.adjustment_lines(billed=billed, cost=cost, today=date(2026, 3, 20), **RETRO)) == [
        (date(2026, 3, 1), D("-500.00")),
    ]
    assert rules.adjustment_lines(billed=billed, cost=billed, today=date(2026, 3, 20), **RETRO) == []
    assert rules.adjustment_lines(billed={}, cost={}, today=date(2026, 3, 20), **RETRO) == []


def test_adjustment_lines_refuse_a_negative_net_billed():
    raises_value_error("What was billed for a month is never negative (leave manual adjustments out).", rules.adjustment_lines,
                       billed={date(2026, 3, 1): D("-75.00")}, cost={}, today=date(2026, 3, 20), **RETRO)


# --- Totals ----------------------------------------------------------------------------------------


def test_the_totals_add_up_to_the_cent():
    totals = rules.invoice_totals(
        previous_balance=D("1000.00"), payments_received=D("1000.00"),
        premium_lines=iter([D("500.00"), D("306.45"), D("251.61")]),
        adjustment_lines=iter([D("-500.00"), D("58.06"), D("-75.00")]),
    )
    #   previous 1000.00 - payments 1000.00 + premium 1058.06 + adjustments -516.94 = 541.12
    assert totals == rules.InvoiceTotals(
        previous_balance=D("1000.00"), payments_received=D("1000.00"), current_premium=D("1058.06"),
        adjustments=D("-516.94"), amount_due=D("541.12"),
    )


def test_an_overpayment_and_a_credit_carry_forward_as_a_lower_or_negative_amount_due():
    overpaid = rules.invoice_totals(previous_balance=D("1000.00"), payments_received=D("1200.00"),
                                    premium_lines=[D("500.00")], adjustment_lines=[])
    assert overpaid.amount_due == D("300.00")
    credit = rules.invoice_totals(previous_balance=D("0.00"), payments_received=D("0.00"), premium_lines=[],
                                  adjustment_lines=[D("-75.00")])
    assert (credit.current_premium, credit.adjustments, credit.amount_due) == (D("0.00"), D("-75.00"), D("-75.00"))
    previous_credit = rules.invoice_totals(previous_balance=D("-75.00"), payments_received=D("0.00"),
                                           premium_lines=[D("500.00")], adjustment_lines=[])
    assert previous_credit.amount_due == D("425.00")
    empty = rules.invoice_totals(previous_balance=D("0.00"), payments_received=D("0.00"), premium_lines=[], adjustment_lines=[])
    assert str(empty.current_premium) == str(empty.adjustments) == "0.00"


def test_the_totals_refuse_amounts_that_are_not_whole_cents_or_have_the_wrong_sign():
    def totals(previous="0.00", payments="0.00", premium=("10.00",), adjustments=("1.00",)):
        return rules.invoice_totals(previous_balance=D(previous), payments_received=D(payments),
                                    premium_lines=[D(p) for p in premium], adjustment_lines=[D(a) for a in adjustments])

    raises_value_error("The previous balance 1.005 is not a whole number of cents.", totals, previous="1.005")
    raises_value_error("The payments received 1.005 is not a whole number of cents.", totals, payments="1.005")
    raises_value_error("The payments received are never negative.", totals, payments="-0.01")
    raises_value_error("A premium line 306.455 is not a whole number of cents.", totals, premium=("10.00", "306.455"))
    raises_value_error("A premium line is never negative.", totals, premium=("10.00", "-0.01"))
    raises_value_error("An adjustment line 0.001 is not a whole number of cents.", totals, adjustments=("1.00", "0.001"))
    assert totals(premium=("0.00",), adjustments=("-0.01",)).amount_due == D("-0.01")
    assert totals(previous="-5.00").amount_due == D("6.00")


# --- COBRA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("first, month, number", [
    (date(2026, 7, 1), date(2026, 7, 1), 1),
    (date(2026, 11, 1), date(2027, 2, 1), 4),
    (date(2026, 7, 1), date(2027, 12, 1), 18),
    (date(2026, 7, 1), date(2028, 1, 1), 19),
    (date(2026, 7, 1), date(2028, 11, 1), 29),
])
def test_cobra_months_count_from_the_first_month_of_continuation(first, month, number):
    assert rules.cobra_month_number(first, month) == number


def test_cobra_month_number_refuses_a_month_before_continuation_or_not_a_first_day():
    raises_value_error("2026-06-01 is before continuation starts.", rules.cobra_month_number, date(2026, 7, 1), date(2026, 6, 1))
    raises_value_error("A month is given by its first day, not 2026-07-02.", rules.cobra_month_number, date(2026, 7, 2), date(2026, 8, 1))
    raises_value_error("A month is given by its first day, not 2026-08-02.", rules.cobra_month_number, date(2026, 7, 1), date(2026, 8, 2))


@pytest.mark.parametrize("rate, number, extension, premium", [
    ("500.00", 1, None, "510.00"),
    ("500.00", 18, None, "510.00"),
    ("500.00", 18, "disability", "510.00"),
    ("500.00", 19, "disability", "750.00"),        # 150% from month 19
    ("500.00", 29, "disability", "750.00"),
    ("500.00", 19, "second_event", "510.00"),      # 102% through month 36
    ("500.00", 36, "second_event", "510.00"),
    ("333.33", 1, None, "340.00"),                 # 339.9966
    ("333.33", 19, "disability", "500.00"),        # 499.995: a half cent, up
    ("100.75", 1, None, "102.77"),                 # 102.765: half-up (half-even would give 102.76)
])
def test_the_cobra_premium(rate, number, extension, premium):
    assert rules.cobra_premium(D(rate), number, extension=extension) == D(premium)


def test_the_cobra_premium_defaults_to_the_18_months_at_102_percent():
    assert rules.cobra_premium(D("500.00"), 18) == D("510.00")
    raises_value_error("Month 19 is outside COBRA continuation (1 to 18).", rules.cobra_premium, D("500.00"), 19)


@pytest.mark.parametrize("number, extension, message", [
    (0, None, "Month 0 is outside COBRA continuation (1 to 18)."),
    (19, None, "Month 19 is outside COBRA continuation (1 to 18)."),
    (30, "disability", "Month 30 is outside COBRA continuation (1 to 29)."),
    (37, "second_event", "Month 37 is outside COBRA continuation (1 to 36)."),
])
def test_the_cobra_premium_refuses_a_month_outside_continuation(number, extension, message):
    raises_value_error(message, rules.cobra_premium, D("500.00"), number, extension=extension)


def test_the_cobra_premium_refuses_an_unknown_extension_and_a_negative_rate():
    raises_value_error("Unknown COBRA extension 'forever'.", rules.cobra_premium, D("500.00"), 1, extension="forever")
    raises_value_error("A monthly rate is never negative.", rules.cobra_premium, D("-0.01"), 1)
    assert rules.cobra_premium(D("0.00"), 1) == D("0.00")


# --- Amounts an admin types ----------------------------------------------------------------------


@pytest.mark.parametrize("amount, code, message", [
    ("0.00", "payment_not_positive", "Enter an amount greater than zero."),
    ("-5.00", "payment_not_positive", "Enter an amount greater than zero."),
    ("10.005", "payment_fraction_of_cent", "Enter dollars and cents (at most two decimal places)."),
    ("1000000.00", "payment_too_large", "A single payment can be at most $999,999.99."),
])
def test_it_refuses_a_payment_amount(amount, code, message):
    assert validation_error(rules.check_payment_amount, D(amount)) == (code, [message])


def test_it_accepts_a_payment_from_a_cent_to_stripes_largest_charge():
    rules.check_payment_amount(D("0.01"))
    rules.check_payment_amount(D("999999.99"))
    rules.check_payment_amount(D("250"))


@pytest.mark.parametrize("amount, memo, code, message", [
    ("0", "Courtesy credit", "adjustment_zero", "An adjustment cannot be zero."),
    ("0.00", "Courtesy credit", "adjustment_zero", "An adjustment cannot be zero."),
    ("-1.005", "Courtesy credit", "adjustment_fraction_of_cent", "Enter dollars and cents (at most two decimal places)."),
    ("-75.00", "", "adjustment_memo_required", "Say why in the memo."),
    ("-75.00", "   ", "adjustment_memo_required", "Say why in the memo."),
])
def test_it_refuses_a_manual_adjustment(amount, memo, code, message):
    assert validation_error(rules.check_manual_adjustment, D(amount), memo) == (code, [message])


def test_it_accepts_a_manual_charge_or_credit_with_a_memo():
    rules.check_manual_adjustment(D("-75.00"), "Courtesy credit (ticket 44172)")
    rules.check_manual_adjustment(D("0.01"), "x")


# --- Properties -------------------------------------------------------------------------------------



@given(month=months_2024_2030, premium=premiums)
def test_daily_proration_of_a_full_month_is_the_monthly_premium(month, premium):
    assert lines([period("a", month, None, premium)], month, DAILY) == [("a", premium, rules.days_in_month(month))]
    assert lines([period("a", month, None, premium)], month, MID) == [("a", premium, rules.days_in_month(month))]


@given(month=months_2024_2030, premium=premiums, data=st.data())
def test_daily_lines_of_a_partition_of_a_month_sum_to_the_premium_within_half_a_cent_a_line(month, premium, data):
    month_days = rules.days_in_month(month)
    cuts = sorted(data.draw(st.sets(st.integers(min_value=2, max_value=month_days), max_size=6)))
    starts = [1] + cuts
    ends = [c - 1 for c in cuts] + [month_days]
    periods = [period(i, month.replace(day=s), month.replace(day=e), premium) for i, (s, e) in enumerate(zip(starts, ends))]
    charges = rules.charges_for_month(periods, month, policy=DAILY)
    assert [c.key for c in charges] == list(range(len(periods)))
    assert sum(c.covered_days for c in charges) == month_days
    assert abs(sum(c.amount for c in charges) - premium) <= D("0.005") * len(charges)
    assert all(c.amount == c.amount.quantize(D("0.01")) for c in charges)


@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    lengths=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=6),
    open_ended=st.booleans(),
)
def test_the_mid_month_rule_bills_every_month_of_a_contiguous_coverage_exactly_once(start, lengths, open_ended):
    """Split one subscriber's unbroken coverage into rows at arbitrary days: every month from the
    first billed (the start's month, or the next when it starts after the 15th) through the end's
    month bills exactly one line; no month outside does."""
    periods, day = [], start
    for i, length in enumerate(lengths):
        end = day + timedelta(days=length - 1)
        periods.append(period(i, day, None if open_ended and i == len(lengths) - 1 else end))
        day = end + timedelta(days=1)
    last_day = periods[-1].end or date(2028, 6, 30)
    first_billed = start.replace(day=1) if start.day <= 15 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    month = date(2023, 12, 1)
    while month <= date(2028, 6, 1):
        count = len(rules.charges_for_month(periods, month, policy=MID))
        assert count == (1 if first_billed <= month <= last_day.replace(day=1) else 0), month
        month = (month + timedelta(days=32)).replace(day=1)


@given(
    start=st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)),
    days=st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    policy=st.sampled_from([MID, DAILY]),
)
def test_billed_months_of_one_coverage_are_the_months_it_charges(start, days, policy):
    end = None if days is None else start + timedelta(days=days)
    first, last = date(2026, 1, 1), date(2026, 12, 1)
    expected = [m for m in rules.months(first, last) if rules.charges_for_month([period("a", start, end)], m, policy=policy)]
    assert rules.billed_months(start, end, policy=policy, first_month=first, last_month=last) == expected




@given(billed=premiums, cost=premiums)
def test_an_adjustment_brings_the_month_to_its_cost_and_never_credits_more_than_was_billed(billed, cost):
    amount = rules.adjustment_amount(billed, cost)
    assert billed + amount == cost
    assert amount >= -billed


@given(amount_due=st.decimals(min_value=D("-999.99"), max_value=D("9999.99"), places=2), amount_paid=premiums,
       today=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 30)))
def test_an_invoice_is_paid_exactly_when_nothing_is_left_to_pay(amount_due, amount_paid, today):
    status = rules.invoice_status(amount_due=amount_due, amount_paid=amount_paid, due_on=DUE, today=today)
    assert (status == "paid") == (amount_due <= amount_paid)
