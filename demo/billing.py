"""Demo billing for `manage.py seed_demo`: six months of issued invoices per demo group, and their payments.

Built after demo.enrollment wrote the coverages; rebuilt only when the month changed since the
last run (the current month's invoice of Acme is the marker), so a rerun writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timezone
from decimal import Decimal

from django.db.models import Max, Min

from accounts.models import EmployerGroup
from billing.models import Adjustment, BillingAccount, Invoice, InvoiceLine, InvoiceLineMember, Payment
from core.identifiers import invoice_number
from core.money import ZERO, round_half_up
from demo.accounts import ACME, BLUEBIRD, CEDAR, HISTORY_MONTHS, anchor_month
from enrollment import rules
from enrollment.models import Coverage
from enrollment.selectors import RateTable

PARTIAL_SHARE = Decimal("0.60")  # Cedar Valley's check covered only part of last month's invoice


def last_invoiced_month(today: date) -> date:
    """Return the latest month invoiced by `today`: next month's invoice is issued on the invoice day (the 15th)."""
    anchor = anchor_month(today)
    return rules.add_months(anchor, 1) if today.day >= 15 else anchor


def is_current(today: date) -> bool:
    """Return whether the demo's billing (and coverages) were built for this invoice cycle already."""
    last = last_invoiced_month(today)
    periods = Invoice.objects.filter(group__group_number=ACME.group_number).aggregate(first=Min("period"), last=Max("period"))
    return periods == {"first": rules.add_months(last, 1 - HISTORY_MONTHS), "last": last}


def clear_billing(groups) -> None:
    """Remove the demo groups' invoices, lines, payments and adjustments before a rebuild."""
    Payment.objects.filter(group__in=groups).delete()
    Adjustment.objects.filter(group__in=groups).delete()
    InvoiceLineMember.objects.filter(line__invoice__group__in=groups).delete()
    InvoiceLine.objects.filter(invoice__group__in=groups).delete()
    Invoice.objects.filter(group__in=groups).delete()


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _premium_line(group, coverage, month, rates: RateTable) -> tuple[InvoiceLine, list[InvoiceLineMember]]:
    """Price one coverage for one month: its tier rate, or the sum of its members' age rates."""
    deps = [cm.dependent for cm in coverage.covered_members.all()]
    line = InvoiceLine(
        kind=InvoiceLine.Kind.PREMIUM, subscriber=coverage.subscriber, subgroup=coverage.subscriber.subgroup,
        coverage=coverage, plan=coverage.plan, tier=coverage.tier, members=1 + len(deps), service_month=month,
    )
    line.amount, premiums = rates.premium(
        group, plan_id=coverage.plan_id, plan_year=coverage.plan_year, tier=coverage.tier,
        members=[(None, "subscriber", coverage.subscriber.date_of_birth)] + [(dep, dep.relationship, dep.date_of_birth) for dep in deps],
        coverage_start=coverage.start,
    )
    members = [InvoiceLineMember(dependent=p.key, age=p.age, age_band=p.band, amount=p.premium) for p in premiums]
    return line, members


def _billed_in(coverage: Coverage, month: date) -> bool:
    """Mid-month rule: a start on or before the 15th bills the whole month; an end bills its whole month."""
    if coverage.end is not None and coverage.end < month:
        return False
    return coverage.start <= month.replace(day=15)


def seed_billing(groups: dict[str, EmployerGroup], users: dict, today: date) -> dict[str, int]:
    """Issue six months of invoices per demo group, with payments: all paid but the last two of Cedar Valley
    (one partially paid by check) and the latest of every group (open)."""
    rates = RateTable()
    anchor = anchor_month(today)
    last = last_invoiced_month(today)
    months = [rules.add_months(last, -i) for i in range(HISTORY_MONTHS - 1, -1, -1)]
    payers = {
        ACME.group_number: (Payment.Source.ONLINE, users["bill"]),
        BLUEBIRD.group_number: (Payment.Source.ONLINE, users["charlie"]),
        CEDAR.group_number: (Payment.Source.CHECK, users["specialist"]),
    }
    counts = defaultdict(int)
    for group_number, group in groups.items():
        BillingAccount.objects.get_or_create(group=group)
        coverages = list(
            Coverage.objects.filter(group=group, status=Coverage.Status.ACTIVE)
            .select_related("subscriber__subgroup", "plan")
            .prefetch_related("covered_members__dependent")
            .order_by("subscriber__last_name", "subscriber__first_name", "start")
        )
        previous_due, received = ZERO, ZERO
        for i, month in enumerate(months):
            lines = [_premium_line(group, cov, month, rates) for cov in coverages if _billed_in(cov, month)]
            premium = round_half_up(sum((line.amount for line, _ in lines), ZERO))
            issued = rules.add_months(month, -1).replace(day=group.invoice_day)
            invoice = Invoice(
                group=group, number=invoice_number(group.group_number, month), period=month, issued_on=issued, due_on=month,
                previous_balance=previous_due, payments_received=received, current_premium=premium,
                adjustments_total=ZERO, amount_due=previous_due - received + premium, created_at=_at(issued, 9),
            )
            latest = i == len(months) - 1
            partial = group_number == CEDAR.group_number and i == len(months) - 2
            if latest:
                paid = ZERO
            elif partial:
                paid = round_half_up((invoice.amount_due * PARTIAL_SHARE).quantize(Decimal("1")))
            else:
                paid = invoice.amount_due
            invoice.amount_paid = paid
            invoice.status = (
                Invoice.Status.OPEN if not paid else Invoice.Status.PAID if paid == invoice.amount_due else Invoice.Status.PARTIALLY_PAID
            )
            invoice.save()
            counts["invoices"] += 1
            for line, members in lines:
                line.invoice = invoice
            InvoiceLine.objects.bulk_create([line for line, _ in lines])
            InvoiceLineMember.objects.bulk_create(
                [InvoiceLineMember(line=line, dependent=m.dependent, age=m.age, age_band=m.age_band, amount=m.amount)
                 for line, members in lines for m in members]
            )
            counts["lines"] += len(lines)
            if paid:
                source, user = payers[group_number]
                paid_on = issued.replace(day=26) if source == Payment.Source.ONLINE else issued.replace(day=28)
                Payment.objects.create(
                    group=group, invoice=invoice, amount=paid, status=Payment.Status.SUCCEEDED, source=source,
                    idempotency_key="seed-%s" % invoice.number, created_by=user,
                    created_at=_at(paid_on), received_at=_at(paid_on),
                )
                counts["payments"] += 1
            previous_due, received = invoice.amount_due, paid

    # One manual adjustment waiting for Acme's next invoice, as a specialist posts them.
    acme = groups[ACME.group_number]
    Adjustment.objects.create(
        group=acme, service_month=rules.add_months(anchor, -1), amount=Decimal("-75.00"),
        memo="Courtesy credit: duplicate ID card shipping charged in error (ticket 44172)",
        source=Adjustment.Source.MANUAL, created_by=users["specialist"], created_at=_at(anchor, 18),
    )
    return dict(counts)
