"""Open enrollment in the browser: search -> Keep Existing Coverage -> Confirm, Decline Coverage, Begin Enrollment to a new plan.

The group renews next month, so today (whatever it is) is inside its window; each flow ends
on a confirmation number, and axe-core checks every page visited.
"""

import os
import re
from datetime import date, timedelta

import pytest

from enrollment import rules
from enrollment.models import ChangeRequest, Coverage
from enrollment.tests.oe_helpers import set_up, subscriber

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = re.compile(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}")
SPOUSE = ("Robin", "spouse", date(1972, 8, 1))
KID = ("Ada", "child", date(2012, 4, 2))


@pytest.fixture
def in_window(group):
    """The group renewing next month, with plans and rates for this plan year and the next; return (plans, this plan year's start, renewal)."""
    today = group.today()
    renewal_month = today.month % 12 + 1
    this_year = rules.plan_year_of(renewal_month, today)
    oe = set_up(group, renewal_month=renewal_month, this_year=this_year)
    return oe, rules.plan_year_start(renewal_month, this_year), rules.plan_year_start(renewal_month, this_year + 1)


def member(group, oe, start, last_name, plan=None, subgroup=None, dependents=()):
    return subscriber(group, subgroup or oe.salaried, plan or oe.gold, last_name=last_name, dependents=dependents, start=start,
                      plan_year=start.year)


def open_subscriber(page, axe_check, text):
    """From the left navigation's Open Enrollment link: search, then select the subscriber."""
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Open Enrollment").click()
    page.wait_for_url("**/open-enrollment/")
    axe_check(page, "subscriber search")
    page.get_by_label("Subscriber ID or last name").fill(text)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/open-enrollment/?q=*")
    axe_check(page, "search results")
    page.get_by_test_id("oe-results").get_by_role("link").first.click()
    page.wait_for_url("**/open-enrollment/subscribers/*/")
    axe_check(page, "the subscriber's options")


def confirmation_number(page, axe_check):
    page.wait_for_url(re.compile(r".*/confirmation/.*"))
    axe_check(page, "confirmation")
    number = page.get_by_test_id("confirmation-number").inner_text().strip()
    assert NUMBER.fullmatch(number), number
    return number


def test_search_keep_existing_coverage_and_confirm(page, live_server, alice, group, in_window, browser_login, axe_check):
    oe, start, renewal = in_window
    keeper = member(group, oe, start, "Keeperson", plan=oe.bronze_old, subgroup=oe.hourly, dependents=[SPOUSE])
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    assert "1 subscriber not acted on yet" in page.get_by_test_id("oe-banner").inner_text()
    axe_check(page, "Group Home with the banner")
    open_subscriber(page, axe_check, "keeper")
    page.get_by_role("link", name="Keep Existing Coverage").click()
    page.wait_for_url("**/keep/")
    axe_check(page, "Keep Existing Coverage summary")
    assert "Bronze New HMO (successor plan)" in page.get_by_test_id("oe-keep-summary").inner_text()
    assert page.get_by_test_id("oe-new-premium").inner_text() == "$640.00"
    assert page.get_by_test_id("oe-difference").inner_text() == "+$40.00"
    page.get_by_role("button", name="Confirm").click()
    number = confirmation_number(page, axe_check)

    request = ChangeRequest.objects.get()
    assert (request.display_number, request.kind, request.status) == (number, "oe_keep", "completed")
    new = Coverage.objects.get(subscriber=keeper, start=renewal)
    assert (new.plan.code, new.tier, new.status) == ("BRONZE-NEW", "ES", "active")

    page.get_by_role("link", name="Back to Open Enrollment").click()
    page.wait_for_url("**/open-enrollment/")
    assert number in page.get_by_test_id("oe-results").inner_text()
    page.get_by_role("link", name="Open Enrollment progress").click()
    page.wait_for_url("**/progress/")
    axe_check(page, "progress")
    assert page.get_by_test_id("oe-total-kept").inner_text() == "1"


def test_decline_coverage_with_a_reason_and_the_alternate_health_plan_name(page, live_server, alice, group, in_window, browser_login,
                                                                           axe_check):
    oe, start, renewal = in_window
    decliner = member(group, oe, start, "Declinerson", dependents=[SPOUSE, KID])
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    open_subscriber(page, axe_check, decliner.subscriber_number)
    page.get_by_role("link", name="Decline Coverage").click()
    page.wait_for_url("**/decline/")
    axe_check(page, "Decline confirmation page")
    page.get_by_label("Covered by a spouse's or partner's plan").check()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector(".invalid-feedback, .is-invalid")
    axe_check(page, "Decline with an error")
    assert "Enter the alternate health plan name." in page.content()
    page.get_by_label("Covered by a spouse's or partner's plan").check()
    page.get_by_label("Alternate health plan name").fill("Kaiser Silver 70")
    page.get_by_role("button", name="Confirm").click()
    number = confirmation_number(page, axe_check)

    request = ChangeRequest.objects.get()
    assert (request.display_number, request.kind, request.status) == (number, "oe_decline", "completed")
    assert request.snapshot["alternate_plan_name"] == "Kaiser Silver 70"
    assert list(Coverage.objects.filter(subscriber=decliner).values_list("end", "termination_reason")) == [
        (renewal - timedelta(days=1), "declined")
    ]


def test_begin_enrollment_to_a_new_plan(page, live_server, alice, group, in_window, browser_login, axe_check):
    oe, start, renewal = in_window
    beginner = member(group, oe, start, "Beginson", dependents=[SPOUSE, KID])
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    open_subscriber(page, axe_check, "Beginson")
    page.get_by_role("button", name="Begin Enrollment").click()
    page.wait_for_url("**/plan/")
    axe_check(page, "Begin Enrollment: plan step")
    assert "Begin Enrollment for Pat" in page.get_by_test_id("oe-begin-banner").inner_text()
    page.get_by_label("Silver HMO").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/dependents/")
    axe_check(page, "Begin Enrollment: dependents step")
    assert page.locator("#id_dep-0-first_name").is_disabled()
    page.locator("#id_dep-1-elect_coverage_1").check()  # Ada: not covered next year
    page.locator("#id_dep-1-has_other_coverage_1").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/summary/")
    axe_check(page, "Begin Enrollment: summary")
    assert page.get_by_test_id("summary-premium").inner_text() == "$840.00"
    page.get_by_role("button", name="Confirm enrollment").click()
    number = confirmation_number(page, axe_check)

    request = ChangeRequest.objects.get()
    assert (request.display_number, request.kind, request.status) == (number, "oe_begin", "completed")
    new = Coverage.objects.get(subscriber=beginner, start=renewal)
    assert (new.plan.code, new.tier, list(new.dependents.values_list("first_name", flat=True))) == ("SILVER", "ES", ["Robin"])
