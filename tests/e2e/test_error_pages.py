"""The 403 and 404 pages in a browser: the portal's layout, a plain sentence, a way back; axe-clean."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_read_only_admin_sees_which_role_a_page_needs_and_goes_back_to_group_home(page, live_server, alice, bob, browser_login, axe_check):
    browser_login(page, "bob")
    page.wait_for_url("**/groups/104522/")
    response = page.goto(live_server.url + "/groups/104522/enrollment/new/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You do not have access to this page").is_visible()
    assert page.get_by_test_id("forbidden-reason").inner_text() == (
        "This page needs the Primary or Enrollment role; your role in Acme Manufacturing Co. is Read-only."
    )
    axe_check(page, "403")
    page.get_by_role("link", name="Go to Group Home").click()
    page.wait_for_url(live_server.url + "/groups/104522/")


def test_a_page_that_does_not_exist_says_so_and_leads_back(page, live_server, alice, browser_login, axe_check):
    response = page.goto(live_server.url + "/groups/104522/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    axe_check(page, "404 signed out")
    page.get_by_role("link", name="Go to the login page").click()
    page.wait_for_url("**/login/")

    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    response = page.goto(live_server.url + "/groups/999999/")
    assert response.status == 404
    axe_check(page, "404 signed in")
    page.get_by_role("link", name="Go to Group Home").click()
    page.wait_for_url("**/groups/104522/")
