"""Every accounts form that failed shows the error summary: announced, linking to each field in error."""

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.test_register import URL, registration_data
from tests.html_forms import assert_error_summary, read_page


def test_a_failed_login_marks_both_fields_invalid_and_links_to_the_username(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": "not the password"})
    page = assert_error_summary(response.content.decode(), ["id_username"])
    assert page.summary_links == [("#id_username", "Please enter a correct username and password. Note that both fields may be case-sensitive.")]
    for name in ("id_username", "id_password"):
        field = page.by_id[name]
        assert field["aria-invalid"] == "true" and field["aria-describedby"] == "error-summary"
        assert "is-invalid" in field["class"].split() and "form-control" in field["class"].split()


def test_a_login_page_without_errors_has_no_summary(client, db):
    assert read_page(client.get(reverse("accounts:login")).content.decode()).summary is None


def test_registration_lists_the_form_and_the_additional_users_errors(client, db):
    response = client.post(URL, registration_data(phone="555", **{"users-0-email": "raj@"}))
    page = assert_error_summary(response.content.decode(), ["id_phone", "id_users-0-email"])
    assert ("#id_users-0-email", "Additional user 1, Email address: Enter a valid email address.") in page.summary_links


def test_password_change_lists_its_errors(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:password_change"), {"old_password": "wrong", "new_password1": "a", "new_password2": "b"})
    assert_error_summary(response.content.decode(), ["id_old_password", "id_new_password2"])


def test_the_two_factor_forms_list_their_errors(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:mfa_setup"), {"token": "000000"})
    assert_error_summary(response.content.decode(), ["id_token"])
    TOTPDevice.objects.filter(user=alice).update(confirmed=True)
    response = client.post(reverse("accounts:mfa_verify"), {"token": "000000"})
    assert_error_summary(response.content.decode(), ["id_token"])


def test_asking_for_a_new_user_lists_its_errors(alice_client):
    response = alice_client.post(reverse("accounts:request_user", kwargs={"group_number": "104522"}), {"email": "kim@"})
    assert_error_summary(response.content.decode(), ["id_first_name", "id_last_name", "id_title", "id_email"])


def test_the_password_reset_form_lists_its_errors(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody"})
    assert_error_summary(response.content.decode(), ["id_email"])


def test_removing_two_factor_with_a_wrong_password_redraws_my_account_with_the_summary(client, alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client.force_login(alice)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=alice).persistent_id
    session.save()
    response = client.post(reverse("accounts:mfa_remove"), {"password": "wrong"})
    assert response.status_code == 200
    page = assert_error_summary(response.content.decode(), ["id_password"])
    assert page.summary_links == [("#id_password", "Your password: Your password is not right.")]
    assert TOTPDevice.objects.filter(user=alice).exists()
