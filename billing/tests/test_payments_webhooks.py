"""Stripe's webhook: signature verified on the raw body, events stored by ID, the same ledger whatever the deliveries' order."""

import random
import time
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

import pytest
from django.core import mail

from billing.models import Invoice, Payment, PaymentMethod, Refund, StripeEvent
from billing.tests.stripe_helpers import collect_card, make_invoice
from tests import sweep
from tests.localstripe import deliver, sign, signed_event

pytestmark = pytest.mark.django_db

SECRET = "whsec_localstripe"  # settings.STRIPE_WEBHOOK_SECRET in tests
T0 = 1_790_000_000  # the events' creation times: 2026-09-21 14:13:20 UTC, and a second apart after it


def at(offset):
    return datetime.fromtimestamp(T0 + offset, tz=dt_timezone.utc)


def intent(pi_id, cents, status, *, error=None):
    obj = {"id": pi_id, "object": "payment_intent", "amount": cents, "currency": "usd", "status": status, "metadata": {}, "created": T0}
    if error:
        obj["last_payment_error"] = error
    return obj


def charge_refunded(pi_id, cents, refunds):
    return {
        "id": "ch_" + pi_id[3:], "object": "charge", "payment_intent": pi_id, "amount": cents, "status": "succeeded",
        "amount_refunded": sum(r[1] for r in refunds), "refunded": False,
        "refunds": {"object": "list", "data": [
            {"id": rid, "object": "refund", "amount": amount, "status": "succeeded", "payment_intent": pi_id, "metadata": {}}
            for rid, amount in refunds
        ]},
    }


@pytest.fixture
def scene(group, alice, localstripe):
    """Two invoices, four pending payments with their PaymentIntents, and a card set up in Stripe; the events about them."""
    first = make_invoice(group, datetime(2027, 1, 1).date(), Decimal("1250.00"))
    second = make_invoice(group, datetime(2027, 2, 1).date(), Decimal("1000.00"))

    def pending(invoice, amount, pi_id, n):
        return Payment.objects.create(group=group, invoice=invoice, amount=Decimal(amount), idempotency_key="pay-%d-%d" % (invoice.pk, n),
                                      stripe_payment_intent_id=pi_id, created_by=alice)

    a = pending(first, "500.00", "pi_A", 1)
    d = pending(first, "750.00", "pi_D", 2)
    c = pending(second, "1000.00", "pi_C", 1)
    b = pending(second, "300.00", "pi_B", 2)
    setup_id = collect_card(localstripe, group, alice)
    setup = localstripe.api("GET", "/v1/setup_intents/%s" % setup_id)
    declined = {"code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}
    events = [
        ("evt_1", "payment_intent.succeeded", intent("pi_A", 50000, "succeeded"), 1),
        ("evt_2", "payment_intent.payment_failed", intent("pi_B", 30000, "requires_payment_method", error=declined), 2),
        ("evt_3", "payment_intent.succeeded", intent("pi_C", 100000, "succeeded"), 3),
        ("evt_4", "charge.refunded", charge_refunded("pi_C", 100000, [("re_1", 20000)]), 4),
        ("evt_5", "payment_intent.payment_failed", intent("pi_D", 75000, "requires_payment_method", error=declined), 5),
        ("evt_6", "payment_intent.succeeded", intent("pi_D", 75000, "succeeded"), 6),  # retried on the same intent: succeeded after all
        ("evt_7", "setup_intent.succeeded", setup, 7),
        ("evt_8", "customer.created", {"id": "cus_x", "object": "customer"}, 8),  # not the portal's business
    ]
    return {"invoices": (first, second), "payments": (a, b, c, d), "events": events}


def ledger():
    """Return the money as the portal holds it: payments, refunds, invoices, saved methods, events stored."""
    return {
        "payments": sorted(Payment.objects.values_list("stripe_payment_intent_id", "status", "amount", "amount_refunded", "received_at")),
        "refunds": sorted(Refund.objects.values_list("stripe_refund_id", "amount", "status")),
        "invoices": sorted(Invoice.objects.values_list("number", "amount_paid", "status")),
        "methods": sorted(PaymentMethod.objects.values_list("brand", "last4")),
        "events": StripeEvent.objects.filter(processed_at__isnull=False).count(),
    }


EXPECTED = {
    "payments": [
        ("pi_A", "succeeded", Decimal("500.00"), Decimal("0.00"), at(1)),
        ("pi_B", "failed", Decimal("300.00"), Decimal("0.00"), None),
        ("pi_C", "succeeded", Decimal("1000.00"), Decimal("200.00"), at(3)),
        ("pi_D", "succeeded", Decimal("750.00"), Decimal("0.00"), at(6)),
    ],
    "refunds": [("re_1", Decimal("200.00"), "succeeded")],
    "invoices": [("INV-104522-202701", Decimal("1250.00"), "paid"), ("INV-104522-202702", Decimal("800.00"), "partially_paid")],
    "methods": [("Visa", "4242")],
    "events": 8,
}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_each_event_delivered_three_times_in_shuffled_order_leaves_the_same_ledger(webhook, scene, seed):
    deliveries = [signed_event(kind, obj, secret=SECRET, event_id=event_id, created=T0 + offset) for event_id, kind, obj, offset in scene["events"]] * 3
    random.Random(seed).shuffle(deliveries)
    answers = [webhook(body, signature).status_code for body, signature in deliveries]
    assert answers == [200] * 24
    found = ledger()
    for key in EXPECTED:
        assert found[key] == EXPECTED[key], key
    receipts = sorted(m.subject.split(" for ")[0] for m in mail.outbox if m.subject.startswith("Payment received"))
    assert receipts == ["Payment received: $1,000.00", "Payment received: $500.00", "Payment received: $750.00"], "one receipt per payment"
    failures = sorted(m.subject.split(" for ")[0] for m in mail.outbox if m.subject.startswith("Payment not made"))
    # D failed, then succeeded on the same intent: its failure is told only when that event is processed first.
    assert failures in (["Payment not made: $300.00"], ["Payment not made: $300.00", "Payment not made: $750.00"])


def test_a_refund_arriving_before_the_payment_succeeded_counts_the_payment_received(webhook, scene):
    events = {event_id: (kind, obj, offset) for event_id, kind, obj, offset in scene["events"]}
    for event_id in ("evt_4", "evt_3"):
        kind, obj, offset = events[event_id]
        webhook(*signed_event(kind, obj, secret=SECRET, event_id=event_id, created=T0 + offset))
    c = Payment.objects.get(stripe_payment_intent_id="pi_C")
    assert (c.status, c.amount_refunded, c.received_at) == ("succeeded", Decimal("200.00"), at(3)), "received when the charge succeeded"


def test_a_succeeded_event_whose_amount_differs_is_left_for_reconciliation(webhook, scene):
    webhook(*signed_event("payment_intent.succeeded", intent("pi_A", 49999, "succeeded"), secret=SECRET))
    assert Payment.objects.get(stripe_payment_intent_id="pi_A").status == "pending"
    assert StripeEvent.objects.get().outcome == "left for reconciliation: Stripe's amount 499.99 differs from the payment's 500.00"


def test_the_payment_is_found_by_its_reference_when_its_intent_was_not_recorded(webhook, group, alice):
    invoice = make_invoice(group, datetime(2027, 1, 1).date())
    payment = Payment.objects.create(group=group, invoice=invoice, amount=Decimal("1250.00"), idempotency_key="pay-%d-1" % invoice.pk)
    obj = {**intent("pi_lost", 125000, "succeeded"), "metadata": {"payment_reference": payment.reference}}
    webhook(*signed_event("payment_intent.succeeded", obj, secret=SECRET))
    payment.refresh_from_db()
    assert (payment.stripe_payment_intent_id, payment.status) == ("pi_lost", "succeeded")


def bad_deliveries():
    body, good = signed_event("payment_intent.succeeded", intent("pi_A", 50000, "succeeded"), secret=SECRET, event_id="evt_bad")
    return {
        "signed with another secret": (body, sign(body, secret="whsec_someone_else")),
        "no signature": (body, ""),
        "a body changed after signing": (body.replace(b"50000", b"5"), good),
        "a signature older than five minutes": (body, sign(body, secret=SECRET, timestamp=int(time.time()) - 600)),
        "not JSON, signed": (b"not json", sign(b"not json", secret=SECRET)),
    }


@pytest.mark.parametrize("how", list(bad_deliveries()))
def test_a_bad_signature_is_answered_400_and_changes_nothing(client, django_capture_on_commit_callbacks, scene, how):
    tables = sweep.watched_tables()
    before = sweep.table_fingerprints(tables)
    body, signature = bad_deliveries()[how]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = deliver(client, body, signature)
    assert response.status_code == 400
    assert not callbacks
    assert sweep.changed_tables(before, sweep.table_fingerprints(tables)) == []


def test_a_get_or_an_empty_post_is_not_an_event(client):
    assert client.get("/billing/stripe/webhook/").status_code == 405
    assert client.post("/billing/stripe/webhook/").status_code == 400
    assert not StripeEvent.objects.exists()
