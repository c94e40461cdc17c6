import re
import threading
from unittest import mock

import pytest
from django.db import connection

from accounts.models import AuditEvent
from core import identifiers
from enrollment import change_requests, request_status
from enrollment.models import ChangeRequest, RequestEvent
from tests import factories

NUMBER = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$")


def submit(group, user, **kwargs):
    return change_requests.submit(
        group=group, kind=ChangeRequest.Kind.ID_CARD_ORDER, acting_user=user, snapshot={"quantity": 1}, process=False, **kwargs
    )


def test_submitting_records_the_request_received_with_a_timeline_row_and_an_audit_event(group, alice, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(group, alice)
    assert request.status == "received" and NUMBER.match(request.confirmation_number)
    assert list(RequestEvent.objects.filter(request=request).values_list("status", flat=True)) == ["received"]
    audit = AuditEvent.objects.get(action="request_submitted")
    assert (audit.actor, audit.group, audit.object_id) == (alice, group, request.confirmation_number)
    assert len(mailoutbox) == 1 and request.display_number in mailoutbox[0].subject


def test_a_colliding_confirmation_number_is_retried(group, alice):
    first = submit(group, alice)
    fresh = identifiers.generate_confirmation_number()
    with mock.patch.object(change_requests, "generate_confirmation_number", side_effect=[first.confirmation_number, fresh]):
        second = submit(group, alice)
    assert second.confirmation_number == fresh
    assert ChangeRequest.objects.count() == 2


def test_deciding_writes_the_timeline_and_a_decision_audit_and_a_decided_request_stays_decided(group, alice):
    request = submit(group, alice)
    request_status.mark_processing(request)
    request_status.needs_review(request, reason="Late")
    assert request.status == "needs_review" and request.reason == "Late" and request.decided_at
    request_status.reject(request, reason="Not eligible")
    with pytest.raises(request_status.RequestAlreadyDecided):
        request_status.complete(request)
    request.refresh_from_db()
    assert request.status == "rejected"
    assert list(request.events.values_list("status", flat=True)) == ["received", "processing", "needs_review", "rejected"]
    assert AuditEvent.objects.filter(action="request_decided").count() == 2


@pytest.mark.django_db(transaction=True)
def test_1000_confirmation_numbers_generated_in_parallel_are_unique():
    group = factories.GroupFactory(group_number="104522")
    user = factories.UserFactory(username="alice")
    numbers, errors = [], []

    def work(n):
        try:
            for _ in range(n):
                numbers.append(submit(group, user).confirmation_number)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(125,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(numbers) == 1000 == len(set(numbers)) == ChangeRequest.objects.count()
