import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests import factories

LOGIN = reverse("accounts:login")
PASSWORD = "correct horse battery staple"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_a_group_admin_logs_in_and_the_login_is_audited(client, alice):
    response = log_in(client, "alice")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert event.actor == alice and event.ip_address == "127.0.0.1"


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(client, alice):
    wrong = log_in(client, "alice", "not the password")
    unknown = log_in(client, "nobody-here", "not the password")
    message = "Please enter a correct username and password."
    assert wrong.status_code == unknown.status_code == 200
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert list(AuditEvent.objects.filter(action="login_failed").order_by("at").values_list("username", flat=True)) == ["alice", "nobody-here"]


@pytest.mark.parametrize("username", ["alice", "nobody-here"])
def test_five_failures_lock_the_username_out_from_that_address_for_15_minutes(client, alice, username):
    for _ in range(4):
        assert log_in(client, username, "not the password").status_code == 200
    locked = log_in(client, username, "not the password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "After 5 failed log-ins" in html and "15 minutes" in html and "503-574-5791" in html and "888-816-1300" in html
    assert log_in(client, username).status_code == 429  # even the right password
    assert AuditEvent.objects.filter(action="lockout", username=username).exists()


def test_the_lockout_is_per_username_and_address(client, alice, bob):
    for _ in range(5):
        log_in(client, "alice", "not the password")
    assert log_in(client, "alice").status_code == 429
    assert log_in(client, "alice", REMOTE_ADDR="10.9.9.9").status_code == 302  # another address
    client.logout()
    assert log_in(client, "bob").status_code == 302  # another username


def test_a_lockout_ends_after_15_minutes(client, alice):
    for _ in range(5):
        log_in(client, "alice", "not the password")
    assert log_in(client, "alice").status_code == 429  # locked, even with the right password
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert log_in(client, "alice").status_code == 429  # still within the 15 minutes
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert log_in(client, "alice").status_code == 302


def test_the_temporary_password_works_before_it_expires_and_forces_a_change(client, group):
    user = factories.UserFactory(username="jsmith1234", must_change_password=True,
                                 temporary_password_expires_at=timezone.now() + datetime.timedelta(hours=1))
    factories.MembershipFactory(user=user, group=group, role="primary")
    assert log_in(client, "jsmith1234").status_code == 302
    for path in ("/", "/groups/104522/", reverse("accounts:my_account")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change"), path
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Choose your own password" in page


def test_an_expired_temporary_password_is_refused(client, group):
    user = factories.UserFactory(username="jsmith1234", must_change_password=True,
                                 temporary_password_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    factories.MembershipFactory(user=user, group=group)
    response = log_in(client, "jsmith1234")
    assert response.status_code == 200
    assert "Your temporary password has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_password_change_validates_and_clears_the_temporary_flag(client, group):
    user = factories.UserFactory(username="jsmith1234", must_change_password=True,
                                 temporary_password_expires_at=timezone.now() + datetime.timedelta(hours=1))
    factories.MembershipFactory(user=user, group=group)
    log_in(client, "jsmith1234")
    url = reverse("accounts:password_change")
    too_short = client.post(url, {"old_password": PASSWORD, "new_password1": "Short1!", "new_password2": "Short1!"})
    assert "at least 12 characters" in too_short.content.decode()
    common = client.post(url, {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"})
    assert "too common" in common.content.decode()
    done = client.post(url, {"old_password": PASSWORD, "new_password1": "Blue-Harbor-Lantern-2026", "new_password2": "Blue-Harbor-Lantern-2026"})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:home")
    user.refresh_from_db()
    assert not user.must_change_password and user.temporary_password_expires_at is None
    assert client.get("/groups/104522/").status_code == 200  # this session goes on
    assert AuditEvent.objects.filter(action="password_change", actor=user).exists()


def test_a_password_change_ends_the_users_other_sessions(client, alice):
    other = Client()
    other.force_login(alice)
    client.force_login(alice)
    client.post(reverse("accounts:password_change"),
                {"old_password": PASSWORD, "new_password1": "Blue-Harbor-Lantern-2026", "new_password2": "Blue-Harbor-Lantern-2026"})
    assert client.get("/groups/104522/").status_code == 200
    assert other.get("/groups/104522/").status_code == 302


def test_logging_out_ends_the_session_and_is_audited(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:logout"))
    assert client.get("/groups/104522/").status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=alice).exists()


def test_self_service_reset_emails_a_link_that_sets_a_new_password(client, alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "alice" in mailoutbox[0].body
    link = [line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line][0].strip()
    form_page = client.get(link.replace("http://testserver", ""), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "Blue-Harbor-Lantern-2026", "new_password2": "Blue-Harbor-Lantern-2026"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Blue-Harbor-Lantern-2026")
    assert AuditEvent.objects.filter(action="password_reset", actor=alice).exists()


def test_self_service_reset_does_not_say_whether_the_email_is_known(client, alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert unknown.status_code == 302 and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": alice.email})
    assert known.status_code == 302 and known["Location"] == unknown["Location"]
    assert [m.to for m in mailoutbox] == [[alice.email]]
