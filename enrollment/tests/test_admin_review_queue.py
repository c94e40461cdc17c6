"""A billing specialist decides the requests that need review, in Django admin, through the pipeline."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from enrollment import processors, services
from enrollment.models import ChangeRequest, Coverage

CHANGELIST = reverse("admin:enrollment_changerequest_changelist")


@pytest.fixture
def late_request(group, alice, enroll):
    """Return a new enrollment processed 90 days after its start: beyond the retro window, so it needs review."""
    draft = enroll()
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    processors.process(request.pk, today=Coverage.objects.get().start + timedelta(days=90))
    request.refresh_from_db()
    assert request.status == "needs_review"
    return request


def test_approving_applies_the_enrollment_and_records_who_did_it(client, specialist, late_request, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(specialist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "approve_requests", ACTION_CHECKBOX_NAME: [late_request.pk]})
    assert response.status_code == 302
    late_request.refresh_from_db()
    assert late_request.status == "completed"
    assert Coverage.objects.get().status == "active" and late_request.subscriber.__class__.objects.get().subscriber_number
    assert late_request.events.last().actor == specialist
    assert any("completed" in m.subject.lower() or "completed" in m.body.lower() for m in mailoutbox)


def test_rejecting_asks_for_a_reason_then_voids_the_pending_coverage(client, specialist, late_request):
    client.force_login(specialist)
    ask = client.post(CHANGELIST, {"action": "reject_requests", ACTION_CHECKBOX_NAME: [late_request.pk]})
    assert ask.status_code == 200 and b"Reject with a reason" in ask.content
    late_request.refresh_from_db()
    assert late_request.status == "needs_review"  # nothing happens without a reason
    client.post(CHANGELIST, {"action": "reject_requests", "apply": "1", ACTION_CHECKBOX_NAME: [late_request.pk],
                             "reason": "Coverage cannot start that far back; resubmit with the first of next month."})
    late_request.refresh_from_db()
    assert late_request.status == "rejected" and "that far back" in late_request.reason
    assert Coverage.objects.get().status == "void"


def test_a_completed_request_cannot_be_approved_again(client, specialist, late_request):
    client.force_login(specialist)
    client.post(CHANGELIST, {"action": "approve_requests", ACTION_CHECKBOX_NAME: [late_request.pk]})
    response = client.post(CHANGELIST, {"action": "approve_requests", ACTION_CHECKBOX_NAME: [late_request.pk]}, follow=True)
    assert b"not approved" in response.content
    assert ChangeRequest.objects.get().events.filter(status="completed").count() == 1


def test_the_status_cannot_be_edited_by_hand(client, specialist, late_request):
    client.force_login(specialist)
    page = client.get(reverse("admin:enrollment_changerequest_change", args=[late_request.pk]))
    assert page.status_code == 200 and b'name="status"' not in page.content
