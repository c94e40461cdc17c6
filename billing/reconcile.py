"""The nightly reconciliation: the portal's payments against Stripe's PaymentIntents.

Webhooks can be lost, a worker can die between Stripe's answer and the database, someone can
charge a customer from Stripe's dashboard. Every night the payments of the last week are
compared with Stripe's PaymentIntents of the same days; each difference becomes a
PaymentMismatch (Django admin, "Payment mismatches") and the specialists get one email listing
the new ones. Nothing is corrected automatically: a specialist decides.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from billing import stripe_gateway as gateway
from billing.charging import show_money
from accounts.models import EmployerGroup
from billing.models import Payment, PaymentMismatch
from core.tasks import send_templated_email

WINDOW_DAYS = 7
SETTLE_MINUTES = 15  # a younger payment may still be waiting for its webhook

Kind = PaymentMismatch.Kind
# The portal's status and the Stripe statuses that agree with it.
AGREES = {
    Payment.Status.SUCCEEDED: {"succeeded"},
    Payment.Status.REFUNDED: {"succeeded"},
    Payment.Status.FAILED: {"requires_payment_method", "canceled"},
    Payment.Status.PENDING: {"processing", "requires_action", "requires_confirmation", "requires_capture"},
}


def compare(payments, intents: dict[str, gateway.Intent], *, settled_before: datetime, lookup=None) -> list[dict]:
    """Return the differences between `payments` and Stripe's `intents` (by ID), each as PaymentMismatch fields.

    `lookup(intent_id)` finds an intent outside the listed window (None: not found in Stripe).
    """
    found, matched = [], set()
    for payment in payments:
        base = {"payment": payment, "group_id": payment.group_id, "portal_amount": payment.amount, "portal_status": payment.status}
        if not payment.stripe_payment_intent_id:
            if payment.status == Payment.Status.PENDING:
                found.append({**base, "kind": Kind.STUCK, "detail": "Recorded but never reached Stripe (no PaymentIntent)."})
            continue
        matched.add(payment.stripe_payment_intent_id)
        intent = intents.get(payment.stripe_payment_intent_id) or (lookup(payment.stripe_payment_intent_id) if lookup else None)
        if intent is None:
            found.append({**base, "kind": Kind.MISSING_IN_STRIPE, "stripe_payment_intent_id": payment.stripe_payment_intent_id,
                          "detail": "Stripe has no such PaymentIntent."})
            continue
        base.update(stripe_payment_intent_id=intent.id, stripe_amount=intent.amount, stripe_status=intent.status)
        if intent.amount != payment.amount:
            found.append({**base, "kind": Kind.AMOUNT_DIFFERS, "detail": "The portal recorded %s, Stripe %s." % (
                show_money(payment.amount), show_money(intent.amount))})
        elif intent.status not in AGREES[payment.status]:
            found.append({**base, "kind": Kind.STATUS_DIFFERS, "detail": "The portal says %s, Stripe says %s." % (
                payment.get_status_display().lower(), intent.status)})
    for intent in intents.values():
        if intent.id in matched or intent.status != "succeeded" or (intent.created_at and intent.created_at >= settled_before):
            continue
        found.append({
            "kind": Kind.UNKNOWN_TO_PORTAL, "stripe_payment_intent_id": intent.id, "stripe_amount": intent.amount,
            "stripe_status": intent.status, "group_number": intent.metadata.get("group_number", ""),
            "detail": "Stripe charged %s (reference %s) that the portal has no payment for." % (
                show_money(intent.amount), intent.metadata.get("payment_reference") or "none"),
        })
    return found


def _lookup(intent_id: str) -> gateway.Intent | None:
    try:
        return gateway.retrieve_payment_intent(intent_id)
    except gateway.StripeObjectMissing:
        return None


def reconcile_payments(*, now: datetime, today: date) -> list[PaymentMismatch]:
    """Compare the last WINDOW_DAYS of payments with Stripe; record the differences and email the specialists the new ones."""
    start, settled = now - timedelta(days=WINDOW_DAYS), now - timedelta(minutes=SETTLE_MINUTES)
    # An hour's slack before the window: a PaymentIntent is made a moment after its attempt.
    intents = {i.id: i for i in gateway.list_payment_intents(created_from=start - timedelta(hours=1), created_before=now)}
    payments = list(
        Payment.objects.filter(created_at__gte=start, created_at__lt=settled, source__in=(Payment.Source.ONLINE, Payment.Source.AUTOPAY))
        .order_by("created_at")
    )
    # A succeeded intent whose payment is older than the window is no stranger.
    known = set(Payment.objects.filter(stripe_payment_intent_id__in=list(intents)).values_list("stripe_payment_intent_id", flat=True))
    differences = [d for d in compare(payments, intents, settled_before=settled, lookup=_lookup)
                   if not (d["kind"] == Kind.UNKNOWN_TO_PORTAL and d["stripe_payment_intent_id"] in known)]
    groups = dict(EmployerGroup.objects.filter(group_number__in={d.get("group_number", "") for d in differences} - {""}).values_list("group_number", "pk"))
    new = []
    with transaction.atomic():
        for difference in differences:
            number = difference.pop("group_number", None)
            if number and not difference.get("group_id"):
                difference["group_id"] = groups.get(number)
            key = {"found_on": today, "kind": difference.pop("kind"), "payment": difference.pop("payment", None),
                   "stripe_payment_intent_id": difference.pop("stripe_payment_intent_id", "")}
            row, created = PaymentMismatch.objects.get_or_create(**key, defaults=difference)
            if created:
                new.append(row)
        if new:
            report = [
                "%s: %s%s" % (row.get_kind_display(), row.detail, " (payment %s)" % row.payment.reference if row.payment_id else "")
                for row in new
            ]
            to = specialist_emails()
            if to:
                transaction.on_commit(lambda: send_templated_email.delay(
                    template="payment_mismatches", to=to, context={"count": len(report), "lines": report, "day": today.isoformat()}
                ))
    return new


def specialist_emails() -> list[str]:
    """Return the staff who may read the mismatch list (the billing specialists): they get the report."""
    users = get_user_model().objects.with_perm(
        "billing.view_paymentmismatch", include_superusers=False, backend="django.contrib.auth.backends.ModelBackend"
    ).filter(is_staff=True, is_active=True)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))
