"""The New Enrollment wizard's pages: steps, rules shown next to fields, access."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Subgroup
from enrollment import rules
from enrollment.models import ChangeRequest, EnrollmentDraft, Subscriber
from enrollment.rules import add_months
from enrollment.tests import helpers
from enrollment.tests.helpers import add_age_rates, proposed_start
from tests import factories


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


def test_step_one_creates_a_draft_on_the_server_and_goes_on_to_the_plan(alice_client, url, plans, group):
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"]))
    draft = EnrollmentDraft.objects.get()
    assert response.url == url("enrollment_plan", draft_id=draft.pk)
    saved = draft.data["subscriber"]
    assert saved["last_name"] == "Lopez" and saved["ssn_last4"] == "6789" and "123456789" not in str(draft.data)
    assert saved["phone"] == "503-555-0142"


@pytest.mark.parametrize("field,value,message", [
    ("date_of_birth", "2099-01-01", "cannot be in the future"),
    ("date_of_birth", "1899-06-01", "before 1900"),
    ("state", "ZZ", "U.S. state"),
    ("zip_code", "9730", "zip code"),
    ("phone", "555-0142", "Enter a 10-digit US phone number"),
    ("email", "maria@", "valid email"),
    ("ssn", "000-12-3456", "Social Security"),
])
def test_step_one_refuses_invalid_values_next_to_the_field_and_saves_nothing(alice_client, url, plans, field, value, message):
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], **{field: value}))
    assert response.status_code == 200
    assert any(message.lower() in e.lower() for e in errors_of(response, field)), errors_of(response, field)
    assert not EnrollmentDraft.objects.exists()


def test_a_subscriber_already_in_the_group_is_refused_with_a_link_to_them(alice_client, url, plans, group):
    existing = factories.SubscriberFactory(group=group, subgroup=plans["salaried"], first_name="Maria", last_name="Lopez",
                                           date_of_birth="1988-02-14", subscriber_number="M123456789")
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], ssn=""))
    assert "already in the group" in errors_of(response, "date_of_birth")[0]
    assert "?q=M123456789" in response.content.decode()
    existing.set_ssn("123-45-6789")
    existing.first_name = "Other"
    existing.save()
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"]))
    assert "same SSN" in errors_of(response, "ssn")[0]


def test_a_subgroup_of_another_group_is_refused(alice_client, url, plans, other_group):
    foreign = Subgroup.objects.create(group=other_group, code="X", name="Foreign")
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(foreign))
    assert errors_of(response, "subgroup") and not EnrollmentDraft.objects.exists()


def test_the_plan_step_shows_offered_plans_selectable_and_others_greyed_out_with_the_reason(alice_client, url, enroll, plans, group):
    draft = enroll(until="subscriber", subscriber=helpers.subscriber_post(plans["hourly"]))
    response = alice_client.get(url("enrollment_plan", draft_id=draft.pk))
    cards = {card.plan.name: card for card in response.context["cards"]}
    assert cards["Gold PPO"].offered and cards["Gold PPO"].premium == Decimal("600.00")
    assert not cards["Silver HMO"].offered and cards["Silver HMO"].reason == "not offered to Hourly"
    html = response.content.decode()
    assert 'value="%d" disabled' % plans["silver"].pk in html and "not offered to Hourly" in html
    assert response.context["form"]["coverage_start"].value() == helpers.proposed_start(group).isoformat()


def test_a_plan_not_offered_to_the_subgroup_is_refused_even_by_a_forged_post(alice_client, url, enroll, plans, group):
    draft = enroll(until="subscriber", subscriber=helpers.subscriber_post(plans["hourly"]))
    start = helpers.proposed_start(group).isoformat()
    response = alice_client.post(url("enrollment_plan", draft_id=draft.pk), {"plan": plans["silver"].pk, "coverage_start": start})
    assert "not offered to Hourly" in errors_of(response, "plan")[0]
    foreign = factories.PlanFactory(code="FOREIGN", name="Foreign plan")
    factories.PlanOfferingFactory(plan=foreign, group=factories.GroupFactory(group_number="207731"), plan_year=int(start[:4]))
    response = alice_client.post(url("enrollment_plan", draft_id=draft.pk), {"plan": foreign.pk, "coverage_start": start})
    assert errors_of(response, "plan")
    draft.refresh_from_db()
    assert "plan" not in draft.data


def test_the_coverage_start_must_be_a_first_of_month_after_the_waiting_period(alice_client, url, enroll, plans, group):
    draft = enroll(until="subscriber")
    start = helpers.proposed_start(group)
    post = lambda day: alice_client.post(url("enrollment_plan", draft_id=draft.pk), {"plan": plans["gold"].pk, "coverage_start": day})
    assert "first day of a month" in errors_of(post(start.replace(day=15).isoformat()), "coverage_start")[0]

    assert "cannot start before" in errors_of(post(add_months(start, -1).isoformat()), "coverage_start")[0]
    assert post(add_months(start, 2).isoformat()).status_code == 302


def test_a_later_step_without_the_earlier_ones_redirects_back(alice_client, url, enroll):
    draft = enroll(until="subscriber")
    for step in ("dependents", "summary"):
        response = alice_client.get(url("enrollment_" + step, draft_id=draft.pk))
        assert response.status_code == 302 and response.url == url("enrollment_plan", draft_id=draft.pk)
    response = alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
    assert response.url == url("enrollment_plan", draft_id=draft.pk) and not ChangeRequest.objects.exists()


@pytest.mark.parametrize("dependent,field,message", [
    ({**helpers.CHILD, "date_of_birth": "1990-01-01"}, "date_of_birth", "turn 26"),
    ({**helpers.CHILD, "date_of_birth": "1980-01-01", "relationship": "disabled_adult_child"}, "date_of_birth", "older than the subscriber"),
    ({**helpers.CHILD, "date_of_birth": "2099-01-01"}, "date_of_birth", "future"),
    ({**helpers.CHILD, "elect_coverage": "no"}, "has_other_coverage", "other medical coverage"),
    ({**helpers.CHILD_WITH_OTHER_COVERAGE, "other_carrier": ""}, "other_carrier", "carrier"),
])
def test_the_dependents_step_refuses_broken_rules_next_to_the_field(alice_client, url, enroll, dependent, field, message):
    draft = enroll(until="plan")
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post([dependent]))
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors.get(field, [])
    assert any(message in e for e in errors), response.context["formset"].errors
    draft.refresh_from_db()
    assert not draft.data.get("dependents_done")


def test_a_second_spouse_or_partner_is_refused(alice_client, url, enroll):
    draft = enroll(until="plan")
    partner = {**helpers.SPOUSE, "first_name": "Chris", "relationship": "domestic_partner"}
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post([helpers.SPOUSE, partner]))
    assert "at most one spouse" in response.context["formset"].forms[1].errors["relationship"][0]


def test_add_new_dependent_keeps_what_was_entered_and_offers_a_blank_dependent(alice_client, url, enroll):
    draft = enroll(until="plan")
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post([helpers.SPOUSE], action="add"))
    assert "?add=1" in response.url
    response = alice_client.get(response.url)
    assert len(response.context["formset"].forms) == 2
    draft.refresh_from_db()
    assert [d["first_name"] for d in draft.data["dependents"]] == ["Carlos"] and not draft.data["dependents_done"]


def test_the_summary_shows_every_choice_the_tier_and_premium_with_edit_links(alice_client, url, enroll):
    draft = enroll(dependents=[helpers.SPOUSE, helpers.CHILD_WITH_OTHER_COVERAGE])
    response = alice_client.get(url("enrollment_summary", draft_id=draft.pk))
    summary = response.context["summary"]
    assert summary.tier == "ES" and summary.premium == Decimal("1200.00") and not summary.problems
    html = response.content.decode()
    for step in ("subscriber", "plan", "dependents"):
        assert url("enrollment_" + step, draft_id=draft.pk) in html
    assert "***-**-6789" in html and "Kaiser" in html


def test_confirm_shows_the_confirmation_number_and_a_second_post_gives_the_same_request(alice_client, url, enroll):
    draft = enroll(dependents=[helpers.CHILD])
    response = alice_client.post(url("enrollment_confirm", draft_id=draft.pk), follow=True)
    request = ChangeRequest.objects.get()
    assert request.display_number in response.content.decode()
    assert response.context["change_request"] == request
    alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
    assert ChangeRequest.objects.count() == 1 and Subscriber.objects.count() == 1
    # A confirmed draft's steps lead to its confirmation, never to a second enrollment.
    assert alice_client.get(url("enrollment_summary", draft_id=draft.pk)).url == url("enrollment_confirmation", draft_id=draft.pk)


def test_group_home_offers_to_continue_an_enrollment_in_progress(alice_client, enroll, group):
    draft = enroll(until="plan")
    response = alice_client.get(reverse("group_home", kwargs={"group_number": group.group_number}))
    assert "Continue your enrollment" in response.content.decode()
    assert reverse("enrollment:enrollment_subscriber", kwargs={"group_number": group.group_number, "draft_id": draft.pk}) in response.content.decode()


def wizard_urls(url, draft):
    return [url("new_enrollment")] + [url(name, draft_id=draft.pk) for name in (
        "enrollment_subscriber", "enrollment_plan", "enrollment_dependents", "enrollment_summary", "enrollment_confirmation",
    )]


def test_charlie_gets_404_on_every_enrollment_page_of_alices_group(client, charlie, enroll, url, alice_client):
    draft = enroll()
    alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
    number = ChangeRequest.objects.get().confirmation_number
    client.force_login(charlie)
    pages = wizard_urls(url, draft) + [url("track_requests"), url("request_detail", number=number), url("request_print", number=number)]
    for page in pages:
        assert client.get(page).status_code == 404, page
    for page in (url("enrollment_confirm", draft_id=draft.pk), url("enrollment_discard", draft_id=draft.pk), url("new_enrollment")):
        assert client.post(page).status_code == 404, page


def test_bob_read_only_gets_403_on_wizard_pages_but_can_see_track_requests(client, bob, enroll, url, alice_client):
    draft = enroll()
    alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
    number = ChangeRequest.objects.get().confirmation_number
    client.force_login(bob)
    for page in wizard_urls(url, draft):
        assert client.get(page).status_code == 403, page
    assert client.post(url("enrollment_confirm", draft_id=draft.pk)).status_code == 403
    assert client.get(url("track_requests")).status_code == 200
    assert client.get(url("request_detail", number=number)).status_code == 200


def test_another_admin_of_the_group_cannot_open_alices_draft(client, group, enroll, url):
    draft = enroll(until="plan")
    dana = factories.UserFactory(username="dana")
    factories.MembershipFactory(user=dana, group=group, role="enrollment")
    client.force_login(dana)
    assert client.get(url("enrollment_plan", draft_id=draft.pk)).status_code == 404


def test_an_age_banded_group_sees_the_sum_of_the_members_premiums(alice_client, url, enroll, group, plans):
    group.rating_method = "age_banded"
    group.save()
    start = proposed_start(group)
    plan_year = rules.plan_year_of(group.renewal_month, start)
    add_age_rates(plans["gold"], [plan_year])
    draft = enroll(dependents=[helpers.SPOUSE, helpers.CHILD])
    summary = alice_client.get(url("enrollment_summary", draft_id=draft.pk)).context["summary"]
    year_start = rules.plan_year_start(group.renewal_month, plan_year)
    on = max(year_start, start)
    ages = [rules.age_on(d, on) for d in (date(1988, 2, 14), date(1986, 7, 1), date(2015, 3, 9))]
    expected = sum(Decimal("100.00") + (0 if age <= 14 else age - 14) for age in ages)
    assert summary.premium == expected
