import pytest
from django.urls import reverse

from accounts.models import RegistrationRequest, RegistrationUser

URL = reverse("accounts:register")


def registration_data(**overrides):
    data = {
        "company_name": "Acme Manufacturing Co.", "group_number": "104522",
        "first_name": "Jane", "last_name": "Smith", "title": "HR Director",
        "email": "jane@acme.example", "phone": "(503) 555-0142",
        "users-TOTAL_FORMS": "2", "users-INITIAL_FORMS": "0", "users-MIN_NUM_FORMS": "0", "users-MAX_NUM_FORMS": "20",
        "users-0-first_name": "Raj", "users-0-last_name": "Patel", "users-0-title": "Benefits Analyst",
        "users-0-email": "raj@acme.example", "users-0-role": "enrollment",
        "users-1-first_name": "", "users-1-last_name": "", "users-1-title": "", "users-1-email": "", "users-1-role": "read_only",
    }
    data.update(overrides)
    return data


def test_the_login_page_offers_need_to_register_and_the_billing_specialists_numbers(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Need to Register" in html and URL in html
    assert "Forgot your password?" in html and "503-574-5791" in html and "888-816-1300" in html
    assert reverse("accounts:password_reset") in html


def test_a_registration_is_saved_with_the_registrant_as_primary_and_a_receipt_is_emailed(
    client, group, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, registration_data())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:registration_submitted")
    registration = RegistrationRequest.objects.get()
    assert (registration.company_name, registration.group_number, registration.group) == ("Acme Manufacturing Co.", "104522", group)
    assert registration.status == "pending" and registration.submitted_from == "127.0.0.1"
    people = list(registration.people.values_list("first_name", "is_registrant", "role", "phone"))
    assert people == [("Jane", True, "primary", "503-555-0142"), ("Raj", False, "enrollment", "")]  # the blank row is ignored
    assert [m.to for m in mailoutbox] == [["jane@acme.example"]]
    page = client.get(response["Location"]).content.decode()
    assert "You will have access within two business days. We will send you two emails: the first with your username, the second with your password." in page


def test_the_answer_is_the_same_whether_the_group_id_exists_or_not(client, group):
    known = client.post(URL, registration_data(), follow=True)
    unknown = client.post(URL, registration_data(group_number="999999", email="x@acme.example"), follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert RegistrationRequest.objects.filter(group_number="999999", group=None).exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("group_number", "10452", "A group ID is 6 digits"),
        ("group_number", "10452A", "A group ID is 6 digits"),
        ("group_number", "1045220", "A group ID is 6 digits"),
        ("company_name", "", "This field is required."),
        ("first_name", "", "This field is required."),
        ("last_name", "", "This field is required."),
        ("title", "", "This field is required."),
        ("email", "jane.acme.example", "Enter a valid email address."),
        ("phone", "555-0142", "Enter a 10-digit US phone number"),
        ("phone", "", "This field is required."),
        ("users-0-email", "raj@", "Enter a valid email address."),
        ("users-0-last_name", "", "This field is required."),
        ("users-0-role", "owner", "Select a valid choice."),
        ("users-0-email", "JANE@acme.example ", "This email is already listed above."),  # the registrant's own
    ],
)
def test_each_bad_input_gets_its_error_next_to_the_field_and_nothing_is_saved(client, db, field, value, message):
    response = client.post(URL, registration_data(**{field: value}))
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert not RegistrationRequest.objects.exists() and not RegistrationUser.objects.exists()
    html = response.content.decode()
    # crispy puts the error right under the input, in an element tied to it by id.
    error_id = "error_1_id_%s" % field
    assert error_id in html, "no error next to %s" % field
    after = html[html.index(error_id) :][:400]
    assert message in after


def test_the_same_email_twice_among_additional_users_is_refused(client, db):
    response = client.post(URL, registration_data(**{
        "users-1-first_name": "Raj", "users-1-last_name": "Two", "users-1-title": "Clerk", "users-1-email": "RAJ@acme.example",
    }))
    assert response.status_code == 200 and "This email is already listed above." in response.content.decode()
    assert not RegistrationRequest.objects.exists()


def test_registrations_are_rate_limited_per_address(client, db):
    for n in range(5):
        assert client.post(URL, registration_data(email="p%d@acme.example" % n)).status_code == 302
    response = client.post(URL, registration_data(email="p6@acme.example"))
    assert response.status_code == 429
    assert "Too many registrations" in response.content.decode()
    assert RegistrationRequest.objects.count() == 5
    other_address = client.post(URL, registration_data(email="p7@acme.example"), REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 302


def test_add_another_user_without_javascript_keeps_what_was_typed_and_adds_a_blank_form(client, db):
    response = client.post(URL, registration_data(add_user="1", **{"users-TOTAL_FORMS": "1"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Raj"' in html and 'value="Jane"' in html
    assert 'name="users-1-first_name"' in html and 'name="users-TOTAL_FORMS" value="2"' in html
    assert "is-invalid" not in html
    assert not RegistrationRequest.objects.exists()


def test_the_registration_page_has_the_add_another_user_button_and_no_inline_script(client, db):
    html = client.get(URL).content.decode()
    assert "Add another user" in html and "js/formset.js" in html
    assert "<script>" not in html and "style=" not in html
