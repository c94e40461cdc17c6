"""Two-factor authentication in a real browser: set up from My account with the key shown on the
page, recovery codes once, a code asked at the next login; and a group that requires it."""

import base64
import os

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(key: bytes, device, drift=0):
    """Return the code an authenticator app shows for `key` now (drift=1: the next 30-second step)."""
    return f"{totp(key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def set_up_from_the_page(page, user, axe_check):
    """On the set-up page: read the key the page shows, type the app's code, land on the recovery codes."""
    axe_check(page, "two-factor set-up")
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    key = base64.b32decode(page.get_by_test_id("manual-key").inner_text().replace(" ", ""))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key == device.bin_key
    page.get_by_label("Code").fill(code_for(key, device))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.wait_for_url("**/account/two-factor/recovery-codes/")
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    shown = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    saved = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(shown) == 10 and sorted(shown) == sorted(saved)
    axe_check(page, "recovery codes")
    device.refresh_from_db()
    assert device.confirmed
    return key, device


def test_an_admin_sets_up_two_factor_and_is_asked_for_a_code_at_the_next_login(page, live_server, alice, browser_login, axe_check):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("button", name="Alice Adams").click()
    page.get_by_role("link", name="My account").click()
    page.wait_for_url("**/account/")
    assert page.get_by_test_id("mfa-status").inner_text() == "Off."
    axe_check(page, "my account")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    page.wait_for_url("**/account/two-factor/setup/")
    key, device = set_up_from_the_page(page, alice, axe_check)

    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("button", name="Alice Adams").click()
    page.get_by_role("link", name="My account").click()
    page.wait_for_url("**/account/")
    assert page.get_by_test_id("mfa-status").inner_text().startswith("On:")
    axe_check(page, "my account with two-factor")

    page.get_by_role("button", name="Alice Adams").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")

    # The password alone is not enough any more.
    browser_login(page, "alice")
    page.wait_for_url("**/account/two-factor/verify/**")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    axe_check(page, "two-factor code at login")
    page.goto(live_server.url + "/groups/104522/")
    assert "/account/two-factor/verify/" in page.url
    assert not page.get_by_role("heading", name="Group Home").is_visible()

    # A fresh code: the one used to set up was spent, so the app's next one (the server accepts one step either side).
    used_t = device.last_t
    page.get_by_label("Code").fill(code_for(key, device, drift=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/groups/104522/")
    expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
    axe_check(page, "group home after two-factor")
    device.refresh_from_db()
    assert device.last_t > used_t


def test_a_group_that_requires_two_factor_sends_its_admin_to_set_it_up_before_anything_else(
    page, live_server, group, alice, browser_login, axe_check
):
    group.require_mfa = True
    group.save()
    browser_login(page, "alice")
    page.wait_for_url("**/account/two-factor/setup/")
    expect(page.get_by_role("status")).to_have_text("Your group requires two-factor authentication. Set it up to continue.")
    for path in ("/groups/104522/", "/account/", "/groups/104522/roster/"):
        page.goto(live_server.url + path)
        assert page.url == live_server.url + "/account/two-factor/setup/", path
    assert not page.get_by_role("heading", name="Group Home").is_visible()

    set_up_from_the_page(page, alice, axe_check)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/groups/104522/")
    expect(page.get_by_role("heading", name="Group Home")).to_be_visible()
    axe_check(page, "group home after required two-factor")
