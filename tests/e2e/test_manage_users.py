"""Manage Users in a real browser: a primary admin sees the group's admin users, deactivates one
(whose open session ends at once), and asks for a new user. Other roles get no link and a 403."""

import os

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from accounts.models import Membership, RegistrationRequest
from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_primary_admin_sees_the_admin_users_deactivates_one_and_asks_for_a_new_user(
    page, browser, live_server, group, other_group, alice, bob, browser_login, axe_check
):
    dora = factories.UserFactory(username="dora", first_name="Dora", last_name="Diaz", title="Payroll Lead")
    factories.MembershipFactory(user=dora, group=group, role="enrollment")
    # Fay (a broker) keeps another group: her account stays active, yet her open sessions must end.
    fay = factories.UserFactory(username="fay", first_name="Fay", last_name="Fisher")
    factories.MembershipFactory(user=fay, group=group, role="billing")
    factories.MembershipFactory(user=fay, group=other_group, role="primary")

    # Bob is signed in on another computer.
    bob_context = browser.new_context(bypass_csp=True)
    fay_context = browser.new_context(bypass_csp=True)
    try:
        bob_page = bob_context.new_page()
        browser_login(bob_page, "bob")
        bob_page.wait_for_url("**/groups/104522/")
        assert bob_page.get_by_role("heading", name="Group Home").is_visible()
        fay_page = fay_context.new_page()
        browser_login(fay_page, "fay")
        fay_page.wait_for_url(live_server.url + "/")  # Choose a group

        browser_login(page, "alice")
        page.wait_for_url("**/groups/104522/")
        page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Manage Users").click()
        page.wait_for_url("**/groups/104522/users/")
        assert page.get_by_role("heading", name="Manage Users").is_visible()
        axe_check(page, "manage users")

        table = page.get_by_test_id("admin-users")
        assert "Admin users of Acme Manufacturing Co." in table.locator("caption").inner_text()
        rows = {name: table.locator("tbody tr", has_text=name) for name in ("Alice Adams", "Bob Brown", "Dora Diaz")}
        bob.refresh_from_db()
        bob_login = dateformat.format(timezone.localtime(bob.last_login), "M j, Y g:i A")
        cells = [c.strip() for c in rows["Bob Brown"].locator("td").all_inner_texts()]
        assert cells[:4] + cells[5:6] == ["Bob Brown", "bob", bob.title, "Read-only", bob_login]
        assert cells[4].startswith("All subgroups")
        assert rows["Alice Adams"].locator("td").nth(3).inner_text() == "Primary"
        assert rows["Alice Adams"].locator("td").nth(4).inner_text().strip() == "All subgroups"  # a primary admin: no Change
        assert "Active (you)" in rows["Alice Adams"].inner_text()
        assert rows["Alice Adams"].locator("td").nth(5).inner_text() != "Never"
        cells = [c.strip() for c in rows["Dora Diaz"].locator("td").all_inner_texts()]
        assert cells[2:4] + cells[5:6] == ["Payroll Lead", "Enrollment", "Never"]
        assert rows["Alice Adams"].get_by_role("link", name="Deactivate").count() == 0  # no deactivating oneself

        # Deactivate Bob: a confirmation page first (nothing changes on one click), then his access and open session end.
        page.get_by_role("link", name="Deactivate Bob Brown").click()
        page.wait_for_url("**/users/%d/deactivate/" % bob.memberships.get().pk)
        assert page.get_by_role("heading", name="Deactivate Bob Brown?").is_visible()
        axe_check(page, "deactivate confirmation")
        assert Membership.objects.get(user=bob, group=group).is_active
        page.get_by_role("button", name="Deactivate Bob Brown").click()
        expect(page.get_by_role("status")).to_have_text("Bob Brown no longer has access, and was signed out.")
        assert "Deactivated" in table.locator("tbody tr", has_text="Bob Brown").inner_text()
        assert table.get_by_role("link", name="Deactivate Bob Brown").count() == 0
        assert page.get_by_role("link", name="Deactivate Dora Diaz").is_visible()
        axe_check(page, "manage users after deactivation")
        membership = Membership.objects.get(user=bob, group=group)
        bob.refresh_from_db()
        assert not membership.is_active and not bob.is_active

        bob_page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Roster").click()
        bob_page.wait_for_url("**/login/**")
        assert bob_page.get_by_role("heading", name="Log in to Online Billing and Enrollment").is_visible()
        axe_check(bob_page, "login after deactivation")
        bob_page.goto(live_server.url + "/groups/104522/")
        assert "/login/" in bob_page.url

        page.get_by_role("link", name="Deactivate Fay Fisher").click()
        page.get_by_role("button", name="Deactivate Fay Fisher").click()
        expect(page.get_by_role("status")).to_have_text("Fay Fisher no longer has access, and was signed out.")
        fay.refresh_from_db()
        assert fay.is_active and not Membership.objects.get(user=fay, group=group).is_active
        fay_page.goto(live_server.url + "/groups/207731/")
        fay_page.wait_for_url("**/login/**")
        browser_login(fay_page, "fay")  # she signs in again: only her other group is left
        fay_page.wait_for_url("**/groups/207731/")
        assert fay_page.goto(live_server.url + "/groups/104522/").status in (403, 404)
    finally:
        bob_context.close()
        fay_context.close()

    # Ask for a new user: the form explains its errors, then the request waits for a specialist.
    page.get_by_role("link", name="Ask for a new user").click()
    page.wait_for_url("**/groups/104522/users/new/")
    assert page.get_by_role("heading", name="Ask for a new user").is_visible()
    axe_check(page, "ask for a new user")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert "/users/new/" in page.url and page.locator(".invalid-feedback").count() >= 4
    axe_check(page, "ask for a new user with errors")
    assert not RegistrationRequest.objects.exists()

    page.get_by_label("First name").fill("Evan")
    page.get_by_label("Last name").fill("Ellis")
    page.get_by_label("Title").fill("Benefits Analyst")
    page.get_by_label("Email address").fill("evan@acme.example")
    page.get_by_label("Phone").fill("503-555-0199")
    page.get_by_label("Role").select_option("billing")
    page.get_by_role("button", name="Send request").click()
    page.wait_for_url("**/groups/104522/users/")
    assert page.get_by_role("status").filter(has_text="A billing specialist will review the request").is_visible()
    assert page.get_by_role("heading", name="Waiting for a billing specialist").is_visible()
    pending = page.get_by_role("listitem").filter(has_text="Evan Ellis")
    assert "Evan Ellis (evan@acme.example), Billing, All subgroups: asked" in pending.inner_text()
    axe_check(page, "manage users with a pending request")

    request = RegistrationRequest.objects.get()
    assert request.kind == RegistrationRequest.Kind.NEW_USER
    assert request.status == RegistrationRequest.Status.PENDING
    assert (request.group, request.requested_by) == (group, alice)
    person = request.people.get()
    assert (person.first_name, person.last_name, person.email, person.role) == ("Evan", "Ellis", "evan@acme.example", "billing")


def test_a_read_only_admin_has_no_manage_users_link_and_is_refused(page, live_server, alice, bob, browser_login, axe_check):
    browser_login(page, "bob")
    page.wait_for_url("**/groups/104522/")
    nav = page.get_by_role("navigation", name="Enrollment")
    assert nav.get_by_role("link", name="Roster").is_visible()
    assert nav.get_by_role("link", name="Manage Users").count() == 0
    axe_check(page, "group home as read-only")
    response = page.goto(live_server.url + "/groups/104522/users/")
    assert response.status == 403
    assert page.get_by_role("link", name="Deactivate Alice Adams").count() == 0
    assert "This page needs the Primary role; your role in Acme Manufacturing Co. is Read-only." in page.get_by_test_id("forbidden-reason").inner_text()
    axe_check(page, "manage users refused")
    response = page.goto(live_server.url + "/groups/104522/users/new/")
    assert response.status == 403


def test_a_primary_admin_limits_an_admin_to_a_subgroup_who_then_sees_only_it(page, browser, live_server, group, alice, browser_login, axe_check):
    hourly = factories.SubgroupFactory(group=group, code="HRLY", name="Hourly")
    factories.SubgroupFactory(group=group, code="SAL", name="Salaried")
    dora = factories.UserFactory(username="dora", first_name="Dora", last_name="Diaz")
    factories.MembershipFactory(user=dora, group=group, role="enrollment")
    factories.SubscriberFactory(group=group, subgroup=hourly, last_name="Holt")

    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.goto(live_server.url + "/groups/104522/users/")
    page.get_by_role("link", name="Change the subgroups Dora Diaz sees").click()
    page.wait_for_url("**/users/*/subgroups/")
    assert page.get_by_role("heading", name="Subgroups of Dora Diaz").is_visible()
    assert page.get_by_label("All subgroups").is_checked()
    axe_check(page, "subgroups of an admin")

    page.get_by_label("Only these subgroups", exact=True).check()
    page.get_by_role("button", name="Save subgroups").click()  # none ticked: refused next to the field
    expect(page.locator(".invalid-feedback").first).to_contain_text("Tick at least one subgroup, or choose All subgroups.")
    axe_check(page, "subgroups of an admin with an error")
    page.get_by_label("Hourly").check()
    page.get_by_role("button", name="Save subgroups").click()
    page.wait_for_url("**/groups/104522/users/")
    expect(page.get_by_role("status")).to_have_text("Dora Diaz now sees only the subscribers of Hourly.")
    expect(page.get_by_test_id("subgroups-dora")).to_contain_text("Only these subgroups: Hourly")
    assert [s.name for s in Membership.objects.get(user=dora).subgroups.all()] == ["Hourly"]

    dora_context = browser.new_context(bypass_csp=True)
    try:
        dora_page = dora_context.new_page()
        browser_login(dora_page, "dora")
        dora_page.wait_for_url("**/groups/104522/")
        expect(dora_page.get_by_test_id("subgroup-limit")).to_have_text("You see the subscribers of: Hourly")
        axe_check(dora_page, "group home of a limited admin")
        dora_page.goto(live_server.url + "/account/")
        expect(dora_page.get_by_test_id("subgroup-limit")).to_have_text("You see the subscribers of: Hourly")
        axe_check(dora_page, "my account of a limited admin")
    finally:
        dora_context.close()
