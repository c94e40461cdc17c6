"""No choice field of the portal submits a value the admin did not pick, unless it is a default shown as such."""

import pytest
from django.urls import reverse

from enrollment.tests import helpers
from tests.html_forms import submitted_options

# A preselected option must say what it is in its own label.
SHOWN_AS_DEFAULT = ("(default)", "(earliest, proposed)")


def assert_nothing_preselected(html, page):
    for name, (value, label) in submitted_options(html).items():
        assert value == "" or label.endswith(SHOWN_AS_DEFAULT), "%s: %s submits %r (%s) unless changed" % (page, name, value, label)


@pytest.fixture
def pages(alice_client, url, enroll, group):
    """The form pages of the landed flows, each as the admin first sees it."""
    draft = enroll(until="plan")
    return {
        "register": reverse("accounts:register"),
        "request a user": reverse("accounts:request_user", kwargs={"group_number": group.group_number}),
        "subscriber step": url("new_enrollment"),
        "plan step": url("enrollment_plan", draft_id=draft.pk),
        "dependents step, adding one": url("enrollment_dependents", draft_id=draft.pk) + "?add=1",
        "roster": url("roster"),
        "track requests": url("track_requests"),
    }


def test_no_page_preselects_a_choice_the_admin_did_not_make(alice_client, pages):
    for page, path in pages.items():
        response = alice_client.get(path)
        assert response.status_code == 200, page
        assert_nothing_preselected(response.content.decode(), page)


def test_the_state_drop_down_starts_empty_and_stays_empty_when_redrawn_after_an_error(alice_client, url, plans):
    html = alice_client.get(url("new_enrollment")).content.decode()
    assert submitted_options(html)["state"] == ("", "---------")
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], state="", email="maria@"))
    assert response.status_code == 200
    assert submitted_options(response.content.decode())["state"] == ("", "---------")
    assert "This field is required." in response.context["form"].errors["state"]


def test_a_state_the_admin_picked_is_kept_when_the_form_is_redrawn(alice_client, url, plans):
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], state="WA", email="maria@"))
    assert submitted_options(response.content.decode())["state"] == ("WA", "Washington")


def test_the_registration_role_preselects_read_only_and_says_it_is_the_default(client, db):
    html = client.post(reverse("accounts:register"), {
        "users-TOTAL_FORMS": "0", "users-INITIAL_FORMS": "0", "add_user": "1",
    }).content.decode()
    assert submitted_options(html)["users-0-role"] == ("read_only", "Read-only (default)")
