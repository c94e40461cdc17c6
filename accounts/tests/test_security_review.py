"""Security review of accounts: the second factor guards every change to the account."""

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


def test_a_password_alone_cannot_change_the_password_of_a_user_with_two_factor(alice):
    TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)
    thief = Client()
    assert thief.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    page = thief.get(reverse("accounts:password_change"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:mfa_verify"))
    changed = thief.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "a thief's new passphrase", "new_password2": "a thief's new passphrase",
    })
    assert changed.status_code == 302 and changed["Location"].startswith(reverse("accounts:mfa_verify"))
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_temporary_password_is_still_changed_first_before_anything_else(alice):
    alice.must_change_password = True
    alice.save()
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    home = client.get(reverse("accounts:my_account"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:password_change")
