"""A subscriber's billed months costed again as if a change had happened.

Two readers need it: the credit a termination is expected to bring (shown on the termination's
summary, through enrollment.hooks) and Adjust Invoice's reconciled amount. Both take what was
billed for the subscriber, month by month (premium and adjustment lines, net), and the coverages
each month's premium lines billed, at the monthly premium those lines applied; a change is a
function from one month's coverage periods to the periods it would leave (`ended`, `switched`),
and rules.month_cost prices them under the group's billing policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from billing import rules
from billing.models import InvoiceLine
from core.money import ZERO

Periods = list[rules.CoveragePeriod]
Change = Callable[[Periods], Periods]


@dataclass(frozen=True)
class Billed:
    amounts: dict[date, Decimal]  # each service month's net amount billed (premium and adjustment lines)
    periods: dict[date, Periods]  # the coverages each month's premium lines billed, as billed


def billed_for(subscriber) -> Billed | None:
    """Return what was billed for the subscriber (every invoice), or None when nothing ever was."""
    lines = list(
        InvoiceLine.objects.for_group(subscriber.group_id).filter(subscriber=subscriber, kind__in=["premium", "adjustment"])
        .values("kind", "service_month", "amount", "monthly_premium", "coverage_id", "coverage__start", "coverage__end")
        .order_by("service_month", "id")
    )
    if not lines:
        return None
    amounts: dict[date, Decimal] = {}
    periods: dict[date, dict] = {}
    for line in lines:
        month = line["service_month"]
        amounts[month] = amounts.get(month, ZERO) + line["amount"]
        if line["kind"] == "premium" and line["coverage_id"]:
            periods.setdefault(month, {})[line["coverage_id"]] = rules.CoveragePeriod(
                line["coverage_id"], line["coverage__start"], line["coverage__end"], line["monthly_premium"]
            )
    return Billed(amounts, {month: list(rows.values()) for month, rows in periods.items()})


def ended(end: date) -> Change:
    """The change "every coverage ends on `end`": rows cut there, rows starting after it gone."""

    def change(periods: Periods) -> Periods:
        return [replace(p, end=end if p.end is None or p.end > end else p.end) for p in periods if p.start <= end]

    return change


def switched(day: date, monthly_premium: Decimal) -> Change:
    """The change "from `day`, the coverage in force then bills `monthly_premium`" (members added or removed).

    The row in force on `day` is cut the day before and continues from `day` at the new premium;
    rows that start later keep theirs.
    """

    def change(periods: Periods) -> Periods:
        result = []
        for p in periods:
            if p.start >= day:
                result.append(p)
            elif p.end is not None and p.end < day:
                result.append(p)
            else:
                result.append(replace(p, end=day - timedelta(days=1)))
                result.append(rules.CoveragePeriod(("from", p.key), day, p.end, monthly_premium))
        return result

    return change


def costs(billed: Billed, change: Change, *, policy: str) -> dict[date, Decimal]:
    """Return what each billed month would cost after `change`."""
    return {month: rules.month_cost(change(periods), month, policy=policy) for month, periods in billed.periods.items()}


def next_invoice_adjustments(billed: Billed, cost: dict[date, Decimal], *, group, today: date, before: date | None = None) -> list:
    """Return the adjustment lines the next invoice would carry for `cost` (months before `before` only, if given).

    rules.adjustment_lines decides which months get one: invoiced, and inside the retro window
    on the next invoice's issue day.
    """
    months = [m for m in cost if before is None or m < before]
    next_issue = rules.invoice_issue_date(rules.next_invoice_month(today, group.invoice_day), group.invoice_day)
    return rules.adjustment_lines(
        billed={m: max(billed.amounts.get(m, ZERO), ZERO) for m in months}, cost={m: cost[m] for m in months},
        today=next_issue, invoice_day=group.invoice_day, retro_days=group.retro_days,
    )
