"""Billing rules: pure functions of dates and Decimal amounts. No clock, no database, no models.

Which coverage bills a month (the mid-month rule or daily proration), invoice dates, status,
retroactive adjustments, totals and COBRA rates. The invoice generator (set-based SQL) and
its property tests take these as the specification. docs/billing.md states every decision.

Errors: a caller's mistake (a month that is not a first of month, overlapping coverages, a
negative premium) raises ValueError; an amount a user typed raises django's ValidationError
with a code, for the form to show next to the field.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Hashable, Iterable, Mapping

from django.core.exceptions import ValidationError

from core.money import ZERO, round_half_up
# COBRA rates and months: one implementation, in the lower layer (enrollment.continuation_rules); the
# election notice prices each choice with it, and the invoice's COBRA lines use the same names from here.
from enrollment.continuation_rules import (  # noqa: F401 (re-exported)
    COBRA_DISABILITY_FROM_MONTH,
    COBRA_DISABILITY_RATE,
    COBRA_MONTHS,
    COBRA_RATE,
    DISABILITY,
    SECOND_EVENT,
    cobra_month_number,
    cobra_premium,
)
from enrollment.rules import add_months, first_of_month, last_of_month, within_retro_window

# Billing policies: the values of accounts.models.EmployerGroup.BillingPolicy.
MID_MONTH = "mid_month"
DAILY = "daily"
BILLING_POLICIES = (MID_MONTH, DAILY)
MID_MONTH_DAY = 15  # a coverage in force on this day bills the whole month

DEFAULT_INVOICE_DAY = 15  # of the month before the covered month
FIRST_INVOICE_DAY, LAST_INVOICE_DAY = 1, 28  # every month has the day
GRACE_DAYS = 30  # after the due date; past due from the 31st day after it

# Invoice statuses: the values of billing.models.Invoice.Status.
OPEN = "open"
PARTIALLY_PAID = "partially_paid"
PAID = "paid"
PAST_DUE = "past_due"

CENT = Decimal("0.01")
MAX_PAYMENT = Decimal("999999.99")  # Stripe's largest single USD charge


@dataclass(frozen=True)
class CoveragePeriod:
    """One coverage row of a subscriber, as billing sees it."""

    key: Hashable  # the caller's handle (e.g. the Coverage id), returned on the charge
    start: date
    end: date | None  # inclusive; None while open-ended
    monthly_premium: Decimal  # the full month's premium (tier rate or sum of age rates)


@dataclass(frozen=True)
class Charge:
    """One premium line of a month."""

    key: Hashable
    amount: Decimal  # rounded half-up to the cent, once
    covered_days: int  # days of the month the coverage is in force (the whole month is billed under the mid-month rule)


@dataclass(frozen=True)
class InvoiceDates:
    period: date  # the covered month's first day
    issued_on: date  # the group's invoice day of the month before
    due_on: date  # the first day of the covered month
    grace_ends_on: date  # the last day of grace; past due the day after


@dataclass(frozen=True)
class AdjustmentLine:
    """A correction of one subscriber's month already invoiced."""

    month: date
    amount: Decimal  # cost - billed: positive charges, negative credits (never more than billed)
    billed: Decimal  # net billed so far for the month (premium and earlier retro adjustments)
    cost: Decimal  # what the month costs now


@dataclass(frozen=True)
class InvoiceTotals:
    previous_balance: Decimal  # the previous invoice's amount due (negative: a credit)
    payments_received: Decimal  # since the previous invoice
    current_premium: Decimal  # the sum of the premium lines
    adjustments: Decimal  # the sum of the adjustment lines (retro and manual)
    amount_due: Decimal  # previous - payments + premium + adjustments (negative: a credit carried forward)


# --- Months -------------------------------------------------------------------------------------


def check_month(month: date) -> None:
    """Refuse a month given as anything but its first day."""
    if month.day != 1:
        raise ValueError("A month is given by its first day, not %s." % month.isoformat())


def days_in_month(month: date) -> int:
    """Return the number of days of `month`'s month (28 to 31)."""
    return calendar.monthrange(month.year, month.month)[1]


def months(first_month: date, last_month: date) -> list[date]:
    """Return the first days of the months from `first_month` through `last_month` (empty if last is earlier)."""
    check_month(first_month)
    check_month(last_month)
    result = []
    month = first_month
    while month <= last_month:
        result.append(month)
        month = add_months(month, 1)
    return result


def covered_days(start: date, end: date | None, month: date) -> int:
    """Return how many days of `month` a coverage from `start` through `end` (None: open) is in force."""
    check_month(month)
    first = max(start, month)
    last = last_of_month(month) if end is None else min(end, last_of_month(month))
    return max((last - first).days + 1, 0)


# --- Which coverage bills a month ------------------------------------------------------------------


def check_policy(policy: str) -> None:
    """Refuse a billing policy other than the mid-month rule and daily proration."""
    if policy not in BILLING_POLICIES:
        raise ValueError("Unknown billing policy %r (expected mid_month or daily)." % policy)


def check_periods(periods: Iterable[CoveragePeriod]) -> list[CoveragePeriod]:
    """Return the periods by start date; refuse an end before its start, a negative premium, an overlap."""
    ordered = sorted(periods, key=lambda period: period.start)
    for period in ordered:
        if period.end is not None and period.end < period.start:
            raise ValueError("Coverage %r ends before it starts." % (period.key,))
        if period.monthly_premium < ZERO:
            raise ValueError("Coverage %r has a negative premium." % (period.key,))
    for earlier, later in zip(ordered, ordered[1:]):
        if earlier.end is None or earlier.end >= later.start:
            raise ValueError("Coverages %r and %r overlap." % (earlier.key, later.key))
    return ordered


def prorate(monthly_premium: Decimal, days: int, month_days: int) -> Decimal:
    """Return `monthly_premium` x `days` / `month_days`, rounded half-up to the cent once."""
    return round_half_up(monthly_premium * days / month_days)


def charges_for_month(periods: Iterable[CoveragePeriod], month: date, *, policy: str) -> list[Charge]:
    """Return the premium lines one subscriber's coverages bill for `month`, in start order.

    Mid-month rule: one line at most, the whole month's premium of the coverage in force on the
    15th; when none is, of the coverage that ended last in the month (before the 15th). A coverage
    starting after the 15th never bills its first month. Daily proration: one line per coverage in
    force in the month, premium x covered days / days in month.
    """
    check_policy(policy)
    ordered = check_periods(periods)
    check_month(month)
    touching = [p for p in ordered if covered_days(p.start, p.end, month) > 0]
    if policy == DAILY:
        charges = []
        for period in touching:
            days = covered_days(period.start, period.end, month)
            charges.append(Charge(period.key, prorate(period.monthly_premium, days, days_in_month(month)), days))
        return charges
    # Coverages never overlap, so of those that started by the 15th the last one to start is the
    # one in force on the 15th or, when none is, the one that ended last before it.
    started = [p for p in touching if p.start <= month.replace(day=MID_MONTH_DAY)]
    if not started:
        return []
    chosen = started[-1]
    return [Charge(chosen.key, round_half_up(chosen.monthly_premium), covered_days(chosen.start, chosen.end, month))]


def member_shares(line_amount: Decimal, member_premiums: Iterable[Decimal]) -> list[Decimal]:
    """Share a line among its members in proportion to their monthly premiums, the shares adding up to the line.

    An age-banded line shows the members' premiums that make it up; once the line is prorated
    (and rounded once), each share is floored to the cent and the cents left over go to the
    largest remainders, the earlier member first on a tie.
    """
    premiums = list(member_premiums)
    check_cents(line_amount, "A line")
    if line_amount < ZERO:
        raise ValueError("A premium line is never negative.")
    for premium in premiums:
        check_cents(premium, "A member's premium")
        if premium < ZERO:
            raise ValueError("A member's premium is never negative.")
    cents, weights = int(line_amount * 100), [int(premium * 100) for premium in premiums]
    total = sum(weights)
    if not total:
        if cents:
            raise ValueError("A line of %s cannot be shared among members who pay nothing." % line_amount)
        return [ZERO for _ in premiums]
    shares = [divmod(cents * weight, total) for weight in weights]  # exact: whole cents and remainders
    left_over = cents - sum(share for share, _ in shares)
    by_remainder = sorted(range(len(shares)), key=lambda i: -shares[i][1])  # stable: the earlier member first
    extra = set(by_remainder[:left_over])
    return [Decimal(share + (i in extra)).scaleb(-2) for i, (share, _) in enumerate(shares)]


def month_cost(periods: Iterable[CoveragePeriod], month: date, *, policy: str) -> Decimal:
    """Return what one subscriber's month costs: the exact sum of its lines."""
    return sum((charge.amount for charge in charges_for_month(periods, month, policy=policy)), ZERO)


def charges_by_month(
    periods: Iterable[CoveragePeriod], *, policy: str, first_month: date, last_month: date
) -> dict[date, list[Charge]]:
    """Return each month's lines from `first_month` through `last_month`, leaving out months that bill nothing."""
    periods = list(periods)
    result = {}
    for month in months(first_month, last_month):
        charges = charges_for_month(periods, month, policy=policy)
        if charges:
            result[month] = charges
    return result


def billed_months(start: date, end: date | None, *, policy: str, first_month: date, last_month: date) -> list[date]:
    """Return the months, within the range, that a coverage bills when it is the subscriber's only one.

    Mid-month: from its start's month when it starts on or before the 15th, else the next month,
    through its end's month. Daily: every month it touches.
    """
    check_policy(policy)
    if end is not None and end < start:
        raise ValueError("A coverage cannot end (%s) before it starts (%s)." % (end.isoformat(), start.isoformat()))
    check_month(first_month)
    check_month(last_month)
    first = first_of_month(start)
    if policy == MID_MONTH and start.day > MID_MONTH_DAY:
        first = add_months(first, 1)
    last = last_month if end is None else min(first_of_month(end), last_month)
    return months(max(first, first_month), last)


# --- Invoice dates -------------------------------------------------------------------------------


def check_invoice_day(invoice_day: int) -> None:
    if not FIRST_INVOICE_DAY <= invoice_day <= LAST_INVOICE_DAY:
        raise ValueError("The invoice day is between 1 and 28, not %d." % invoice_day)


def invoice_issue_date(month: date, invoice_day: int = DEFAULT_INVOICE_DAY) -> date:
    """Return the day `month`'s invoice is issued: the invoice day of the month before."""
    check_month(month)
    check_invoice_day(invoice_day)
    return add_months(month, -1).replace(day=invoice_day)


def grace_ends_on(due_on: date) -> date:
    """Return the last day of grace: 30 days after the due date."""
    return due_on + timedelta(days=GRACE_DAYS)


def is_past_due(due_on: date, today: date) -> bool:
    """Return whether the grace period is over: today is after its last day."""
    return today > grace_ends_on(due_on)


def invoice_dates(month: date, invoice_day: int = DEFAULT_INVOICE_DAY) -> InvoiceDates:
    """Return when `month`'s invoice is issued, due, and the last day of its grace period."""
    return InvoiceDates(
        period=month, issued_on=invoice_issue_date(month, invoice_day), due_on=month, grace_ends_on=grace_ends_on(month)
    )


def is_invoiced(month: date, today: date, invoice_day: int = DEFAULT_INVOICE_DAY) -> bool:
    """Return whether `month` was invoiced by `today` (its invoice is issued on the invoice day, included).

    A change confirmed on a day the month is invoiced reaches it only through an adjustment.
    """
    return invoice_issue_date(month, invoice_day) <= today


def last_invoiced_month(today: date, invoice_day: int = DEFAULT_INVOICE_DAY) -> date:
    """Return the latest month invoiced by `today`: next month from the invoice day on, else this month."""
    check_invoice_day(invoice_day)
    this_month = first_of_month(today)
    return add_months(this_month, 1) if today.day >= invoice_day else this_month


def next_invoice_month(today: date, invoice_day: int = DEFAULT_INVOICE_DAY) -> date:
    """Return the month of the next invoice to issue: the first month a change confirmed today bills directly."""
    return add_months(last_invoiced_month(today, invoice_day), 1)


# --- Status and balance ------------------------------------------------------------------------


def invoice_status(*, amount_due: Decimal, amount_paid: Decimal, due_on: date, today: date) -> str:
    """Return paid when nothing is left to pay (an amount due of zero or less included), else past due
    once the grace period is over, else partially paid when something was paid, else open."""
    if amount_paid < ZERO:
        raise ValueError("The amount paid on an invoice is never negative.")
    if amount_due - amount_paid <= ZERO:
        return PAID
    if is_past_due(due_on, today):
        return PAST_DUE
    if amount_paid > ZERO:
        return PARTIALLY_PAID
    return OPEN


def balance(amount_due: Decimal, amount_paid: Decimal) -> Decimal:
    """Return what is left to pay on an invoice; negative, the credit carried forward."""
    return amount_due - amount_paid


def autopay_amount(amount_due: Decimal, amount_paid: Decimal) -> Decimal:
    """Return what Recurring Payment charges on the due date: the balance, or zero when nothing is owed."""
    return max(balance(amount_due, amount_paid), ZERO)


# --- Adjustments -------------------------------------------------------------------------------


def month_within_retro_window(month: date, today: date, retro_days: int) -> bool:
    """Return whether `month` is inside the retro window: its last day is `retro_days` or fewer days back."""
    check_month(month)
    return within_retro_window(last_of_month(month), today, retro_days)


def adjustment_amount(billed: Decimal, cost: Decimal) -> Decimal:
    """Return what a month costs now minus what was billed for it (net of earlier retro adjustments).

    Neither is ever negative, so a credit never exceeds what was billed.
    """
    if billed < ZERO:
        raise ValueError("What was billed for a month is never negative (leave manual adjustments out).")
    if cost < ZERO:
        raise ValueError("What a month costs is never negative.")
    return round_half_up(cost - billed)


def adjustment_lines(
    *, billed: Mapping[date, Decimal], cost: Mapping[date, Decimal], today: date, invoice_day: int, retro_days: int
) -> list[AdjustmentLine]:
    """Return one subscriber's adjustment lines for the next invoice, by month.

    `billed` and `cost` map months to what was billed (net) and what they cost now; a month
    missing from one counts as zero there. Only months already invoiced and inside the retro
    window get a line, and only when the amount is not zero.
    """
    lines = []
    for month in sorted(set(billed) | set(cost)):
        was, now = billed.get(month, ZERO), cost.get(month, ZERO)
        amount = adjustment_amount(was, now)
        if amount and is_invoiced(month, today, invoice_day) and month_within_retro_window(month, today, retro_days):
            lines.append(AdjustmentLine(month, amount, was, now))
    return lines


# --- Totals --------------------------------------------------------------------------------------


def check_cents(amount: Decimal, what: str) -> None:
    """Refuse an amount that is not a whole number of cents (a line is rounded before it is summed)."""
    if round_half_up(amount) != amount:
        raise ValueError("%s %s is not a whole number of cents." % (what, amount))


def invoice_totals(
    *,
    previous_balance: Decimal,
    payments_received: Decimal,
    premium_lines: Iterable[Decimal],
    adjustment_lines: Iterable[Decimal],
) -> InvoiceTotals:
    """Return an invoice's totals: exact sums of lines already rounded, amount due = previous - payments + premium + adjustments."""
    premium_lines, adjustment_lines = list(premium_lines), list(adjustment_lines)
    check_cents(previous_balance, "The previous balance")
    check_cents(payments_received, "The payments received")
    if payments_received < ZERO:
        raise ValueError("The payments received are never negative.")
    for amount in premium_lines:
        check_cents(amount, "A premium line")
        if amount < ZERO:
            raise ValueError("A premium line is never negative.")
    for amount in adjustment_lines:
        check_cents(amount, "An adjustment line")
    premium = sum(premium_lines, ZERO)
    adjustments = sum(adjustment_lines, ZERO)
    return InvoiceTotals(
        previous_balance=previous_balance,
        payments_received=payments_received,
        current_premium=premium,
        adjustments=adjustments,
        amount_due=previous_balance - payments_received + premium + adjustments,
    )


# --- Amounts an admin or a specialist types ----------------------------------------------------------


def check_payment_amount(amount: Decimal) -> None:
    """Refuse a payment of zero or less, of a fraction of a cent, or above Stripe's largest charge."""
    if amount <= ZERO:
        raise ValidationError("Enter an amount greater than zero.", code="payment_not_positive")
    if round_half_up(amount) != amount:
        raise ValidationError("Enter dollars and cents (at most two decimal places).", code="payment_fraction_of_cent")
    if amount > MAX_PAYMENT:
        raise ValidationError("A single payment can be at most $999,999.99.", code="payment_too_large")


def check_manual_adjustment(amount: Decimal, memo: str) -> None:
    """Refuse a manual adjustment of zero or of a fraction of a cent, or without a memo."""
    if not amount:
        raise ValidationError("An adjustment cannot be zero.", code="adjustment_zero")
    if round_half_up(amount) != amount:
        raise ValidationError("Enter dollars and cents (at most two decimal places).", code="adjustment_fraction_of_cent")
    if not memo.strip():
        raise ValidationError("Say why in the memo.", code="adjustment_memo_required")
