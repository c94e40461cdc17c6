"""The nightly reconciliation finds what differs between the portal's payments and Stripe's PaymentIntents (localstripe)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing import payments, reconcile
from billing.models import BillingAccount, Payment, PaymentMismatch
from billing.tests.stripe_helpers import collect_card, deliver_intent_event, membership_of

pytestmark = pytest.mark.django_db


def pay(webhook, localstripe, group, alice, invoice, amount, *, seen=0, succeed=True):
    submitted = payments.pay_invoice(
        membership=membership_of(alice, group), invoice=invoice, amount=Decimal(amount), attempts_seen=seen,
        setup_intent_id=collect_card(localstripe, group, alice), acting_user=alice, today=timezone.localdate(),
    )
    if succeed:
        deliver_intent_event(webhook, localstripe, submitted.payment)
    return Payment.objects.get(pk=submitted.payment.pk)


@pytest.fixture
def planted(webhook, localstripe, group, alice, invoice):
    """One payment that agrees with Stripe, and one of each kind of difference."""
    ok = pay(webhook, localstripe, group, alice, invoice, "100.00")
    amount_differs = pay(webhook, localstripe, group, alice, invoice, "200.00", seen=1)
    Payment.objects.filter(pk=amount_differs.pk).update(amount=Decimal("250.00"))  # someone edited the database
    lost_webhook = pay(webhook, localstripe, group, alice, invoice, "300.00", seen=2, succeed=False)
    missing = Payment.objects.create(group=group, invoice=invoice, amount=Decimal("40.00"), status="succeeded",
                                     idempotency_key="pay-%d-4" % invoice.pk, stripe_payment_intent_id="pi_NotInStripe")
    stuck = Payment.objects.create(group=group, invoice=invoice, amount=Decimal("50.00"), idempotency_key="pay-%d-5" % invoice.pk)
    customer = BillingAccount.objects.get(group=group).stripe_customer_id
    outside = localstripe.api("POST", "/v1/payment_intents", data={
        "amount": 7700, "currency": "usd", "customer": customer, "payment_method": "pm_card_visa", "confirm": "true",
        "metadata[group_number]": "104522",
    })
    return {"ok": ok, "amount": amount_differs, "lost": lost_webhook, "missing": missing, "stuck": stuck, "outside": outside["id"]}


def test_the_reconciliation_reports_each_planted_mismatch_to_the_specialists(specialist, planted, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(minutes=20)  # every payment older than the quarter hour a webhook may take
    with django_capture_on_commit_callbacks(execute=True):
        found = reconcile.reconcile_payments(now=later, today=timezone.localdate())
    assert sorted((m.kind, m.payment_id, m.stripe_payment_intent_id or None) for m in found) == sorted([
        ("amount_differs", planted["amount"].pk, planted["amount"].stripe_payment_intent_id),
        ("status_differs", planted["lost"].pk, planted["lost"].stripe_payment_intent_id),
        ("missing_in_stripe", planted["missing"].pk, "pi_NotInStripe"),
        ("stuck", planted["stuck"].pk, None),
        ("unknown_to_portal", None, planted["outside"]),
    ])
    amounts = PaymentMismatch.objects.get(kind="amount_differs")
    assert (amounts.portal_amount, amounts.stripe_amount, amounts.detail) == (Decimal("250.00"), Decimal("200.00"), "The portal recorded $250.00, Stripe $200.00.")
    assert PaymentMismatch.objects.get(kind="status_differs").detail == "The portal says pending, Stripe says succeeded."
    assert PaymentMismatch.objects.get(kind="unknown_to_portal").group.group_number == "104522"
    [email] = mail.outbox[-1:]
    assert email.to == ["specialist@example.com"]
    assert email.subject.startswith("Payments to check: 5 mismatches between the portal and Stripe")
    assert "Succeeded in Stripe, unknown to the portal: Stripe charged $77.00 (reference none)" in email.body

    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile.reconcile_payments(now=later, today=timezone.localdate()) == []
    assert PaymentMismatch.objects.count() == 5 and len(mail.outbox) == sent, "a second run the same night repeats nothing"


def test_payments_that_agree_with_stripe_report_nothing(webhook, localstripe, group, alice, invoice, specialist, django_capture_on_commit_callbacks):
    pay(webhook, localstripe, group, alice, invoice, "1250.00")
    declined = payments.pay_invoice(
        membership=membership_of(alice, group), invoice=invoice, amount=Decimal("5.00"), attempts_seen=1,
        setup_intent_id=collect_card(localstripe, group, alice, "4000000000000341"), acting_user=alice, today=timezone.localdate(),
    ).payment
    assert declined.status == "failed"
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile.reconcile_payments(now=timezone.now() + timedelta(minutes=20), today=timezone.localdate()) == []
    assert len(mail.outbox) == sent


def test_a_payment_younger_than_a_quarter_hour_waits_for_its_webhook(webhook, localstripe, group, alice, invoice, specialist):
    pay(webhook, localstripe, group, alice, invoice, "300.00", succeed=False)
    assert reconcile.reconcile_payments(now=timezone.now(), today=timezone.localdate()) == []


def test_specialists_read_the_mismatches_in_django_admin(specialist_client, planted):
    reconcile.reconcile_payments(now=timezone.now() + timedelta(minutes=20), today=timezone.localdate())
    page = specialist_client.get(reverse("admin:billing_paymentmismatch_changelist")).content.decode()
    assert "Succeeded in Stripe, unknown to the portal" in page and "Recorded in the portal, not found in Stripe" in page


def test_only_the_last_week_is_compared(localstripe, group, invoice, specialist):
    def recorded(days_ago, intent_id):
        return Payment.objects.create(group=group, invoice=invoice, amount=Decimal("1.00"), status="succeeded", idempotency_key=intent_id,
                                      stripe_payment_intent_id=intent_id, created_at=timezone.now() - timedelta(days=days_ago))

    recorded(8, "pi_EightDaysAgo")
    recent = recorded(6, "pi_SixDaysAgo")
    found = reconcile.reconcile_payments(now=timezone.now(), today=timezone.localdate())
    assert [(m.kind, m.payment_id) for m in found] == [("missing_in_stripe", recent.pk)]
