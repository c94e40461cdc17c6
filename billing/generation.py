"""Invoice generation in SQL: a group's premium lines and retro adjustments, set-based.

billing/rules.py is the specification; this module writes it as a few SQL statements, never
a query or a Python loop per subscriber. Within the caller's transaction:

1. `compute(...)` fills two temporary tables (dropped at commit):
   - billing_charges: every premium line the months would bill now, one row per subscriber
     and month under the mid-month rule (the coverage in force on the 15th, else the last to
     end before it), one per coverage in force under daily proration (premium x covered days
     / days in month, rounded half-up once), priced by enrollment.pricing on the plan year of
     the month (a coverage of an earlier plan year on the plan renewal will carry it over to);
   - billing_adjust: for each earlier month the adjustment window admits, what it costs now
     minus what was billed for it (premium and retro adjustment lines), per subscriber, when
     not zero, with the request that caused it.
2. `insert_lines(invoice)` copies them into billing_invoiceline (subscribers in name order),
   and the members of age-banded lines into billing_invoicelinemember (the line shared among
   its members by rules.member_shares' largest remainders).

The next-invoice preview runs step 1 only, counting pending coverages too, and reads the
temporary tables. billing/tests/test_generation_properties.py holds the generator to rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from billing import rules
from core.money import ZERO
from enrollment import pricing
from enrollment.models import Coverage
from enrollment.rules import add_months, last_of_month, plan_year_of, plan_year_start

CHARGES = "billing_charges"
ADJUST = "billing_adjust"


@dataclass(frozen=True)
class MissingRate:
    plan_code: str
    plan_year: int
    tier: str  # the tier (tiered) or "age-banded"

    def __str__(self):
        return "%s %s %s" % (self.plan_code, self.plan_year, self.tier)


@dataclass(frozen=True)
class Sums:
    premium: Decimal  # the period's premium lines
    adjustments: Decimal  # the retro adjustment lines
    premium_lines: int
    adjustment_lines: int


def adjustment_months(group, period: date, today: date, invoiced_periods) -> list[date]:
    """Return the months before `period` whose changes become adjustment lines on an invoice issued `today`.

    A month qualifies when the group has an invoice for it, it is invoiced by today
    (rules.is_invoiced) and its last day is inside the retro window (rules.month_within_retro_window).
    Months the portal never invoiced (before the group's first invoice) get no adjustment.
    """
    earliest = (today - timedelta(days=group.retro_days)).replace(day=1)
    return [
        month
        for month in rules.months(earliest, add_months(period, -1))
        if month in invoiced_periods
        and rules.is_invoiced(month, today, group.invoice_day)
        and rules.month_within_retro_window(month, today, group.retro_days)
    ]


def _months_params(group, months):
    months = sorted(months)
    years = [plan_year_of(group.renewal_month, m) for m in months]
    return [
        months,
        [last_of_month(m) for m in months],
        [rules.days_in_month(m) for m in months],
        years,
        [plan_year_start(group.renewal_month, y) for y in years],
    ]


def _check_group(group):
    if group.rating_method not in ("tiered", "age_banded"):
        raise ValueError("Unknown rating method %r." % group.rating_method)
    rules.check_policy(group.billing_policy)


def charges_sql(group, months, *, include_pending: bool) -> tuple[str, list]:
    """Return (SELECT, params): the premium lines `months` bill now for the group's coverages."""
    _check_group(group)
    carried, carried_params = pricing.carried_plan_sql(
        plan_sql="t.coverage_plan_id", coverage_plan_year_sql="t.coverage_plan_year", subgroup_sql="t.subgroup_id",
        plan_year_sql_="t.plan_year",
        rows=pricing.carry_over_rows(group, {plan_year_of(group.renewal_month, m) for m in months}),
    )
    if group.billing_policy == rules.MID_MONTH:
        # One line per subscriber and month: of the coverages started by the 15th, the last to start.
        chosen = (
            "SELECT DISTINCT ON (subscriber_id, month) * FROM touching WHERE start <= month + %d "
            "ORDER BY subscriber_id, month, start DESC" % (rules.MID_MONTH_DAY - 1)
        )
        amount = "q.monthly_premium"
    else:
        chosen = "SELECT * FROM touching"
        amount = "round(q.monthly_premium * p.covered_days / p.days, 2)"  # half away from zero: half-up for premiums
    premium = pricing.monthly_premium_sql(
        rating_method_sql="'%s'" % group.rating_method, coverage_sql="p.coverage_id", plan_sql="p.plan_id",
        plan_year_sql_="p.plan_year", year_start_sql="p.year_start", tier_sql="p.tier",
    )
    statuses = [Coverage.Status.ACTIVE.value] + ([Coverage.Status.PENDING.value] if include_pending else [])
    sql = """
        WITH months AS (
            SELECT * FROM unnest(%s::date[], %s::date[], %s::int[], %s::int[], %s::date[])
                AS mo(month, last_day, days, plan_year, year_start)
        ),
        touching AS (
            SELECT c.id AS coverage_id, c.subscriber_id, s.subgroup_id, c.plan_id AS coverage_plan_id,
                   c.plan_year AS coverage_plan_year, c.tier, c.start, c."end",
                   mo.month, mo.days, mo.plan_year, mo.year_start,
                   (LEAST(COALESCE(c."end", mo.last_day), mo.last_day) - GREATEST(c.start, mo.month) + 1) AS covered_days
            FROM enrollment_coverage c
            JOIN enrollment_subscriber s ON s.id = c.subscriber_id
            JOIN months mo ON c.start <= mo.last_day AND (c."end" IS NULL OR c."end" >= mo.month)
            WHERE c.group_id = %s AND c.status = ANY(%s)
              AND c.continuation_id IS NULL  -- continuation coverage is billed as COBRA lines (billing.cobra)
        ),
        chosen AS ({chosen}),
        priced AS (
            SELECT t.*, {carried} AS plan_id,
                   (SELECT count(*) FROM enrollment_coveredmember cm WHERE cm.coverage_id = t.coverage_id) + 1 AS members
            FROM chosen t
        )
        SELECT p.*, q.monthly_premium, {amount} AS amount
        FROM priced p CROSS JOIN LATERAL (SELECT {premium} AS monthly_premium) q
    """.format(chosen=chosen, carried=carried, amount=amount, premium=premium)
    return sql, _months_params(group, months) + [group.pk, statuses] + carried_params


def adjustments_sql(group, window: list[date]) -> tuple[str, list]:
    """Return (SELECT, params) over billing_charges: one row per subscriber and month of `window`
    whose cost now differs from what was billed (premium and retro adjustment lines), with the cause.

    The cause is the subscriber's latest completed request decided after the month was last
    billed for them (the latest invoice with a line of theirs for it, else the month's invoice).
    """
    sql = """
        WITH cost AS (
            SELECT subscriber_id, month, sum(amount) AS cost FROM {charges} WHERE month = ANY(%s::date[]) GROUP BY 1, 2
        ),
        cost_line AS (
            SELECT DISTINCT ON (subscriber_id, month) subscriber_id, month, coverage_id, plan_id, tier, members
            FROM {charges} WHERE month = ANY(%s::date[]) ORDER BY subscriber_id, month, start DESC
        ),
        group_lines AS (
            SELECT l.id, l.kind, l.subscriber_id, l.service_month, l.amount, l.coverage_id, l.plan_id, l.tier, l.members,
                   i.created_at AS invoiced_at
            FROM billing_invoiceline l JOIN billing_invoice i ON i.id = l.invoice_id
            WHERE i.group_id = %s AND l.service_month = ANY(%s::date[]) AND l.subscriber_id IS NOT NULL
              AND l.kind IN ('premium', 'adjustment')
              AND NOT EXISTS (  -- continuation rows' lines are billing.cobra's to compare
                  SELECT 1 FROM enrollment_coverage cc WHERE cc.id = l.coverage_id AND cc.continuation_id IS NOT NULL
              )
        ),
        billed AS (
            SELECT subscriber_id, service_month AS month, sum(amount) AS billed, max(invoiced_at) AS billed_at
            FROM group_lines GROUP BY 1, 2
        ),
        billed_line AS (
            SELECT DISTINCT ON (subscriber_id, service_month) subscriber_id, service_month AS month, coverage_id, plan_id, tier, members
            FROM group_lines WHERE kind = 'premium' ORDER BY subscriber_id, service_month, id DESC
        ),
        month_issued AS (
            SELECT period AS month, min(created_at) AS issued_at FROM billing_invoice
            WHERE group_id = %s AND period = ANY(%s::date[]) GROUP BY 1
        ),
        diff AS (
            SELECT COALESCE(c.subscriber_id, b.subscriber_id) AS subscriber_id, COALESCE(c.month, b.month) AS month,
                   COALESCE(c.cost, 0) - COALESCE(b.billed, 0) AS amount, COALESCE(c.cost, 0) AS cost,
                   COALESCE(b.billed, 0) AS billed, COALESCE(b.billed_at, mi.issued_at) AS billed_at
            FROM cost c FULL JOIN billed b ON b.subscriber_id = c.subscriber_id AND b.month = c.month
            LEFT JOIN month_issued mi ON mi.month = COALESCE(c.month, b.month)
        )
        SELECT d.subscriber_id, s.subgroup_id, d.month, d.amount, d.cost, d.billed,
               COALESCE(cl.coverage_id, bl.coverage_id) AS coverage_id, COALESCE(cl.plan_id, bl.plan_id) AS plan_id,
               COALESCE(cl.tier, bl.tier, '') AS tier, COALESCE(cl.members, bl.members, 1) AS members,
               cr.id AS change_request_id, s.last_name, s.first_name
        FROM diff d
        JOIN enrollment_subscriber s ON s.id = d.subscriber_id
        LEFT JOIN cost_line cl ON cl.subscriber_id = d.subscriber_id AND cl.month = d.month
        LEFT JOIN billed_line bl ON bl.subscriber_id = d.subscriber_id AND bl.month = d.month
        LEFT JOIN LATERAL (
            SELECT r.id FROM enrollment_changerequest r
            WHERE r.subscriber_id = d.subscriber_id AND r.status = 'completed' AND r.decided_at > d.billed_at
            ORDER BY r.decided_at DESC, r.id DESC LIMIT 1
        ) cr ON true
        WHERE d.amount <> 0
    """.format(charges=CHARGES)
    return sql, [window, window, group.pk, window, group.pk, window]


def compute(group, *, period: date, window: list[date], include_pending: bool = False) -> None:
    """Fill the temporary tables billing_charges (period and window months) and billing_adjust (window months).

    Call inside a transaction: the tables are dropped at its commit.
    """
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS %s; DROP TABLE IF EXISTS %s" % (CHARGES, ADJUST))
        sql, params = charges_sql(group, sorted(set(window) | {period}), include_pending=include_pending)
        cursor.execute("CREATE TEMP TABLE %s ON COMMIT DROP AS %s" % (CHARGES, sql), params)
        cursor.execute("ANALYZE %s" % CHARGES)
        sql, params = adjustments_sql(group, sorted(window))
        cursor.execute("CREATE TEMP TABLE %s ON COMMIT DROP AS %s" % (ADJUST, sql), params)


def missing_rates(limit: int = 10) -> list[MissingRate]:
    """Return the rates the carrier has not set up that the computed lines need (none: all priced)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT p.code, ch.plan_year, ch.tier FROM {charges} ch JOIN enrollment_plan p ON p.id = ch.plan_id
            WHERE ch.monthly_premium IS NULL ORDER BY 1, 2, 3 LIMIT %s
            """.format(charges=CHARGES),
            [limit],
        )
        return [MissingRate(code, year, tier) for code, year, tier in cursor.fetchall()]


def sums(period: date) -> Sums:
    """Return the totals of the computed premium lines of `period` and of the adjustment lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(sum(amount), 0), count(*) FROM {charges} WHERE month = %s".format(charges=CHARGES), [period]
        )
        premium, premium_lines = cursor.fetchone()
        cursor.execute("SELECT COALESCE(sum(amount), 0), count(*) FROM {adjust}".format(adjust=ADJUST))
        adjustments, adjustment_lines = cursor.fetchone()
    return Sums(Decimal(premium), Decimal(adjustments), premium_lines, adjustment_lines)


def insert_lines(invoice, group) -> None:
    """Write the computed premium lines of the invoice's period, their members (age-banded), and the adjustment lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO billing_invoiceline (invoice_id, kind, subscriber_id, subgroup_id, coverage_id, plan_id, tier,
                members, service_month, amount, monthly_premium, covered_days, memo, change_request_id)
            SELECT %s, 'premium', ch.subscriber_id, ch.subgroup_id, ch.coverage_id, ch.plan_id, ch.tier, ch.members,
                   ch.month, ch.amount, ch.monthly_premium, ch.covered_days, '', NULL
            FROM {charges} ch JOIN enrollment_subscriber s ON s.id = ch.subscriber_id
            WHERE ch.month = %s
            ORDER BY s.last_name, s.first_name, s.id, ch.start
            """.format(charges=CHARGES),
            [invoice.pk, invoice.period],
        )
        cursor.execute(
            """
            INSERT INTO billing_invoiceline (invoice_id, kind, subscriber_id, subgroup_id, coverage_id, plan_id, tier,
                members, service_month, amount, monthly_premium, covered_days, memo, change_request_id)
            SELECT %s, 'adjustment', a.subscriber_id, a.subgroup_id, a.coverage_id, a.plan_id, a.tier, a.members,
                   a.month, a.amount, NULL, NULL, '', a.change_request_id
            FROM {adjust} a
            ORDER BY a.last_name, a.first_name, a.subscriber_id, a.month
            """.format(adjust=ADJUST),
            [invoice.pk],
        )
        if group.rating_method == "age_banded":
            insert_line_members(cursor, invoice, group)


def insert_line_members(cursor, invoice, group) -> None:
    """Write each age-banded premium line's members: their age, band and share of the line.

    The shares are rules.member_shares: each member's premium in proportion, floored to the
    cent, the cents left over to the largest remainders (the earlier member first on a tie).
    """
    members = pricing.member_premiums_sql(
        coverage_sql="l.coverage_id", plan_sql="l.plan_id", plan_year_sql_="mo.plan_year", year_start_sql="mo.year_start"
    )
    month_params = _months_params(group, [invoice.period])
    cursor.execute(
        """
        INSERT INTO billing_invoicelinemember (line_id, dependent_id, age, age_band, amount)
        SELECT line_id, dependent_id, age, age_band,
               ((base + CASE WHEN row_number() OVER (PARTITION BY line_id ORDER BY remainder DESC, member_order) <= left_over
                             THEN 1 ELSE 0 END)::numeric / 100)::numeric(12, 2)
        FROM (
            SELECT w.*,
                   COALESCE(w.cents * w.weight / NULLIF(w.total, 0), 0) AS base,
                   COALESCE(w.cents * w.weight %% NULLIF(w.total, 0), 0) AS remainder,  -- %% is SQL's modulo, doubled for the driver
                   w.cents - (sum(COALESCE(w.cents * w.weight / NULLIF(w.total, 0), 0)) OVER (PARTITION BY w.line_id))::bigint AS left_over
            FROM (
                SELECT l.id AS line_id, mp.member_order, mp.dependent_id, mp.age, mp.age_band,
                       (l.amount * 100)::bigint AS cents, (mp.premium * 100)::bigint AS weight,
                       (sum((mp.premium * 100)::bigint) OVER (PARTITION BY l.id))::bigint AS total  -- integers: base and remainder are exact
                FROM billing_invoiceline l
                JOIN unnest(%s::date[], %s::date[], %s::int[], %s::int[], %s::date[])
                    AS mo(month, last_day, days, plan_year, year_start) ON mo.month = l.service_month
                CROSS JOIN LATERAL ({members}) mp
                WHERE l.invoice_id = %s AND l.kind = 'premium'
            ) w
        ) shares
        ORDER BY line_id, member_order
        """.format(members=members),
        month_params + [invoice.pk],
    )


def written_sums(invoice) -> tuple[Decimal, Decimal]:
    """Return the sums of an invoice's premium kinds and adjustment kinds as written (to check its totals)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(sum(amount) FILTER (WHERE kind IN ('premium', 'cobra')), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind IN ('adjustment', 'manual')), 0)
            FROM billing_invoiceline WHERE invoice_id = %s
            """,
            [invoice.pk],
        )
        premium, adjustments = cursor.fetchone()
    return Decimal(premium or ZERO), Decimal(adjustments or ZERO)


# --- The next-invoice preview reads the temporary tables ------------------------------------------


def preview_breakdown(period: date, subgroup_ids) -> list[dict]:
    """Return the computed lines summed by plan, tier and subgroup (as premium_breakdown does for an invoice)."""
    scope, params = _scope_filter(subgroup_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT plan_id, p.code, p.name, tier, subgroup_id, sg.name,
                   count(DISTINCT subscriber_id) FILTER (WHERE kind = 'premium'),
                   COALESCE(sum(members) FILTER (WHERE kind = 'premium'), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind = 'premium'), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind = 'adjustment'), 0)
            FROM (
                SELECT 'premium' AS kind, subscriber_id, subgroup_id, plan_id, tier, members, amount FROM {charges} WHERE month = %s
                UNION ALL
                SELECT 'adjustment', subscriber_id, subgroup_id, plan_id, tier, 0, amount FROM {adjust}
            ) l
            LEFT JOIN enrollment_plan p ON p.id = l.plan_id
            LEFT JOIN accounts_subgroup sg ON sg.id = l.subgroup_id
            WHERE {scope}
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY 3, 4, 6
            """.format(charges=CHARGES, adjust=ADJUST, scope=scope),
            [period] + params,
        )
        keys = ("plan_id", "plan__code", "plan__name", "tier", "subgroup_id", "subgroup__name", "subscribers", "members", "premium", "adjustments")
        rows = [dict(zip(keys, row)) for row in cursor.fetchall()]
    for row in rows:
        row["total"] = row["premium"] + row["adjustments"]
    return rows


def preview_adjustments(subgroup_ids, *, limit: int) -> list[dict]:
    """Return the computed adjustment lines (subscriber, month, amount, cause), at most `limit`, by subscriber name."""
    scope, params = _scope_filter(subgroup_ids, column="a.subgroup_id")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.subscriber_number, s.last_name, s.first_name, a.month, a.amount, r.confirmation_number
            FROM {adjust} a JOIN enrollment_subscriber s ON s.id = a.subscriber_id
            LEFT JOIN enrollment_changerequest r ON r.id = a.change_request_id
            WHERE {scope}
            ORDER BY a.last_name, a.first_name, a.subscriber_id, a.month LIMIT %s
            """.format(adjust=ADJUST, scope=scope),
            params + [limit],
        )
        keys = ("subscriber_number", "last_name", "first_name", "month", "amount", "confirmation_number")
        return [dict(zip(keys, row)) for row in cursor.fetchall()]


def _scope_filter(subgroup_ids, column="subgroup_id"):
    if subgroup_ids is None:
        return "true", []
    return "%s = ANY(%%s)" % column, [list(subgroup_ids)]


def insert_breakdown(invoice) -> None:
    """Sum the invoice's lines, once written (manual ones included), by plan, tier and subgroup."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO billing_invoicebreakdownrow (invoice_id, plan_id, tier, subgroup_id, subscribers, members, premium, adjustments, lines)
            SELECT invoice_id, plan_id, tier, subgroup_id,
                   count(DISTINCT subscriber_id) FILTER (WHERE kind IN ('premium', 'cobra')),
                   COALESCE(sum(members) FILTER (WHERE kind IN ('premium', 'cobra')), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind IN ('premium', 'cobra')), 0),
                   COALESCE(sum(amount) FILTER (WHERE kind IN ('adjustment', 'manual')), 0),
                   count(*)
            FROM billing_invoiceline WHERE invoice_id = %s
            GROUP BY invoice_id, plan_id, tier, subgroup_id
            """,
            [invoice.pk],
        )
