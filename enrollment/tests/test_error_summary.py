"""Every step of the New Enrollment wizard, and Track Requests, summarize their errors at the top."""

from enrollment.tests import helpers
from tests.html_forms import assert_error_summary


def test_the_subscriber_step_lists_each_field_in_error(alice_client, url, plans):
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], zip_code="00000", state="", gender=""))
    page = assert_error_summary(response.content.decode(), ["id_zip_code", "id_state", "id_gender"])
    assert ("#id_zip_code", "ZIP code: 00000 is not a real ZIP code.") in page.summary_links


def test_the_plan_step_links_to_the_plan_cards(alice_client, url, enroll, group):
    draft = enroll(until="subscriber")
    response = alice_client.post(url("enrollment_plan", draft_id=draft.pk), {"coverage_start": helpers.proposed_start(group).isoformat()})
    page = assert_error_summary(response.content.decode(), ["plan-choice"])
    assert page.summary_links == [("#plan-choice", "Medical plan: Choose a medical plan.")]
    assert page.by_id["plan-choice"]["tag"] == "fieldset" and page.by_id["plan-choice"]["aria-describedby"] == "plan-errors"


def test_the_dependents_step_names_the_dependent_of_each_error(alice_client, url, enroll):
    draft = enroll(until="plan")
    dependents = [helpers.CHILD, {**helpers.CHILD, "first_name": "", "elect_coverage": ""}]
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post(dependents))
    page = assert_error_summary(response.content.decode(), ["id_dep-1-first_name", "id_dep-1-elect_coverage_0"])
    assert ("#id_dep-1-first_name", "Dependent 2, First name: This field is required.") in page.summary_links


def test_track_requests_summarizes_a_number_not_found(alice_client, url):
    response = alice_client.get(url("track_requests"), {"number": "ZZZZZ-ZZZZZ"})
    assert_error_summary(response.content.decode(), ["id_number"])
