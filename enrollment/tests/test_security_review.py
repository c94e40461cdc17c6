"""Security review: PHI never reaches a page in full, a forged request is refused, the pipeline is locked."""

from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import EnrollmentDraft
from enrollment.tests import helpers


def test_the_draft_admin_page_never_shows_the_encrypted_ssn_or_its_hash(client, specialist, enroll, group):
    draft = enroll(dependents=[{
        "first_name": "Lucia", "date_of_birth": "2015-03-09", "gender": "F", "relationship": "child",
        "elect_coverage": "yes", "ssn": "234-56-7891",
    }])
    subscriber = draft.data["subscriber"]
    dependent = draft.data["dependents"][0]
    assert subscriber["ssn_encrypted"] and dependent["ssn_encrypted"]
    client.force_login(specialist)
    response = client.get(reverse("admin:enrollment_enrollmentdraft_change", args=[draft.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for secret in (subscriber["ssn_encrypted"], subscriber["ssn_hash"], dependent["ssn_encrypted"], dependent["ssn_hash"]):
        assert secret not in page
    assert "123-45-6789" not in page and "123456789" not in page and "234567891" not in page
    assert "***-**-6789" in page


def test_discarding_a_draft_confirmed_meanwhile_keeps_it_and_its_confirmation(group, alice, enroll):
    draft = enroll()
    stale = EnrollmentDraft.objects.get(pk=draft.pk)  # the discard view read it before the other tab confirmed
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    services.discard_draft(draft=stale)
    assert EnrollmentDraft.objects.get(pk=draft.pk).request_id == request.pk


def test_a_step_redrawn_with_an_error_never_writes_the_typed_ssn_back(alice_client, url, plans, enroll):
    page = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], hire_date="", ssn="234-56-7890"))
    assert page.status_code == 200 and page.context["form"].errors
    assert "234-56-7890" not in page.content.decode() and "234567890" not in page.content.decode()
    draft = enroll(until="plan")
    child = {"first_name": "Lucia", "date_of_birth": "2099-03-09", "relationship": "child", "elect_coverage": "yes", "ssn": "234-56-7891"}
    page = alice_client.post(url("enrollment_dependents", draft_id=draft.pk), helpers.dependents_post([child]))
    assert page.status_code == 200 and page.context["formset"].errors
    assert "234-56-7891" not in page.content.decode()
