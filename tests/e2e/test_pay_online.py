"""Pay Online in the browser, against localstripe and its Stripe.js stand-in: a new window, a card typed into Stripe.js,
the receipt once Stripe's webhook arrives, the invoice paid; Recurring Payment set up, changed and cancelled. Axe on every page."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from billing.models import Autopay, Invoice, Payment
from billing.tests.stripe_helpers import make_invoice

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stripe_webhooks(localstripe, live_server):
    """localstripe sends its signed events to the live server's webhook, as Stripe would to the portal."""
    localstripe.send_webhooks_to(live_server.url + "/billing/stripe/webhook/", settings.STRIPE_WEBHOOK_SECRET)
    return localstripe


@pytest.fixture
def open_invoice(group):
    today = timezone.localdate()
    return make_invoice(group, date(today.year + (today.month == 12), today.month % 12 + 1, 1), Decimal("1250.00"))


def type_card(page, number="4242424242424242"):
    """Type a test card into Stripe.js's card inputs (localstripe's stand-in mounts plain inputs)."""
    page.get_by_placeholder("number").fill(number)
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("34")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("97201")


def open_make_a_payment(page, live_server, invoice, axe_check):
    page.goto(live_server.url + "/groups/104522/billing/invoices/")
    axe_check(page, "invoice history")
    link = page.get_by_test_id("pay-online-%s" % invoice.number)
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert "(opens in a new window)" in link.inner_text()
    with page.context.expect_page() as opened:
        link.click()
    window = opened.value
    window.wait_for_load_state()
    assert window.url.endswith("/billing/invoices/%s/pay/" % invoice.number)
    window.get_by_placeholder("number").wait_for()
    return window


def test_an_admin_pays_the_invoice_by_card_in_a_new_window_and_it_shows_paid(page, live_server, browser_login, axe_check, alice, open_invoice, stripe_webhooks):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    window = open_make_a_payment(page, live_server, open_invoice, axe_check)
    assert window.get_by_role("heading", name="Make a Payment", level=1).is_visible()
    assert window.get_by_role("heading", name="Payment Information").is_visible()
    assert window.get_by_label("Payment amount").input_value() == "1250.00"
    assert window.get_by_label("Frequency").input_value() == "one_time"
    assert window.get_by_label("Card", exact=True).is_checked()
    axe_check(window, "make a payment")

    to_portal = []
    window.on("request", lambda request: to_portal.append(request) if request.url.startswith(live_server.url) else None)
    type_card(window)
    window.get_by_role("button", name="Submit Payment").click()
    window.get_by_role("heading", name="Payment Receipt").wait_for(timeout=30_000)
    axe_check(window, "receipt")
    posted = [r.post_data or "" for r in to_portal if r.method == "POST"]
    assert len(posted) == 2 and all("1250.00" in body for body in posted), "the method endpoint, then the form: both with the amount"
    assert not any("4242" in body for body in posted), "the card number goes to Stripe only, never to the portal"
    payment = Payment.objects.get()
    assert window.get_by_test_id("payment-reference").inner_text() == "%s-%s" % (payment.reference[:5], payment.reference[5:])
    assert window.get_by_test_id("payment-amount").inner_text() == "$1,250.00"
    assert window.get_by_test_id("invoice-status").inner_text() == "Paid"
    assert len(stripe_webhooks.payment_intents()) == 1

    page.reload()
    axe_check(page, "invoice history after paying")
    row = page.get_by_role("row").filter(has_text=open_invoice.number).first
    assert "Paid" in row.inner_text() and "$1,250.00" in row.inner_text()
    assert page.get_by_test_id("pay-online-%s" % open_invoice.number).count() == 0
    assert "%s-%s" % (payment.reference[:5], payment.reference[5:]) in page.get_by_test_id("payments-table").inner_text()
    assert Invoice.objects.get().status == "paid"


def test_a_declined_card_shows_stripes_message_and_the_invoice_stays_open(page, live_server, browser_login, axe_check, alice, open_invoice, stripe_webhooks):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    window = open_make_a_payment(page, live_server, open_invoice, axe_check)
    window.get_by_label("Payment amount").fill("500.00")
    type_card(window, "4000000000000341")
    window.get_by_role("button", name="Submit Payment").click()
    error = window.get_by_test_id("payment-error")
    error.wait_for(timeout=30_000)
    assert error.inner_text() == "Your card was declined. Nothing was charged. Try another card or a bank account."
    axe_check(window, "declined")
    assert Invoice.objects.get().status == "open" and Payment.objects.get().status == "failed"


def test_an_admin_sets_up_recurring_payment_then_changes_and_cancels_it(page, live_server, browser_login, axe_check, alice, open_invoice, stripe_webhooks):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    window = open_make_a_payment(page, live_server, open_invoice, axe_check)
    maximum = window.get_by_label("Maximum amount (optional)")
    assert not maximum.is_visible(), "the maximum belongs to Recurring Payment only"
    window.get_by_label("Frequency").select_option(label="Recurring Payment")
    maximum.fill("2,000.00")
    window.get_by_label("US bank account (ACH)").check()
    assert "you authorize the health plan to debit" in window.get_by_test_id("ach-authorization").inner_text()
    axe_check(window, "recurring payment by bank")
    window.get_by_label("Card", exact=True).check()
    type_card(window)
    window.get_by_role("button", name="Submit Payment").click()
    window.get_by_role("heading", name="Payment Receipt").wait_for(timeout=30_000)
    assert window.get_by_test_id("invoice-status").inner_text() == "Paid"

    page.get_by_role("complementary", name="Billing").get_by_role("link", name="Payments", exact=True).click()
    page.wait_for_url("**/billing/payments/")
    axe_check(page, "payments")
    assert page.get_by_test_id("autopay-method").inner_text() == "Visa •••• 4242"
    assert page.get_by_test_id("autopay-maximum").inner_text() == "$2,000.00"

    page.get_by_role("link", name="Change Recurring Payment").click()
    axe_check(page, "change recurring payment")
    assert page.get_by_label("Keep Visa •••• 4242").is_checked()
    page.get_by_label("Maximum amount (optional)").fill("3000")
    page.get_by_role("button", name="Save Recurring Payment").click()
    page.wait_for_url("**/billing/payments/")
    assert page.get_by_test_id("autopay-maximum").inner_text() == "$3,000.00"

    page.get_by_role("link", name="Cancel Recurring Payment").click()
    axe_check(page, "cancel recurring payment")
    page.get_by_role("button", name="Cancel Recurring Payment").click()
    page.wait_for_url("**/billing/payments/")
    assert "Recurring Payment is cancelled." in page.get_by_role("status").first.inner_text()
    assert Autopay.objects.get().is_active is False


def test_a_card_whose_bank_asks_for_confirmation_is_confirmed_in_the_window(page, live_server, browser_login, axe_check, alice, open_invoice, stripe_webhooks):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    window = open_make_a_payment(page, live_server, open_invoice, axe_check)
    type_card(window, "4000002500003155")  # 3D Secure: asked when saved, and again when charged
    window.get_by_role("button", name="Submit Payment").click()
    window.get_by_role("button", name="Complete authentication").click()  # Stripe.js's dialog, saving the card
    confirm = window.get_by_role("button", name="Confirm with your bank")
    confirm.wait_for(timeout=30_000)
    axe_check(window, "confirm with your bank")
    assert Payment.objects.get().stripe_status == "requires_action"
    confirm.click()
    window.get_by_role("button", name="Complete authentication").click()  # Stripe.js's dialog, for the charge
    window.get_by_role("heading", name="Payment Receipt").wait_for(timeout=30_000)
    assert window.get_by_test_id("invoice-status").inner_text() == "Paid"
