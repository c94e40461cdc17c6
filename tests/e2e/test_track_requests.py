"""A read-only admin follows the group's requests in Track Requests, but cannot enroll."""

import os

import pytest

from enrollment import change_requests, request_status
from enrollment.tests import helpers
from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_read_only_admin_filters_track_requests_and_opens_a_request(page, live_server, alice, bob, group, browser_login, axe_check):
    plans = helpers.offer_plans(group)
    maria = factories.SubscriberFactory(group=group, subgroup=plans["salaried"], first_name="Maria", last_name="Lopez")
    done = change_requests.submit(group=group, kind="new_enrollment", acting_user=alice, snapshot={}, subscriber=maria, process=False)
    request_status.complete(done)
    waiting = change_requests.submit(group=group, kind="id_card_order", acting_user=alice, snapshot={"quantity": 1}, process=False)

    browser_login(page, "bob")
    page.wait_for_url("**/groups/104522/")
    nav = page.get_by_role("navigation", name="Enrollment")
    assert nav.get_by_role("link", name="New Enrollment").count() == 0
    nav.get_by_role("link", name="Track Requests").click()
    page.wait_for_url("**/requests/")
    axe_check(page, "track requests")
    table = page.get_by_test_id("requests-table")
    assert done.display_number in table.inner_text() and waiting.display_number in table.inner_text()

    page.locator("#id_status").select_option("completed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/requests/?*status=completed*")
    axe_check(page, "filtered")
    assert done.display_number in table.inner_text() and waiting.display_number not in table.inner_text()

    table.get_by_role("link", name=done.display_number).click()
    page.wait_for_url("**/requests/%s/" % done.confirmation_number)
    axe_check(page, "request page")
    assert page.get_by_test_id("request-status").inner_text() == "Completed"
    assert page.get_by_test_id("timeline").inner_text().count("Received") == 1
