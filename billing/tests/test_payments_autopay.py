"""Recurring Payment (autopay) against localstripe, the clock moved with time-machine: notice, charge on the due date, never twice."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import stripe
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEvent
from billing import charging, tasks
from billing import stripe_gateway as gateway
from billing.models import Autopay, AutopayNotice, BillingAccount, Payment
from billing.tests.stripe_helpers import collect_card, deliver_intent_event, make_invoice

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
FEBRUARY = date(2027, 2, 1)


def on(day: date, hour=7):
    """Travel to `day` at `hour` in the carrier's time zone (as Celery beat's morning run)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=PACIFIC), tick=False)


def set_up_on_page(client, localstripe, group, user, card="4242424242424242", maximum=""):
    """Set up Recurring Payment on the Payments page, as the browser does: Stripe.js confirms the card, the form posts its SetupIntent."""
    client.force_login(user)  # signed in on the travelled day: a session ends after 15 idle minutes
    url = reverse("billing:autopay_change", kwargs={"group_number": group.group_number})
    setup_intent = collect_card(localstripe, group, user, card, off_session=True)
    response = client.post(url, {"method": "card", "maximum_amount": maximum, "setup_intent": setup_intent})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Autopay.objects.get()


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks):
    """Return run(day): Celery beat's morning run of Recurring Payment on `day`, what it queues on commit done at once."""

    def run(day):
        with on(day), django_capture_on_commit_callbacks(execute=True):
            return tasks.run_autopay()

    return run


@pytest.fixture
def autopay_on(alice_client, localstripe, group, alice):
    """Recurring Payment set up on Jan 10, 2027; February's invoice issued on Jan 15."""
    with on(date(2027, 1, 10)):
        autopay = set_up_on_page(alice_client, localstripe, group, alice, maximum="2,000.00")
    with on(date(2027, 1, 15), hour=9):
        invoice = make_invoice(group, FEBRUARY, Decimal("1250.00"))
    return autopay, invoice


def test_recurring_payment_emails_three_days_ahead_then_charges_the_new_invoice_on_its_due_date(webhook, localstripe, group, alice, autopay_on, run_beat):
    autopay, invoice = autopay_on
    assert (autopay.maximum_amount, str(autopay.payment_method)) == (Decimal("2000.00"), "Visa •••• 4242")

    assert run_beat(date(2027, 1, 28)) == {"date": "2027-01-28", "notices": 0, "charges": 0}
    assert run_beat(date(2027, 1, 29)) == {"date": "2027-01-29", "notices": 1, "charges": 0}
    [notice] = mail.outbox
    assert notice.to == ["alice@example.com"]
    assert notice.subject == "Recurring Payment: $1,250.00 will be charged on Feb 1, 2027"
    assert "to Visa •••• 4242 on Feb 1, 2027, for invoice\nINV-104522-202702" in notice.body
    assert run_beat(date(2027, 1, 29)) == {"date": "2027-01-29", "notices": 0, "charges": 0}, "one notice per invoice"
    assert run_beat(date(2027, 1, 31)) == {"date": "2027-01-31", "notices": 0, "charges": 0}
    assert not localstripe.payment_intents()

    assert run_beat(FEBRUARY) == {"date": "2027-02-01", "notices": 0, "charges": 1}
    payment = Payment.objects.get()
    assert (payment.source, payment.amount, payment.idempotency_key, payment.status) == ("autopay", Decimal("1250.00"), "autopay-%d-2027-02-01" % invoice.pk, "pending")
    [intent] = localstripe.payment_intents()
    assert (intent["amount"], intent["customer"], intent["payment_method"], intent["status"]) == (
        125000, BillingAccount.objects.get(group=group).stripe_customer_id, autopay.payment_method.stripe_payment_method_id, "succeeded")
    with on(FEBRUARY, hour=8):
        deliver_intent_event(webhook, localstripe, payment)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("1250.00"))
    assert run_beat(date(2027, 2, 2)) == {"date": "2027-02-02", "notices": 0, "charges": 0}
    assert len(localstripe.payment_intents()) == 1


def test_an_invoice_issued_before_recurring_payment_was_set_up_is_not_charged(alice_client, localstripe, group, alice, run_beat):
    with on(date(2027, 1, 15), hour=9):
        make_invoice(group, FEBRUARY)
    with on(date(2027, 1, 20)):
        set_up_on_page(alice_client, localstripe, group, alice)
    assert run_beat(date(2027, 1, 29))["notices"] == 0
    assert run_beat(FEBRUARY)["charges"] == 0
    assert not localstripe.payment_intents()


def test_an_invoice_above_the_maximum_is_not_charged_and_the_admin_is_told_once(alice_client, localstripe, group, alice, run_beat):
    with on(date(2027, 1, 10)):
        set_up_on_page(alice_client, localstripe, group, alice, maximum="1000")
    with on(date(2027, 1, 15), hour=9):
        make_invoice(group, FEBRUARY, Decimal("1250.00"))
    assert run_beat(date(2027, 1, 29)) == {"date": "2027-01-29", "notices": 1, "charges": 0}
    assert run_beat(FEBRUARY) == {"date": "2027-02-01", "notices": 0, "charges": 0}
    assert run_beat(date(2027, 2, 2)) == {"date": "2027-02-02", "notices": 0, "charges": 0}
    assert not localstripe.payment_intents() and not Payment.objects.exists()
    [email] = mail.outbox
    assert email.subject == "Recurring Payment will not charge invoice INV-104522-202702: above your maximum"
    assert "for $1,250.00, which is above your Recurring Payment maximum of $1,000.00" in email.body
    assert list(AutopayNotice.objects.values_list("kind", flat=True)) == ["over_maximum"]


def test_a_declined_off_session_charge_emails_the_admin_once_and_is_not_retried(alice_client, localstripe, group, alice, run_beat):
    with on(date(2027, 1, 10)):
        set_up_on_page(alice_client, localstripe, group, alice, card="4000000000000341")  # saved fine, declined when charged
    with on(date(2027, 1, 15), hour=9):
        invoice = make_invoice(group, FEBRUARY)
    mail.outbox.clear()
    for day in (FEBRUARY, date(2027, 2, 2), date(2027, 2, 3), date(2027, 2, 4)):
        run_beat(day)
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code, payment.attempt) == ("failed", "card_declined", 1)
    assert len(localstripe.payment_intents()) == 1
    [email] = mail.outbox
    assert email.subject == "Payment not made: $1,250.00 for invoice INV-104522-202702"
    assert "Recurring Payment does not try this invoice again." in email.body
    invoice.refresh_from_db()
    assert invoice.status == "open"


def test_a_charge_the_bank_wants_confirmed_fails_with_plain_words_and_is_cancelled_on_stripe(alice_client, localstripe, group, alice, run_beat):
    with on(date(2027, 1, 10)):
        set_up_on_page(alice_client, localstripe, group, alice, card="4000002500003155")  # 3D Secure at every charge
    with on(date(2027, 1, 15), hour=9):
        make_invoice(group, FEBRUARY)
    mail.outbox.clear()
    run_beat(FEBRUARY)
    run_beat(date(2027, 2, 2))
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_code) == ("failed", "authentication_required")
    assert payment.failure_message.startswith("Your bank asked to confirm this payment, which it cannot do while you are away.")
    assert [pi["status"] for pi in localstripe.payment_intents()] == ["canceled"]
    assert len(mail.outbox) == 1


class FlakyNetwork(stripe.RequestsClient):
    """The real HTTP client, except that the first `failures` PaymentIntent creations never reach Stripe."""

    def __init__(self, failures):
        super().__init__()
        self.failures = failures
        self.keys = []

    def request(self, method, url, headers, post_data=None, **kwargs):
        if method.lower() == "post" and url.endswith("/v1/payment_intents"):
            self.keys.append(headers.get("Idempotency-Key"))
            if self.failures:
                self.failures -= 1
                raise stripe.APIConnectionError("Network unreachable.", should_retry=True)
        return super().request(method, url, headers, post_data, **kwargs)


def test_a_network_error_is_retried_with_backoff_and_the_same_key_charging_once(monkeypatch, alice_client, localstripe, group, alice, autopay_on, run_beat):
    _, invoice = autopay_on
    network = FlakyNetwork(failures=2)
    monkeypatch.setattr(gateway, "HTTP_CLIENT", network)
    # Run eagerly, a retry is applied at once (no wait) when the error is not propagated to the caller.
    monkeypatch.setitem(tasks.send_payment.app.conf, "task_eager_propagates", False)
    run_beat(FEBRUARY)
    assert network.keys == ["autopay-%d-2027-02-01" % invoice.pk] * 3
    assert len(localstripe.payment_intents()) == 1
    payment = Payment.objects.get()
    assert (payment.status, payment.attempt, payment.stripe_payment_intent_id) == ("pending", 3, localstripe.payment_intents()[0]["id"])
    options = tasks.send_payment
    assert (options.autoretry_for, options.retry_backoff, options.retry_backoff_max, options.max_retries) == ((gateway.StripeUnavailable,), 30, 3600, 6)


def test_the_command_charges_as_of_the_date_given(localstripe, autopay_on):
    out = StringIO()
    with on(FEBRUARY):
        call_command("charge_autopay", "--date", "2027-02-01", stdout=out)
    assert out.getvalue() == "Recurring Payment on 2027-02-01: 0 notices sent, 1 charges sent to Stripe.\n"
    assert len(localstripe.payment_intents()) == 1
    with pytest.raises(CommandError, match="--date must be a date written YYYY-MM-DD"):
        call_command("charge_autopay", "--date", "Feb 1")


def test_recurring_payment_is_viewed_changed_and_cancelled_on_the_payments_page(alice_client, localstripe, group, alice, autopay_on, run_beat):
    page_url = reverse("billing:payments", kwargs={"group_number": "104522"})
    with on(date(2027, 1, 20)):
        alice_client.force_login(alice)
        page = alice_client.get(page_url).content.decode()
    assert "Visa •••• 4242" in page and "$2,000.00" in page
    assert "$1,250.00 on Feb 1, 2027 (invoice INV-104522-202702)" in page

    change = reverse("billing:autopay_change", kwargs={"group_number": "104522"})
    with on(date(2027, 1, 21)):
        alice_client.force_login(alice)
        response = alice_client.post(change, {"method": "keep", "maximum_amount": ""})
        assert response.status_code == 302
        autopay = Autopay.objects.get()
        assert (autopay.maximum_amount, autopay.is_active) == (None, True)

        cancel = reverse("billing:autopay_cancel", kwargs={"group_number": "104522"})
        assert "Cancel Recurring Payment" in alice_client.get(cancel).content.decode()
        alice_client.post(cancel)
        autopay.refresh_from_db()
        assert (autopay.is_active, autopay.cancelled_by) == (False, alice)
        assert "Off. With Recurring Payment" in alice_client.get(page_url).content.decode()
    assert run_beat(FEBRUARY)["charges"] == 0
    actions = list(AuditEvent.objects.filter(action="autopay_changed").order_by("at").values_list("detail__action", flat=True))
    assert actions == ["set up", "changed", "cancelled"]


def test_cancelled_before_its_charge_was_sent_the_attempt_fails_without_charging(localstripe, group, alice, autopay_on):
    _, invoice = autopay_on
    with on(FEBRUARY):
        [attempt] = charging.due_autopay_attempts(today=FEBRUARY)
        Autopay.objects.update(is_active=False)
        charging.send_to_stripe(attempt.pk)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.failure_message) == ("failed", "Recurring Payment was cancelled before the charge. Nothing was charged.")
    assert not localstripe.payment_intents()
