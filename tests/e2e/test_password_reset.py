"""Passwords in a real browser: the self-service reset by email from the login page, and the
change from My account (the session that changes it stays signed in; other sessions end)."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "Quiet-Meadow-Compass-2026"


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, live_server, alice, browser_login, axe_check, mailoutbox, wait):
    page.goto(live_server.url + "/login/")
    axe_check(page, "login")
    page.get_by_role("link", name="Reset your password by email").click()
    page.wait_for_url("**/password-reset/")
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    axe_check(page, "reset form")

    # An unknown address gets the same answer, and no email.
    page.get_by_label("Email").fill("nobody@acme.example")
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url("**/password-reset/sent/")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    axe_check(page, "check your email")

    page.goto(live_server.url + "/password-reset/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_role("button", name="Email me a link").click()
    page.wait_for_url("**/password-reset/sent/")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert wait(lambda: len(mail.outbox) == 1, timeout=10), [m.to for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [alice.email] and "alice" in message.body
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    axe_check(page, "choose a new password")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # fewer than 12 characters
    axe_check(page, "choose a new password with errors")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/password-reset/done/")
    expect(page.get_by_role("heading", name="Your password was changed")).to_be_visible()
    axe_check(page, "password changed")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and not alice.check_password(PASSWORD)

    page.goto(link)  # the link works once
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    axe_check(page, "used reset link")

    browser_login(page, "alice", PASSWORD)  # the old password no longer works
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    assert "/login/" in page.url
    browser_login(page, "alice", NEW_PASSWORD)
    page.wait_for_url("**/groups/104522/")
    expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
    axe_check(page, "group home with the new password")


def test_a_password_changed_from_my_account_keeps_this_session_and_ends_the_others(
    page, browser, live_server, alice, browser_login, axe_check
):
    other = browser.new_context(bypass_csp=True)
    try:
        other_page = other.new_page()
        browser_login(other_page, "alice")
        other_page.wait_for_url("**/groups/104522/")

        browser_login(page, "alice")
        page.wait_for_url("**/groups/104522/")
        page.get_by_role("button", name="Alice Adams").click()
        page.get_by_role("link", name="My account").click()
        page.wait_for_url("**/account/")
        page.get_by_role("link", name="Change password").click()
        page.wait_for_url("**/account/password/")
        expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
        axe_check(page, "change password")

        page.locator("#id_old_password").fill("not my password at all")
        page.locator("#id_new_password1").fill(NEW_PASSWORD)
        page.locator("#id_new_password2").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.locator(".invalid-feedback").first).to_be_visible()
        axe_check(page, "change password with errors")
        alice.refresh_from_db()
        assert alice.check_password(PASSWORD)

        page.locator("#id_old_password").fill(PASSWORD)
        page.locator("#id_new_password1").fill(NEW_PASSWORD)
        page.locator("#id_new_password2").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        page.wait_for_url("**/account/")
        expect(page.get_by_role("status")).to_have_text("Your password was changed.")
        axe_check(page, "my account after the change")
        alice.refresh_from_db()
        assert alice.check_password(NEW_PASSWORD)

        # This session goes on; the one on the other computer has ended.
        page.goto(live_server.url + "/groups/104522/")
        expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
        other_page.reload()
        other_page.wait_for_url("**/login/**")
        axe_check(other_page, "login after the password changed elsewhere")
        browser_login(other_page, "alice", NEW_PASSWORD)
        other_page.wait_for_url("**/groups/104522/")
        expect(other_page.get_by_role("heading", name="Group Home")).to_be_visible()
    finally:
        other.close()
