"""Registration: each email once per registration; an email that has an account is linked, not
duplicated (and never refused, so the form tells no one which emails have accounts); the rate
limit counts accepted registrations, and a looser one every post."""

from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, Membership, RegistrationRequest, User
from accounts.tests.test_register import URL, registration_data
from tests import factories

CHANGELIST = reverse("admin:accounts_registrationrequest_changelist")


def test_the_registrants_email_repeated_for_an_additional_user_is_refused_next_to_the_second(client, db):
    response = client.post(URL, registration_data(**{"users-0-email": "Jane@ACME.example"}))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["email"] == ["This email is already listed above."]
    assert "email" not in response.context["form"].errors
    assert not RegistrationRequest.objects.exists()


def test_an_email_that_already_has_an_account_is_accepted_with_the_same_answer_as_any_other(client, group):
    factories.UserFactory(username="jsmith0001", email="jane@acme.example")
    known = client.post(URL, registration_data(), follow=True)
    unknown = client.post(URL, registration_data(email="nobody@acme.example", **{"users-0-email": "raj2@acme.example"}), follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("accounts:registration_submitted"), 302)]
    assert known.content == unknown.content
    assert RegistrationRequest.objects.count() == 2


def approve(registration, specialist, capture):
    with capture(execute=True):
        return services.approve_registration(
            registration=registration, acting_user=specialist, ip_address=None, login_url="http://testserver/login/"
        )


def test_approval_links_an_existing_account_instead_of_creating_a_second_user(
    client, group, other_group, specialist, mailoutbox, django_capture_on_commit_callbacks
):
    jane = factories.UserFactory(username="jsmith0001", first_name="Jane", last_name="Smith", email="jane@acme.example")
    factories.MembershipFactory(user=jane, group=other_group, role="billing")
    client.post(URL, registration_data(email="JANE@acme.example"))
    mailoutbox.clear()
    users = approve(RegistrationRequest.objects.get(), specialist, django_capture_on_commit_callbacks)

    assert User.objects.filter(email__iexact="jane@acme.example").count() == 1
    assert users[0] == jane
    assert set(jane.memberships.values_list("group__group_number", "role", "is_active")) == {
        ("207731", "billing", True), ("104522", "primary", True),
    }
    assert RegistrationRequest.objects.get().people.get(is_registrant=True).user == jane
    # Jane keeps her password and is told of the new group; Raj (new) gets his two emails.
    to_jane = [m for m in mailoutbox if m.to == ["jane@acme.example"]]
    assert [m.subject for m in to_jane] == ["You now have access to Acme Manufacturing Co. (group ID 104522)"]
    assert "jsmith0001" in to_jane[0].body and "Primary role" in to_jane[0].body and "password:" not in to_jane[0].body
    assert jane.check_password("correct horse battery staple")
    assert len([m for m in mailoutbox if m.to == ["raj@acme.example"]]) == 2
    assert AuditEvent.objects.get(action="registration_approved").detail["existing_accounts_linked"] == ["jsmith0001"]


def test_approval_reactivates_a_deactivated_account_with_a_new_temporary_password(
    client, group, specialist, mailoutbox, django_capture_on_commit_callbacks
):
    jane = factories.UserFactory(username="jsmith0001", email="jane@acme.example", is_active=False)
    factories.MembershipFactory(user=jane, group=group, role="read_only", is_active=False)
    client.post(URL, registration_data(**{"users-TOTAL_FORMS": "0"}))
    approve(RegistrationRequest.objects.get(), specialist, django_capture_on_commit_callbacks)
    jane.refresh_from_db()
    assert jane.is_active and jane.must_change_password and not jane.check_password("correct horse battery staple")
    assert Membership.objects.filter(user=jane).values_list("role", "is_active").get() == ("primary", True)
    assert ["(1 of 2)" in m.subject for m in mailoutbox if m.to == ["jane@acme.example"]][-2:] == [True, False]


def test_a_billing_specialists_account_is_never_linked(client, group, specialist, django_capture_on_commit_callbacks):
    specialist.email = "jane@acme.example"
    specialist.save()
    client.post(URL, registration_data(**{"users-TOTAL_FORMS": "0"}))
    users = approve(RegistrationRequest.objects.get(), specialist, django_capture_on_commit_callbacks)
    assert users[0] != specialist and not specialist.memberships.exists()


def test_the_specialist_sees_the_existing_account_before_approving(client, specialist_client, group):
    factories.UserFactory(username="jsmith0001", email="jane@acme.example")
    client.post(URL, registration_data())
    queue = specialist_client.get(CHANGELIST).content.decode()
    assert "Jane Smith (Primary) registrant · Existing account: jsmith0001" in queue
    assert "Raj Patel (Enrollment) · Existing" not in queue
    change = specialist_client.get(reverse("admin:accounts_registrationrequest_change", args=[RegistrationRequest.objects.get().pk]))
    html = change.content.decode()
    assert "Existing account: jsmith0001" in html and "None: a new user is created" in html


def test_a_person_correcting_typos_is_not_shut_out_by_the_rate_limit(client, db):
    for _ in range(8):
        assert client.post(URL, registration_data(phone="555")).status_code == 200  # invalid: not counted
    assert client.post(URL, registration_data()).status_code == 302
    assert RegistrationRequest.objects.count() == 1


def test_five_accepted_registrations_an_hour_then_429_with_the_form_kept(client, db):
    for n in range(5):
        assert client.post(URL, registration_data(email="p%d@acme.example" % n)).status_code == 302
    response = client.post(URL, registration_data(email="p6@acme.example"))
    assert response.status_code == 429
    assert "Too many registrations were sent from your address" in response.content.decode()
    assert 'value="p6@acme.example"' in response.content.decode()
    assert RegistrationRequest.objects.count() == 5


def test_thirty_posts_an_hour_of_any_kind_then_429(client, db):
    for _ in range(30):
        assert client.post(URL, registration_data(phone="555")).status_code == 200
    response = client.post(URL, registration_data())
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many registration attempts came from your address in the last hour." in html
    assert "<h1" in html and "Online Billing and Enrollment" in html  # the portal's layout, not a bare page
    assert not RegistrationRequest.objects.exists()
    assert client.post(URL, registration_data(), REMOTE_ADDR="10.0.0.9").status_code == 302  # another address
