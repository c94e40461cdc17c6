"""Each payment task kind run once by a real Celery worker on Redis, against localstripe."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from billing import payments, tasks
from billing.models import Autopay, Payment, PaymentMismatch, PaymentMethod, StripeEvent
from billing.tests.stripe_helpers import collect_card, intent_event, make_invoice, membership_of
from tests.localstripe import deliver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_does_the_work_of_a_webhook_event_the_view_stored(celery_worker_redis, wait, localstripe, group, alice, invoice):
    submitted = payments.pay_invoice(
        membership=membership_of(alice, group), invoice=invoice, amount=Decimal("1250.00"), attempts_seen=0,
        setup_intent_id=collect_card(localstripe, group, alice), acting_user=alice, today=timezone.localdate(),
    )
    assert deliver(Client(), *intent_event(localstripe, submitted.payment)).status_code == 200
    assert wait(lambda: Payment.objects.get().status == "succeeded"), "the worker did not process the event"
    assert StripeEvent.objects.get().outcome == "payment %s succeeded" % submitted.payment.reference
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert wait(lambda: any(m.subject.startswith("Payment received") for m in mail.outbox))


def test_a_worker_runs_recurring_payment_and_sends_its_charge_to_stripe(celery_worker_redis, wait, localstripe, group, alice):
    setup_intent = collect_card(localstripe, group, alice, off_session=True)
    method = payments.change_autopay(membership=membership_of(alice, group), maximum=None, setup_intent_id=setup_intent, acting_user=alice).payment_method
    Autopay.objects.update(started_at=timezone.now() - timedelta(days=1))
    invoice = make_invoice(group, date(2027, 2, 1), Decimal("980.00"))
    tasks.run_autopay.delay(today="2027-02-01")  # run_autopay, then send_payment for the attempt it records
    assert wait(lambda: Payment.objects.filter(stripe_payment_intent_id__isnull=False).exists()), "no charge reached Stripe"
    payment = Payment.objects.get()
    assert (payment.invoice, payment.source, payment.payment_method, payment.amount) == (invoice, "autopay", method, Decimal("980.00"))
    assert [pi["amount"] for pi in localstripe.payment_intents()] == [98000]
    assert PaymentMethod.objects.count() == 1


def test_a_worker_reconciles_the_payments_and_tells_the_specialists(celery_worker_redis, wait, localstripe, group, specialist, invoice):
    Payment.objects.create(group=group, invoice=invoice, amount=Decimal("40.00"), status="succeeded", idempotency_key="pay-planted",
                           stripe_payment_intent_id="pi_NotInStripe", created_at=timezone.now() - timedelta(hours=1))
    tasks.reconcile_payments.delay()
    assert wait(lambda: PaymentMismatch.objects.exists()), "the worker did not reconcile"
    assert PaymentMismatch.objects.get().kind == "missing_in_stripe"
    assert wait(lambda: any(m.to == ["specialist@example.com"] for m in mail.outbox))
    assert settings.STRIPE_API_BASE == localstripe.url
