"""Charging and recording: what the web and the worker both do with a payment attempt.

- save the method a browser collected with Stripe.js (only Stripe's identifier, brand and last 4);
- send an attempt to Stripe with its own idempotency key, and record a decline at once;
- record Stripe's outcomes from its webhooks: the webhook, never the browser's return, marks a
  payment succeeded, and posts it to the invoices through `billing.services.settle_payment`;
- settle refunds; make the Recurring Payment (autopay) notices and attempts that fall due.

Every outcome is written under a lock on the payment and only moves it forward (pending ->
succeeded or failed, failed -> succeeded, succeeded <-> refunded by refunds), so a duplicate or
out-of-order event changes nothing twice. This module queues emails, never a billing task:
`billing.tasks` calls it (and queues the attempts it returns).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import dateformat, timezone

from accounts.audit import record_event
from accounts.models import AuditEvent
from billing import rules, services
from billing import stripe_gateway as gateway
from billing.models import Autopay, AutopayNotice, BillingAccount, Invoice, Payment, PaymentMethod, Refund
from core.exceptions import PortalError
from core.identifiers import display_confirmation_number
from core.tasks import send_templated_email

log = logging.getLogger(__name__)

PENDING, SUCCEEDED, FAILED, REFUNDED = (Payment.Status.PENDING, Payment.Status.SUCCEEDED, Payment.Status.FAILED, Payment.Status.REFUNDED)
ONLINE_KEY = "pay-%d-%d"  # invoice id, the attempt's place among the invoice's payments
AUTOPAY_KEY = "autopay-%d-%s"  # invoice id, due date: one charge per invoice and due date
NOTICE_DAYS = 3  # the email before an autopay charge goes out this many days before the due date


class MethodNotUsable(PortalError):
    """The method the browser collected cannot be used (not this group's, not confirmed)."""

    default_message = "This card or bank account could not be saved. Nothing was charged. Please enter it again."


def show_date(day: date) -> str:
    """Return a date as people read it everywhere in the portal (Apr 12, 1985)."""
    return dateformat.format(day, "M j, Y")


def show_money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return "%s$%s" % (sign, "{:,.2f}".format(abs(amount)))


# --- Customers and payment methods ---------------------------------------------------------------------


def customer_id(group) -> str:
    """Return the group's Stripe customer, creating it once (under a lock on the group's billing account)."""
    account, _ = BillingAccount.objects.get_or_create(group=group)
    if account.stripe_customer_id:
        return account.stripe_customer_id
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account.pk)
        if not account.stripe_customer_id:
            account.stripe_customer_id = gateway.create_customer(
                name=group.legal_name, email="", group_number=group.group_number, idempotency_key="customer-%s-%d" % (group.group_number, account.pk)
            )
            account.save(update_fields=["stripe_customer_id"])
    return account.stripe_customer_id


def forget_customer(group, stale_id: str) -> None:
    """Forget a customer Stripe no longer knows (its test data was wiped), so the next call makes a new one."""
    BillingAccount.objects.for_group(group).filter(stripe_customer_id=stale_id).update(stripe_customer_id=None)


def record_method(*, group, setup_intent_id: str, acting_user=None) -> PaymentMethod:
    """Save the method the browser collected with Stripe.js through the SetupIntent, once it succeeded.

    The SetupIntent must belong to the group's customer; the method is attached to it (Stripe does
    that on confirmation, localstripe does not). Idempotent: the same method is saved once.
    """
    account = BillingAccount.objects.for_group(group).first()
    if account is None or not account.stripe_customer_id:
        raise MethodNotUsable()
    setup = gateway.retrieve_setup_intent(setup_intent_id)
    if setup.customer != account.stripe_customer_id or not setup.payment_method:
        raise MethodNotUsable()
    if setup.status != "succeeded":
        raise MethodNotUsable("Your card or bank account was not confirmed. Nothing was charged. Please enter it again.")
    existing = PaymentMethod.objects.filter(stripe_payment_method_id=setup.payment_method).first()
    if existing is not None:
        if existing.group_id != group.pk:
            raise MethodNotUsable()
        return existing
    method = gateway.retrieve_payment_method(setup.payment_method)
    if method.customer is None:
        method = gateway.attach_payment_method(
            payment_method_id=method.id, customer_id=account.stripe_customer_id, idempotency_key="attach-%s" % method.id
        )
    elif method.customer != account.stripe_customer_id:
        raise MethodNotUsable()
    try:
        with transaction.atomic():
            return PaymentMethod.objects.create(
                group=group, stripe_payment_method_id=method.id, kind=method.kind, brand=method.brand[:30], last4=method.last4,
                exp_month=method.exp_month, exp_year=method.exp_year, stripe_mandate_id=setup.mandate or "", created_by=acting_user,
            )
    except IntegrityError:  # saved meanwhile by the other path (the page or the setup_intent.succeeded webhook)
        return PaymentMethod.objects.get(stripe_payment_method_id=method.id, group=group)


# --- Sending an attempt to Stripe ------------------------------------------------------------------------------


def intent_metadata(payment: Payment) -> dict:
    return {
        "payment_reference": payment.reference, "group_number": payment.group.group_number,
        "invoice_number": payment.invoice.number if payment.invoice_id else "", "source": payment.source,
    }


def send_to_stripe(payment_id: int) -> Payment:
    """Create and confirm the attempt's PaymentIntent with the attempt's idempotency key; record what Stripe answered.

    A decline fails the attempt at once (nothing changes on the invoice). Stripe unreachable
    raises StripeUnavailable with the attempt still pending: the caller retries with the same key,
    so Stripe makes at most one PaymentIntent of it. Success waits for the webhook.
    """
    payment = Payment.objects.select_related("payment_method", "group__billing_account", "invoice").get(pk=payment_id)
    if payment.status != PENDING or payment.stripe_payment_intent_id:
        return payment  # sent already, or decided
    if payment.payment_method is None:
        return fail_payment(payment.pk, code="no_method", message=MethodNotUsable.default_message)
    if payment.source == Payment.Source.AUTOPAY:
        refusal = autopay_refusal(payment)
        if refusal:
            return fail_payment(payment.pk, code="autopay_refused", message=refusal, notify=True)
    Payment.objects.filter(pk=payment.pk).update(attempt=payment.attempt + 1)
    try:
        intent = gateway.create_payment_intent(
            amount=payment.amount, customer_id=payment.group.billing_account.stripe_customer_id,
            payment_method_id=payment.payment_method.stripe_payment_method_id, kind=payment.payment_method.kind,
            off_session=payment.source == Payment.Source.AUTOPAY, idempotency_key=payment.idempotency_key,
            metadata=intent_metadata(payment), mandate_id=payment.payment_method.stripe_mandate_id,
        )
    except gateway.PaymentDeclined as declined:
        return fail_payment(
            payment.pk, code=declined.code, message=declined.message, payment_intent_id=declined.payment_intent_id,
            notify=payment.source == Payment.Source.AUTOPAY,
        )
    except gateway.StripeRefused as refused:
        return fail_payment(payment.pk, code="refused", message=refused.message, notify=payment.source == Payment.Source.AUTOPAY)
    off_session = payment.source == Payment.Source.AUTOPAY
    if off_session and intent.status == "requires_action":
        # Stripe raises authentication_required for an off-session charge the bank wants confirmed;
        # an intent left waiting for the cardholder is the same answer: nobody is there to confirm.
        try:
            gateway.cancel_payment_intent(payment_intent_id=intent.id, idempotency_key="cancel-%s" % payment.idempotency_key)
        except PortalError:
            log.warning("PaymentIntent %s left waiting for authentication: the reconciliation will report it", intent.id)
        return fail_payment(payment.pk, code="authentication_required", message=gateway.AuthenticationRequired.default_message,
                            payment_intent_id=intent.id, notify=True)
    if intent.status in ("requires_payment_method", "canceled"):
        return fail_payment(
            payment.pk, code=intent.error_code, message=gateway.plain_words(intent.error_code, intent.error_message),
            payment_intent_id=intent.id, notify=payment.source == Payment.Source.AUTOPAY,
        )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if not payment.stripe_payment_intent_id:  # the webhook may have found it first, by its reference
            payment.stripe_payment_intent_id = intent.id
        if payment.status == PENDING:
            payment.stripe_status = intent.status
        payment.save(update_fields=["stripe_payment_intent_id", "stripe_status"])
    return payment


def autopay_refusal(payment: Payment) -> str:
    """Return why an autopay attempt must not be charged now (cancelled, above the maximum), or ""."""
    autopay = Autopay.objects.for_group(payment.group_id).first()
    if autopay is None or not autopay.is_active:
        return "Recurring Payment was cancelled before the charge. Nothing was charged."
    if autopay.maximum_amount is not None and payment.amount > autopay.maximum_amount:
        return "The amount due (%s) is above your Recurring Payment maximum (%s). Nothing was charged." % (
            show_money(payment.amount), show_money(autopay.maximum_amount))
    return ""


def fail_payment(payment_id: int, *, code: str, message: str, payment_intent_id: str | None = None, notify: bool = False) -> Payment:
    """Mark a pending attempt failed with the message shown to the admin; the invoice does not change.

    `notify` emails the admin (an autopay charge or a bank debit that failed while nobody was on the page).
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("group", "invoice").get(pk=payment_id)
        if payment.status != PENDING:
            return payment  # decided already: the webhook was first, or this is its duplicate
        payment.status = FAILED
        payment.failure_code = (code or "")[:64]
        payment.failure_message = message[:255]
        if payment_intent_id and not payment.stripe_payment_intent_id and not Payment.objects.filter(stripe_payment_intent_id=payment_intent_id).exists():
            payment.stripe_payment_intent_id = payment_intent_id
        payment.save(update_fields=["status", "failure_code", "failure_message", "stripe_payment_intent_id"])
        record_event(
            action=AuditEvent.Action.PAYMENT, group=payment.group, obj=payment,
            detail={"reference": payment.reference, "outcome": "failed", "code": payment.failure_code, "amount": str(payment.amount)},
        )
        if notify:
            _email(payment_contacts(payment), "payment_failed", {
                **_payment_context(payment), "message": payment.failure_message,
                "autopay": payment.source == Payment.Source.AUTOPAY,
            })
    return payment


# --- Stripe's outcomes (from webhooks) ---------------------------------------------------------------------------


def _payment_for_update(intent_id: str | None, metadata: dict) -> Payment | None:
    """Return the payment of a PaymentIntent, locked: by its ID, else by the reference the portal put in its metadata."""
    if not intent_id:
        return None
    payment = Payment.objects.select_for_update().filter(stripe_payment_intent_id=intent_id).first()
    reference = (metadata or {}).get("payment_reference")
    if payment is None and reference:
        payment = Payment.objects.select_for_update().filter(reference=reference, stripe_payment_intent_id__isnull=True).first()
        if payment is not None:
            payment.stripe_payment_intent_id = intent_id
            payment.save(update_fields=["stripe_payment_intent_id"])
    return payment


@transaction.atomic
def record_intent_succeeded(intent: gateway.Intent, *, at: datetime, today: date) -> str:
    """Mark the payment succeeded and post it to its invoice; return what was done, in words."""
    payment = _payment_for_update(intent.id, intent.metadata)
    if payment is None:
        return "ignored: no payment of the portal has this PaymentIntent"
    if payment.status in (SUCCEEDED, REFUNDED):
        if payment.received_at is None or at < payment.received_at:
            # A refund's event, arriving first, had marked it received: keep the earliest time Stripe gave.
            payment.received_at = at
            payment.save(update_fields=["received_at"])
        return "nothing to do: payment %s had succeeded already" % payment.reference
    if intent.amount != payment.amount:
        log.error("PaymentIntent %s succeeded for %s, the portal's payment %s is %s", intent.id, intent.amount, payment.reference, payment.amount)
        return "left for reconciliation: Stripe's amount %s differs from the payment's %s" % (intent.amount, payment.amount)
    _mark_succeeded(payment, at=at, today=today, stripe_status=intent.status)
    return "payment %s succeeded" % payment.reference


def _mark_succeeded(payment: Payment, *, at: datetime, today: date, stripe_status: str = "succeeded") -> None:
    payment.status = SUCCEEDED
    payment.stripe_status = stripe_status
    payment.received_at = at
    payment.failure_code = payment.failure_message = ""
    payment.save(update_fields=["status", "stripe_status", "received_at", "failure_code", "failure_message"])
    invoice = services.settle_payment(payment=payment, today=today)
    record_event(
        action=AuditEvent.Action.PAYMENT, group=payment.group, obj=payment,
        detail={"reference": payment.reference, "outcome": "succeeded", "amount": str(payment.amount)},
    )
    context = _payment_context(payment)
    if invoice is not None and invoice.amount_paid > invoice.amount_due:
        context["credit"] = show_money(invoice.amount_paid - invoice.amount_due)
    _email(payment_contacts(payment), "payment_received", context)


@transaction.atomic
def record_intent_failed(intent: gateway.Intent) -> str:
    """Mark a pending payment failed (a succeeded one stays succeeded: events may arrive out of order)."""
    payment = _payment_for_update(intent.id, intent.metadata)
    if payment is None:
        return "ignored: no payment of the portal has this PaymentIntent"
    if payment.status != PENDING:
        return "nothing to do: payment %s is %s" % (payment.reference, payment.status)
    # Nobody watches a page when a bank debit fails days later or an autopay charge fails: email them.
    fail_payment(payment.pk, code=intent.error_code, message=gateway.plain_words(intent.error_code, intent.error_message), notify=True)
    return "payment %s failed" % payment.reference


def record_setup_succeeded(setup: gateway.Setup) -> str:
    """Save the method of a SetupIntent that succeeded (usually saved already by the page that collected it)."""
    account = BillingAccount.objects.filter(stripe_customer_id=setup.customer).select_related("group").first() if setup.customer else None
    if account is None:
        return "ignored: no group has this customer"
    method = record_method(group=account.group, setup_intent_id=setup.id)
    return "payment method %s saved for group %s" % (method.pk, account.group.group_number)


@transaction.atomic
def record_charge_refunded(charge: gateway.ChargeInfo, *, at: datetime, today: date) -> str:
    """Record every refund of the charge (ours or made in Stripe's dashboard) and settle the payment and its invoice."""
    payment = _payment_for_update(charge.payment_intent, {})
    if payment is None:
        return "ignored: no payment of the portal has this charge's PaymentIntent"
    if payment.status in (PENDING, FAILED):
        # Only a charge that succeeded can be refunded: the succeeded event is late, or was lost.
        _mark_succeeded(payment, at=at, today=today)
    for info in charge.refunds:
        _record_stripe_refund(payment, info)
    settle_refunds(payment, today=today)
    return "payment %s: %s refunded" % (payment.reference, payment.amount_refunded)


def _record_stripe_refund(payment: Payment, info: gateway.RefundInfo) -> None:
    status = {"succeeded": Refund.Status.SUCCEEDED, "pending": Refund.Status.PENDING}.get(info.status, Refund.Status.FAILED)
    refund = (
        Refund.objects.select_for_update().filter(stripe_refund_id=info.id).first()
        or Refund.objects.select_for_update().filter(payment=payment, idempotency_key=info.metadata.get("portal_refund", ""), stripe_refund_id__isnull=True).first()
    )
    if refund is None:
        Refund.objects.create(
            group_id=payment.group_id, payment=payment, amount=info.amount, reason="Refunded in Stripe", status=status,
            idempotency_key="stripe-%s" % info.id, stripe_refund_id=info.id,
        )
        return
    refund.stripe_refund_id = info.id
    if refund.status == Refund.Status.PENDING:
        refund.status = status
    refund.save(update_fields=["stripe_refund_id", "status"])


def settle_refunds(payment: Payment, *, today: date) -> None:
    """Set the payment's amount refunded from its succeeded refunds, its status, and post it to the invoice."""
    refunded = Refund.objects.filter(payment=payment, status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    payment.amount_refunded = min(refunded, payment.amount)
    if payment.status in (SUCCEEDED, REFUNDED):
        payment.status = REFUNDED if payment.amount_refunded >= payment.amount else SUCCEEDED
    payment.save(update_fields=["amount_refunded", "status"])
    services.settle_payment(payment=payment, today=today)


# --- Recurring Payment (autopay): notices and attempts that fall due -----------------------------------------------


def autopay_invoices(autopay: Autopay):
    """Return the invoices Recurring Payment charges: issued after it was set up, not paid."""
    return Invoice.objects.for_group(autopay.group).filter(created_at__gt=autopay.started_at).exclude(status=Invoice.Status.PAID)


def send_autopay_notices(*, today: date) -> list[AutopayNotice]:
    """Email, three days ahead, what Recurring Payment will charge each invoice on its due date (or that it will not: above the maximum).

    One notice per invoice (a rerun the same day, or the next, sends nothing more).
    """
    sent = []
    for autopay in Autopay.objects.filter(is_active=True).select_related("group", "payment_method", "created_by"):
        invoices = autopay_invoices(autopay).filter(due_on__gt=today, due_on__lte=today + timedelta(days=NOTICE_DAYS), autopay_notices__isnull=True)
        for invoice in invoices:
            amount = rules.autopay_amount(invoice.amount_due, invoice.amount_paid)
            if amount <= 0:
                continue
            over = autopay.maximum_amount is not None and amount > autopay.maximum_amount
            notice = _notify(autopay, invoice, AutopayNotice.Kind.OVER_MAXIMUM if over else AutopayNotice.Kind.UPCOMING_CHARGE, amount)
            if notice:
                sent.append(notice)
    return sent


def _notify(autopay: Autopay, invoice: Invoice, kind: str, amount: Decimal) -> AutopayNotice | None:
    """Record and email one notice of `kind` for the invoice, unless one was sent already."""
    contacts = autopay_contacts(autopay)
    with transaction.atomic():
        notice, created = AutopayNotice.objects.get_or_create(
            invoice=invoice, kind=kind,
            defaults={"autopay": autopay, "amount": amount, "charge_on": invoice.due_on, "sent_to": ", ".join(contacts)[:254]},
        )
        if not created:
            return None
        template = "autopay_over_maximum" if kind == AutopayNotice.Kind.OVER_MAXIMUM else "autopay_upcoming"
        _email(contacts, template, {
            "group_name": autopay.group.legal_name, "group_number": autopay.group.group_number, "invoice_number": invoice.number,
            "amount": show_money(amount), "charge_on": show_date(invoice.due_on), "method": str(autopay.payment_method),
            "maximum": show_money(autopay.maximum_amount) if autopay.maximum_amount is not None else "",
        })
    return notice


def due_autopay_attempts(*, today: date) -> list[Payment]:
    """Record an attempt for each invoice whose due date has come (one per invoice and due date); return the new ones.

    The caller sends each to Stripe (off session). An invoice above the maximum is not charged
    (the admin is told once); a declined charge is not tried again for that due date.
    """
    attempts = []
    for autopay in Autopay.objects.filter(is_active=True).select_related("group", "payment_method", "created_by"):
        for invoice_id in autopay_invoices(autopay).filter(due_on__lte=today).values_list("pk", flat=True):
            with transaction.atomic():
                invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
                key = AUTOPAY_KEY % (invoice.pk, invoice.due_on.isoformat())
                if Payment.objects.filter(idempotency_key=key).exists():
                    continue
                amount = rules.autopay_amount(invoice.amount_due, invoice.amount_paid)
                if amount <= 0:
                    continue
                if autopay.maximum_amount is not None and amount > autopay.maximum_amount:
                    _notify(autopay, invoice, AutopayNotice.Kind.OVER_MAXIMUM, amount)
                    continue
                payment = Payment.objects.create(
                    group=autopay.group, invoice=invoice, amount=amount, source=Payment.Source.AUTOPAY, idempotency_key=key,
                    payment_method=autopay.payment_method, created_by=autopay.created_by, attempt=0,
                )
                record_event(
                    action=AuditEvent.Action.PAYMENT, group=autopay.group, obj=payment,
                    detail={"reference": payment.reference, "outcome": "autopay attempt recorded", "amount": str(amount), "invoice": invoice.number},
                )
                attempts.append(payment)
    return attempts


# --- Who is told ----------------------------------------------------------------------------------------------------


def _billing_admin_emails(group_id: int) -> list[str]:
    return sorted({membership.user.email for membership in services.billing_admins(group_id)})


def autopay_contacts(autopay: Autopay) -> list[str]:
    """Return who hears about Recurring Payment: the admin who set it up, else the group's billing and primary admins."""
    user = autopay.created_by
    if user is not None and user.is_active and user.email:
        return [user.email]
    return _billing_admin_emails(autopay.group_id)


def payment_contacts(payment: Payment) -> list[str]:
    """Return who hears about a payment: the admin who made it (or set up the autopay that made it), else the billing admins."""
    user = payment.created_by
    if user is not None and user.is_active and user.email:
        return [user.email]
    return _billing_admin_emails(payment.group_id)


def _payment_context(payment: Payment) -> dict:
    method = payment.payment_method
    return {
        "reference": display_confirmation_number(payment.reference), "amount": show_money(payment.amount),
        "invoice_number": payment.invoice.number if payment.invoice_id else "", "group_name": payment.group.legal_name,
        "group_number": payment.group.group_number, "method": str(method) if method else "",
        "date": show_date(timezone.localdate(payment.received_at or payment.created_at)),
        "bank": bool(method and method.kind == PaymentMethod.Kind.US_BANK_ACCOUNT),
    }


def _email(to: list[str], template: str, context: dict) -> None:
    if to:
        transaction.on_commit(lambda: send_templated_email.delay(template=template, to=to, context=context))
