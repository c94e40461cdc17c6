"""A group admin enrolls a family with the New Enrollment wizard and follows the request in Track Requests."""

import os
import re

import pytest

from enrollment.models import ChangeRequest, Coverage
from enrollment.tests import helpers

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_enrolls_a_subscriber_with_two_dependents_and_finds_the_request_in_track_requests(
    page, live_server, alice, group, browser_login, axe_check
):
    plans = helpers.offer_plans(group)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="New Enrollment").click()

    # 1. Subscriber
    page.wait_for_url("**/enrollment/new/")
    axe_check(page, "subscriber step")
    for field, value in helpers.subscriber_post(plans["salaried"]).items():
        if field in ("gender", "marital_status", "state"):
            page.locator("#id_" + field).select_option(value)
        elif field == "subgroup":
            page.locator("#id_subgroup").select_option(label="Salaried")
        else:
            page.locator("#id_" + field).fill(value)
    page.get_by_role("button", name="Save and continue").click()

    # 2. Medical plan: Gold PPO selectable, Silver HMO too (Salaried); pick Gold.
    page.wait_for_url("**/plan/")
    axe_check(page, "plan step")
    assert page.get_by_test_id("plan-card").count() == 2
    page.get_by_label("Gold PPO").check()
    page.get_by_role("button", name="Save and continue").click()

    # 3. Dependents: one covered child, one with other coverage.
    page.wait_for_url("**/dependents/")
    axe_check(page, "dependents step")
    page.get_by_role("button", name="Add New Dependent").click()
    page.wait_for_url("**/dependents/?add=1*")
    fill_dependent(page, 0, helpers.CHILD)
    page.get_by_role("button", name="Add New Dependent").click()
    page.wait_for_selector("#id_dep-1-first_name")
    axe_check(page, "dependents step with two dependents")
    fill_dependent(page, 1, helpers.CHILD_WITH_OTHER_COVERAGE)
    page.get_by_role("button", name="Save and continue").click()

    # 4. Summary
    page.wait_for_url("**/summary/")
    axe_check(page, "summary")
    assert "EC" in page.get_by_test_id("summary-tier").inner_text()
    assert page.get_by_test_id("summary-premium").inner_text() == "$1,080.00"
    assert "Kaiser" in page.content()
    page.get_by_role("button", name="Confirm enrollment").click()

    # 5. Confirmation number
    page.wait_for_url("**/confirmation/")
    axe_check(page, "confirmation")
    number = page.get_by_test_id("confirmation-number").inner_text().strip()
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}", number)
    page.get_by_role("link", name="Print").click()
    page.wait_for_url("**/print/")
    axe_check(page, "print view")

    # Track Requests: find it by its number, typed in lower case without the dash.
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Track Requests").click()
    page.wait_for_url("**/requests/")
    axe_check(page, "track requests")
    assert number in page.get_by_test_id("requests-table").inner_text()
    page.locator("#id_number").fill(number.replace("-", "").lower())
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**/requests/%s/" % number.replace("-", ""))
    axe_check(page, "request page")
    assert page.get_by_test_id("request-status").inner_text() == "Completed"
    assert "Completed" in page.get_by_test_id("timeline").inner_text()

    request = ChangeRequest.objects.get()
    assert request.display_number == number and request.status == "completed"
    coverage = Coverage.objects.get()
    assert (coverage.tier, coverage.status) == ("EC", "active")
    assert list(coverage.dependents.values_list("first_name", flat=True)) == ["Lucia"]


def fill_dependent(page, index, dependent):
    prefix = "#id_dep-%d-" % index
    page.locator(prefix + "first_name").fill(dependent["first_name"])
    page.locator(prefix + "last_name").fill("Lopez")
    page.locator(prefix + "date_of_birth").fill(dependent["date_of_birth"])
    page.locator(prefix + "gender").select_option(dependent.get("gender", "M"))
    page.locator(prefix + "relationship").select_option(dependent["relationship"])
    page.locator(prefix + "elect_coverage_%d" % (0 if dependent["elect_coverage"] == "yes" else 1)).check()
    if dependent["elect_coverage"] == "no":
        page.locator(prefix + "has_other_coverage_%d" % (0 if dependent["has_other_coverage"] == "yes" else 1)).check()
        page.locator(prefix + "other_carrier").fill(dependent["other_carrier"])
        page.locator(prefix + "other_policy_number").fill(dependent["other_policy_number"])
