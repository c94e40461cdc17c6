"""Security review: PHI never reaches a page in full, a forged request is refused, the pipeline is locked."""

import pytest
from django.urls import reverse

from enrollment.models import EnrollmentDraft
from portal import factories


@pytest.fixture
def specialist(db):
    return factories.UserFactory(username="specialist", is_staff=True, is_superuser=True)


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
    from django.utils import timezone

    from enrollment import services

    draft = enroll()
    stale = EnrollmentDraft.objects.get(pk=draft.pk)  # the discard view read it before the other tab confirmed
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    services.discard_draft(draft=stale)
    assert EnrollmentDraft.objects.get(pk=draft.pk).request_id == request.pk
