"""Eligibility, tiers and effective dates: pure functions of dates and values. No clock, no database."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterable

from django.core.exceptions import ValidationError

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


def carry_over_plan(plan_id: int, successor_id: int | None, offered_ids) -> int | None:
    """Return the plan a coverage carries over to at renewal, or None when it cannot carry over.

    The same plan where it is still offered to the subscriber's subgroup in the new plan year,
    else the successor the carrier set up where that is offered; None leaves it to a person.
    """
    offered_ids = set(offered_ids)
    if plan_id in offered_ids:
        return plan_id
    if successor_id is not None and successor_id in offered_ids:
        return successor_id
    return None


def in_open_enrollment(renewal_month: int, today: date) -> bool:
    """The Open Enrollment link shows one month before the renewal date and disappears on it."""
    opens, closes = open_enrollment_window(renewal_month, today)
    return opens <= today <= closes


def days_left_in_window(closes: date, today: date) -> int:
    """Return the days left to act, today and the last day included (1 on the last day)."""
    return (closes - today).days + 1


CLOSING_REMINDER_DAYS = 7  # the second reminder goes out seven days before the renewal date


def reminder_due(renewal_month: int, today: date) -> str | None:
    """Return which open-enrollment reminder is due today: "opening", "closing", or None outside the window.

    The opening one is due from the window's first day, the closing one from seven days
    before the renewal date (the last seven days of the window); each is sent once, so a
    day the task did not run is caught up the next day.
    """
    if not in_open_enrollment(renewal_month, today):
        return None
    renewal = next_renewal_date(renewal_month, today)
    return "closing" if today >= renewal - timedelta(days=CLOSING_REMINDER_DAYS) else "opening"


RENEWAL_CATCH_UP_DAYS = 7


def renewal_due(renewal_month: int, today: date, catch_up_days: int = RENEWAL_CATCH_UP_DAYS) -> date | None:
    """Return the renewal date the daily carry-over should run for today, or None.

    The renewal date itself, or within `catch_up_days` after it (a day the beat task did not
    run is caught up; the carry-over is idempotent, so running it again changes nothing).
    """
    latest = plan_year_start(renewal_month, plan_year_of(renewal_month, today))
    return latest if (today - latest).days < catch_up_days else None


# Reasons for declining coverage where another health plan covers the subscriber, so its name is asked.
DECLINE_REASONS_WITH_ALTERNATE_PLAN = frozenset({"spouse_plan", "other_group", "individual"})


def check_decline(reason: str, alternate_plan_name: str) -> None:
    """Decline Coverage needs a reason, and the alternate health plan's name when another plan covers the subscriber."""
    if not reason:
        raise ValidationError({"reason": ValidationError("Choose the reason for declining coverage.", code="decline_reason_required")})
    if reason in DECLINE_REASONS_WITH_ALTERNATE_PLAN and not (alternate_plan_name or "").strip():
        raise ValidationError({"alternate_plan_name": ValidationError(
            "Enter the alternate health plan name.", code="alternate_plan_name_required"
        )})


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


def aged_out_on(relationship: str, date_of_birth: date, on: date) -> bool:
    """Whether a dependent can no longer be covered as a child on `on` (past the end of the month they turned 26).

    A disabled adult child has no age limit; a spouse or partner is not a child.
    """
    if relationship not in CHILDREN or relationship == DISABLED_ADULT_CHILD:
        return False
    return on > child_eligible_through(date_of_birth)


def aged_out_born_before(on: date) -> date:
    """Return the date of birth before which a child is aged out on `on` (the same rule, for SQL)."""
    return first_of_month(add_months(on, -12 * CHILD_AGE_LIMIT))


def termination_end(on: date) -> date:
    """Coverage ends on the last day of the month of the termination date."""
    return last_of_month(on)


def within_retro_window(day: date, today: date, retro_days: int) -> bool:
    """Whether a retroactive coverage date (a start or an end) is within the group's `retro_days` back."""
    return day >= today - timedelta(days=retro_days)


# --- Enrollment checks (New Enrollment wizard, and the worker again) --------------------------
# Each raises django's ValidationError with a code, so a form shows it next to its field.

EARLIEST_DATE_OF_BIRTH = date(1900, 1, 1)
DISABLED_ADULT_CHILD = "disabled_adult_child"


def check_date_of_birth(date_of_birth: date, today: date) -> None:
    """A date of birth is never in the future, nor before 1900."""
    if date_of_birth > today:
        raise ValidationError("A date of birth cannot be in the future.", code="dob_in_future")
    if date_of_birth < EARLIEST_DATE_OF_BIRTH:
        raise ValidationError("A date of birth cannot be before 1900.", code="dob_before_1900")


def check_hire_date(hire_date: date, date_of_birth: date) -> None:
    """An employee is hired after they are born."""
    if hire_date <= date_of_birth:
        raise ValidationError("The hire date must be after the date of birth.", code="hire_before_birth")


def check_coverage_start(start: date, hire_date: date, waiting_days: int) -> None:
    """Coverage starts on a first of month, not before hire date plus the waiting period."""
    if start.day != 1:
        raise ValidationError("Coverage starts on the first day of a month.", code="start_not_first_of_month")
    earliest = new_hire_coverage_start(hire_date, waiting_days)
    if start < earliest:
        raise ValidationError(
            "Coverage cannot start before %s (hire date plus the group's %d-day waiting period)."
            % (earliest.strftime("%m/%d/%Y"), waiting_days),
            code="start_before_waiting_period",
        )


def check_dependent(*, relationship: str, date_of_birth: date, subscriber_date_of_birth: date, coverage_start: date, today: date) -> None:
    """One dependent's own eligibility: a real date of birth, and for a child, age and not older than the subscriber."""
    check_date_of_birth(date_of_birth, today)
    if relationship not in CHILDREN:
        return
    if date_of_birth < subscriber_date_of_birth:
        raise ValidationError("A child cannot be older than the subscriber.", code="child_older_than_subscriber")
    if relationship != DISABLED_ADULT_CHILD and coverage_start > child_eligible_through(date_of_birth):
        raise ValidationError(
            "A child is eligible only through the end of the month they turn 26 (choose "
            "\"Disabled adult child\" if that applies).",
            code="child_over_26",
        )


def check_one_spouse(relationships: Iterable[str]) -> None:
    """At most one spouse or domestic partner."""
    if sum(1 for r in relationships if r in SPOUSAL) > 1:
        raise ValidationError("A subscriber can have at most one spouse or domestic partner.", code="more_than_one_spouse")


def other_coverage(*, elected: bool, has_other: bool | None, carrier: str, policy_number: str) -> dict:
    """Return what is kept about a dependent's other medical coverage, asked only when not enrolled.

    An enrolled dependent keeps none. A dependent not enrolled must say whether they have
    other coverage, and if so its carrier and policy number. Raise ValidationError keyed
    by field (has_other_coverage, other_carrier, other_policy_number) otherwise.
    """
    if elected:
        return {"has_other_coverage": False, "other_carrier": "", "other_policy_number": ""}
    if has_other is None:
        raise ValidationError(
            {"has_other_coverage": ValidationError("Say whether this dependent has other medical coverage.", code="other_coverage_required")}
        )
    if not has_other:
        return {"has_other_coverage": False, "other_carrier": "", "other_policy_number": ""}
    missing = {
        name: ValidationError("Enter the other coverage's %s." % label, code="other_coverage_detail")
        for name, label, value in (("other_carrier", "carrier", carrier), ("other_policy_number", "policy number", policy_number))
        if not value
    }
    if missing:
        raise ValidationError(missing)
    return {"has_other_coverage": True, "other_carrier": carrier, "other_policy_number": policy_number}


def enrollment_problems(
    *,
    subscriber_date_of_birth: date,
    hire_date: date,
    waiting_days: int,
    coverage_start: date,
    dependents: Iterable[tuple[str, date]],
    today: date,
) -> list[str]:
    """Every rule above at once, for the confirm step and the worker: the messages, empty when all pass."""
    problems = []
    dependents = list(dependents)
    checks = [
        lambda: check_date_of_birth(subscriber_date_of_birth, today),
        lambda: check_hire_date(hire_date, subscriber_date_of_birth),
        lambda: check_coverage_start(coverage_start, hire_date, waiting_days),
        lambda: check_one_spouse(r for r, _ in dependents),
    ]
    for relationship, dob in dependents:
        checks.append(
            lambda relationship=relationship, dob=dob: check_dependent(
                relationship=relationship, date_of_birth=dob, subscriber_date_of_birth=subscriber_date_of_birth,
                coverage_start=coverage_start, today=today,
            )
        )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            problems.extend(error.messages)
    return problems


def later_first_of_months(earliest: date, count: int) -> list[date]:
    """The first-of-month choices offered for a coverage start: `earliest` and the `count - 1` after it."""
    return [add_months(earliest, n) for n in range(count)]
