"""The COBRA (or state continuation) lines of an invoice.

A continuing beneficiary group is billed as lines of its own, kind "cobra": the month's premium
is 102% of the plan's monthly rate for the tier (150% in months 19 to 29 of a disability
extension), rounded half-up once per line (billing.rules.cobra_premium, one implementation in
enrollment.continuation_rules). Months already invoiced that an election reaches back to (the
coverage continues from the day after the loss of coverage), or that an early end takes back,
become adjustment lines on the next invoice, linked to the election or the end request. The
group's retro window does not limit them: the law sets the election's reach.

Continuation rows are few (a handful a group), so they are priced here in Python from two
queries (enrollment.continuation.selectors.continuation_periods) and one rate table; the
employee coverage of the whole group stays set-based in billing.generation, which leaves
continuation rows out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from billing import rules
from billing.models import InvoiceLine
from core.money import ZERO
from enrollment import rating
from enrollment.continuation.selectors import ContinuationPeriod, continuation_periods, monthly_premium
from enrollment.rules import add_months, plan_year_of
from enrollment.selectors import RateTable

RETRO_MEMO = "Continuation coverage, month already invoiced"


@dataclass(frozen=True)
class CobraLine:
    """A line to write: the month's premium ("cobra") or a correction of an earlier month ("adjustment")."""

    kind: str
    period: ContinuationPeriod
    month: date
    amount: Decimal
    monthly_premium: Decimal | None
    covered_days: int | None
    change_request_id: int | None
    memo: str = ""


def month_cost(group, period: ContinuationPeriod, month: date, rates: RateTable) -> tuple[Decimal, Decimal, int] | None:
    """Return (amount, monthly premium, covered days) a continuation row bills for `month`, or None when it bills nothing.

    The rate is that of the plan year the month falls in, else (no rate set yet) of the row's own.
    """
    if not (period.start <= rules.last_of_month(month) and period.end >= month and period.first_month <= month):
        return None
    rate = None
    for plan_year in (plan_year_of(group.renewal_month, month), period.plan_year):
        try:
            rate = rates.premium(
                group, plan_id=period.plan_id, plan_year=plan_year, tier=period.tier, members=period.rating_members,
                coverage_start=period.coverage_start,
            )[0]
            break
        except rating.MissingRate:
            continue
    if rate is None:
        raise rating.MissingRate("No rate for continuation coverage %d (plan %d, tier %s)." % (period.coverage_id, period.plan_id, period.tier))
    premium = monthly_premium(period, rate, month)
    charges = rules.charges_for_month(
        [rules.CoveragePeriod(period.coverage_id, period.start, period.end, premium)], month, policy=group.billing_policy
    )
    if not charges:
        return None
    return charges[0].amount, premium, charges[0].covered_days


def lines_for(group, *, period: date, invoiced_periods) -> list[CobraLine]:
    """Return the COBRA lines of the group's invoice for the month `period` (nothing is written here).

    `invoiced_periods` are the months the group already has invoices for: those a continuation
    reaches are compared with what was billed for that continuation row and month.
    """
    earlier = sorted(m for m in invoiced_periods if m < period)
    first = earlier[0] if earlier else period
    periods = continuation_periods(group, first, period)
    if not periods:
        return []
    rates = RateTable(plan_ids={p.plan_id for p in periods})
    billed = defaultdict(lambda: ZERO)
    rows = (
        InvoiceLine.objects.filter(invoice__group=group, coverage_id__in=[p.coverage_id for p in periods])
        .values("coverage_id", "service_month").annotate(total=Sum("amount"))
    )
    for row in rows:
        billed[(row["coverage_id"], row["service_month"])] = row["total"]
    lines = []
    for p in periods:
        cost = month_cost(group, p, period, rates)
        if cost is not None:
            lines.append(CobraLine("cobra", p, period, cost[0], cost[1], cost[2], p.election_request_id))
        month = max(p.first_month, first)
        while month < period:
            if month in invoiced_periods:
                now = month_cost(group, p, month, rates)
                difference = (now[0] if now else ZERO) - billed[(p.coverage_id, month)]
                if difference:
                    cause = p.election_request_id if difference > 0 else (p.end_request_id or p.election_request_id)
                    lines.append(CobraLine("adjustment", p, month, difference, None, None, cause, RETRO_MEMO))
            month = add_months(month, 1)
    return lines


def write(invoice, lines: list[CobraLine]) -> None:
    """Write the COBRA lines on the invoice (bulk insert; a handful of rows)."""
    InvoiceLine.objects.bulk_create([
        InvoiceLine(
            invoice=invoice, kind=line.kind, subscriber_id=line.period.subscriber_id, subgroup_id=line.period.subgroup_id,
            coverage_id=line.period.coverage_id, plan_id=line.period.plan_id, tier=line.period.tier,
            members=len(line.period.members), service_month=line.month, amount=line.amount,
            monthly_premium=line.monthly_premium, covered_days=line.covered_days, memo=line.memo,
            change_request_id=line.change_request_id,
        )
        for line in lines
    ])
