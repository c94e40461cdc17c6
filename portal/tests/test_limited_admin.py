"""An admin limited to a subgroup (the demo's hana, limited to Hourly) sees and changes only that subgroup, on every page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment import change_requests
from enrollment.models import ChangeRequest, EnrollmentDraft
from enrollment.tests import helpers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(group, alice):
    """Acme's Hourly and Salaried subgroups, their plans, subscribers and requests; hana is limited to Hourly."""
    plans = helpers.offer_plans(group)
    hourly, salaried = plans["hourly"], plans["salaried"]
    hana = factories.UserFactory(username="hana", first_name="Hana", last_name="Hayes")
    factories.MembershipFactory(user=hana, group=group, role="enrollment").subgroups.set([hourly])
    today = timezone.localdate()
    started, starting = today - datetime.timedelta(days=30), today + datetime.timedelta(days=40)
    people = {}
    for name, subgroup, start in [
        ("Holt", hourly, started),  # active
        ("Hart", hourly, starting),  # prospective
        ("Sato", salaried, started),  # active, in another subgroup
        ("Sims", salaried, started),
    ]:
        subscriber = factories.SubscriberFactory(group=group, subgroup=subgroup, last_name=name)
        factories.CoverageFactory(subscriber=subscriber, plan=plans["gold"], plan_year=start.year, start=start)
        people[name] = subscriber
    requests = {
        name: change_requests.submit(group=group, kind="id_card_order", acting_user=alice, snapshot={}, process=False, subscriber=people[name])
        for name in ("Holt", "Sato", "Sims")
    }
    return {"hana": hana, "plans": plans, "people": people, "requests": requests, "hourly": hourly, "salaried": salaried}


@pytest.fixture
def hana_client(client, acme):
    client.force_login(acme["hana"])
    return client


def enrollment_url(name, **kwargs):
    return reverse("enrollment:" + name, kwargs={"group_number": "104522", **kwargs})


# --- Group Home, Roster ---------------------------------------------------------------------------


def test_group_home_counts_only_the_subscribers_and_requests_of_her_subgroup(hana_client, alice, acme):
    mine = hana_client.get("/groups/104522/").context
    assert mine["counts"] == {"active": 1, "prospective": 1, "terminated": 0}
    assert mine["pending_count"] == 1
    assert [r.subscriber.last_name for r in mine["pending_requests"]] == ["Holt"]
    alices_browser = Client()
    alices_browser.force_login(alice)
    everyone = alices_browser.get("/groups/104522/").context  # the same group, unlimited
    assert everyone["counts"] == {"active": 3, "prospective": 1, "terminated": 0} and everyone["pending_count"] == 3


def test_the_roster_lists_only_her_subgroups_subscribers_and_offers_only_her_subgroup(hana_client, acme):
    response = hana_client.get(enrollment_url("roster"))
    assert sorted(row.record.last_name for row in response.context["table"].rows) == ["Hart", "Holt"]
    assert [s.name for s in response.context["filter"].form.fields["subgroup"].queryset] == ["Hourly"]


def test_the_roster_filtered_by_another_subgroup_shows_none_of_its_subscribers(hana_client, acme):
    response = hana_client.get(enrollment_url("roster"), {"subgroup": acme["salaried"].pk, "q": "Sato"})
    assert [row.record.last_name for row in response.context["table"].rows] == []


# --- Track Requests -------------------------------------------------------------------------------


def test_track_requests_lists_only_her_subgroups_requests(hana_client, acme):
    response = hana_client.get(enrollment_url("track_requests"))
    assert [row.record.confirmation_number for row in response.context["table"].rows] == [acme["requests"]["Holt"].confirmation_number]


def test_finding_a_request_of_another_subgroup_by_number_finds_nothing(hana_client, acme):
    other = acme["requests"]["Sato"]
    response = hana_client.get(enrollment_url("track_requests"), {"number": other.display_number})
    assert response.status_code == 200
    assert response.context["find"].errors["number"] == ["No request of this group has that confirmation number."]
    found = hana_client.get(enrollment_url("track_requests"), {"number": acme["requests"]["Holt"].display_number})
    assert found.status_code == 302


@pytest.mark.parametrize("page", ["request_detail", "request_print"])
def test_a_request_of_another_subgroup_is_404_and_her_own_answers(hana_client, acme, page):
    assert hana_client.get(enrollment_url(page, number=acme["requests"]["Sato"].confirmation_number)).status_code == 404
    assert hana_client.get(enrollment_url(page, number=acme["requests"]["Holt"].confirmation_number)).status_code == 200


# --- New Enrollment ---------------------------------------------------------------------------------


def test_the_wizard_offers_only_her_subgroup(hana_client, acme):
    form = hana_client.get(enrollment_url("new_enrollment")).context["form"]
    assert [s.name for s in form.fields["subgroup"].queryset] == ["Hourly"]


def test_a_forged_post_with_another_subgroup_is_refused_next_to_the_field_and_saves_nothing(hana_client, acme):
    response = hana_client.post(enrollment_url("new_enrollment"), helpers.subscriber_post(acme["salaried"]))
    assert response.status_code == 200
    assert response.context["form"].errors["subgroup"] == ["Select a valid choice. That choice is not one of the available choices."]
    assert not EnrollmentDraft.objects.exists()


def start_hourly_enrollment(client, acme):
    response = client.post(enrollment_url("new_enrollment"), helpers.subscriber_post(acme["hourly"]))
    assert response.status_code == 302
    return EnrollmentDraft.objects.get()


def test_a_plan_offered_only_to_another_subgroup_is_shown_unavailable_and_refused_when_forged(hana_client, acme, group):
    draft = start_hourly_enrollment(hana_client, acme)
    page = hana_client.get(enrollment_url("enrollment_plan", draft_id=draft.pk))
    cards = {card.plan.name: (card.offered, card.reason) for card in page.context["cards"]}
    assert cards == {"Gold PPO": (True, ""), "Silver HMO": (False, "not offered to Hourly")}
    silver = acme["plans"]["silver"]
    response = hana_client.post(enrollment_url("enrollment_plan", draft_id=draft.pk), {
        "plan": str(silver.pk), "coverage_start": helpers.proposed_start(group).isoformat(),
    })
    assert response.status_code == 200
    assert response.context["form"].errors["plan"][0].startswith("This plan is not offered to Hourly for plan year")
    draft.refresh_from_db()
    assert "plan" not in draft.data


def test_a_draft_of_another_subgroup_saved_before_her_limit_is_out_of_her_reach(client, acme, group):
    # hana started a Salaried enrollment while she saw every subgroup; then she was limited to Hourly.
    membership = acme["hana"].memberships.get()
    membership.subgroups.clear()
    client.force_login(acme["hana"])
    draft = start_hourly_enrollment(client, {**acme, "hourly": acme["salaried"]})
    membership.subgroups.set([acme["hourly"]])
    assert "continue-enrollment" not in client.get("/groups/104522/").content.decode()
    for step in ("enrollment_subscriber", "enrollment_plan", "enrollment_summary"):
        assert client.get(enrollment_url(step, draft_id=draft.pk)).status_code == 404
    assert client.post(enrollment_url("enrollment_confirm", draft_id=draft.pk)).status_code == 404
    assert client.post(enrollment_url("enrollment_discard", draft_id=draft.pk)).status_code == 404
    assert EnrollmentDraft.objects.filter(pk=draft.pk).exists() and not ChangeRequest.objects.filter(kind="new_enrollment").exists()


def test_she_enrolls_a_family_into_her_subgroup(hana_client, acme, group):
    draft = start_hourly_enrollment(hana_client, acme)
    hana_client.post(enrollment_url("enrollment_plan", draft_id=draft.pk), {
        "plan": str(acme["plans"]["gold"].pk), "coverage_start": helpers.proposed_start(group).isoformat(),
    })
    hana_client.post(enrollment_url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post([helpers.CHILD]))
    response = hana_client.post(enrollment_url("enrollment_confirm", draft_id=draft.pk))
    assert response.status_code == 302
    request = ChangeRequest.objects.get(kind="new_enrollment")
    assert request.subscriber.subgroup == acme["hourly"] and request.submitted_by == acme["hana"]


# --- Manage Users ------------------------------------------------------------------------------------


def test_a_limited_admin_never_manages_users(hana_client, acme):
    # A limited admin is never a primary admin (accounts.rules.check_subgroup_limit), and only primary admins manage users.
    assert hana_client.get(reverse("accounts:manage_users", kwargs={"group_number": "104522"})).status_code == 403
