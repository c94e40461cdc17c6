from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent

USERS = reverse("admin:accounts_user_changelist")


def test_the_reset_password_action_emails_a_temporary_password_and_ends_sessions(
    specialist_client, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = specialist_client.post(USERS, {"action": "reset_password", "_selected_action": [alice.pk]}, follow=True)
    assert "a temporary password was emailed" in response.content.decode()
    alice.refresh_from_db()
    assert alice.must_change_password and alice.session_epoch == 1
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_the_actions_are_labelled_for_the_specialist(specialist_client, alice):
    html = specialist_client.get(USERS).content.decode()
    assert ">Reset password<" in html and "Unlock (clear failed log-ins)" in html


def test_the_unlock_action_clears_a_lockout(specialist_client, alice):
    client = Client()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="alice").exists()
    specialist_client.post(USERS, {"action": "unlock_users", "_selected_action": [alice.pk]})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert client.post(reverse("accounts:login"), {"username": "alice", "password": "correct horse battery staple"}).status_code == 302


def test_the_group_admin_shows_require_two_factor_authentication(specialist_client, group):
    html = specialist_client.get(reverse("admin:accounts_employergroup_change", args=[group.pk])).content.decode()
    assert "Require two-factor authentication" in html


def test_the_audit_trail_is_read_only(specialist_client, alice):
    event = AuditEvent.objects.create(action="login", actor=alice)
    assert specialist_client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    assert specialist_client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert specialist_client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
