"""Make a Payment (Pay Online) against localstripe: one time by card, partial and over payments, a decline, the roles."""

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from billing import payments
from billing import stripe_gateway as gateway
from billing.models import Autopay, Invoice, Payment, PaymentMethod
from billing.tests.stripe_helpers import collect_card, deliver_intent_event, membership_of
from tests import factories
from tests.localstripe import signed_event

pytestmark = pytest.mark.django_db


def pay_url(invoice):
    return reverse("billing:make_payment", kwargs={"group_number": invoice.group.group_number, "invoice_number": invoice.number})


def post_payment(client, invoice, setup_intent, amount="1,250.00", *, attempts_seen=0, frequency="one_time", maximum=""):
    return client.post(pay_url(invoice), {
        "amount": amount, "frequency": frequency, "maximum_amount": maximum, "method": "card",
        "setup_intent": setup_intent, "attempts_seen": attempts_seen,
    })


def test_the_page_fills_in_the_amount_due_and_offers_one_time_or_recurring_payment(alice_client, invoice):
    response = alice_client.get(pay_url(invoice))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1 class=\"h3\">Make a Payment</h1>" in page
    assert "Payment Information" in page
    assert 'value="1250.00"' in page
    assert ">One Time</option>" in page and ">Recurring Payment</option>" in page
    assert "Card details" in page and "US bank account (ACH)" in page


def test_an_amount_in_the_link_is_filled_in_when_it_is_a_payment_amount(alice_client, invoice):
    assert 'value="800.50"' in alice_client.get(pay_url(invoice) + "?amount=800.50").content.decode()


@pytest.mark.parametrize("amount", ["-5", "abc", "10.005", "1000000", "0"])
def test_an_amount_in_the_link_that_is_not_a_payment_amount_is_replaced_by_the_amount_due(alice_client, invoice, amount):
    page = alice_client.get(pay_url(invoice), {"amount": amount}).content.decode()
    assert 'value="1250.00"' in page
    assert "The amount in the link is not a payment amount" in page


@pytest.mark.django_db(transaction=True)  # another connection must see what was committed
def test_a_one_time_card_payment_is_recorded_before_stripe_is_called_and_succeeds_only_by_the_webhook(
    webhook, alice_client, alice, group, invoice, localstripe, django_db_blocker
):
    setup_intent = collect_card(localstripe, group, alice)
    seen_by_another_connection = {}
    real_create = gateway.create_payment_intent

    def create_payment_intent(**kwargs):
        # Another connection sees the attempt and its key already committed when Stripe is called.
        def look():
            with django_db_blocker.unblock():
                row = Payment.objects.filter(idempotency_key=kwargs["idempotency_key"]).values("status", "amount").first()
                seen_by_another_connection.update(row or {"status": "not committed"})
                connections.close_all()
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        return real_create(**kwargs)

    gateway.create_payment_intent, saved = create_payment_intent, gateway.create_payment_intent
    try:
        response = post_payment(alice_client, invoice, setup_intent)
    finally:
        gateway.create_payment_intent = saved
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:payment_detail", kwargs={"group_number": "104522", "payment_reference": payment.reference})
    assert payment.idempotency_key == "pay-%d-1" % invoice.pk
    assert (payment.status, payment.amount, payment.source) == ("pending", Decimal("1250.00"), "online")
    intents = localstripe.payment_intents()
    assert [(pi["id"], pi["amount"], pi["currency"], pi["metadata"]["payment_reference"]) for pi in intents] == [
        (payment.stripe_payment_intent_id, 125000, "usd", payment.reference)
    ]
    assert (PaymentMethod.objects.get().brand, PaymentMethod.objects.get().last4) == ("Visa", "4242")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("0.00")), "the browser's return does not mark anything paid"
    assert "Payment processing" in alice_client.get(response["Location"]).content.decode()

    assert deliver_intent_event(webhook, localstripe, payment).status_code == 200
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "succeeded" and payment.received_at is not None
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("1250.00"))
    receipt = mail.outbox[-1]
    assert receipt.to == ["alice@example.com"]
    assert receipt.subject == "Payment received: $1,250.00 for invoice %s (reference %s-%s)" % (invoice.number, payment.reference[:5], payment.reference[5:])
    page = alice_client.get(response["Location"]).content.decode()
    assert "Payment Receipt" in page and "%s-%s" % (payment.reference[:5], payment.reference[5:]) in page
    assert seen_by_another_connection.get("status") == "pending"


def test_a_partial_payment_leaves_the_invoice_partially_paid(webhook, alice_client, alice, group, invoice, localstripe):
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice), amount="500.00")
    deliver_intent_event(webhook, localstripe, Payment.objects.get())
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("partially_paid", Decimal("500.00"))
    page = alice_client.get(pay_url(invoice)).content.decode()
    assert 'value="750.00"' in page, "the next payment is offered the balance"


def test_an_overpayment_pays_the_invoice_and_leaves_a_credit_for_the_next(webhook, alice_client, alice, group, invoice, localstripe):
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice), amount="$1,300.00")
    payment = Payment.objects.get()
    deliver_intent_event(webhook, localstripe, payment)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("1300.00"))
    page = alice_client.get(reverse("billing:payment_detail", kwargs={"group_number": "104522", "payment_reference": payment.reference})).content.decode()
    assert "$50.00, carried forward to your next invoice" in page
    assert "$50.00 is carried forward as a credit" in mail.outbox[-1].body


def test_two_payments_of_one_invoice_add_up(webhook, alice_client, alice, group, invoice, localstripe):
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice), amount="1000.00")
    deliver_intent_event(webhook, localstripe, Payment.objects.get())
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice), amount="250.00", attempts_seen=1)
    deliver_intent_event(webhook, localstripe, Payment.objects.order_by("created_at").last())
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("1250.00"))
    assert len(localstripe.payment_intents()) == 2


def test_a_declined_card_shows_stripes_message_and_changes_nothing(alice_client, alice, group, invoice, localstripe):
    # 4000 0000 0000 0341 is saved fine, then declined when charged.
    setup_intent = collect_card(localstripe, group, alice, "4000000000000341")
    response = post_payment(alice_client, invoice, setup_intent, frequency="recurring", maximum="2000")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your card was declined. Nothing was charged. Try another card or a bank account." in page
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code) == ("failed", "card_declined")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("open", Decimal("0.00"))
    assert not Autopay.objects.exists(), "Recurring Payment is not set up with a card that was declined"
    assert 'name="attempts_seen" value="1"' in page, "the page offers a new attempt"
    assert not mail.outbox, "the admin read the message on the page"


def test_recurring_payment_pays_now_and_sets_up_autopay_with_the_maximum(alice_client, alice, group, invoice, localstripe):
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice, off_session=True), frequency="recurring", maximum="2,000.00")
    autopay = Autopay.objects.get()
    assert (autopay.is_active, autopay.maximum_amount, autopay.created_by, str(autopay.payment_method)) == (
        True, Decimal("2000.00"), alice, "Visa •••• 4242")
    assert Payment.objects.get().status == "pending"
    assert AuditEvent.objects.filter(action="autopay_changed", detail__action="set up").count() == 1


def test_a_second_submission_of_the_same_page_charges_nothing_more(alice_client, alice, group, invoice, localstripe):
    setup_intent = collect_card(localstripe, group, alice)
    first = post_payment(alice_client, invoice, setup_intent)
    again = post_payment(alice_client, invoice, setup_intent)
    assert first["Location"] == again["Location"]
    assert Payment.objects.count() == 1
    assert len(localstripe.payment_intents()) == 1


def test_a_second_window_opened_before_the_payment_charges_nothing_more(alice_client, alice, group, invoice, localstripe):
    post_payment(alice_client, invoice, collect_card(localstripe, group, alice))
    response = post_payment(alice_client, invoice, collect_card(localstripe, group, alice), amount="1250.00", attempts_seen=0)
    assert response.status_code == 302
    assert Payment.objects.count() == 1 and len(localstripe.payment_intents()) == 1
    page = alice_client.get(response["Location"]).content.decode()
    assert "This invoice was just paid from another window. Nothing more was charged." in page


def test_a_forged_attempt_count_ahead_of_the_invoice_is_refused(alice_client, alice, group, invoice, localstripe):
    response = post_payment(alice_client, invoice, collect_card(localstripe, group, alice), attempts_seen=3)
    assert response.status_code == 302 and response["Location"] == pay_url(invoice)
    assert not Payment.objects.exists() and not localstripe.payment_intents()


@pytest.mark.parametrize("amount, message", [
    ("", "This field is required."),
    ("twelve", "Enter an amount in dollars and cents, e.g. 1,250.00."),
    ("0", "Enter an amount greater than zero."),
    ("12.345", "Enter dollars and cents (at most two decimal places)."),
    ("1000000.00", "A single payment can be at most $999,999.99."),
])
def test_a_bad_amount_is_refused_next_to_the_field_and_saves_nothing(alice_client, invoice, amount, message):
    response = post_payment(alice_client, invoice, "seti_notused123", amount=amount)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_without_the_card_details_the_form_asks_for_them(alice_client, invoice):
    response = post_payment(alice_client, invoice, "")
    assert response.status_code == 400
    assert "Enter your card or bank account details." in response.content.decode()
    assert not Payment.objects.exists()


def test_a_setup_intent_of_another_customer_is_refused_and_charges_nothing(client, alice_client, alice, charlie, group, other_group, invoice, localstripe):
    theirs = collect_card(localstripe, other_group, charlie)
    response = post_payment(alice_client, invoice, theirs)
    assert "This card or bank account could not be saved. Nothing was charged." in response.content.decode()
    assert Payment.objects.get().status == "failed"
    assert not localstripe.payment_intents() and not PaymentMethod.objects.exists()


def test_the_method_endpoint_checks_the_form_before_asking_stripe(alice_client, invoice, localstripe):
    url = reverse("billing:make_payment_method", kwargs={"group_number": "104522", "invoice_number": invoice.number})
    refused = alice_client.post(url, {"amount": "abc", "frequency": "one_time", "method": "card", "attempts_seen": 0})
    assert (refused.status_code, refused.json()) == (400, {"invalid": True})
    answer = alice_client.post(url, {"amount": "100", "frequency": "recurring", "method": "card", "attempts_seen": 0})
    secret = answer.json()["client_secret"]
    setup = localstripe.api("GET", "/v1/setup_intents/%s" % secret.split("_secret_")[0])
    assert (setup["usage"], setup["payment_method_types"], setup["metadata"]["purpose"]) == ("off_session", ["card"], "autopay")


@pytest.mark.parametrize("role", ["read_only", "enrollment"])
def test_an_admin_without_the_billing_or_primary_role_cannot_pay(client, group, invoice, role):
    user = factories.UserFactory(username="no-pay-%s" % role)
    factories.MembershipFactory(user=user, group=group, role=role)
    client.force_login(user)
    urls = [
        pay_url(invoice),
        reverse("billing:make_payment_method", kwargs={"group_number": "104522", "invoice_number": invoice.number}),
        reverse("billing:payments", kwargs={"group_number": "104522"}),
        reverse("billing:autopay_change", kwargs={"group_number": "104522"}),
        reverse("billing:autopay_method", kwargs={"group_number": "104522"}),
    ]
    for url in urls:
        assert client.get(url).status_code in (403, 405) and client.post(url, {}).status_code == 403, url
    page = client.get(reverse("billing:invoices", kwargs={"group_number": "104522"})).content.decode()
    assert "Pay Online" not in page


def test_a_billing_admin_sees_pay_online_on_each_open_invoice_opening_a_new_window(client, bill, group, invoice):
    client.force_login(bill)
    page = client.get(reverse("billing:invoices", kwargs={"group_number": "104522"})).content.decode()
    assert 'href="%s" target="_blank" rel="noopener"' % pay_url(invoice) in page
    assert "Pay Online<span class=\"visually-hidden\"> invoice %s (opens in a new window)</span>" % invoice.number in page


def test_the_service_refuses_an_invoice_of_another_group(alice, charlie, group, other_group, invoice, localstripe):
    with pytest.raises(Invoice.DoesNotExist):
        payments.pay_invoice(
            membership=membership_of(charlie, other_group), invoice=invoice, amount=Decimal("1"), setup_intent_id="seti_x",
            attempts_seen=0, acting_user=charlie, today=timezone.localdate(),
        )
    assert not Payment.objects.exists()


def test_a_webhook_event_for_an_unknown_payment_intent_changes_nothing(webhook, localstripe, invoice):
    body, signature = signed_event("payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent", "amount": 100, "status": "succeeded"},
                                   secret="whsec_localstripe")
    assert webhook(body, signature).status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "open"
    assert Payment.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT outcome FROM billing_stripeevent")
        assert cursor.fetchone()[0] == "ignored: no payment of the portal has this PaymentIntent"
