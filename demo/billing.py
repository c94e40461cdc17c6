"""Demo billing for `manage.py seed_demo`: six months of invoices per demo group, made by the real billing services.

For each past month, in order, the invoice is issued by `billing.services.issue_invoice` as on its
invoice day, and the group pays it with `billing.services.apply_payment` on a day after; so there
is one implementation of invoices, and every demo group ends with a current invoice made by the
real generator. Before Acme's latest invoice one subscriber is terminated two months back (a
completed termination request), so that invoice carries two retro credits linked to the request.
A specialist's courtesy credit waits for Acme's next invoice.

Built after demo.enrollment wrote the coverages; rebuilt only when the month changed since the
last run (Acme's invoice months are the marker), so a rerun writes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Min

from accounts.models import EmployerGroup
from billing import rules, services
from billing.models import BillingAccount, Invoice, Payment
from core.identifiers import CONFIRMATION_ALPHABET
from core.money import round_half_up
from demo.accounts import ACME, BLUEBIRD, CEDAR, HISTORY_MONTHS, anchor_month
from demo.enrollment import LARGE_GROUP_BASE
from enrollment.models import ChangeRequest, Coverage, RequestEvent
from enrollment.rules import add_months, last_of_month

PARTIAL_SHARE = Decimal("0.60")  # Cedar Valley's check covered only part of last month's invoice
PAID_ON_DAY = {Payment.Source.ONLINE: 26, Payment.Source.CHECK: 28}  # of the month the invoice is issued in


def months_to_invoice(today: date, invoice_day: int = rules.DEFAULT_INVOICE_DAY) -> list[date]:
    """The demo's invoice months, oldest first: the six up to the latest invoiced by today."""
    last = rules.last_invoiced_month(today, invoice_day)
    return [add_months(last, -i) for i in range(HISTORY_MONTHS - 1, -1, -1)]


def is_current(today: date) -> bool:
    """Whether the demo's billing (and coverages) were built for this invoice cycle already."""
    months = months_to_invoice(today)
    periods = Invoice.objects.filter(group__group_number=ACME.group_number).aggregate(first=Min("period"), last=Max("period"))
    return periods == {"first": months[0], "last": months[-1]}


def clear_billing(groups) -> None:
    """Remove the demo groups' invoices, lines, payments and adjustments before a rebuild."""
    services.purge_billing_history(groups=list(groups))


def _at(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _confirmation_number(seed: str) -> str:
    """A confirmation number derived from `seed`: the same demo request every run of a month."""
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(CONFIRMATION_ALPHABET[b % len(CONFIRMATION_ALPHABET)] for b in digest[:10])


def seed_billing(groups: dict[str, EmployerGroup], users: dict, today: date) -> dict[str, int]:
    """Issue six months of invoices per demo group with the billing services, and pay them: all paid but
    Cedar Valley's last two (one partly, by check) and every group's latest (open)."""
    payers = {
        ACME.group_number: (Payment.Source.ONLINE, users["bill"]),
        BLUEBIRD.group_number: (Payment.Source.ONLINE, users["charlie"]),
        CEDAR.group_number: (Payment.Source.CHECK, users["specialist"]),
    }
    counts = defaultdict(int)
    for group_number, group in groups.items():
        BillingAccount.objects.get_or_create(group=group)
        source, payer = payers[group_number]
        months = months_to_invoice(today, group.invoice_day)
        for i, month in enumerate(months):
            issue_day = rules.invoice_issue_date(month, group.invoice_day)
            if group_number == ACME.group_number and i == len(months) - 1:
                _terminate_two_months_back(group, users["alice"], before=month)
            invoice = services.issue_invoice(
                group=group, period=month, today=issue_day, issued_at=_at(issue_day, 9), notify=False
            ).invoice
            counts["invoices"] += 1
            counts["lines"] += invoice.lines.count()
            if i == len(months) - 1:
                continue  # the current invoice: open
            balance = invoice.amount_due - invoice.amount_paid
            if group_number == CEDAR.group_number and i == len(months) - 2:
                balance = round_half_up((balance * PARTIAL_SHARE).quantize(Decimal("1")))
            if balance <= 0:
                continue
            paid_on = issue_day.replace(day=PAID_ON_DAY[source])
            services.apply_payment(
                group=group, invoice=invoice, amount=balance, source=source, today=paid_on, acting_user=payer,
                received_at=_at(paid_on), idempotency_key="seed-%s" % invoice.number,
            )
            counts["payments"] += 1
    services.mark_past_due(today=today, groups=list(groups.values()), notify=False)

    # A courtesy credit waiting for Acme's next invoice, as a specialist posts them in Django admin.
    services.post_manual_adjustment(
        group=groups[ACME.group_number], service_month=add_months(anchor_month(today), -1), amount=Decimal("-75.00"),
        memo="Courtesy credit: duplicate ID card shipping charged in error (ticket 44172)", acting_user=users["specialist"],
    )
    return dict(counts)


def _terminate_two_months_back(group, alice, *, before: date) -> None:
    """Terminate one of Acme's subscribers (the first Hourly one on Employee only) at the end of the month
    two before the month before `before`, by a request completed after that month was invoiced, as the
    maintenance pipeline does: the invoice of `before` then credits the two months billed since."""
    invoiced = add_months(before, -1)  # invoiced on the 15th of the month before it
    end = last_of_month(add_months(invoiced, -2))
    decided = _at(rules.invoice_issue_date(before, group.invoice_day) - timedelta(days=10), 18)
    coverage = (
        Coverage.objects.for_group(group).in_force_on(end).filter(subscriber__subgroup__code="HRLY", tier="EE", end__isnull=True)
        .select_related("subscriber").order_by("subscriber__last_name", "subscriber__first_name").first()
    )
    if coverage is None:
        return
    Coverage.objects.filter(pk=coverage.pk).update(end=end, termination_reason=Coverage.TerminationReason.END_OF_EMPLOYMENT)
    request, created = ChangeRequest.objects.get_or_create(
        confirmation_number=_confirmation_number("demo-termination-%s" % before.isoformat()),
        defaults=dict(
            group=group, kind=ChangeRequest.Kind.TERMINATION, status=ChangeRequest.Status.COMPLETED, subscriber=coverage.subscriber,
            coverage=coverage, submitted_by=alice, submitted_at=decided - timedelta(minutes=3), decided_at=decided,
            snapshot={"kind": "termination", "subscriber_number": coverage.subscriber.subscriber_number, "on": end.isoformat(),
                      "reason": "end_of_employment"},
        ),
    )
    if created:
        RequestEvent.objects.bulk_create([
            RequestEvent(request=request, status=ChangeRequest.Status.RECEIVED, at=decided - timedelta(minutes=3), actor=alice),
            RequestEvent(request=request, status=ChangeRequest.Status.PROCESSING, at=decided - timedelta(minutes=2)),
            RequestEvent(request=request, status=ChangeRequest.Status.COMPLETED, at=decided,
                         note="Coverage ends %s." % end.strftime("%b %-d, %Y")),
        ])


def seed_large_billing(groups: int, today: date) -> int:
    """Issue the current invoice of the large groups 900001.. (none of their history); return how many were new."""
    issued = 0
    numbers = ["%06d" % (LARGE_GROUP_BASE + seq) for seq in range(1, groups + 1)]
    for group in EmployerGroup.objects.filter(group_number__in=numbers).order_by("group_number"):
        period = rules.last_invoiced_month(today, group.invoice_day)
        result = services.issue_invoice(group=group, period=period, today=today, notify=False)
        issued += result.created
    if issued:
        with connection.cursor() as cursor:  # fresh statistics, or the invoice page plans for 10 lines and sorts 10,000
            cursor.execute("ANALYZE billing_invoiceline, billing_invoicelinemember, billing_invoicebreakdownrow")
    return issued
