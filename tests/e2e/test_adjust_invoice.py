"""The seed's billing steps down to Adjust Invoice: View Current Invoice -> the Invoice Number -> the Dollar Amount
(premium breakdown) -> Contract Detail -> Adjust Invoice with a termination -> the reconciled amount -> Confirm ->
the confirmation number, with Pay Online offering the reconciled amount. axe-clean on every page."""

import datetime
import os
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from billing import rules
from billing.tests import helpers
from enrollment.models import ChangeRequest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def current(group, alice):
    """Adams EE (500.00) and Baker ES (1,000.00) on this month's last two invoices: the current one is 3,000.00 due."""
    setup = helpers.set_up_group(group, years=range(2024, 2030))
    today = timezone.localdate()
    period = rules.last_invoiced_month(today, group.invoice_day)
    people = {}
    for name, tier in (("Adams", "EE"), ("Baker", "ES")):
        sub = helpers.subscriber(group, setup["salaried"], name)
        deps = [helpers.dependent(sub, "spouse", datetime.date(1986, 1, 1), "Sam", "01")] if tier == "ES" else []
        helpers.cover(sub, setup["gold"], rules.add_months(period, -3), tier=tier, dependents=deps)
        people[name] = sub
    helpers.issue(group, rules.add_months(period, -1))
    invoice = helpers.issue(group, period)
    return {"invoice": invoice, "people": people}


def test_an_admin_reviews_the_current_invoice_and_adjusts_it_with_a_termination(page, live_server, alice, group, current, browser_login, axe_check):
    invoice, adams = current["invoice"], current["people"]["Adams"]
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("complementary", name="Billing").get_by_role("link", name="Invoice Presentment and Payments").click()
    page.get_by_role("link", name="View Current Invoice").click()
    page.wait_for_url("**/billing/invoices/current/")
    page.get_by_test_id("current-invoice").get_by_role("link", name=invoice.number).click()
    page.wait_for_url("**/billing/invoices/%s/" % invoice.number)
    assert page.get_by_test_id("amount-due").inner_text() == "$3,000.00"

    page.get_by_test_id("dollar-amount").click()
    page.wait_for_url("**/breakdown/")
    page.get_by_test_id("subscriber-list").get_by_role("link", name=adams.subscriber_number).click()
    page.wait_for_url("**/contracts/%s/" % adams.subscriber_number)
    assert page.get_by_test_id("rate-applied").inner_text() == "$500.00 a month"
    page.go_back()
    page.go_back()
    page.wait_for_url("**/billing/invoices/%s/" % invoice.number)

    page.get_by_role("link", name="Adjust Invoice").click()
    page.wait_for_url("**/adjust/")
    axe_check(page, "Adjust Invoice, nothing reported")
    # A typing error first: the message stands next to the field.
    page.get_by_test_id("adjust-start").get_by_label("Subscriber ID").fill("M000000001")
    page.get_by_label("Terminate coverage (the subscriber, or a dependent)").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("No subscriber with this ID is on this invoice.").is_visible()
    axe_check(page, "Adjust Invoice with an error")
    page.get_by_test_id("adjust-start").get_by_label("Subscriber ID").fill(adams.subscriber_number)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/terminate/")
    axe_check(page, "Adjust Invoice: terminate coverage")
    page.get_by_label("Reason").select_option(label="Subscriber: End of employment")
    last_day_before = invoice.period - datetime.timedelta(days=1)
    page.get_by_label("Termination date").fill(last_day_before.isoformat())
    page.get_by_role("button", name="Add to the adjustment").click()
    page.wait_for_url("**/adjust/#reported")

    changes = page.get_by_test_id("reported-changes").inner_text()
    assert "Terminate Pat Adams and every dependent (End of employment)" in changes
    assert "-$500.00" in changes
    assert page.get_by_test_id("reconciled-amount").inner_text() == "$2,500.00"
    axe_check(page, "Adjust Invoice with the reconciled amount")

    page.get_by_role("button", name="Confirm changes").click()
    page.wait_for_url("**/adjust/confirmed/")
    axe_check(page, "Adjust Invoice confirmed")
    request = ChangeRequest.objects.get(subscriber=adams, kind="termination")
    assert page.get_by_test_id("adjust-confirmed").get_by_role("link", name=request.display_number).is_visible()
    assert page.get_by_test_id("reconciled-amount").inner_text() == "$2,500.00"
    pay = page.get_by_test_id("pay-online-%s" % invoice.number)
    assert parse_qs(urlparse(pay.get_attribute("href")).query) == {"amount": ["2500.00"]}

    page.get_by_test_id("adjust-confirmed").get_by_role("link", name=request.display_number).click()
    page.wait_for_url("**/requests/%s/" % request.confirmation_number)
    assert invoice.number in page.get_by_test_id("reported-on-invoice").inner_text()
