"""The temporary password is made by the worker that emails it, never carried in a broker message."""

import re
from unittest import mock

import pytest
from celery import chain
from django.core import mail
from django.urls import reverse

from accounts import services, tasks
from accounts.models import User
from accounts.tests.test_admin_registrations import submit


def test_approval_leaves_no_usable_password_until_the_worker_issues_and_emails_it(
    group, specialist, mailoutbox, django_capture_on_commit_callbacks
):
    registration = submit(extra_people=0)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [user] = services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://x/login/")
    user.refresh_from_db()
    assert not user.has_usable_password() and user.temporary_password_expires_at is None

    with mock.patch("accounts.services.chain", wraps=chain) as queued:
        for callback in callbacks:
            callback()
    messages = [signature.kwargs for signature in queued.call_args.args]  # what goes to the broker
    assert [m["template"] for m in messages] == ["account_username", "account_password"]
    assert all("password" not in m["context"] for m in messages)
    password = re.search(r"temporary password: (\S+)", mailoutbox[1].body, re.I).group(1)
    user.refresh_from_db()
    assert user.check_password(password) and user.must_change_password and user.temporary_password_expires_at


def test_a_specialist_reset_stops_the_old_password_at_once(alice, specialist, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_password(user=alice, acting_user=specialist, ip_address=None)
    alice.refresh_from_db()
    assert not alice.check_password("correct horse battery staple")
    password = re.search(r"temporary password: (\S+)", mailoutbox[-1].body, re.I).group(1)
    assert alice.check_password(password) and User.objects.get(pk=alice.pk).must_change_password


def test_the_reset_link_token_is_made_by_the_worker_not_carried_in_the_message(client, alice, mailoutbox, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.email_password_reset_link, "delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert queued.call_args.kwargs == {"user_id": alice.pk, "site": "http://testserver"}
    tasks.email_password_reset_link.run(**queued.call_args.kwargs)
    link = re.search(r"http://testserver(/\S+)", mailoutbox[0].body).group(1)
    assert client.get(link, follow=True).status_code == 200 and b"new password" in client.get(link, follow=True).content.lower()


@pytest.mark.worker
def test_a_real_worker_on_redis_emails_the_reset_link(client, alice, celery_worker_redis, wait):
    client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert wait(lambda: len(mail.outbox) == 1), "the worker did not send the reset link"
    assert mail.outbox[0].to == [alice.email]
    assert re.search(r"http://testserver/\S+/\S+", mail.outbox[0].body)
