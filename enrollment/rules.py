"""Eligibility, tiers and effective dates: pure functions of dates and values. No clock, no database."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Iterable

from django.core.exceptions import ValidationError

from core.dates import display_date

SPOUSAL = frozenset({"spouse", "domestic_partner"})
CHILDREN = frozenset({"child", "stepchild", "foster_child", "legal_ward", "disabled_adult_child"})
CHILD_AGE_LIMIT = 26


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_first_of_month(day: date) -> date:
    """Return the first of the month after `day`'s month."""
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
    """Return the plan year (named by the calendar year it starts in) that `day` falls in."""
    return day.year if day.month >= renewal_month else day.year - 1


def plan_year_start(renewal_month: int, plan_year: int) -> date:
    return date(plan_year, renewal_month, 1)


def next_renewal_date(renewal_month: int, today: date) -> date:
    """Return the first renewal date strictly after today."""
    return plan_year_start(renewal_month, plan_year_of(renewal_month, today) + 1)


def open_enrollment_window(renewal_month: int, today: date) -> tuple[date, date]:
    """Return the coming renewal's window: from one month before the renewal date up to the day before it."""
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
    """Return whether the Open Enrollment link shows: from one month before the renewal date, until it."""
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
    """Return the first of the month after hire date plus the waiting period."""
    return next_first_of_month(hire_date + timedelta(days=waiting_days))


def child_eligible_through(date_of_birth: date) -> date:
    """Return the last day a child is eligible: the end of the month in which they turn 26."""
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
    """Return whether a retroactive coverage date (a start or an end) is within the group's `retro_days` back."""
    return day >= today - timedelta(days=retro_days)


# --- Enrollment checks (New Enrollment wizard, and the worker again) --------------------------
# Each raises django's ValidationError with a code, so a form shows it next to its field.

EARLIEST_DATE_OF_BIRTH = date(1900, 1, 1)
# Plausibility (docs/enrollment.md says why each edge is where it is).
MINIMUM_AGE_AT_HIRE = 14  # the federal floor for non-agricultural work (FLSA, 29 CFR 570.2)
EARLIEST_HIRE_DATE = date(1950, 1, 1)  # anything earlier is a typo (1905 for 2005), not a new hire
HIRE_DAYS_AHEAD = 183  # an offer accepted up to 6 months before the first day
ZIP_CODE_FORMAT = re.compile(r"(?P<zip>[0-9]{5})(?:-(?P<plus4>[0-9]{4}))?")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
DISABLED_ADULT_CHILD = "disabled_adult_child"


def check_date_of_birth(date_of_birth: date, today: date) -> None:
    """Refuse a date of birth in the future or before 1900."""
    if date_of_birth > today:
        raise ValidationError("A date of birth cannot be in the future.", code="dob_in_future")
    if date_of_birth < EARLIEST_DATE_OF_BIRTH:
        raise ValidationError("A date of birth cannot be before 1900.", code="dob_before_1900")


def check_hire_date(hire_date: date, date_of_birth: date) -> None:
    """Refuse a hire date before the date of birth, or before the employee is MINIMUM_AGE_AT_HIRE years old."""
    if hire_date <= date_of_birth:
        raise ValidationError("The hire date must be after the date of birth.", code="hire_before_birth")
    if age_on(date_of_birth, hire_date) < MINIMUM_AGE_AT_HIRE:
        raise ValidationError(
            "The subscriber was under %(age)d on the hire date: check the date of birth and the hire date.",
            code="too_young_at_hire",
            params={"age": MINIMUM_AGE_AT_HIRE},
        )


def check_hire_date_in_range(hire_date: date, today: date) -> None:
    """A hire date is not before EARLIEST_HIRE_DATE, nor more than HIRE_DAYS_AHEAD days after today."""
    if hire_date < EARLIEST_HIRE_DATE:
        raise ValidationError(
            "A hire date cannot be before %(date)s.", code="hire_too_early",
            params={"date": display_date(EARLIEST_HIRE_DATE)},
        )
    latest = today + timedelta(days=HIRE_DAYS_AHEAD)
    if hire_date > latest:
        raise ValidationError(
            "A hire date can be at most 6 months ahead (%(date)s at the latest).", code="hire_too_far_ahead",
            params={"date": display_date(latest)},
        )


def check_zip_code(zip_code: str) -> None:
    """A US ZIP code is 5 digits or ZIP+4 (12345-6789); 00000 and a +4 of 0000 are not real."""
    match = ZIP_CODE_FORMAT.fullmatch(zip_code)
    if match is None:
        raise ValidationError("Enter a 5-digit ZIP code, or ZIP+4 such as 97301-1234.", code="zip_format")
    if match["zip"] == "00000" or match["plus4"] == "0000":
        raise ValidationError("%(zip)s is not a real ZIP code.", code="zip_not_real", params={"zip": zip_code})


def check_middle_initial(middle_initial: str) -> None:
    """A middle initial is empty or one letter A-Z (after upper-casing)."""
    if middle_initial and middle_initial.upper() not in LETTERS:  # "ß".upper() is "SS": two letters
        raise ValidationError("A middle initial is one letter, A to Z.", code="middle_initial_not_a_letter")


def check_coverage_start(start: date, hire_date: date, waiting_days: int) -> None:
    """Coverage starts on a first of month, not before hire date plus the waiting period."""
    if start.day != 1:
        raise ValidationError("Coverage starts on the first day of a month.", code="start_not_first_of_month")
    earliest = new_hire_coverage_start(hire_date, waiting_days)
    if start < earliest:
        raise ValidationError(
            "Coverage cannot start before %s (hire date plus the group's %d-day waiting period)."
            % (display_date(earliest), waiting_days),
            code="start_before_waiting_period",
        )


def check_dependent(*, relationship: str, date_of_birth: date, subscriber_date_of_birth: date, coverage_start: date, today: date) -> None:
    """Check one dependent's own eligibility: a real date of birth, and for a child, age and not older than the subscriber."""
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
    zip_code: str | None = None,
    middle_initials: Iterable[str] = (),
) -> list[str]:
    """Check every rule above at once, for the confirm step and the worker: the messages, empty when all pass.

    `zip_code` (the subscriber's) and `middle_initials` (every member's) are checked when given.
    """
    problems = []
    dependents = list(dependents)
    checks = [
        lambda: check_date_of_birth(subscriber_date_of_birth, today),
        lambda: check_hire_date(hire_date, subscriber_date_of_birth),
        lambda: check_hire_date_in_range(hire_date, today),
        lambda: check_one_spouse(r for r, _ in dependents),
    ]
    if EARLIEST_HIRE_DATE <= hire_date <= today + timedelta(days=HIRE_DAYS_AHEAD):
        # Only a hire date in range gives a coverage start to compare (and no date arithmetic past year 9999).
        checks.insert(3, lambda: check_coverage_start(coverage_start, hire_date, waiting_days))
    if zip_code is not None:
        checks.append(lambda: check_zip_code(zip_code))
    checks += [lambda initial=initial: check_middle_initial(initial) for initial in middle_initials]
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


# --- Drafts of the New Enrollment wizard ----------------------------------------------------------

DRAFT_KEPT_DAYS = 30  # an unconfirmed draft is deleted this long after its last change


def draft_expires_at(updated_at: datetime) -> datetime:
    """When an unconfirmed draft last changed at `updated_at` is deleted (the page says so)."""
    return updated_at + timedelta(days=DRAFT_KEPT_DAYS)


def stale_draft_cutoff(now: datetime) -> datetime:
    """Unconfirmed drafts last changed at or before this instant are deleted at `now`."""
    return now - timedelta(days=DRAFT_KEPT_DAYS)


def draft_expired(updated_at: datetime, now: datetime) -> bool:
    """Whether an unconfirmed draft last changed at `updated_at` is due for deletion at `now`."""
    return updated_at <= stale_draft_cutoff(now)


def later_first_of_months(earliest: date, count: int) -> list[date]:
    """Return the first-of-month choices offered for a coverage start: `earliest` and the `count - 1` after it."""
    return [add_months(earliest, n) for n in range(count)]


# --- Roster maintenance: life events, terminations, reinstatements, ageing out -----------------

MARRIAGE = "marriage"  # or a domestic partnership registered
BIRTH = "birth"
ADOPTION = "adoption"  # adoption or placement for adoption or foster care
LOSS_OF_COVERAGE = "loss_of_coverage"
LOSS_OF_MEDICAID = "loss_of_medicaid"  # loss of Medicaid or CHIP eligibility
LIFE_EVENTS = (MARRIAGE, BIRTH, ADOPTION, LOSS_OF_COVERAGE, LOSS_OF_MEDICAID)
SPECIAL_ENROLLMENT_DAYS = 30
MEDICAID_CHIP_DAYS = 60
REINSTATEMENT_DAYS = 60


def special_enrollment_days(event: str) -> int:
    """Return how many days after the event the request may come: 30, or 60 for loss of Medicaid or CHIP."""
    if event not in LIFE_EVENTS:
        raise ValueError("Unknown life event %r." % event)
    return MEDICAID_CHIP_DAYS if event == LOSS_OF_MEDICAID else SPECIAL_ENROLLMENT_DAYS


def within_special_enrollment_window(event: str, event_date: date, requested_on: date) -> bool:
    """Whether a request made on `requested_on` comes within the event's window (the last day included)."""
    return event_date <= requested_on <= event_date + timedelta(days=special_enrollment_days(event))


def life_event_coverage_start(event: str, event_date: date) -> date:
    """Birth, adoption or placement: from the event's date. Marriage and loss of coverage: the first of the next month."""
    if event in (BIRTH, ADOPTION):
        return event_date
    special_enrollment_days(event)  # refuses an unknown event
    return next_first_of_month(event_date)


def check_life_event_date(event_date: date, today: date) -> None:
    """A life event has happened already (a coverage is not added for a wedding next month)."""
    if event_date > today:
        raise ValidationError("The event date cannot be in the future.", code="event_in_future")


def may_reinstate(end: date, today: date) -> bool:
    """Whether a coverage that ended (or ends) on `end` is within the 60 days in which it can be reinstated."""
    return end >= today - timedelta(days=REINSTATEMENT_DAYS)


def reinstatement_start(end: date) -> date:
    """A reinstated coverage continues the day after the end, with no gap and no overlap."""
    return end + timedelta(days=1)


def latest_birth_date_of_age(age: int, on: date) -> date:
    """Return the latest date of birth of someone `age` or older on `on` (agreeing with age_on, 29 February included)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:  # on is 29 February and that year has none: born on the 28th they are `age` already
        return date(on.year - age, 2, 28)


def birth_dates_turning(age: int, first: date, last: date) -> tuple[date, date]:
    """Return (after, through): people born after `after` and on or before `through` turn `age` between first and last."""
    return latest_birth_date_of_age(age, first - timedelta(days=1)), latest_birth_date_of_age(age, last)


def latest_birth_date_ageing_out_by(day: date) -> date:
    """Return the latest date of birth of a child whose eligibility ends by the end of `day`'s month (they turn 26 in it or before)."""
    return last_of_month(add_months(first_of_month(day), -12 * CHILD_AGE_LIMIT))
