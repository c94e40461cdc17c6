"""Billing writes: issue a group's invoice for a month, post a manual adjustment, apply a payment,
mark invoices past due (billing/documents.py asks for an invoice's PDF).

Each is keyword-only and atomic; "today" is an argument. Work on one group's billing takes the
group's advisory lock first (`lock_group_billing`), so two runs at once issue one invoice and a
payment never lands between an invoice's totals and its lines. Emails and PDFs are queued on commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import BILLING_ROLES, AuditEvent, Membership
from billing import cobra, generation, rules
from billing.models import Adjustment, Invoice, InvoiceBreakdownRow, InvoiceDocument, InvoiceLine, Payment
from core.exceptions import PortalError
from core.identifiers import invoice_number
from core.money import ZERO
from core.tasks import send_templated_email

# pg_advisory_xact_lock(BILLING_LOCK, group id): one billing writer per group at a time.
BILLING_LOCK = 1101


class InvoiceNotDue(PortalError):
    """The month's invoice day has not come yet."""


class InvoiceOutOfOrder(PortalError):
    """A later month's invoice exists: invoices carry their balance forward, so they are issued in order."""


class MissingRates(PortalError):
    """The carrier has not set up a rate the invoice needs; nothing was issued."""

    def __init__(self, group, period, missing):
        self.missing = missing
        super().__init__(
            "Group %s, %s: no rate for %s. Set up the rates in Django admin and run it again."
            % (group.group_number, period.strftime("%Y-%m"), ", ".join(str(m) for m in missing))
        )


@dataclass(frozen=True)
class Issued:
    invoice: Invoice
    created: bool  # False: the invoice existed already and nothing was written


# What counts as money received: a payment Stripe (or a specialist) confirmed, less what was refunded.
RECEIVED = (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED)


def lock_group_billing(group) -> None:
    """Wait for, then hold until the transaction ends, the lock on the group's billing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BILLING_LOCK, group.pk])


# --- Issue ------------------------------------------------------------------------------------


@transaction.atomic
def issue_invoice(*, group, period: date, today: date, issued_at: datetime | None = None, acting_user=None, notify: bool = True) -> Issued:
    """Issue the group's invoice for the month `period`, or return the one already issued (idempotent).

    Premium lines bill the coverage in force now under the group's billing policy; earlier
    months inside the retro window get adjustment lines (cost now minus billed); manual
    adjustments waiting for an invoice land on it; payments received since the previous
    invoice are counted. `today` is the issue date (on or after the month's invoice day);
    `issued_at` the instant recorded (now, unless the demo backfills history).
    """
    rules.check_month(period)
    lock_group_billing(group)
    existing = Invoice.objects.for_group(group).filter(period=period, sequence=1).first()
    if existing is not None:
        return Issued(existing, False)
    issue_day = rules.invoice_issue_date(period, group.invoice_day)
    if today < issue_day:
        raise InvoiceNotDue("The invoice for %s is issued on %s, not before." % (period.strftime("%B %Y"), issue_day.strftime("%b %-d, %Y")))
    previous = Invoice.objects.for_group(group).order_by("-period", "-sequence").first()
    if previous is not None and previous.period > period:
        raise InvoiceOutOfOrder("Group %s already has the invoice for %s." % (group.group_number, previous.period.strftime("%B %Y")))

    invoiced = set(Invoice.objects.for_group(group).values_list("period", flat=True))
    window = generation.adjustment_months(group, period, today, invoiced)
    generation.compute(group, period=period, window=window)
    missing = generation.missing_rates()
    if missing:
        raise MissingRates(group, period, missing)
    computed = generation.sums(period)
    continuation = cobra.lines_for(group, period=period, invoiced_periods=invoiced)
    manual = list(
        Adjustment.objects.for_group(group).filter(invoice_line__isnull=True).select_for_update(of=("self",)).select_related("subscriber").order_by("created_at", "id")
    )
    payments = list(Payment.objects.for_group(group).filter(status__in=RECEIVED, reported_invoice__isnull=True).select_for_update())
    totals = rules.invoice_totals(
        previous_balance=previous.amount_due if previous else ZERO,
        payments_received=sum((p.amount - p.amount_refunded for p in payments), ZERO),
        premium_lines=[computed.premium] + [line.amount for line in continuation if line.kind == InvoiceLine.Kind.COBRA],
        adjustment_lines=[computed.adjustments] + [line.amount for line in continuation if line.kind == InvoiceLine.Kind.ADJUSTMENT]
        + [a.amount for a in manual],
    )
    dates = rules.invoice_dates(period, group.invoice_day)
    invoice = Invoice.objects.create(
        group=group, number=invoice_number(group.group_number, period), period=period, sequence=1,
        issued_on=today, due_on=dates.due_on, previous_balance=totals.previous_balance,
        payments_received=totals.payments_received, current_premium=totals.current_premium,
        adjustments_total=totals.adjustments, amount_due=totals.amount_due, amount_paid=ZERO,
        status=rules.invoice_status(amount_due=totals.amount_due, amount_paid=ZERO, due_on=dates.due_on, today=today),
        created_at=issued_at or timezone.now(),
    )
    generation.insert_lines(invoice, group)
    cobra.write(invoice, continuation)
    _land_manual_adjustments(invoice, manual)
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(reported_invoice=invoice)

    # The lines are the invoice: refuse to commit one whose totals are not the sum of its lines.
    if generation.written_sums(invoice) != (totals.current_premium, totals.adjustments):
        raise AssertionError("Invoice %s: the lines written do not add up to its totals." % invoice.number)
    generation.insert_breakdown(invoice)
    record_event(
        action=AuditEvent.Action.INVOICE_ISSUED, actor=acting_user, group=group, object_type="invoice", object_id=invoice.number,
        detail={
            "period": period.isoformat(), "amount_due": str(invoice.amount_due),
            "lines": computed.premium_lines + computed.adjustment_lines + len(continuation) + len(manual),
        },
    )
    invoice_id = invoice.pk
    if notify:
        transaction.on_commit(lambda: email_billing_admins(invoice_id, "invoice_issued"))
    return Issued(invoice, True)


def _land_manual_adjustments(invoice, manual) -> None:
    """Put the specialists' waiting adjustments on the invoice, one manual line each."""
    if not manual:
        return
    lines = InvoiceLine.objects.bulk_create([
        InvoiceLine(
            invoice=invoice, kind=InvoiceLine.Kind.MANUAL, subscriber=a.subscriber,
            subgroup_id=a.subscriber.subgroup_id if a.subscriber else None, service_month=a.service_month,
            amount=a.amount, memo=a.memo[:255], change_request_id=a.change_request_id,
        )
        for a in manual
    ])
    for adjustment, line in zip(manual, lines):
        adjustment.invoice_line = line
    Adjustment.objects.bulk_update(manual, ["invoice_line"])


def issue_due_invoice(*, group, today: date) -> Issued | None:
    """Issue the group's invoice of the current cycle when its invoice day has come and it is missing, else None.

    From the invoice day on, the month invoiced is next month (rules.last_invoiced_month); a
    day the beat missed is caught up the next day.
    """
    period = rules.last_invoiced_month(today, group.invoice_day)
    if today < rules.invoice_issue_date(period, group.invoice_day):
        return None
    if Invoice.objects.for_group(group).filter(period__gte=period).exists():
        return None
    return issue_invoice(group=group, period=period, today=today)


# --- Manual adjustments --------------------------------------------------------------------------


def check_manual_adjustment(*, group, subscriber, service_month: date, amount: Decimal, memo: str) -> None:
    """Refuse a manual adjustment (ValidationError by field, with a code): zero, a fraction of a cent, no
    memo, a month not given by its first day, a subscriber of another group, or a credit larger than
    what was billed for that subscriber and month (adjustments waiting for an invoice included)."""
    errors = {}
    try:
        rules.check_manual_adjustment(amount, memo)
    except ValidationError as error:
        errors["memo" if error.code == "adjustment_memo_required" else "amount"] = error
    if service_month.day != 1:
        errors["service_month"] = ValidationError("Give the first day of the month corrected.", code="adjustment_month_first")
    if subscriber is not None and subscriber.group_id != group.pk:
        errors["subscriber"] = ValidationError("This subscriber is in another group.", code="subscriber_other_group")
    if not errors and subscriber is not None and amount < ZERO:
        billed = (
            InvoiceLine.objects.for_group(group).filter(subscriber=subscriber, service_month=service_month).aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        waiting = (
            Adjustment.objects.for_group(group).filter(subscriber=subscriber, service_month=service_month, invoice_line__isnull=True)
            .aggregate(total=Sum("amount"))["total"] or ZERO
        )
        if billed + waiting + amount < ZERO:
            errors["amount"] = ValidationError(
                "A credit cannot exceed what was billed for this subscriber and month (%s)." % (billed + waiting),
                code="adjustment_credit_exceeds_billed",
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def post_manual_adjustment(*, group, subscriber=None, service_month: date, amount: Decimal, memo: str, acting_user, change_request=None) -> Adjustment:
    """Post a specialist's adjustment (positive charges, negative credits); it lands on the group's next invoice.

    Checked by `check_manual_adjustment` under the group's billing lock.
    """
    lock_group_billing(group)
    check_manual_adjustment(group=group, subscriber=subscriber, service_month=service_month, amount=amount, memo=memo)
    adjustment = Adjustment.objects.create(
        group=group, subscriber=subscriber, service_month=service_month, amount=amount, memo=memo.strip(),
        source=Adjustment.Source.MANUAL, created_by=acting_user, change_request=change_request,
    )
    record_event(
        action=AuditEvent.Action.ADJUSTMENT_POSTED, actor=acting_user, group=group, obj=adjustment,
        detail={"amount": str(amount), "service_month": service_month.isoformat()},
    )
    return adjustment


# --- Payments -------------------------------------------------------------------------------------


@transaction.atomic
def apply_payment(
    *, group, invoice: Invoice | None, amount: Decimal, source: str, today: date, acting_user=None,
    received_at: datetime | None = None, idempotency_key: str, payment_method=None, stripe_payment_intent_id=None,
) -> Payment:
    """Record a payment received outside Stripe's flow (a check, the demo) and settle the group's invoices with it.

    The payment is reported as "payments received since" on the next invoice issued. The same
    idempotency key twice records one payment. Stripe's payments are recorded by
    billing.payments/charging and posted with `settle_payment` once Stripe says they succeeded.
    """
    rules.check_payment_amount(amount)
    if invoice is not None and invoice.group_id != group.pk:
        raise ValueError("The invoice is another group's.")
    lock_group_billing(group)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    received_at = received_at or timezone.now()
    payment = Payment.objects.create(
        group=group, invoice=invoice, amount=amount, status=Payment.Status.SUCCEEDED, source=source,
        payment_method=payment_method, idempotency_key=idempotency_key, stripe_payment_intent_id=stripe_payment_intent_id,
        created_by=acting_user, created_at=received_at, received_at=received_at,
    )
    settle_invoices(group=group, today=today)
    record_event(
        action=AuditEvent.Action.PAYMENT, actor=acting_user, group=group, obj=payment,
        detail={"amount": str(amount), "source": source, "invoice": invoice.number if invoice else ""},
    )
    return payment


@transaction.atomic
def settle_payment(*, payment: Payment, today: date) -> Invoice | None:
    """Post a payment's outcome (succeeded, refunded) to the group's invoices; return its invoice as it now stands.

    Settling recomputes from every payment, so posting the same outcome twice (a webhook
    delivered again) changes nothing.
    """
    settle_invoices(group=payment.group, today=today)
    return Invoice.objects.filter(pk=payment.invoice_id).first() if payment.invoice_id else None


@transaction.atomic
def settle_invoices(*, group, today: date) -> None:
    """Set every invoice's amount paid and status from the group's payments, balance forward.

    Each invoice's amount due carries the unpaid balance of the one before, so a payment counts
    toward every invoice issued before it was received and not settled yet: the payments are
    replayed in the order received (net of refunds), and an invoice stops counting them once
    paid (the payment that settles it may leave it overpaid: the credit carries forward through
    the next invoice's "payments received"). A handful of invoices and payments a group: no
    query per subscriber.
    """
    lock_group_billing(group)
    invoices = list(Invoice.objects.for_group(group).select_for_update().order_by("created_at", "pk"))
    # A payment counts from when it was received, and always toward the invoice it paid (Stripe's
    # clock, to the second, may read a hair earlier than the invoice's own creation).
    payments = [
        (max(received_at, paid_invoice_at) if paid_invoice_at else received_at, amount, refunded)
        for received_at, paid_invoice_at, amount, refunded in Payment.objects.for_group(group)
        .filter(status__in=RECEIVED, received_at__isnull=False)
        .order_by("received_at", "pk").values_list("received_at", "invoice__created_at", "amount", "amount_refunded")
    ]
    payments.sort(key=lambda row: row[0])
    for invoice in invoices:
        paid = ZERO
        for received_at, amount, refunded in payments:
            if received_at < invoice.created_at:
                continue
            if paid >= invoice.amount_due:
                break
            paid += amount - refunded
        status = rules.invoice_status(amount_due=invoice.amount_due, amount_paid=paid, due_on=invoice.due_on, today=today)
        if (invoice.amount_paid, invoice.status) != (paid, status):
            invoice.amount_paid, invoice.status = paid, status
            invoice.save(update_fields=["amount_paid", "status"])


# --- Past due ---------------------------------------------------------------------------------------


@transaction.atomic
def mark_past_due(*, today: date, groups=None, notify: bool = True) -> list[int]:
    """Mark every unpaid invoice whose grace period is over past due (rules.is_past_due); return their ids.

    One UPDATE for all groups (or those given); each invoice's billing and primary admins are
    emailed on commit, unless `notify` is False (the demo seeding its history).
    """
    # rules.is_past_due: today > due + GRACE_DAYS, that is due < today - GRACE_DAYS.
    invoices = Invoice.objects.filter(
        status__in=[Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID], due_on__lt=today - timedelta(days=rules.GRACE_DAYS)
    )
    if groups is not None:
        invoices = invoices.filter(group__in=groups)
    ids = list(invoices.values_list("pk", flat=True))
    if ids:
        Invoice.objects.filter(pk__in=ids).update(status=Invoice.Status.PAST_DUE)
        for invoice_id in ids if notify else ():
            transaction.on_commit(lambda invoice_id=invoice_id: email_billing_admins(invoice_id, "invoice_past_due"))
    return ids


# --- Emails --------------------------------------------------------------------------------------------


def billing_admins(group):
    """Return the group's active billing and primary admins who have an email address (who hear about bills and payments)."""
    return (
        Membership.objects.for_group(group)
        .filter(is_active=True, role__in=BILLING_ROLES, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__email")
    )


def email_billing_admins(invoice_id: int, template: str) -> int:
    """Queue an email about the invoice to each active billing and primary admin of its group; return how many."""
    invoice = Invoice.objects.select_related("group").get(pk=invoice_id)
    recipients = billing_admins(invoice.group)
    context = {
        "invoice_number": invoice.number,
        "period": invoice.period.strftime("%B %Y"),
        "amount_due": "${:,.2f}".format(invoice.amount_due) if invoice.amount_due >= 0 else "-${:,.2f}".format(-invoice.amount_due),
        "due_on": invoice.due_on.strftime("%b %-d, %Y"),
        "group_number": invoice.group.group_number,
        "group_name": invoice.group.legal_name,
        "status": invoice.get_status_display(),
    }
    count = 0
    for membership in recipients:  # one email per admin: no one sees another's address
        send_templated_email.delay(template=template, to=[membership.user.email], context={**context, "first_name": membership.user.first_name})
        count += 1
    return count


# --- The demo's monthly rebuild -------------------------------------------------------------------------


@transaction.atomic
def purge_billing_history(*, groups) -> None:
    """Delete the groups' invoices, lines, documents, payments and adjustments: for the demo's monthly rebuild only.

    Issued invoices are otherwise never deleted: the database refuses it unless this
    transaction says `billing.allow_purge` (migration billing 0004).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL billing.allow_purge = 'on'")
    group_ids = [g.pk for g in groups]
    Payment.objects.filter(group_id__in=group_ids).delete()
    Adjustment.objects.filter(group_id__in=group_ids).delete()
    InvoiceDocument.objects.filter(invoice__group_id__in=group_ids).delete()
    InvoiceBreakdownRow.objects.filter(invoice__group_id__in=group_ids).delete()
    InvoiceLine.objects.filter(invoice__group_id__in=group_ids).delete()  # members cascade
    Invoice.objects.filter(group_id__in=group_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL billing.allow_purge = 'off'")

