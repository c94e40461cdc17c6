import base64

from django.test import Client
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

PASSWORD = "correct horse battery staple"
HOME = "/groups/104522/"


def current_code(device):
    return "%06d" % totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)


def set_up_mfa(client, user):
    page = client.get(reverse("accounts:mfa_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert base64.b32encode(device.bin_key).decode()[:4] in html  # the manual key
    wrong = client.post(reverse("accounts:mfa_setup"), {"token": "000000" if current_code(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("accounts:mfa_setup"), {"token": current_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:mfa_recovery_codes")
    return device, response


def test_an_admin_sets_up_two_factor_and_gets_recovery_codes_once(alice_client, alice):
    device, response = set_up_mfa(alice_client, alice)
    codes = list(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert alice_client.get(reverse("accounts:mfa_recovery_codes")).status_code == 302  # shown only once
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="mfa_added", actor=alice).exists()


def test_with_two_factor_set_up_a_login_needs_a_code(alice_client, alice):
    device, _ = set_up_mfa(alice_client, alice)
    browser = Client()
    browser.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    response = browser.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_verify"))
    assert browser.post(reverse("accounts:mfa_verify"), {"token": "12345678", "next": HOME}).status_code == 200
    for throttled in devices_for_user(alice):  # a wrong code throttles the next try for a second
        throttled.throttle_reset()
    recovery = StaticToken.objects.filter(device__user=alice).first().token
    done = browser.post(reverse("accounts:mfa_verify"), {"token": recovery, "next": HOME})
    assert done.status_code == 302 and done["Location"] == HOME
    assert browser.get(HOME).status_code == 200
    assert not StaticToken.objects.filter(token=recovery).exists()  # a recovery code works once


def test_a_group_that_requires_two_factor_makes_its_admins_set_it_up_at_next_login(client, alice, group):
    group.require_mfa = True
    group.save()
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    for path in (HOME, reverse("accounts:my_account"), reverse("accounts:manage_users", kwargs={"group_number": "104522"})):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_setup"), path
    assert "Your group requires two-factor authentication" in client.get(reverse("accounts:mfa_setup")).content.decode()
    set_up_mfa(client, alice)
    assert client.get(HOME).status_code == 200


def test_two_factor_cannot_be_removed_while_the_group_requires_it(alice_client, alice, group):
    set_up_mfa(alice_client, alice)
    group.require_mfa = True
    group.save()
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    alice_client.post(reverse("accounts:mfa_remove"), {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    group.require_mfa = False
    group.save()
    alice_client.post(reverse("accounts:mfa_remove"), {"password": PASSWORD})  # the same request works once allowed
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()


def test_removing_two_factor_needs_the_password(alice_client, alice):
    set_up_mfa(alice_client, alice)
    alice_client.post(reverse("accounts:mfa_remove"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=alice).exists()
    alice_client.post(reverse("accounts:mfa_remove"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=alice).exists() and not StaticToken.objects.filter(device__user=alice).exists()
    assert AuditEvent.objects.filter(action="mfa_removed", actor=alice).exists()
