from decimal import Decimal

import pytest

from core.money import round_half_up
from core.templatetags.core_tags import usd


@pytest.mark.parametrize("raw, cents", [("2.675", "2.68"), ("2.665", "2.67"), ("-2.675", "-2.68"), ("0.005", "0.01"), (3, "3.00")])
def test_it_rounds_half_up_to_the_cent(raw, cents):
    assert round_half_up(Decimal(raw) if isinstance(raw, str) else raw) == Decimal(cents)


def test_it_refuses_a_float():
    with pytest.raises(TypeError):
        round_half_up(2.675)


def test_usd_formats_thousands_and_negatives():
    assert usd(Decimal("1234.5")) == "$1,234.50"
    assert usd(Decimal("-12.3")) == "-$12.30"
