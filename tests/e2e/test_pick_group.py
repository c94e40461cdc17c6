"""A broker who administers two groups: "Choose a group" after login, and "Switch group" in the header."""

import os

import pytest
from playwright.sync_api import expect

from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_broker_with_two_groups_chooses_one_and_switches_to_the_other(page, live_server, group, other_group, browser_login, axe_check):
    broker = factories.UserFactory(username="brooke", first_name="Brooke", last_name="Broker")
    factories.MembershipFactory(user=broker, group=group, role="primary")
    factories.MembershipFactory(user=broker, group=other_group, role="enrollment")

    browser_login(page, "brooke")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Choose a group")).to_be_visible()
    choices = page.locator("main .list-group a")
    labels = choices.all_inner_texts()
    assert len(labels) == 2
    assert "Acme Manufacturing Co." in labels[0] and "104522" in labels[0] and "Primary" in labels[0]
    assert "Other Employer LLC" in labels[1] and "207731" in labels[1] and "Enrollment" in labels[1]
    assert page.get_by_test_id("current-group").count() == 0  # no group chosen yet
    axe_check(page, "choose a group")

    choices.nth(1).click()
    page.wait_for_url("**/groups/207731/")
    expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
    header = page.get_by_test_id("current-group")
    expect(header).to_contain_text("Other Employer LLC")
    expect(header).to_contain_text("Group ID 207731")
    expect(header).not_to_contain_text("Acme Manufacturing Co.")
    # The left navigation follows her role in the group in use: no Manage Users as an enrollment admin.
    assert page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Manage Users").count() == 0
    axe_check(page, "group home of the second group")

    header.get_by_role("link", name="Switch group").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Choose a group")).to_be_visible()
    axe_check(page, "choose a group again")
    choices.filter(has_text="Acme Manufacturing Co.").click()
    page.wait_for_url("**/groups/104522/")
    expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
    header = page.get_by_test_id("current-group")
    expect(header).to_contain_text("Acme Manufacturing Co.")
    expect(header).to_contain_text("Group ID 104522")
    expect(header).not_to_contain_text("Other Employer LLC")
    assert page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Manage Users").is_visible()
    axe_check(page, "group home of the first group")
