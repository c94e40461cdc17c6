from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MoneyField, round_half_up
from core.templatetags.core_tags import usd


@pytest.mark.parametrize(
    "raw, cents",
    [("2.675", "2.68"), ("2.665", "2.67"), ("-2.675", "-2.68"), ("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"),
     ("-0.004", "0.00"), ("1499.995", "1500.00"), ("12.3", "12.30"), (3, "3.00")],
)
def test_it_rounds_half_up_to_the_cent(raw, cents):
    assert round_half_up(Decimal(raw) if isinstance(raw, str) else raw) == Decimal(cents)


@pytest.mark.parametrize("raw, text", [("19.995", "20.00"), ("7", "7.00"), (0, "0.00"), (-12, "-12.00"), (Decimal("1E+2"), "100.00")])
def test_it_takes_a_string_or_an_int_and_always_gives_two_places(raw, text):
    assert str(round_half_up(raw)) == text


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_a_value_in_thousandths_rounds_to_the_nearest_cent_and_a_half_cent_away_from_zero(thousandths):
    cents = (abs(thousandths) + 5) // 10 * (-1 if thousandths < 0 else 1)
    rounded = round_half_up(Decimal(thousandths).scaleb(-3))
    assert rounded == Decimal(cents).scaleb(-2) and rounded.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [2.675, 0.0])
def test_it_refuses_a_float(value):
    with pytest.raises(TypeError) as info:
        round_half_up(value)
    assert str(info.value) == "Money is never a float: pass a Decimal, an int or a string."


def test_a_money_field_is_numeric_12_2_unless_told_otherwise():
    field = MoneyField("Amount due")
    assert (field.verbose_name, field.max_digits, field.decimal_places) == ("Amount due", 12, 2)
    wider = MoneyField(max_digits=14, decimal_places=4)
    assert (wider.max_digits, wider.decimal_places) == (14, 4)


def test_a_money_field_migrates_as_a_plain_decimal_field():
    assert MoneyField().deconstruct() == (None, "django.db.models.DecimalField", [], {"max_digits": 12, "decimal_places": 2})


def test_usd_formats_thousands_and_negatives():
    assert usd(Decimal("1234.5")) == "$1,234.50"
    assert usd(Decimal("-12.3")) == "-$12.30"
