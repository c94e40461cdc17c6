"""US bank account (ACH), which localstripe lacks: the same gateway code path, Stripe's answers replayed from recordings."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing import charging, payments
from billing import stripe_gateway as gateway
from billing.models import Autopay, Payment, PaymentMethod
from billing.tests.recorded_stripe import FIXTURES, RecordedStripe
from billing.tests.stripe_helpers import make_invoice, membership_of
from tests.localstripe import signed_event

pytestmark = pytest.mark.django_db

SETUP = "seti_1QachRecordedSetup01"
METHOD = "pm_1QachRecordedBank01"
INTENT = "pi_3QachRecordedDebit01"
ROUTES = {
    ("POST", r"/v1/customers"): "customer.json",
    ("POST", r"/v1/setup_intents"): "setup_intent_created.json",
    ("GET", r"/v1/setup_intents/" + SETUP): "setup_intent_succeeded.json",
    ("GET", r"/v1/payment_methods/" + METHOD): "payment_method.json",
    ("POST", r"/v1/payment_intents"): "payment_intent_processing.json",
}


@pytest.fixture
def recorded(monkeypatch, settings):
    """Stripe's recorded answers in place of the network, with the production settings (no API base of localstripe)."""
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    transport = RecordedStripe(ROUTES, FIXTURES / "ach")
    monkeypatch.setattr(gateway, "HTTP_CLIENT", transport)
    return transport


def recorded_event(kind, name, secret="whsec_localstripe"):
    return signed_event(kind, json.loads((FIXTURES / "ach" / name).read_text()), secret=secret)


def pay_by_bank(client, invoice, **fields):
    url = reverse("billing:make_payment", kwargs={"group_number": "104522", "invoice_number": invoice.number})
    return client.post(url, {"amount": "1250.00", "frequency": "one_time", "maximum_amount": "", "method": "us_bank_account",
                             "setup_intent": SETUP, "attempts_seen": 0, **fields})


def test_setting_up_a_bank_account_asks_stripe_for_a_us_bank_account_setup_with_the_portals_key(recorded, alice, group):
    setup = payments.start_method_setup(group=group, kind="us_bank_account", off_session=False, acting_user=alice, purpose="payment")
    assert (setup.id, setup.client_secret) == (SETUP, "seti_1QachRecordedSetup01_secret_RecordedPlaceholder")
    customer, created = recorded.posts(r"/v1/customers")[0], recorded.posts(r"/v1/setup_intents")[0]
    assert (customer.params["name"], customer.params["metadata[group_number]"]) == ("Acme Manufacturing Co.", "104522")
    assert customer.headers["Idempotency-Key"] == "customer-104522-%d" % group.billing_account.pk
    assert {k: created.params[k] for k in ("customer", "payment_method_types[0]", "usage", "payment_method_options[us_bank_account][verification_method]")} == {
        "customer": "cus_RachRecordedAcme", "payment_method_types[0]": "us_bank_account", "usage": "on_session",
        "payment_method_options[us_bank_account][verification_method]": "instant",
    }
    assert created.headers["Idempotency-Key"].startswith("setup-104522-")
    assert recorded.sent[0].headers["Authorization"] == "Bearer sk_test_recorded"
    assert all(s.path.startswith("/v1/") for s in recorded.sent) and len(recorded.sent) == 2


def test_a_bank_payment_is_sent_with_its_mandate_and_stays_processing_until_the_bank_settles_it(recorded, webhook, alice_client, alice, group, invoice):
    payments.start_method_setup(group=group, kind="us_bank_account", off_session=False, acting_user=alice, purpose="payment")
    response = pay_by_bank(alice_client, invoice)

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert (payment.status, payment.stripe_payment_intent_id, payment.stripe_status) == ("pending", INTENT, "processing")
    method = PaymentMethod.objects.get()
    assert (method.kind, method.brand, method.last4, method.stripe_mandate_id, str(method)) == (
        "us_bank_account", "STRIPE TEST BANK", "6789", "mandate_1QachRecordedMandate", "STRIPE TEST BANK •••• 6789")
    debit = recorded.posts(r"/v1/payment_intents")[0]
    assert {k: v for k, v in debit.params.items() if not k.startswith("metadata")} == {
        "amount": "125000", "currency": "usd", "customer": "cus_RachRecordedAcme", "payment_method": METHOD,
        "payment_method_types[0]": "us_bank_account", "confirm": "true", "mandate": "mandate_1QachRecordedMandate",
    }
    assert (debit.params["metadata[payment_reference]"], debit.params["metadata[invoice_number]"]) == (payment.reference, invoice.number)
    assert debit.headers["Idempotency-Key"] == "pay-%d-1" % invoice.pk
    assert not recorded.posts(r"/v1/payment_methods/.*/attach"), "a confirmed SetupIntent attached it on Stripe already"
    page = alice_client.get(response["Location"]).content.decode()
    assert "Bank payments take up to four business days" in page
    invoice.refresh_from_db()
    assert invoice.status == "open"

    webhook(*recorded_event("payment_intent.succeeded", "payment_intent_succeeded.json"))
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, invoice.status, invoice.amount_paid) == ("succeeded", "paid", Decimal("1250.00"))
    assert "Method: STRIPE TEST BANK •••• 6789" in mail.outbox[-1].body


def test_a_bank_debit_that_fails_days_later_emails_the_admin_and_changes_nothing(recorded, webhook, alice_client, alice, group, invoice):
    payments.start_method_setup(group=group, kind="us_bank_account", off_session=False, acting_user=alice, purpose="payment")
    pay_by_bank(alice_client, invoice)
    webhook(*recorded_event("payment_intent.payment_failed", "payment_intent_failed.json"))
    payment = Payment.objects.get()
    invoice.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")
    assert payment.failure_message == "Your card or account has insufficient funds. Nothing was charged."
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("0.00"))
    [email] = mail.outbox
    assert (email.to, email.subject) == (["alice@example.com"], "Payment not made: $1,250.00 for invoice %s" % invoice.number)


def test_recurring_payment_by_bank_debits_off_session_with_the_mandate(recorded, alice, group):
    payments.start_method_setup(group=group, kind="us_bank_account", off_session=True, acting_user=alice, purpose="autopay")
    autopay = payments.change_autopay(membership=membership_of(alice, group), maximum=Decimal("5000.00"), setup_intent_id=SETUP, acting_user=alice)
    assert (str(autopay.payment_method), autopay.maximum_amount) == ("STRIPE TEST BANK •••• 6789", Decimal("5000.00"))
    due = timezone.localdate() + timedelta(days=20)
    invoice = make_invoice(group, date(due.year, due.month, 1))
    [attempt] = charging.due_autopay_attempts(today=invoice.due_on)
    charging.send_to_stripe(attempt.pk)
    debit = recorded.posts(r"/v1/payment_intents")[0]
    assert (debit.params["off_session"], debit.params["mandate"], debit.params["payment_method_types[0]"]) == ("true", "mandate_1QachRecordedMandate", "us_bank_account")
    assert debit.headers["Idempotency-Key"] == "autopay-%d-%s" % (invoice.pk, invoice.due_on.isoformat())
    assert Autopay.objects.get().is_active
