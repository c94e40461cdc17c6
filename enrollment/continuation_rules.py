"""Continuation coverage (COBRA, or a state's continuation law): pure functions of dates and amounts.

No clock, no database. Which events qualify and who may continue, the deadlines (report, notice,
election, first payment), the maximum period by event and extension, the tier of a coverage that
may leave the subscriber out, and the premium (102%, 150% for months 19 to 29 of a disability
extension). billing.rules re-exports the premium functions: there is one implementation, here, in
the lower layer. docs/cobra.md states every decision.

Federal references: ERISA 601-608, 29 CFR 2590.606-4 (notices, elections), 26 CFR 54.4980B-7
(maximum periods) and -8 (premiums).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from django.core.exceptions import ValidationError

from core.dates import display_date
from core.money import ZERO, round_half_up
from enrollment.rules import CHILDREN, SPOUSAL, add_months

# --- The group's continuation law (accounts.models.EmployerGroup.Continuation) ------------------
COBRA = "cobra"  # federal COBRA: employers with 20 or more employees
STATE = "state"  # a state's continuation law: smaller employers
MAX_STATE_MONTHS = 36

# --- Qualifying events (the values of enrollment.models.Continuation.EventKind) -----------------
END_OF_EMPLOYMENT = "end_of_employment"
REDUCTION_OF_HOURS = "reduction_of_hours"
DEATH = "death"  # the subscriber's death
DIVORCE = "divorce"  # divorce or legal separation (or the end of a registered partnership)
MEDICARE = "medicare"  # the subscriber's Medicare entitlement
DEPENDENT_CHILD = "dependent_child"  # a child no longer a dependent (ageing out at 26)
EMPLOYMENT_EVENTS = frozenset({END_OF_EMPLOYMENT, REDUCTION_OF_HOURS})  # 18 months; the subscriber continues too
EVENTS = (END_OF_EMPLOYMENT, REDUCTION_OF_HOURS, DEATH, DIVORCE, MEDICARE, DEPENDENT_CHILD)
# Events the employee or the beneficiary must report (60 days); the employer reports the others (30 days).
BENEFICIARY_REPORTED_EVENTS = frozenset({DIVORCE, DEPENDENT_CHILD})

SUBSCRIBER = "subscriber"  # the relationship of the subscriber among the members

# --- Periods and deadlines ------------------------------------------------------------------------
EMPLOYMENT_MONTHS = 18
OTHER_EVENT_MONTHS = 36
DISABILITY = "disability"  # someone continuing is disabled (SSA) within the first 60 days: 29 months
SECOND_EVENT = "second_event"  # a second event during the 18 months: 36 months from the first
COBRA_MONTHS = {None: EMPLOYMENT_MONTHS, DISABILITY: 29, SECOND_EVENT: OTHER_EVENT_MONTHS}
EXTENSIONS = (DISABILITY, SECOND_EVENT)
DISABILITY_ONSET_DAYS = 60  # the disability starts by the 60th day of continuation
ELECTION_DAYS = 60  # after the later of the notice and the loss of coverage
FIRST_PAYMENT_DAYS = 45  # after the election
EMPLOYER_REPORT_DAYS = 30  # the employer tells the plan of an employment event, the death, Medicare
BENEFICIARY_REPORT_DAYS = 60  # the family tells of a divorce or a child no longer a dependent
NOTICE_DAYS = 14  # the plan sends the election notice after it is told

# --- Premium ----------------------------------------------------------------------------------------
COBRA_RATE = Decimal("1.02")  # 102% of the plan's rate: the 2% covers administration
COBRA_DISABILITY_RATE = Decimal("1.50")  # months 19 to 29 of a disability extension
COBRA_DISABILITY_FROM_MONTH = 19


# --- The maximum period -------------------------------------------------------------------------------


def check_event(kind: str) -> None:
    if kind not in EVENTS:
        raise ValueError("Unknown qualifying event %r." % (kind,))


def maximum_months(kind: str, *, law: str = COBRA, state_months: int | None = None, extension: str | None = None) -> int:
    """Return the maximum months of continuation for this event under the group's law.

    COBRA: 18 months after an end of employment or a reduction of hours (29 with a disability
    extension, 36 with a second qualifying event), 36 after any other event. State continuation:
    the state's months, whatever the event, with no extension.
    """
    check_event(kind)
    if law == STATE:
        if extension is not None:
            raise ValueError("State continuation has no %s extension." % extension)
        if state_months is None or not 1 <= state_months <= MAX_STATE_MONTHS:
            raise ValueError("A state's continuation lasts 1 to %d months, not %r." % (MAX_STATE_MONTHS, state_months))
        return state_months
    if law != COBRA:
        raise ValueError("Unknown continuation law %r." % (law,))
    if extension is not None and extension not in EXTENSIONS:
        raise ValueError("Unknown COBRA extension %r." % (extension,))
    if kind not in EMPLOYMENT_EVENTS:
        if extension is not None:
            raise ValueError("Only an 18-month continuation can be extended.")
        return OTHER_EVENT_MONTHS
    return COBRA_MONTHS[extension]


def continuation_start(coverage_lost_on: date) -> date:
    """Return the first day of continuation: the day after the last day of group coverage (no gap, no overlap)."""
    return coverage_lost_on + timedelta(days=1)


def maximum_end(start: date, months: int) -> date:
    """Return the last day of a continuation of `months` months starting on `start`."""
    if months < 1:
        raise ValueError("A continuation lasts at least a month.")
    return add_months(start, months) - timedelta(days=1)


# --- Deadlines ------------------------------------------------------------------------------------------


def report_due_by(kind: str, event_date: date, coverage_lost_on: date) -> date:
    """Return the last day to report the event to the plan: 30 days (the employer's events) or 60 (a divorce,
    a child no longer a dependent) after the later of the event and the loss of coverage."""
    check_event(kind)
    days = BENEFICIARY_REPORT_DAYS if kind in BENEFICIARY_REPORTED_EVENTS else EMPLOYER_REPORT_DAYS
    return max(event_date, coverage_lost_on) + timedelta(days=days)


def notice_due_by(reported_on: date) -> date:
    """Return the last day to send the election notice: 14 days after the plan is told."""
    return reported_on + timedelta(days=NOTICE_DAYS)


def election_deadline(notice_on: date, coverage_lost_on: date) -> date:
    """Return the last day to elect: 60 days after the later of the notice date and the last day of group coverage."""
    return max(notice_on, coverage_lost_on) + timedelta(days=ELECTION_DAYS)


def first_payment_due(elected_on: date) -> date:
    """Return the last day of the first payment: 45 days after the election."""
    return elected_on + timedelta(days=FIRST_PAYMENT_DAYS)


def check_election_date(elected_on: date, *, event_date: date, deadline: date, today: date) -> None:
    """Refuse an election dated in the future, before the event, or after the deadline (saying when it closed)."""
    if elected_on > today:
        raise ValidationError("The election date cannot be in the future.", code="election_in_future")
    if elected_on < event_date:
        raise ValidationError(
            "The election date cannot be before the qualifying event (%(date)s).", code="election_before_event",
            params={"date": display_date(event_date)},
        )
    if elected_on > deadline:
        raise ValidationError(
            "The election period closed on %(date)s: an election made after it cannot be accepted.", code="election_closed",
            params={"date": display_date(deadline)},
        )


def disability_extension_allowed(disabled_on: date, *, start: date) -> bool:
    """Whether a disability starting on `disabled_on` extends the continuation: on or before its 60th day."""
    return disabled_on <= start + timedelta(days=DISABILITY_ONSET_DAYS - 1)


# --- Who may continue ------------------------------------------------------------------------------------


def check_qualifying_members(kind: str, relationships: Iterable[str]) -> None:
    """Refuse members who cannot be the qualified beneficiaries of this event.

    `relationships` are those of the members who lost coverage ("subscriber" for the subscriber).
    An end of employment or a reduction of hours: the subscriber lost coverage (and any dependents
    with them). The subscriber's death or Medicare entitlement: dependents only. A divorce or
    legal separation: dependents only, the spouse or partner among them. A child no longer a
    dependent: children only.
    """
    check_event(kind)
    relationships = list(relationships)
    if not relationships:
        raise ValidationError("Choose the members who lost coverage.", code="no_member")
    has_subscriber = SUBSCRIBER in relationships
    if kind in EMPLOYMENT_EVENTS:
        if not has_subscriber:
            raise ValidationError(
                "An end of employment or a reduction of hours is the subscriber's loss of coverage: include the subscriber.",
                code="subscriber_needed",
            )
        return
    if has_subscriber:
        raise ValidationError(
            "The subscriber does not continue coverage through this event: choose only the dependents who lost coverage.",
            code="dependents_only",
        )
    if kind == DIVORCE and not any(r in SPOUSAL for r in relationships):
        raise ValidationError("A divorce or legal separation is the spouse's or partner's loss of coverage: include them.", code="spouse_needed")
    if kind == DEPENDENT_CHILD and not all(r in CHILDREN for r in relationships):
        raise ValidationError("Only a child stops being a dependent child.", code="children_only")


def continuation_tier(relationships: Iterable[str], *, covers_subscriber: bool) -> str:
    """Return the rate tier of a continuation coverage.

    With the subscriber: the usual tier of the dependents covered with them. Without (a divorced
    spouse, the family of a subscriber who died): the first person takes the subscriber's place, so
    one person alone is EE, and a spouse or partner with children, or two or more children, is EC.
    """
    relationships = list(relationships)
    if covers_subscriber:
        spouse = any(r in SPOUSAL for r in relationships)
        children = any(r in CHILDREN for r in relationships)
        return {(True, True): "FAM", (True, False): "ES", (False, True): "EC", (False, False): "EE"}[(spouse, children)]
    if not relationships:
        raise ValueError("A continuation coverage covers someone.")
    return "EE" if len(relationships) == 1 else "EC"


# --- Premium --------------------------------------------------------------------------------------------------


def check_month(month: date) -> None:
    """Refuse a month given as anything but its first day."""
    if month.day != 1:
        raise ValueError("A month is given by its first day, not %s." % month.isoformat())


def cobra_month_number(first_month: date, month: date) -> int:
    """Return which month of continuation `month` is, the first month of continuation being 1."""
    check_month(first_month)
    check_month(month)
    if month < first_month:
        raise ValueError("%s is before continuation starts." % month.isoformat())
    return (month.year - first_month.year) * 12 + month.month - first_month.month + 1


def cobra_premium(monthly_rate: Decimal, month_number: int, *, extension: str | None = None, months: int | None = None) -> Decimal:
    """Return a continuation month's premium: 102% of the plan's monthly rate for the tier, 150% for months
    19 to 29 of a disability extension, rounded half-up to the cent once.

    Continuation lasts 18 months, 29 with a disability extension, 36 with a second qualifying event;
    `months` gives another maximum (36 after a divorce, a state's months).
    """
    if extension is not None and extension not in EXTENSIONS:
        raise ValueError("Unknown COBRA extension %r." % (extension,))
    last = COBRA_MONTHS[extension] if months is None else months
    if not 1 <= month_number <= last:
        raise ValueError("Month %d is outside COBRA continuation (1 to %d)." % (month_number, last))
    if monthly_rate < ZERO:
        raise ValueError("A monthly rate is never negative.")
    surcharge = COBRA_DISABILITY_RATE if extension == DISABILITY and month_number >= COBRA_DISABILITY_FROM_MONTH else COBRA_RATE
    return round_half_up(monthly_rate * surcharge)
