"""Drafts never confirmed: discarded from Group Home after a confirmation page, and deleted 30
days after their last change by a daily task; the page says both."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from enrollment import drafts, services
from enrollment.models import EnrollmentDraft
from enrollment.tasks import expire_enrollment_drafts
from tests import factories

NOW = datetime(2026, 5, 12, 10, 15, tzinfo=dt_timezone.utc)


def test_the_task_deletes_unconfirmed_drafts_unchanged_for_30_days_and_keeps_the_rest(group, alice, enroll):
    stale = enroll(until="subscriber")
    fresh = enroll(until="subscriber", subscriber=None)
    confirmed = enroll()
    services.confirm_new_enrollment(group=group, draft_id=confirmed.pk, acting_user=alice, today=timezone.localdate())
    EnrollmentDraft.objects.filter(pk=stale.pk).update(updated_at=NOW - timedelta(days=30))
    EnrollmentDraft.objects.filter(pk=fresh.pk).update(updated_at=NOW - timedelta(days=30) + timedelta(seconds=1))
    EnrollmentDraft.objects.filter(pk=confirmed.pk).update(updated_at=NOW - timedelta(days=90))
    assert drafts.expire_stale_drafts(now=NOW) == 1
    assert set(EnrollmentDraft.objects.values_list("pk", flat=True)) == {fresh.pk, confirmed.pk}


def test_the_task_runs_daily_on_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-enrollment-drafts"]
    assert entry["task"] == "enrollment.tasks.expire_enrollment_drafts"
    assert (entry["schedule"].hour, entry["schedule"].minute, entry["schedule"].day_of_week) == ({10}, {15}, set(range(7)))


@pytest.mark.worker
def test_a_real_worker_expires_the_stale_drafts(celery_worker_redis, wait, enroll):
    draft = enroll(until="subscriber")
    EnrollmentDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=31))
    expire_enrollment_drafts.delay()
    assert wait(lambda: not EnrollmentDraft.objects.exists()), "the worker did not delete the stale draft"


def test_group_home_offers_to_discard_a_draft_and_says_drafts_expire(alice_client, enroll, group, url):
    draft = enroll(until="plan")
    html = alice_client.get(reverse("group_home", kwargs={"group_number": group.group_number})).content.decode()
    assert 'href="%s">Discard<span class="visually-hidden"> the enrollment of Maria Lopez</span></a>' % url(
        "enrollment_discard", draft_id=draft.pk) in html
    assert "An enrollment not confirmed is kept for 30 days after its last change, then deleted." in html


def test_discard_asks_on_a_page_first_and_deletes_only_when_confirmed(alice_client, enroll, url, group):
    draft = enroll(until="plan")
    page = alice_client.get(url("enrollment_discard", draft_id=draft.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Discard this enrollment?" in html and "Maria Lopez" in html and "cannot be undone" in html
    assert "kept until %s" % (draft.updated_at + timedelta(days=30)).astimezone(timezone.get_current_timezone()).strftime("%b %-d, %Y") in html
    assert 'href="%s">Keep it and continue</a>' % url("enrollment_dependents", draft_id=draft.pk) in html
    assert EnrollmentDraft.objects.filter(pk=draft.pk).exists()
    response = alice_client.post(url("enrollment_discard", draft_id=draft.pk))
    assert response.url == reverse("group_home", kwargs={"group_number": group.group_number})
    assert not EnrollmentDraft.objects.exists()


def test_another_admins_draft_cannot_be_discarded(client, enroll, url, group):
    draft = enroll(until="subscriber")
    erin = factories.UserFactory(username="erin")
    factories.MembershipFactory(user=erin, group=group, role="enrollment")
    client.force_login(erin)
    assert client.get(url("enrollment_discard", draft_id=draft.pk)).status_code == 404
    assert client.post(url("enrollment_discard", draft_id=draft.pk)).status_code == 404
    assert EnrollmentDraft.objects.filter(pk=draft.pk).exists()
