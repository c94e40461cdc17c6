"""Eligibility, tiers and effective dates: pure functions of dates and values. No clock, no database."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterable

SPOUSAL = frozenset({"spouse", "domestic_partner"})
CHILDREN = frozenset({"child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"})
CHILD_AGE_LIMIT = 26


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_first_of_month(day: date) -> date:
    """The first of the month after `day`'s month."""
    return add_months(first_of_month(day), 1)


def first_of_month_on_or_after(day: date) -> date:
    return day if day.day == 1 else next_first_of_month(day)


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a day (a 29 February birthday counts on 1 March in common years)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


# --- Plan years and open enrollment --------------------------------------------------------


def plan_year_of(renewal_month: int, day: date) -> int:
    """The plan year (named by the calendar year it starts in) that `day` falls in."""
    return day.year if day.month >= renewal_month else day.year - 1


def plan_year_start(renewal_month: int, plan_year: int) -> date:
    return date(plan_year, renewal_month, 1)


def next_renewal_date(renewal_month: int, today: date) -> date:
    """The first renewal date strictly after today."""
    return plan_year_start(renewal_month, plan_year_of(renewal_month, today) + 1)


def open_enrollment_window(renewal_month: int, today: date) -> tuple[date, date]:
    """The coming renewal's window: from one month before the renewal date up to the day before it."""
    renewal = next_renewal_date(renewal_month, today)
    return add_months(renewal, -1), renewal - timedelta(days=1)


def in_open_enrollment(renewal_month: int, today: date) -> bool:
    """The Open Enrollment link shows one month before the renewal date and disappears on it."""
    opens, closes = open_enrollment_window(renewal_month, today)
    return opens <= today <= closes


# --- Tiers ------------------------------------------------------------------------------------


def coverage_tier(relationships: Iterable[str]) -> str:
    """Return the tier for the covered dependents' relationships (the subscriber is always covered)."""
    relationships = list(relationships)
    spouse = any(r in SPOUSAL for r in relationships)
    children = any(r in CHILDREN for r in relationships)
    if spouse and children:
        return "FAM"
    if spouse:
        return "ES"
    if children:
        return "EC"
    return "EE"


# --- Effective dates --------------------------------------------------------------------------


def new_hire_coverage_start(hire_date: date, waiting_days: int) -> date:
    """The first of the month after hire date plus the waiting period."""
    return next_first_of_month(hire_date + timedelta(days=waiting_days))


def child_eligible_through(date_of_birth: date) -> date:
    """A child is eligible through the end of the month in which they turn 26."""
    return last_of_month(add_months(date_of_birth, 12 * CHILD_AGE_LIMIT))


def termination_end(on: date) -> date:
    """Coverage ends on the last day of the month of the termination date."""
    return last_of_month(on)


def within_retro_window(end: date, today: date, retro_days: int) -> bool:
    """A retroactive end of coverage is accepted up to `retro_days` back."""
    return end >= today - timedelta(days=retro_days)
