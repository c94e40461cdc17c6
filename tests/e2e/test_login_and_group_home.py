import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_group_admin_logs_in_reaches_group_home_and_sees_the_navigation(page, live_server, alice, browser_login, axe_check):
    page.goto(live_server.url + "/")
    assert "/login/" in page.url
    axe_check(page, "login")
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    assert page.get_by_role("heading", name="Group Home").is_visible()
    assert "Acme Manufacturing Co." in page.get_by_test_id("current-group").inner_text()
    nav = page.get_by_role("navigation", name="Enrollment")
    for label in ("Group Home", "Roster"):
        assert nav.get_by_role("link", name=label).is_visible()
    billing = page.get_by_role("complementary", name="Billing")
    assert billing.get_by_role("link", name="Invoice Presentment and Payments").is_visible()
    axe_check(page, "group home")
    nav.get_by_role("link", name="Roster").click()
    page.wait_for_url("**/roster/")
    axe_check(page, "roster")
