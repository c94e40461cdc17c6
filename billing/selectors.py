"""Billing reads that pages, documents and other apps share.

Pages pass the admin's membership: invoices, payments and adjustments are the whole group's;
invoice lines are limited to the admin's subgroups when the admin is (`for_membership`). The
worker rendering a PDF has no membership, so the line reads also take the subgroup ids
(`lines_in_scope`), the same set a membership yields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Subgroup
from billing import charts, cobra, generation, recost, rules
from billing.models import Adjustment, Invoice, InvoiceBreakdownRow, InvoiceLine, InvoiceLineMember, Payment
from core.money import ZERO
from enrollment.models import Coverage, CoveredMember, Subscriber, Tier

TIER_ORDER = {tier: i for i, tier in enumerate(Tier.values)}
MONEY = DecimalField(max_digits=12, decimal_places=2)


def current_invoice(membership):
    """Return the group's latest issued invoice, or None."""
    return Invoice.objects.for_membership(membership).order_by("-period", "-sequence").first()


def invoices_for(membership):
    """Return the group's invoices, newest first."""
    return Invoice.objects.for_membership(membership).order_by("-period", "-sequence")


# --- Scope: the whole group, or an admin's subgroups -------------------------------------------


def scope_of(membership) -> list[int] | None:
    """Return the subgroup ids an admin is limited to (sorted), or None for the whole group."""
    limited = membership.limited_subgroup_ids
    return sorted(limited) if limited is not None else None


def scope_key(subgroup_ids) -> str:
    """Return how a document's scope is stored: "" for the whole group, else "3,7"."""
    return "" if subgroup_ids is None else ",".join(str(i) for i in sorted(subgroup_ids))


def subgroup_ids_of(key: str) -> list[int] | None:
    return None if key == "" else [int(i) for i in key.split(",")]


def scope_names(subgroup_ids) -> list[str]:
    """Return the names of the subgroups of a limited scope ("Showing the subscribers of: Hourly")."""
    if subgroup_ids is None:
        return []
    return list(Subgroup.objects.filter(pk__in=subgroup_ids).order_by("name").values_list("name", flat=True))


def lines_in_scope(invoice, subgroup_ids):
    """Return the invoice's lines within a scope, with what a row shows, in the order written (subscriber names)."""
    lines = InvoiceLine.objects.filter(invoice=invoice)
    if subgroup_ids is not None:
        lines = lines.filter(subgroup_id__in=subgroup_ids)
    return lines.select_related("subscriber", "subgroup", "plan", "change_request").order_by("id")


def invoice_lines(membership, invoice):
    """Return the invoice's lines the admin may see."""
    return lines_in_scope(invoice, scope_of(membership))


@dataclass(frozen=True)
class Subtotal:
    premium: Decimal
    adjustments: Decimal
    total: Decimal
    lines: int


def _breakdown_rows(invoice, subgroup_ids):
    rows = InvoiceBreakdownRow.objects.filter(invoice=invoice)
    return rows if subgroup_ids is None else rows.filter(subgroup_id__in=subgroup_ids)


def subtotal(invoice, subgroup_ids) -> Subtotal:
    """Return the sums of the lines in a scope (one query over the invoice's breakdown rows): for a limited
    admin, their subgroups' part of the invoice."""
    row = _breakdown_rows(invoice, subgroup_ids).aggregate(
        premium=Coalesce(Sum("premium"), Value(ZERO), output_field=MONEY),
        adjustments=Coalesce(Sum("adjustments"), Value(ZERO), output_field=MONEY),
        lines=Coalesce(Sum("lines"), 0),
    )
    return Subtotal(row["premium"], row["adjustments"], row["premium"] + row["adjustments"], row["lines"])


# --- The premium breakdown ----------------------------------------------------------------------


def premium_breakdown(invoice, subgroup_ids) -> list[dict]:
    """Return the invoice's lines summed by plan, tier and subgroup: subscribers, members, premium, adjustments, total.

    Written with the invoice (InvoiceBreakdownRow). Lines without a plan (a manual adjustment) have a row of their own.
    """
    rows = list(
        _breakdown_rows(invoice, subgroup_ids)
        .values("plan_id", "plan__code", "plan__name", "tier", "subgroup_id", "subgroup__name", "subscribers", "members", "premium", "adjustments")
    )
    for row in rows:
        row["total"] = row["premium"] + row["adjustments"]
    rows.sort(key=lambda r: (r["plan__name"] is None, r["plan__name"] or "", TIER_ORDER.get(r["tier"], 9), r["subgroup__name"] or ""))
    return rows


# --- Contract Detail -----------------------------------------------------------------------------------


@dataclass
class Contract:
    subscriber: Subscriber
    lines: list  # the subscriber's lines on this invoice, each with `member_rates` (age-banded members)
    coverages: list = field(default_factory=list)  # the coverages those lines bill, with covered members


def contract(membership, invoice, subscriber) -> Contract:
    """Return what Contract Detail shows of a subscriber on an invoice (a fixed number of queries)."""
    lines = list(invoice_lines(membership, invoice).filter(subscriber=subscriber))
    members = {}
    for member in InvoiceLineMember.objects.filter(line__in=[line.pk for line in lines]).select_related("dependent").order_by("line", "id"):
        members.setdefault(member.line_id, []).append(member)
    for line in lines:
        line.member_rates = members.get(line.pk, [])
    coverage_ids = {line.coverage_id for line in lines if line.coverage_id}
    coverages = list(
        Coverage.objects.for_membership(membership).filter(Q(pk__in=coverage_ids) | Q(subscriber=subscriber, status=Coverage.Status.ACTIVE))
        .select_related("plan").order_by("-start")
        .prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.select_related("dependent").order_by("dependent__member_suffix")))
    )
    return Contract(subscriber=subscriber, lines=lines, coverages=coverages)


def subscriber_history(membership, subscriber, *, through: date):
    """Return the subscriber's lines on the group's invoices up to the month `through`, newest first."""
    return (
        InvoiceLine.objects.for_membership(membership)
        .filter(subscriber=subscriber, invoice__period__lte=through)
        .select_related("invoice", "plan", "change_request")
        .order_by("-invoice__period", "-invoice__sequence", "service_month", "id")
    )


# --- Balance and the dashboard ---------------------------------------------------------------------


def current_balance(group) -> Decimal:
    """Return what the group owes now: the latest invoice's amount due less the payments received since (negative: a credit)."""
    latest = Invoice.objects.for_group(group).order_by("-period", "-sequence").values("amount_due").first()
    unreported = Payment.objects.for_group(group).filter(status=Payment.Status.SUCCEEDED, reported_invoice__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
    )["total"]
    return (latest["amount_due"] if latest else ZERO) - unreported


@dataclass(frozen=True)
class MonthBilled:
    period: date
    number: str
    billed: Decimal  # the invoice's new charges: current premium and adjustments
    paid: Decimal  # payments made against it


def billed_and_paid(group, *, months: int = 12) -> list[MonthBilled]:
    """Return the group's last `months` invoices (oldest first) with what each billed and what was paid against it, in one query."""
    paid = Payment.objects.filter(invoice=OuterRef("pk"), status=Payment.Status.SUCCEEDED).order_by().values("invoice").annotate(
        total=Sum("amount")
    ).values("total")
    rows = (
        Invoice.objects.for_group(group).filter(sequence=1).order_by("-period")
        .annotate(paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .values("period", "number", "current_premium", "adjustments_total", "paid")[:months]
    )
    return [MonthBilled(r["period"], r["number"], r["current_premium"] + r["adjustments_total"], r["paid"]) for r in reversed(list(rows))]


def dashboard(group) -> dict:
    """Return Group Home's billing dashboard: the balance today and the chart of the last 12 invoices (two queries)."""
    return {"balance": current_balance(group), "chart": charts.billed_and_paid_chart(billed_and_paid(group, months=12))}


# --- Invoice history ---------------------------------------------------------------------------------


def invoice_history(membership, *, issued_from=None, issued_to=None, subgroup=None):
    """Return the group's invoices, filtered by the day issued and (invoices with lines there) subgroup.

    With a subgroup, or for an admin limited to subgroups, each row carries `scope_total`: the
    sum of the lines of those subgroups (a subquery, so one query a page).
    """
    invoices = invoices_for(membership)
    if issued_from:
        invoices = invoices.filter(issued_on__gte=issued_from)
    if issued_to:
        invoices = invoices.filter(issued_on__lte=issued_to)
    subgroup_ids = [subgroup.pk] if subgroup is not None else scope_of(membership)
    if subgroup_ids is not None:
        in_scope = InvoiceLine.objects.filter(invoice=OuterRef("pk"), subgroup_id__in=subgroup_ids)
        invoices = invoices.filter(Q(pk__in=in_scope.values("invoice"))).annotate(
            scope_total=Coalesce(
                Subquery(in_scope.order_by().values("invoice").annotate(total=Sum("amount")).values("total"), output_field=MONEY),
                Value(ZERO), output_field=MONEY,
            )
        )
    return invoices


# --- Next-invoice preview ---------------------------------------------------------------------------


@dataclass
class Preview:
    period: date
    issue_on: date  # changes confirmed on or after this day reach `period` only by a later adjustment
    due_on: date
    already_issued: Invoice | None
    previous_balance: Decimal = ZERO
    premium: Decimal = ZERO
    adjustments: Decimal = ZERO
    manual: Decimal = ZERO
    amount_due: Decimal = ZERO
    breakdown: list = field(default_factory=list)
    adjustment_rows: list = field(default_factory=list)
    scope_premium: Decimal = ZERO
    scope_adjustments: Decimal = ZERO
    missing_rates: list = field(default_factory=list)


PREVIEW_ADJUSTMENT_ROWS = 100


def next_invoice_preview(membership, today: date) -> Preview:
    """Return what the group's next invoice will be if nothing else changes, pending requests included.

    The same generator as issuing, counting coverages still pending (confirmed, waiting for the
    worker) and computing the retro window as of the issue day; nothing is written.
    """
    group = membership.group
    period = rules.next_invoice_month(today, group.invoice_day)
    dates = rules.invoice_dates(period, group.invoice_day)
    preview = Preview(period=period, issue_on=dates.issued_on, due_on=dates.due_on, already_issued=None)
    preview.already_issued = Invoice.objects.for_group(group).filter(period=period).first()
    if preview.already_issued is not None:
        return preview
    invoiced = set(Invoice.objects.for_group(group).values_list("period", flat=True))
    window = generation.adjustment_months(group, period, dates.issued_on, invoiced)
    subgroup_ids = scope_of(membership)
    with transaction.atomic():  # the temporary tables live until the end of this block's transaction
        generation.compute(group, period=period, window=window, include_pending=True)
        preview.missing_rates = generation.missing_rates()
        sums = generation.sums(period)
        preview.premium, preview.adjustments = sums.premium, sums.adjustments
        preview.breakdown = generation.preview_breakdown(period, subgroup_ids)
        preview.adjustment_rows = generation.preview_adjustments(subgroup_ids, limit=PREVIEW_ADJUSTMENT_ROWS)
        preview.scope_premium = sum((r["premium"] for r in preview.breakdown), ZERO)
        preview.scope_adjustments = sum((r["adjustments"] for r in preview.breakdown), ZERO)
        transaction.set_rollback(True)  # a preview writes nothing
    for line in cobra.lines_for(group, period=period, invoiced_periods=invoiced):
        in_scope = subgroup_ids is None or line.period.subgroup_id in subgroup_ids
        if line.kind == InvoiceLine.Kind.COBRA:
            preview.premium += line.amount
            preview.scope_premium += line.amount if in_scope else ZERO
        else:
            preview.adjustments += line.amount
            preview.scope_adjustments += line.amount if in_scope else ZERO
    preview.manual = Adjustment.objects.for_group(group).filter(invoice_line__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
    )["total"]
    preview.previous_balance = current_balance(group)
    preview.amount_due = preview.previous_balance + preview.premium + preview.adjustments + preview.manual
    return preview


# --- What enrollment asks of billing (registered in BillingConfig.ready) ---------------------------------


def expected_termination_credit(*, subscriber, end: date, today: date) -> Decimal | None:
    """Return the credit (zero or more) the group can expect if the subscriber's coverage ends on `end`.

    The months already billed for the subscriber are costed again with every coverage cut at
    `end` (rules.month_cost on the rates those lines applied), and rules.adjustment_lines says
    which differences the next invoice will credit: months invoiced and inside the retro window
    on its issue day. None when nothing was ever billed for the subscriber.
    """
    billed = recost.billed_for(subscriber)
    if billed is None:
        return None
    group = subscriber.group
    cost = recost.costs(billed, recost.ended(end), policy=group.billing_policy)
    credits = recost.next_invoice_adjustments(billed, cost, group=group, today=today)
    return -sum((line.amount for line in credits if line.amount < ZERO), ZERO)
