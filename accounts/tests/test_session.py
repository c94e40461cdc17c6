import time

from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.middleware import SESSION_ACTIVITY_KEY, SESSION_STARTED_KEY
from accounts.models import AuditEvent

HOME = "/groups/104522/"


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_idle_for_more_than_15_minutes_ends(alice_client, alice, settings):
    assert settings.SESSION_IDLE_SECONDS == 15 * 60
    assert alice_client.get(HOME).status_code == 200
    age_session(alice_client, **{SESSION_ACTIVITY_KEY: 15 * 60 + 1})
    response = alice_client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "without activity" in alice_client.get(response["Location"]).content.decode()
    assert alice_client.get(HOME).status_code == 302  # the session is gone, not just this answer
    assert AuditEvent.objects.filter(action="logout", actor=alice, detail__reason="idle").exists()


def test_a_request_within_15_minutes_keeps_the_session(alice_client):
    alice_client.get(HOME)
    age_session(alice_client, **{SESSION_ACTIVITY_KEY: 14 * 60})
    assert alice_client.get(HOME).status_code == 200
    age_session(alice_client, **{SESSION_ACTIVITY_KEY: 14 * 60})
    assert alice_client.get(HOME).status_code == 200


def test_stay_signed_in_keeps_the_session_and_counts_as_activity(alice_client):
    alice_client.get(HOME)
    age_session(alice_client, **{SESSION_ACTIVITY_KEY: 14 * 60})
    response = alice_client.post(reverse("accounts:keep_alive"), headers={"x-requested-with": "fetch"})
    assert response.status_code == 200 and response.json()["signed_in"] is True
    assert int(time.time()) - alice_client.session[SESSION_ACTIVITY_KEY] <= 1


def test_keep_alive_after_the_idle_end_answers_signed_out(alice_client):
    alice_client.get(HOME)
    age_session(alice_client, **{SESSION_ACTIVITY_KEY: 16 * 60})
    response = alice_client.post(reverse("accounts:keep_alive"), headers={"x-requested-with": "fetch"})
    assert response.status_code == 401


def test_a_session_ends_after_12_hours_even_when_active(alice_client):
    alice_client.get(HOME)
    age_session(alice_client, **{SESSION_STARTED_KEY: 12 * 3600 + 1, SESSION_ACTIVITY_KEY: 10})
    response = alice_client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert alice_client.get(HOME).status_code == 302


def test_signed_in_pages_are_never_stored(alice_client):
    for path in (HOME, reverse("accounts:my_account"), reverse("accounts:manage_users", kwargs={"group_number": "104522"})):
        assert "no-store" in alice_client.get(path)["Cache-Control"], path


def test_signed_in_pages_carry_the_idle_warning_dialog_and_script(alice_client):
    html = alice_client.get(HOME).content.decode()
    assert 'data-idle-seconds="900"' in html and "js/idle.js" in html
    assert "Stay signed in" in html and reverse("accounts:keep_alive") in html


def test_a_deactivated_users_open_session_is_dead_on_the_next_request(alice, bob):
    bobs_browser = Client()
    bobs_browser.force_login(bob)
    assert bobs_browser.get(HOME).status_code == 200
    membership = bob.memberships.get()
    services.deactivate_membership(membership=membership, acting_user=alice, ip_address="127.0.0.1")
    response = bobs_browser.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    bob.refresh_from_db()
    assert not bob.is_active
    assert AuditEvent.objects.filter(action="user_deactivated", actor=alice, group=membership.group).exists()


def test_a_reset_by_a_specialist_ends_every_session_and_emails_a_temporary_password(
    alice, specialist, mailoutbox, django_capture_on_commit_callbacks
):
    alices_browser = Client()
    alices_browser.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.reset_password(user=alice, acting_user=specialist, ip_address="127.0.0.1")
    assert alices_browser.get(HOME).status_code == 302
    alice.refresh_from_db()
    assert alice.must_change_password and alice.temporary_password_expires_at
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [alice.email]
    password = mailoutbox[0].body.split("Your temporary password: ")[1].split()[0]
    assert alice.check_password(password)
    assert AuditEvent.objects.filter(action="password_reset", actor=specialist, object_id=str(alice.pk)).exists()
