"""The idle warning in a real browser: "Stay signed in" keeps the session; no answer signs out."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_idle_warning_offers_stay_signed_in_and_otherwise_signs_out(page, live_server, alice, browser_login, axe_check, settings):
    # The warning shows a minute before the end (half-way for idle limits under two minutes).
    settings.SESSION_IDLE_SECONDS = 10
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    dialog = page.get_by_role("dialog", name="Are you still there?")
    dialog.wait_for(state="visible", timeout=10_000)
    axe_check(page, "idle warning")
    page.get_by_role("button", name="Stay signed in").click()
    dialog.wait_for(state="hidden", timeout=5_000)
    page.reload()
    assert "/groups/104522/" in page.url  # still signed in

    settings.SESSION_IDLE_SECONDS = 3  # now let it run out: the page signs itself out
    page.reload()
    page.wait_for_url("**/login/**", timeout=15_000)
    assert page.get_by_text("without activity").is_visible()
    page.goto(live_server.url + "/groups/104522/")
    assert "/login/" in page.url


def test_the_back_button_after_logout_shows_no_signed_in_page(page, live_server, alice, browser_login):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("button", name="Alice Adams").click()
    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_url("**/login/")
    page.go_back()
    assert "/login/" in page.url and not page.get_by_role("heading", name="Group Home").is_visible()
