import pytest
from django.urls import reverse

from enrollment.models import EnrollmentDraft
from enrollment.tests import helpers


@pytest.fixture
def plans(group):
    return helpers.offer_plans(group)


@pytest.fixture
def other_plans(other_group):
    return helpers.offer_plans(other_group)


@pytest.fixture
def url(group):
    def make(name, **kwargs):
        return reverse("enrollment:" + name, kwargs={"group_number": group.group_number, **kwargs})

    return make


@pytest.fixture
def enroll(alice_client, url, group, plans):
    """Walk the wizard through the client; return the draft, stopping after `until` ("subscriber", "plan", "dependents")."""

    def walk(*, dependents=(), plan=None, until="dependents", subscriber=None):
        response = alice_client.post(url("new_enrollment"), subscriber or helpers.subscriber_post(plans["salaried"]))
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        draft = EnrollmentDraft.objects.filter(group=group).latest("pk")
        if until == "subscriber":
            return draft
        response = alice_client.post(url("enrollment_plan", draft_id=draft.pk), {
            "plan": str((plan or plans["gold"]).pk), "coverage_start": helpers.proposed_start(group).isoformat(),
        })
        assert response.status_code == 302, response.context["form"].errors
        if until == "plan":
            return draft
        response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post(list(dependents)))
        assert response.status_code == 302, response.context["formset"].errors
        draft.refresh_from_db()
        return draft

    return walk
