"""Review your bill: Invoice Presentment and Payments -> View Current Invoice -> the Invoice Number -> the
Dollar Amount (premium breakdown) -> Contract Detail; and a big invoice's PDF prepared while a page waits.
(Adjust Invoice is walked in test_adjust_invoice.py, Pay Online in test_pay_online.py.)"""

import datetime
import os

import pytest
from playwright.sync_api import expect

from billing.tests import helpers

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

d = datetime.date


@pytest.fixture
def invoices(group, alice):
    """Two invoices (March, April 2026) of three subscribers; April credits a retro termination of March."""
    setup = helpers.set_up_group(group)
    people = {}
    for name, tier in (("Adams", "EE"), ("Baker", "ES"), ("Clark", "EE")):
        sub = helpers.subscriber(group, setup["salaried"], name)
        deps = [helpers.dependent(sub, "spouse", d(1986, 1, 1), "Sam", "01")] if tier == "ES" else []
        people[name] = (sub, helpers.cover(sub, setup["gold"], d(2026, 1, 1), tier=tier, dependents=deps))
    helpers.issue(group, d(2026, 3, 1))
    clark, coverage = people["Clark"]
    helpers.end(coverage, d(2026, 2, 28))
    helpers.completed_request(group, clark, "termination", helpers.at(d(2026, 2, 20)), "CXRK234567")
    helpers.issue(group, d(2026, 4, 1))
    return {name: sub for name, (sub, _) in people.items()}


def test_an_admin_reviews_the_current_invoice_down_to_a_subscribers_contract(page, live_server, alice, group, invoices, browser_login, axe_check):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    dashboard = page.get_by_test_id("billing-dashboard")
    assert "Balance today: $3,000.00" in dashboard.inner_text()
    assert page.get_by_role("img", name="Amount billed and paid, last 2 invoices").is_visible()
    axe_check(page, "group home with the billing dashboard")

    page.get_by_role("complementary", name="Billing").get_by_role("link", name="Invoice Presentment and Payments").click()
    page.wait_for_url("**/billing/invoices/")
    axe_check(page, "invoice presentment and payments")
    page.get_by_role("link", name="View Current Invoice").click()
    page.wait_for_url("**/billing/invoices/current/")
    axe_check(page, "view current invoice")
    assert "$3,000.00" in page.get_by_test_id("current-invoice").inner_text()

    page.get_by_test_id("current-invoice").get_by_role("link", name="INV-104522-202604").click()
    page.wait_for_url("**/billing/invoices/INV-104522-202604/")
    axe_check(page, "the invoice")
    assert page.get_by_test_id("amount-due").inner_text() == "$3,000.00"
    subscribers = page.get_by_test_id("subscriber-list")
    assert "CXRK2-34567" in subscribers.inner_text()  # the credit names the request that caused it
    assert page.get_by_role("link", name="Adjust Invoice").is_visible()  # April is the current invoice

    page.get_by_test_id("dollar-amount").click()
    page.wait_for_url("**/billing/invoices/INV-104522-202604/breakdown/")
    axe_check(page, "premium breakdown")
    assert page.get_by_role("heading", name="Contract Detail").is_visible()
    baker = invoices["Baker"].subscriber_number
    page.get_by_test_id("subscriber-list").get_by_role("link", name=baker).click()
    page.wait_for_url("**/contracts/%s/" % baker)
    axe_check(page, "contract detail")
    assert page.get_by_test_id("rate-applied").inner_text() == "$1,000.00 a month"
    assert "Sam Rivera (Spouse" in page.get_by_test_id("contract-coverages").inner_text()
    assert page.get_by_test_id("contract-history").get_by_role("link", name="INV-104522-202603").is_visible()

    # The same contract is found by typing the subscriber ID into the Contract Detail field.
    page.go_back()
    page.get_by_role("search", name="Contract Detail by subscriber ID").get_by_role("textbox").fill(invoices["Adams"].subscriber_number.lower())
    page.get_by_role("button", name="Show contract").click()
    page.wait_for_url("**/contracts/%s/" % invoices["Adams"].subscriber_number)
    assert page.get_by_test_id("rate-applied").inner_text() == "$500.00 a month"


def test_a_big_invoices_pdf_is_prepared_while_the_page_waits_and_refreshes_itself(page, live_server, alice, group, invoices, browser_login, axe_check, settings):
    settings.BILLING_PDF_INLINE_MAX_LINES = 2  # April has 3 lines: prepared by the worker (eager here)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.goto(live_server.url + "/groups/104522/billing/invoices/INV-104522-202604/")

    with page.expect_download(timeout=20000) as download:
        page.get_by_role("link", name="Download PDF").click()
        page.wait_for_url("**/pdf/")
        assert "Your PDF is being prepared" in page.get_by_test_id("pdf-status").inner_text()
        axe_check(page, "PDF being prepared")
        # The page asks the server until the worker is done, then offers the file and starts the download.
        expect(page.get_by_test_id("pdf-status")).to_contain_text("Your PDF is ready.", timeout=15000)
        axe_check(page, "PDF ready")
    assert download.value.suggested_filename == "INV-104522-202604.pdf"
