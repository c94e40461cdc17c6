"""Generated input for each step of the New Enrollment wizard (and the searches of Track Requests and
Roster): never a 500, and whatever is saved (the draft, then the rows at confirm) meets every rule,
checked again on what was saved."""

import re
from datetime import date
from types import SimpleNamespace

from django.core.validators import validate_email
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st
from localflavor.us.us_states import STATES_NORMALIZED

from enrollment import rules, selectors, wizard
from enrollment.models import EnrollmentDraft, Subscriber
from enrollment.tests import helpers
from tests.fuzz import FORM_SETTINGS, assert_not_a_server_error, choice, dates, mutated, one_example, text

PHONE = re.compile(r"^[2-9]\d{2}-[2-9]\d{2}-\d{4}$")
SUBGROUP_FIXTURES = ("salaried", "hourly")

# Subgroups exist only once a test's fixtures ran: the strategies name them, the test puts in their ids.
VALID_SUBSCRIBER = helpers.subscriber_post(SimpleNamespace(pk="salaried"))
SUBSCRIBER_CHANGES = mutated(VALID_SUBSCRIBER, {
    "first_name": text("Maria", ""),
    "middle_initial": text("j", "J", "1", "-", "ß", "É", "AB", ""),
    "last_name": text("Lopez", ""),
    "date_of_birth": dates("1988-02-14", "2026-01-01", "1899-12-31"),
    "gender": choice("F", "M", "X", "Q"),
    "marital_status": choice("single", "married", "domestic_partner", "divorced", "widowed", "separated", "eloped"),
    "ssn": text("123-45-6789", "123456789", "000-12-3456", "666-12-3456", "987-65-4320", ""),
    "address_line1": text("12 Oak Ave", ""),
    "address_line2": text(""),
    "city": text("Salem", ""),
    "state": choice("OR", "WA", "oregon", "ZZ", "", "PR", "AA"),
    "zip_code": text("97301", "97301-1234", "00000", "97301-0000", "00000-1234", "9730", "973011234"),
    "phone": text("503-555-0142", "(503) 555 0142", "555-0142", ""),
    "email": text("maria@example.com", "maria@", ""),
    "hire_date": dates("2026-01-05", "2999-01-01", "1900-01-01", "1949-12-31", "1950-01-01"),
    "subgroup": choice("salaried", "hourly", "999999", "abc"),
})


def assert_subscriber_step_meets_the_rules(group, saved, today):
    dob, hire = date.fromisoformat(saved["date_of_birth"]), date.fromisoformat(saved["hire_date"])
    rules.check_date_of_birth(dob, today)
    rules.check_hire_date(hire, dob)
    rules.check_hire_date_in_range(hire, today)
    rules.check_zip_code(saved["zip_code"])
    rules.check_middle_initial(saved["middle_initial"])
    assert saved["middle_initial"] == saved["middle_initial"].upper()
    assert saved["state"] in set(STATES_NORMALIZED.values()), saved["state"]
    assert saved["gender"] in ("F", "M", "X") and PHONE.match(saved["phone"])
    validate_email(saved["email"])
    assert saved["first_name"].strip() and saved["last_name"].strip() and saved["address_line1"].strip()
    assert group.subgroups.filter(pk=saved["subgroup_id"]).exists()
    assert "ssn" not in saved and (saved["ssn_last4"] == "" or re.fullmatch(r"\d{4}", saved["ssn_last4"]))


@FORM_SETTINGS
@given(post=SUBSCRIBER_CHANGES)
@example(post={**VALID_SUBSCRIBER, "hire_date": "2999-01-01"})
@example(post={**VALID_SUBSCRIBER, "date_of_birth": helpers.recent_hire_date().replace(day=1).isoformat()})
@example(post={**VALID_SUBSCRIBER, "zip_code": "00000", "middle_initial": "1"})
def test_the_subscriber_step_never_fails_and_saves_only_a_plausible_subscriber(alice_client, url, plans, group, post):
    if post["subgroup"] in SUBGROUP_FIXTURES:
        post = {**post, "subgroup": str(plans[post["subgroup"]].pk)}
    today = timezone.localdate()
    with one_example():
        response = alice_client.post(url("new_enrollment"), post)
        assert_not_a_server_error(response, post)
        for draft in EnrollmentDraft.objects.filter(group=group):
            assert_subscriber_step_meets_the_rules(group, draft.data["subscriber"], today)


@FORM_SETTINGS
@given(data=st.data())
def test_the_plan_step_never_fails_and_saves_only_an_offered_plan_from_an_allowed_start(alice_client, url, enroll, plans, group, data):
    draft = enroll(until="subscriber")
    start = helpers.proposed_start(group)
    valid = {"plan": str(plans["gold"].pk), "coverage_start": start.isoformat()}
    post = data.draw(mutated(valid, {
        "plan": choice(str(plans["silver"].pk), "0", "999999", "gold", ""),
        "coverage_start": dates(start.replace(day=15).isoformat(), rules.add_months(start, -1).isoformat(),
                                rules.add_months(start, 11).isoformat(), "2999-01-01"),
    }))
    with one_example():
        response = alice_client.post(url("enrollment_plan", draft_id=draft.pk), post)
        assert_not_a_server_error(response, post)
        saved = EnrollmentDraft.objects.get(pk=draft.pk).data
        if "plan" in saved:
            chosen = date.fromisoformat(saved["plan"]["coverage_start"])
            sub = wizard.subscriber_dates(saved)
            rules.check_coverage_start(chosen, sub["hire_date"], group.waiting_period_days)
            plan_year = rules.plan_year_of(group.renewal_month, chosen)
            assert selectors.offered_plans(group, sub["subgroup_id"], plan_year).filter(pk=saved["plan"]["plan_id"]).exists()


def dependent_alternatives(index):
    prefix = "dep-%d-" % index
    return {
        prefix + "first_name": text("Lucia", ""),
        prefix + "middle_initial": text("a", "1", "ß", "AB"),
        prefix + "date_of_birth": dates("2015-03-09", "1990-01-01", "1980-01-01", "2099-01-01"),
        prefix + "gender": choice("F", "M", "X", "Q"),
        prefix + "relationship": choice("spouse", "domestic_partner", "child", "stepchild", "disabled_adult_child", "cousin"),
        prefix + "elect_coverage": choice("yes", "no", ""),
        prefix + "has_other_coverage": choice("yes", "no", ""),
        prefix + "other_carrier": text("Kaiser", ""),
        prefix + "other_policy_number": text("KP-1", ""),
        prefix + "ssn": text("123-45-6789", "999-99-9999"),
        prefix + "DELETE": choice("on", ""),
    }


def assert_dependents_meet_the_rules(draft_data, today):
    sub = wizard.subscriber_dates(draft_data)
    deps = wizard.dependents_of(draft_data)
    start = wizard.coverage_start_of(draft_data)
    assert len(deps) <= 20
    rules.check_one_spouse(d["relationship"] for d in deps)
    for dep in deps:
        rules.check_dependent(relationship=dep["relationship"], date_of_birth=dep["date_of_birth"],
                              subscriber_date_of_birth=sub["date_of_birth"], coverage_start=start, today=today)
        rules.check_middle_initial(dep["middle_initial"])
        assert dep["first_name"].strip() and dep["gender"] in ("F", "M", "X")
        if not dep["elect_coverage"] and dep["has_other_coverage"]:
            assert dep["other_carrier"].strip() and dep["other_policy_number"].strip()


@FORM_SETTINGS
@given(data=st.data())
def test_the_dependents_step_and_confirm_never_fail_and_save_only_eligible_dependents(alice_client, url, enroll, group, alice, data):
    draft = enroll(until="plan")
    count = data.draw(st.integers(min_value=0, max_value=3))
    valid = helpers.dependents_post([{**helpers.CHILD, "first_name": "Kid%d" % n} for n in range(count)])
    alternatives = {
        "dep-TOTAL_FORMS": choice("0", "1", "4", "21", "1000", "-1", "x"),
        "dep-INITIAL_FORMS": choice("1", "9", "-1"),
        "action": choice("add", "continue", "delete"),
    }
    for index in range(max(count, 1)):
        alternatives.update(dependent_alternatives(index))
    post = data.draw(mutated(valid, alternatives, max_changes=5))
    today = timezone.localdate()
    with one_example():
        response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), post)
        assert_not_a_server_error(response, post)
        saved = EnrollmentDraft.objects.get(pk=draft.pk).data
        if "dependents" not in saved:
            return
        assert_dependents_meet_the_rules(saved, today)
        if not saved.get("dependents_done"):
            return
        # Confirm (the summary step's one action): the rows saved pass the worker's own re-check.
        response = alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
        assert_not_a_server_error(response, "confirm")
        for subscriber in Subscriber.objects.filter(group=group):
            dependents = list(subscriber.dependents.all())
            coverage = subscriber.coverages.get()
            assert rules.enrollment_problems(
                subscriber_date_of_birth=subscriber.date_of_birth, hire_date=subscriber.hire_date,
                waiting_days=group.waiting_period_days, coverage_start=coverage.start,
                dependents=[(d.relationship, d.date_of_birth) for d in dependents], today=today,
                zip_code=subscriber.zip_code, middle_initials=[subscriber.middle_initial] + [d.middle_initial for d in dependents],
            ) == []


@FORM_SETTINGS
@given(params=st.dictionaries(
    st.sampled_from(["number", "status", "kind", "subscriber", "submitted_from", "submitted_to", "sort", "page", "q", "subgroup", "roster_status"]),
    text("ABCDE-23456", "completed", "new_enrollment", "M123", "2026-01-01", "-submitted_at", "2", "999"),
    max_size=4,
))
def test_track_requests_and_roster_searches_never_fail(alice_client, url, group, params):
    with one_example():
        for page in ("track_requests", "roster"):
            response = alice_client.get(url(page), params)
            assert_not_a_server_error(response, params)


def test_the_re_check_of_the_fuzz_refuses_an_implausible_subscriber(group, plans):
    saved = {**helpers.subscriber_post(plans["salaried"], zip_code="00000"), "subgroup_id": plans["salaried"].pk, "ssn_last4": ""}
    try:
        assert_subscriber_step_meets_the_rules(group, saved, timezone.localdate())
    except Exception:
        return
    raise AssertionError("the re-check accepted ZIP 00000")
