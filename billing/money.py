"""Money helpers for billing: the one rounding rule lives in portal.money, below every app."""

from portal.money import CENT, ZERO, MoneyField, round_half_up

__all__ = ["CENT", "ZERO", "MoneyField", "round_half_up"]
