"""Reminders: on the window's first day and seven days before it closes, primary and enrollment admins are emailed once."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection

from enrollment import oe_reminders
from enrollment.models import OpenEnrollmentReminder
from enrollment.tasks import send_open_enrollment_reminders
from enrollment.tests.oe_helpers import RENEWAL, noon, set_up, subscriber
from tests import factories


@pytest.fixture
def admins(group, alice, bob):
    """alice (primary) and bob (read-only) from conftest, plus an enrollment, a billing and a limited enrollment admin."""
    oe = set_up(group)
    erin = factories.UserFactory(username="erin", first_name="Erin")
    factories.MembershipFactory(user=erin, group=group, role="enrollment")
    factories.MembershipFactory(user=factories.UserFactory(username="bill"), group=group, role="billing")
    hana = factories.UserFactory(username="hana", first_name="Hana")
    factories.MembershipFactory(user=hana, group=group, role="enrollment").subgroups.set([oe.hourly])
    gone = factories.UserFactory(username="gone", is_active=False)
    factories.MembershipFactory(user=gone, group=group, role="primary")
    for n in range(3):
        subscriber(group, oe.salaried, oe.gold, last_name="Salaried%d" % n)
    subscriber(group, oe.hourly, oe.gold, last_name="Hourly")
    return oe


def send(capture, day):
    with time_machine.travel(noon(day), tick=False), capture(execute=True):
        return oe_reminders.send_due_reminders()


@pytest.mark.django_db
def test_the_first_day_of_the_window_emails_primary_and_enrollment_admins_once(admins, mailoutbox, django_capture_on_commit_callbacks):
    assert send(django_capture_on_commit_callbacks, date(2026, 11, 30)) == []
    sent = send(django_capture_on_commit_callbacks, date(2026, 12, 1))
    assert [(r.kind, r.renewal_date, r.recipients) for r in sent] == [("opening", RENEWAL, 3)]
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "erin@example.com", "hana@example.com"]
    alice = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert alice.subject == "Open enrollment is open: group 104522, plan year 2027"
    assert "Last day to make elections: Dec 31, 2026 (31 days left)" in alice.body
    assert "Subscribers not acted on yet: 4" in alice.body
    hana = next(m for m in mailoutbox if m.to == ["hana@example.com"])
    assert "Subscribers not acted on yet in your subgroups: 1" in hana.body
    assert send(django_capture_on_commit_callbacks, date(2026, 12, 1)) == []  # the task ran twice
    assert send(django_capture_on_commit_callbacks, date(2026, 12, 2)) == []
    assert len(mailoutbox) == 3


@pytest.mark.django_db
def test_seven_days_before_it_closes_the_second_reminder_goes_once(admins, mailoutbox, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, date(2026, 12, 1))
    assert send(django_capture_on_commit_callbacks, date(2026, 12, 24)) == []
    sent = send(django_capture_on_commit_callbacks, date(2026, 12, 25))
    assert [r.kind for r in sent] == ["closing"]
    closing = [m for m in mailoutbox if m.subject.startswith("7 days left")]
    assert len(closing) == 3 and "Last day to make elections: Dec 31, 2026 (7 days left)" in closing[0].body
    assert send(django_capture_on_commit_callbacks, date(2026, 12, 31)) == []
    assert send(django_capture_on_commit_callbacks, RENEWAL) == []
    assert len(mailoutbox) == 6
    assert sorted(OpenEnrollmentReminder.objects.values_list("kind", flat=True)) == ["closing", "opening"]


@pytest.mark.django_db
def test_a_day_the_task_did_not_run_is_caught_up_the_next(admins, mailoutbox, django_capture_on_commit_callbacks):
    assert [r.kind for r in send(django_capture_on_commit_callbacks, date(2026, 12, 3))] == ["opening"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_email_once(admins, mailoutbox):
    results = []

    def run():
        with time_machine.travel(noon(date(2026, 12, 1)), tick=False):
            results.append(len(oe_reminders.send_due_reminders()))
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert OpenEnrollmentReminder.objects.count() == 1
    assert len(mailoutbox) == 3


@pytest.mark.worker
def test_a_real_worker_sends_the_reminders(celery_worker_redis, wait, group, alice, mailoutbox):
    set_up(group)
    group.renewal_month = group.today().month % 12 + 1  # renews next month: today is inside its window
    group.save()
    send_open_enrollment_reminders.delay()
    assert wait(lambda: len(mailoutbox) == 1)
    assert mailoutbox[0].to == ["alice@example.com"] and "group 104522" in mailoutbox[0].subject
    assert OpenEnrollmentReminder.objects.count() == 1
