"""Refunds by billing specialists in Django admin, through Stripe (localstripe), reflected on the invoice and in the ledger."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from billing import payments
from billing.models import Payment, Refund
from billing.tests.stripe_helpers import collect_card, deliver_intent_event, membership_of
from tests import factories
from tests.localstripe import signed_event

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/billing/payment/"


@pytest.fixture
def paid(webhook, localstripe, group, alice, invoice):
    """Return the payment of $1,250.00 that paid the invoice, through localstripe and its webhook."""
    submitted = payments.pay_invoice(
        membership=membership_of(alice, group), invoice=invoice, amount=Decimal("1250.00"), attempts_seen=0,
        setup_intent_id=collect_card(localstripe, group, alice), acting_user=alice, today=timezone.localdate(),
    )
    deliver_intent_event(webhook, localstripe, submitted.payment)
    submitted.payment.refresh_from_db()
    assert submitted.payment.status == "succeeded"
    return submitted.payment


def ask(client, payment, **fields):
    data = {"action": "refund", helpers.ACTION_CHECKBOX_NAME: [payment.pk], **fields}
    return client.post(CHANGELIST, data)


def test_a_specialist_refunds_part_of_a_payment_through_stripe_and_the_invoice_shows_it(specialist_client, specialist, localstripe, paid, invoice):
    form = ask(specialist_client, paid)
    assert form.status_code == 200
    assert 'name="amount" value="1250.00"' in form.content.decode()

    done = ask(specialist_client, paid, apply="1", amount="200.00", reason="Premium of a member terminated in March, billed twice")
    assert done.status_code == 302
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.created_by, refund.reason) == (
        Decimal("200.00"), "succeeded", specialist, "Premium of a member terminated in March, billed twice")
    on_stripe = localstripe.api("GET", "/v1/refunds", params={"payment_intent": paid.stripe_payment_intent_id})["data"]
    assert [(r["id"], r["amount"], r["metadata"]["portal_refund"]) for r in on_stripe] == [(refund.stripe_refund_id, 20000, "refund-%d-1" % paid.pk)]
    paid.refresh_from_db()
    invoice.refresh_from_db()
    assert (paid.status, paid.amount_refunded) == ("succeeded", Decimal("200.00"))
    assert (invoice.amount_paid, invoice.status) == (Decimal("1050.00"), "partially_paid")
    event = AuditEvent.objects.filter(action="payment", actor=specialist).get()
    assert (event.detail["outcome"], event.detail["amount"]) == ("refund succeeded", "200.00")


def test_stripes_charge_refunded_event_about_the_same_refund_changes_nothing_more(specialist_client, webhook, localstripe, paid, invoice):
    ask(specialist_client, paid, apply="1", amount="200.00", reason="Billed twice")
    refund = Refund.objects.get()
    intent = localstripe.api("GET", "/v1/payment_intents/%s" % paid.stripe_payment_intent_id)
    charge = {**intent["latest_charge"], "amount_refunded": 20000, "refunds": {"object": "list", "data": [
        localstripe.api("GET", "/v1/refunds", params={"payment_intent": paid.stripe_payment_intent_id})["data"][0]]}}
    assert refund.stripe_refund_id == charge["refunds"]["data"][0]["id"]
    webhook(*signed_event("charge.refunded", charge, secret=settings.STRIPE_WEBHOOK_SECRET))
    assert Refund.objects.count() == 1
    paid.refresh_from_db()
    invoice.refresh_from_db()
    assert (paid.amount_refunded, invoice.amount_paid) == (Decimal("200.00"), Decimal("1050.00"))


def test_a_refund_made_in_stripes_dashboard_reaches_the_ledger_through_its_event(webhook, localstripe, paid, invoice):
    made_elsewhere = localstripe.api("POST", "/v1/refunds", data={"payment_intent": paid.stripe_payment_intent_id, "amount": 1250})
    intent = localstripe.api("GET", "/v1/payment_intents/%s" % paid.stripe_payment_intent_id)
    charge = {**intent["latest_charge"], "amount_refunded": 1250, "refunds": {"object": "list", "data": [made_elsewhere]}}
    webhook(*signed_event("charge.refunded", charge, secret=settings.STRIPE_WEBHOOK_SECRET))
    refund = Refund.objects.get()
    assert (refund.stripe_refund_id, refund.amount, refund.reason, refund.created_by) == (made_elsewhere["id"], Decimal("12.50"), "Refunded in Stripe", None)
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1237.50")


def test_refunding_everything_marks_the_payment_refunded_and_reopens_the_invoice(specialist_client, paid, invoice):
    ask(specialist_client, paid, apply="1", amount="1,250.00", reason="Paid by check the same day")
    paid.refresh_from_db()
    invoice.refresh_from_db()
    assert (paid.status, paid.amount_refunded) == ("refunded", Decimal("1250.00"))
    assert (invoice.amount_paid, invoice.status) == (Decimal("0.00"), "open")


def test_a_refund_above_what_is_left_is_refused_next_to_the_amount_and_stripe_is_not_called(specialist_client, localstripe, paid, invoice):
    ask(specialist_client, paid, apply="1", amount="200.00", reason="Billed twice")
    response = ask(specialist_client, paid, apply="1", amount="1100.00", reason="Again")
    assert response.status_code == 200
    assert "At most $1,050.00 of this payment can still be refunded." in response.content.decode()
    assert Refund.objects.count() == 1
    assert len(localstripe.api("GET", "/v1/refunds", params={"payment_intent": paid.stripe_payment_intent_id})["data"]) == 1


def test_a_payment_stripe_did_not_take_cannot_be_refunded(specialist_client, group, invoice):
    check = Payment.objects.create(group=group, invoice=invoice, amount=Decimal("100.00"), status="succeeded", source="check", idempotency_key="check-1")
    response = ask(specialist_client, check, apply="1", amount="10", reason="x")
    assert "Only a payment received through Stripe can be refunded here." in response.content.decode()
    assert not Refund.objects.exists()


def test_staff_without_the_refund_permission_are_not_offered_the_action(client, paid):
    clerk = factories.UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(clerk)
    assert "Refund through Stripe" not in client.get(CHANGELIST).content.decode()
    ask(client, paid, apply="1", amount="10.00", reason="x")
    assert not Refund.objects.exists()


def test_a_specialist_sees_refund_through_stripe_on_the_payments_list(specialist_client, paid):
    page = specialist_client.get(CHANGELIST).content.decode()
    assert "Refund through Stripe…" in page
    assert specialist_client.get(reverse("admin:billing_payment_change", args=[paid.pk])).status_code == 200
