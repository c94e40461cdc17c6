"""A group admin on a phone, by keyboard alone and with a screen reader: the menu holds every link
(Billing too), a failed form says what went wrong and where, Enter does a form's main action, each
control shows its focus, and a draft in progress can be discarded after a confirmation."""

import os

import pytest
from playwright.sync_api import expect

from enrollment.models import EnrollmentDraft
from enrollment.tests import helpers
from tests.e2e.test_new_enrollment import fill_dependent

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40), tag: el.tagName,
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor};
}"""


def tab_through(page, count):
    """Press Tab `count` times and return what each focused control's outline looked like."""
    seen = []
    for _ in range(count):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_RING))
    return seen


def assert_clear_focus_rings(rings):
    for ring in rings:
        if ring["tag"] == "BODY":
            continue
        assert ring["style"] != "none" and ring["width"] >= 2, "no clear focus ring on %s" % ring
        assert ring["color"] == "rgb(5, 44, 101)", ring


def enter_subscriber(page, plans):
    for field, value in helpers.subscriber_post(plans["salaried"]).items():
        if field in ("gender", "marital_status", "state"):
            page.locator("#id_" + field).select_option(value)
        elif field == "subgroup":
            page.locator("#id_subgroup").select_option(label="Salaried")
        else:
            page.locator("#id_" + field).fill(value)


def test_every_control_shows_a_clear_focus_ring_need_to_register_too(page, live_server, alice, browser_login):
    page.goto(live_server.url + "/login/")
    rings = tab_through(page, 8)
    assert "Need to Register" in [r["text"] for r in rings]
    assert_clear_focus_rings(rings)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    assert_clear_focus_rings(tab_through(page, 12))


def test_a_failed_login_is_announced_and_both_fields_marked_invalid(page, live_server, alice, axe_check):
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill("alice")
    page.locator("#id_password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    for field in ("#id_username", "#id_password"):
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    axe_check(page, "login with an error")
    summary.get_by_role("link").click()
    expect(page.locator("#id_username")).to_be_focused()


def test_on_a_phone_the_menu_holds_the_enrollment_and_billing_links(page, live_server, alice, browser_login, axe_check):
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    assert page.get_by_role("navigation", name="Billing").count() == 0  # folded away until asked for
    page.get_by_role("button", name="Menu").click()
    billing = page.get_by_role("navigation", name="Billing")
    expect(billing.get_by_role("link", name="Invoice Presentment and Payments")).to_be_visible()
    expect(page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Track Requests")).to_be_visible()
    axe_check(page, "phone menu open")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Roster").click()
    page.wait_for_url("**/roster/")


def test_a_wizard_step_with_errors_says_what_is_wrong_and_enter_adds_no_dependent(page, live_server, alice, group, browser_login, axe_check):
    plans = helpers.offer_plans(group)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.goto(live_server.url + "/groups/104522/enrollment/new/")
    enter_subscriber(page, plans)
    page.locator("#id_zip_code").fill("00000")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    axe_check(page, "subscriber step with an error")
    summary.get_by_role("link", name="ZIP code: 00000 is not a real ZIP code.").click()
    expect(page.locator("#id_zip_code")).to_be_focused()
    page.locator("#id_zip_code").fill("97301")
    page.keyboard.press("Enter")  # the form's main action
    page.wait_for_url("**/plan/")
    page.get_by_label("Gold PPO").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/dependents/")

    # "Add New Dependent": focus lands on the new dependent's first field, and a live region says so.
    page.get_by_role("button", name="Add New Dependent").click()
    page.wait_for_url("**/dependents/?add=1#dependent-1")
    expect(page.locator("#id_dep-0-first_name")).to_be_focused()
    expect(page.locator("[data-dependent-announcement]")).to_have_text("Dependent 1 added. Enter their details.")
    fill_dependent(page, 0, helpers.CHILD)
    axe_check(page, "dependents step")
    # Enter in a field continues to the summary: it does not add another dependent.
    page.locator("#id_dep-0-first_name").press("Enter")
    page.wait_for_url("**/summary/")
    draft = EnrollmentDraft.objects.get()
    assert [d["first_name"] for d in draft.data["dependents"]] == ["Lucia"] and draft.data["dependents_done"]


def test_a_draft_in_progress_is_shown_with_readable_links_and_discarded_after_a_confirmation(
    page, live_server, alice, group, browser_login, axe_check
):
    plans = helpers.offer_plans(group)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.goto(live_server.url + "/groups/104522/enrollment/new/")
    enter_subscriber(page, plans)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/plan/")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Group Home").click()
    page.wait_for_url("**/groups/104522/")
    drafts = page.get_by_test_id("continue-enrollment")
    expect(drafts).to_contain_text("kept for 30 days after its last change")
    axe_check(page, "group home with a draft in progress")  # the links in the info alert: contrast
    drafts.get_by_role("link", name="Discard the enrollment of Maria Lopez").click()
    page.wait_for_url("**/discard/")
    assert page.get_by_role("heading", name="Discard this enrollment?").is_visible()
    axe_check(page, "discard confirmation")
    assert EnrollmentDraft.objects.exists()
    page.get_by_role("button", name="Discard this enrollment").click()
    page.wait_for_url("**/groups/104522/")
    expect(page.get_by_role("status")).to_have_text("The enrollment in progress was discarded.")
    assert not EnrollmentDraft.objects.exists()
    assert page.get_by_test_id("continue-enrollment").count() == 0
