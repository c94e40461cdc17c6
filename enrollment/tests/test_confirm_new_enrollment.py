"""From confirm to `completed`: the request pipeline and the worker's processing of a new enrollment."""

import re
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent
from enrollment import processors, selectors, services
from enrollment.models import (
    ChangeRequest,
    Coverage,
    Dependent,
    EnrollmentDraft,
    PlanOffering,
    Subscriber,
)
from enrollment.tasks import process_request
from enrollment.tests import helpers


def confirm(group, alice, draft, capture):
    with capture(execute=True):
        return services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())


def test_confirming_stores_the_family_and_the_worker_completes_it(group, alice, enroll, django_capture_on_commit_callbacks, mailoutbox):
    draft = enroll(dependents=[helpers.SPOUSE, helpers.CHILD, helpers.CHILD_WITH_OTHER_COVERAGE])
    request = confirm(group, alice, draft, django_capture_on_commit_callbacks)  # Celery runs eagerly on commit
    request.refresh_from_db()
    assert request.status == "completed"
    assert list(request.events.values_list("status", flat=True)) == ["received", "processing", "completed"]
    subscriber = Subscriber.objects.get(group=group)
    assert re.fullmatch(r"M\d{9}", subscriber.subscriber_number) and subscriber.member_id.endswith("-00")
    assert subscriber.masked_ssn == "***-**-6789" and "123456789" not in str(request.snapshot)
    assert list(Dependent.objects.filter(subscriber=subscriber).order_by("member_suffix").values_list("first_name", "member_suffix")) == [
        ("Carlos", "01"), ("Lucia", "02"), ("Diego", "03")
    ]
    diego = Dependent.objects.get(first_name="Diego")
    assert (diego.has_other_coverage, diego.other_carrier, diego.other_policy_number) == (True, "Kaiser", "KP-99812")
    coverage = Coverage.objects.get(subscriber=subscriber)
    assert (coverage.status, coverage.tier, coverage.start) == ("active", "FAM", helpers.proposed_start(group))
    assert set(coverage.dependents.values_list("first_name", flat=True)) == {"Carlos", "Lucia"}
    assert selectors.roster(alice.memberships.get(), timezone.localdate()).get().roster_status == "prospective"
    assert [m.subject for m in mailoutbox] == ["Request %s received: New enrollment" % request.display_number,
                                               "Request %s: Completed" % request.display_number]
    assert subscriber.subscriber_number in mailoutbox[1].body and "Lopez" not in mailoutbox[1].body
    assert AuditEvent.objects.filter(action="request_submitted", object_id=request.confirmation_number).exists()
    assert AuditEvent.objects.filter(action="request_decided", object_id=request.confirmation_number).exists()
    draft.refresh_from_db()
    assert draft.request == request


def test_the_tier_is_computed_by_the_server_from_the_covered_members(group, alice, enroll, django_capture_on_commit_callbacks):
    draft = enroll(dependents=[helpers.CHILD, helpers.CHILD_WITH_OTHER_COVERAGE])
    request = confirm(group, alice, draft, django_capture_on_commit_callbacks)
    assert request.snapshot["tier"] == "EC" and request.snapshot["monthly_premium"] == "1080.00"  # Gold: 900 x 1.2


def test_processing_the_same_request_twice_changes_nothing(group, alice, enroll, django_capture_on_commit_callbacks):
    request = confirm(group, alice, enroll(), django_capture_on_commit_callbacks)
    subscriber_number = Subscriber.objects.get().subscriber_number
    events = request.events.count()
    process_request.delay(request.pk)
    processors.process(request.pk, today=timezone.localdate())
    assert Subscriber.objects.get().subscriber_number == subscriber_number
    assert request.events.count() == events
    assert Coverage.objects.get().status == "active"


def test_confirming_a_draft_twice_returns_the_first_request(group, alice, enroll, django_capture_on_commit_callbacks):
    draft = enroll()
    first = confirm(group, alice, draft, django_capture_on_commit_callbacks)
    assert confirm(group, alice, draft, django_capture_on_commit_callbacks) == first
    assert Subscriber.objects.count() == 1 and ChangeRequest.objects.count() == 1


def test_a_rule_broken_at_confirm_saves_nothing(group, alice, enroll, plans):
    draft = enroll()
    draft.data["dependents"] = [
        {**helpers.SPOUSE, "key": "a", "middle_initial": "", "last_name": "Lopez", "gender": "M", "elect_coverage": True},
        {**helpers.SPOUSE, "key": "b", "middle_initial": "", "last_name": "Lopez", "gender": "M", "elect_coverage": True,
         "relationship": "domestic_partner", "first_name": "Chris"},
    ]
    draft.save()
    with pytest.raises(ValidationError) as info:
        services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    assert "at most one spouse" in str(info.value)
    assert not Subscriber.objects.exists() and not ChangeRequest.objects.exists() and not Coverage.objects.exists()


def test_the_worker_rejects_a_request_whose_plan_is_no_longer_offered_and_voids_its_coverage(group, alice, enroll, plans):
    draft = enroll()
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    # The carrier withdrew the offering between confirm and processing.

    PlanOffering.objects.filter(plan=plans["gold"], group=group).delete()
    processors.process(request.pk, today=timezone.localdate())
    request.refresh_from_db()
    assert request.status == "rejected" and "not offered" in request.reason
    assert Coverage.objects.get().status == "void"
    assert Subscriber.objects.get().subscriber_number is None


def test_a_coverage_starting_beyond_the_retro_window_needs_review_and_a_specialist_can_approve_it(group, alice, enroll):
    draft = enroll()
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    start = Coverage.objects.get().start
    processors.process(request.pk, today=start + timedelta(days=90))
    request.refresh_from_db()
    assert request.status == "needs_review" and "more than 60 days" in request.reason
    assert Coverage.objects.get().status == "pending"
    processors.approve(request, actor=alice)
    request.refresh_from_db()
    assert request.status == "completed" and Coverage.objects.get().status == "active"


@pytest.mark.django_db(transaction=True)
def test_two_confirms_of_one_draft_at_once_give_one_subscriber_and_one_request(group, alice, enroll):
    draft = enroll()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            results.append(services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate()))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results[0].pk == results[1].pk
    assert Subscriber.objects.count() == 1 and ChangeRequest.objects.count() == 1 and Coverage.objects.count() == 1


@pytest.mark.worker
def test_a_real_worker_on_redis_takes_the_request_to_completed(celery_worker_redis, wait, group, alice, enroll, mailoutbox):
    draft = enroll(dependents=[helpers.CHILD])
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    assert wait(lambda: ChangeRequest.objects.get(pk=request.pk).status == "completed"), "the worker did not complete it"
    assert Coverage.objects.get().status == "active"
    assert EnrollmentDraft.objects.get().request_id == request.pk
