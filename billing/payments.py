"""Payment services behind the pages: Make a Payment (Pay Online), Recurring Payment, refunds.

Never a double charge. Make a Payment carries how many payments the invoice had when the page
was shown (`attempts_seen`). Under a lock on the invoice row the attempt is recorded, with the
idempotency key `pay-<invoice>-<attempts_seen + 1>`, before Stripe is called; a double click, a
browser retry or a second tab arrives with the same count, finds that attempt made and charges
nothing (it is shown the attempt instead). The key goes to Stripe with the PaymentIntent, so a
retry after a network error is one charge on Stripe's side too. The webhook, not this page,
marks the payment succeeded (billing.charging).

Card and bank numbers never reach the portal: the browser gives them to Stripe.js, which
confirms a SetupIntent; the portal receives the SetupIntent's ID and keeps the method's Stripe ID,
brand and last 4.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditEvent
from billing import charging, tasks
from billing import stripe_gateway as gateway
from billing.models import Autopay, Invoice, Payment, PaymentMethod, Refund
from core.exceptions import PortalError
from core.money import round_half_up

ONE_TIME, RECURRING = "one_time", "recurring"
FREQUENCIES = ((ONE_TIME, "One Time"), (RECURRING, "Recurring Payment"))
RETRY_AFTER_SECONDS = 30  # Stripe unreachable while paying: the worker sends the same key again


class StalePage(PortalError):
    default_message = "This page is out of date: the invoice's payments changed since it was opened. Review the amount and pay again."


class NoAutopay(PortalError):
    default_message = "Recurring Payment is not set up for this group."


@dataclass(frozen=True)
class Submitted:
    payment: Payment
    duplicate: bool = False  # this page's attempt was made already (double click, retry, another tab): nothing charged again


def start_method_setup(*, group, kind: str, off_session: bool, acting_user, purpose: str) -> gateway.Setup:
    """Create the SetupIntent the browser confirms with Stripe.js (a card or a US bank account), for the group's customer."""
    customer = charging.customer_id(group)
    metadata = {"group_number": group.group_number, "purpose": purpose, "user": str(acting_user.pk)}
    try:
        return gateway.create_setup_intent(
            customer_id=customer, kind=kind, off_session=off_session, metadata=metadata,
            idempotency_key="setup-%s-%s" % (group.group_number, uuid.uuid4().hex),
        )
    except gateway.StripeObjectMissing:
        # Stripe no longer knows the customer (test data wiped): make a new one, once.
        charging.forget_customer(group, customer)
        return gateway.create_setup_intent(
            customer_id=charging.customer_id(group), kind=kind, off_session=off_session, metadata=metadata,
            idempotency_key="setup-%s-%s" % (group.group_number, uuid.uuid4().hex),
        )


def attempts_on(invoice: Invoice) -> int:
    """Return how many payments the invoice has (what Make a Payment carries as `attempts_seen`)."""
    return Payment.objects.filter(invoice=invoice).count()


def pay_invoice(
    *, membership, invoice: Invoice, amount: Decimal, setup_intent_id: str, attempts_seen: int, acting_user, today: date,
    recurring: bool = False, maximum: Decimal | None = None,
) -> Submitted:
    """Pay `amount` on the invoice with the method the browser collected; with `recurring`, also set up Recurring Payment.

    Return the attempt: pending (Stripe's webhook will mark it succeeded), failed (Stripe's message
    in plain words; nothing changed), or, with `duplicate`, the attempt this page made already.
    """
    with transaction.atomic():
        invoice = Invoice.objects.for_membership(membership).select_for_update().get(pk=invoice.pk)
        made = list(Payment.objects.filter(invoice=invoice).order_by("created_at", "pk").values_list("pk", flat=True))
        if attempts_seen > len(made):
            raise StalePage()
        if attempts_seen < len(made):
            return Submitted(Payment.objects.get(pk=made[attempts_seen]), duplicate=True)
        payment = Payment.objects.create(
            group=invoice.group, invoice=invoice, amount=amount, source=Payment.Source.ONLINE,
            idempotency_key=charging.ONLINE_KEY % (invoice.pk, attempts_seen + 1), stripe_setup_intent_id=setup_intent_id,
            created_by=acting_user, attempt=0,
        )
        record_event(
            action=AuditEvent.Action.PAYMENT, actor=acting_user, group=invoice.group, obj=payment,
            detail={"reference": payment.reference, "outcome": "attempt recorded", "amount": str(amount), "invoice": invoice.number},
        )
    try:
        method = charging.record_method(group=invoice.group, setup_intent_id=setup_intent_id, acting_user=acting_user)
    except gateway.StripeUnavailable:
        message = "We could not reach our payment processor. Nothing was charged. Please try again in a few minutes."
        return Submitted(charging.fail_payment(payment.pk, code="stripe_unavailable", message=message))
    except PortalError as refused:
        return Submitted(charging.fail_payment(payment.pk, code="method_not_saved", message=refused.message))
    Payment.objects.filter(pk=payment.pk).update(payment_method=method)
    try:
        payment = charging.send_to_stripe(payment.pk)
    except gateway.StripeUnavailable:
        tasks.send_payment.apply_async((payment.pk,), countdown=RETRY_AFTER_SECONDS)
        payment.refresh_from_db()
    if recurring and payment.status != Payment.Status.FAILED:
        set_up_autopay(group=invoice.group, method=method, maximum=maximum, acting_user=acting_user)
    return Submitted(payment)


# --- Recurring Payment ---------------------------------------------------------------------------------------


@transaction.atomic
def set_up_autopay(*, group, method: PaymentMethod, maximum: Decimal | None, acting_user) -> Autopay:
    """Charge `method` the amount due of each invoice issued from now on, on its due date (never above `maximum`)."""
    now = timezone.now()
    autopay = Autopay.objects.select_for_update().filter(group=group).first()
    if autopay is None:
        autopay = Autopay(group=group, created_at=now, started_at=now)
        action = "set up"
    else:
        action = "changed" if autopay.is_active else "set up again"
        if not autopay.is_active:
            autopay.started_at = now  # "each new invoice": those issued from now on
    autopay.payment_method = method
    autopay.maximum_amount = maximum
    autopay.is_active = True
    autopay.created_by = acting_user  # the admin told about each charge
    autopay.updated_at = now
    autopay.cancelled_at = autopay.cancelled_by = None
    autopay.save()
    record_event(
        action=AuditEvent.Action.AUTOPAY_CHANGED, actor=acting_user, group=group, obj=autopay,
        detail={"action": action, "method": str(method), "maximum": str(maximum) if maximum is not None else ""},
    )
    return autopay


def change_autopay(*, membership, maximum: Decimal | None, setup_intent_id: str = "", acting_user) -> Autopay:
    """Change Recurring Payment's maximum and, when the browser collected one, its method."""
    autopay = Autopay.objects.for_membership(membership).select_related("payment_method").filter(is_active=True).first()
    if setup_intent_id:
        method = charging.record_method(group=membership.group, setup_intent_id=setup_intent_id, acting_user=acting_user)
    elif autopay is not None:
        method = autopay.payment_method
    else:
        raise NoAutopay("Enter a card or bank account to set up Recurring Payment.")
    return set_up_autopay(group=membership.group, method=method, maximum=maximum, acting_user=acting_user)


@transaction.atomic
def cancel_autopay(*, membership, acting_user) -> Autopay:
    """Stop Recurring Payment: no invoice is charged from now on (a charge already sent to Stripe goes on)."""
    autopay = Autopay.objects.for_membership(membership).select_for_update().filter(is_active=True).first()
    if autopay is None:
        raise NoAutopay()
    autopay.is_active = False
    autopay.cancelled_at = autopay.updated_at = timezone.now()
    autopay.cancelled_by = acting_user
    autopay.save(update_fields=["is_active", "cancelled_at", "updated_at", "cancelled_by"])
    record_event(action=AuditEvent.Action.AUTOPAY_CHANGED, actor=acting_user, group=membership.group, obj=autopay, detail={"action": "cancelled"})
    return autopay


# --- Refunds (billing specialists, Django admin) ------------------------------------------------------------


def refundable(payment: Payment) -> Decimal:
    """Return what can still be refunded: the amount less refunds succeeded or on their way."""
    taken = sum((r.amount for r in payment.refunds.exclude(status=Refund.Status.FAILED)), Decimal("0"))
    return payment.amount - taken


def refund_payment(*, payment_id: int, amount: Decimal, reason: str, acting_user, today: date) -> Refund:
    """Refund `amount` of a payment through Stripe, then post it to the invoice.

    A user's mistake (an amount above what is left, a payment Stripe did not take) raises
    ValidationError with a code; Stripe's refusal raises PortalError, the refund recorded failed.
    """
    if amount is None or amount <= 0 or round_half_up(amount) != amount:
        raise ValidationError("Enter an amount greater than zero, in dollars and cents.", code="refund_amount_invalid")
    if not (reason or "").strip():
        raise ValidationError("Say why the payment is refunded.", code="refund_reason_required")
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related("group").get(pk=payment_id)
        if payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.REFUNDED) or not payment.stripe_payment_intent_id:
            raise ValidationError("Only a payment received through Stripe can be refunded here.", code="refund_not_stripe")
        left = refundable(payment)
        if amount > left:
            raise ValidationError("At most %s of this payment can still be refunded." % charging.show_money(left), code="refund_too_much")
        refund = Refund.objects.create(
            group=payment.group, payment=payment, amount=amount, reason=reason.strip()[:500], created_by=acting_user,
            idempotency_key="refund-%d-%d" % (payment.pk, payment.refunds.count() + 1),
        )
    try:
        info = gateway.create_refund(
            payment_intent_id=payment.stripe_payment_intent_id, amount=amount, idempotency_key=refund.idempotency_key,
            metadata={"portal_refund": refund.idempotency_key, "payment_reference": payment.reference},
        )
    except PortalError as refused:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, failure_message=refused.message[:255])
        raise
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.stripe_refund_id = info.id
        refund.status = {"succeeded": Refund.Status.SUCCEEDED, "pending": Refund.Status.PENDING}.get(info.status, Refund.Status.FAILED)
        refund.save(update_fields=["stripe_refund_id", "status"])
        if refund.status == Refund.Status.SUCCEEDED:
            charging.settle_refunds(payment, today=today)
        record_event(
            action=AuditEvent.Action.PAYMENT, actor=acting_user, group=payment.group, obj=payment,
            detail={"reference": payment.reference, "outcome": "refund %s" % refund.status, "amount": str(amount), "reason": refund.reason},
        )
    return refund
