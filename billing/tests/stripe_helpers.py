"""Helpers of the payment tests: invoices, and Stripe's side of a payment (the browser's Stripe.js, signed events)."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from billing import payments
from billing.models import Invoice
from tests.localstripe import signed_event


def make_invoice(group, period: date, amount_due=Decimal("1250.00"), *, created_at=None, **fields) -> Invoice:
    """Issue an invoice of `amount_due` for the month `period` (due on its first day)."""
    return Invoice.objects.create(
        group=group, number="INV-%s-%s" % (group.group_number, period.strftime("%Y%m")), period=period,
        issued_on=period - timedelta(days=17), due_on=period, current_premium=amount_due, amount_due=amount_due,
        created_at=created_at or timezone.now(), **fields,
    )


def membership_of(user, group):
    return user.memberships.get(group=group)


def collect_card(localstripe, group, user, card="4242424242424242", *, off_session=False) -> str:
    """Do what Make a Payment's page does with a card: the portal's SetupIntent, confirmed as Stripe.js does; return its ID."""
    setup = payments.start_method_setup(group=group, kind="card", off_session=off_session, acting_user=user, purpose="payment")
    answer = localstripe.confirm_setup(setup.client_secret, card)
    assert answer.get("status") == "succeeded", answer
    return setup.id


def intent_event(localstripe, payment, event_type="payment_intent.succeeded", **kwargs):
    """Return (body, signature) of the event Stripe sends about the payment's PaymentIntent, as localstripe holds it."""
    intent = localstripe.api("GET", "/v1/payment_intents/%s" % payment.stripe_payment_intent_id)
    return signed_event(event_type, intent, secret=settings.STRIPE_WEBHOOK_SECRET, **kwargs)


def deliver_intent_event(send, localstripe, payment, event_type="payment_intent.succeeded", **kwargs):
    """Send the portal Stripe's event about the payment's PaymentIntent with `send` (the `webhook` fixture); return the response."""
    return send(*intent_event(localstripe, payment, event_type, **kwargs))
