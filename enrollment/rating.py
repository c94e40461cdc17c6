"""Premiums: pure functions of rates, tiers, ages and dates. Decimal only, no clock, no database.

Billing imports these to price invoice lines; the New Enrollment wizard uses them to
show the monthly premium of the coverage being built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Hashable, Iterable, Mapping

from core.money import ZERO, round_half_up
from enrollment.rules import CHILDREN, age_on

MAX_CHARGED_CHILDREN_UNDER_21 = 3


class MissingRate(LookupError):
    """The carrier has not set up a rate for this plan, plan year and tier or age band."""


def tiered_premium(rates: Mapping[str, Decimal], tier: str) -> Decimal:
    """Return the monthly premium of `tier` from a plan year's {tier: monthly premium}."""
    try:
        return round_half_up(rates[tier])
    except KeyError:
        raise MissingRate("No rate for tier %s." % tier) from None


def age_band(age: int) -> str:
    """Return the ACA age band: 0-14, then each age 15 to 63, then 64+."""
    if age <= 14:
        return "0-14"
    if age >= 64:
        return "64+"
    return str(age)


def rating_age(date_of_birth: date, *, plan_year_start: date, coverage_start: date) -> int:
    """Age at the start of the plan year, or at the coverage start if that is later."""
    return age_on(date_of_birth, max(plan_year_start, coverage_start))


@dataclass(frozen=True)
class MemberPremium:
    key: Hashable  # the caller's handle for the member (e.g. "00", "01")
    relationship: str  # "subscriber" or a dependent's relationship
    age: int
    band: str
    premium: Decimal  # monthly; ZERO for a child beyond the three oldest under 21
    charged: bool


def age_banded_premiums(
    members: Iterable[tuple[Hashable, str, date]],
    age_rates: Mapping[str, Decimal],
    *,
    plan_year_start: date,
    coverage_start: date,
) -> list[MemberPremium]:
    """Return each covered member's monthly premium, in the order given.

    `members` is (key, relationship, date of birth), the subscriber's relationship being
    "subscriber". Every adult pays; of the children under 21 only the three oldest do.
    """
    members = list(members)
    ages = {key: rating_age(dob, plan_year_start=plan_year_start, coverage_start=coverage_start) for key, _, dob in members}
    young_children = sorted(
        ((dob, key) for key, relationship, dob in members if relationship in CHILDREN and ages[key] < 21),
        key=lambda item: item[0],  # the oldest (earliest birth) first
    )
    free = {key for _, key in young_children[MAX_CHARGED_CHILDREN_UNDER_21:]}
    result = []
    for key, relationship, _ in members:
        band = age_band(ages[key])
        if key in free:
            result.append(MemberPremium(key, relationship, ages[key], band, ZERO, False))
            continue
        try:
            premium = round_half_up(age_rates[band])
        except KeyError:
            raise MissingRate("No rate for age band %s." % band) from None
        result.append(MemberPremium(key, relationship, ages[key], band, premium, True))
    return result


def total(premiums: Iterable[MemberPremium]) -> Decimal:
    return round_half_up(sum((p.premium for p in premiums), ZERO))
