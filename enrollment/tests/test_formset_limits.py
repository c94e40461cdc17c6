"""Every formset enforces the limit it declares, whatever TOTAL_FORMS a request claims."""

from django.urls import reverse

from accounts.models import RegistrationRequest
from accounts.tests.test_register import registration_data
from enrollment.tests import helpers


def children(count):
    return [{**helpers.CHILD, "first_name": "Kid%d" % n} for n in range(count)]


def test_the_dependents_step_refuses_21_dependents_and_saves_none(alice_client, url, enroll):
    draft = enroll(until="plan")
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post(children(21)))
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "At most 20 dependents can be entered here. Call a billing specialist to add more."
    ]
    assert "At most 20 dependents can be entered here." in response.content.decode()
    draft.refresh_from_db()
    assert "dependents" not in draft.data


def test_the_dependents_step_accepts_20_dependents_and_offers_no_21st(alice_client, url, enroll):
    draft = enroll(until="plan")
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post(children(20), action="add"))
    assert response.status_code == 302 and response.url == url("enrollment_dependents", draft_id=draft.pk)
    draft.refresh_from_db()
    assert len(draft.data["dependents"]) == 20
    page = alice_client.get(url("enrollment_dependents", draft_id=draft.pk) + "?add=1")
    assert len(page.context["formset"].forms) == 20
    assert 'name="action" value="add"' not in page.content.decode()  # no "Add New Dependent" button


def test_registration_refuses_21_additional_users(client, db):
    data = registration_data(**{"users-TOTAL_FORMS": "21"})
    for n in range(21):
        data.update({"users-%d-first_name" % n: "P%d" % n, "users-%d-last_name" % n: "Person", "users-%d-title" % n: "Clerk",
                     "users-%d-email" % n: "p%d@acme.example" % n, "users-%d-role" % n: "read_only"})
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["At most 20 additional users can be registered at once."]
    assert not RegistrationRequest.objects.exists()
