import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, RegistrationRequest
from tests import factories


def url(name, group_id="104522", **kwargs):
    return reverse("accounts:%s" % name, kwargs={"group_number": group_id, **kwargs})


def test_a_primary_admin_sees_the_groups_admin_users_with_roles_and_last_login(alice_client, alice, bob, charlie):
    html = alice_client.get(url("manage_users")).content.decode()
    assert "Bob Brown" in html and "Read-only" in html and "Never" in html
    assert "Alice Adams" in html and "Active (you)" in html
    assert "Charlie" not in html  # another group's admin


def test_a_read_only_admin_cannot_reach_pages_that_change_data(client, bob, alice):
    client.force_login(bob)
    membership = alice.memberships.get()
    assert client.get(url("manage_users")).status_code == 403
    assert client.get(url("request_user")).status_code == 403
    assert client.post(url("request_user"), {"first_name": "X"}).status_code == 403
    assert client.post(url("deactivate_user", membership_pk=membership.pk)).status_code == 403
    membership.refresh_from_db()
    assert membership.is_active and not RegistrationRequest.objects.exists()


def test_an_admin_of_another_group_gets_404(client, charlie, bob):
    client.force_login(charlie)
    assert client.get(url("manage_users")).status_code == 404
    assert client.post(url("deactivate_user", membership_pk=bob.memberships.get().pk)).status_code == 404


def test_a_primary_admin_cannot_deactivate_a_membership_of_another_group_through_their_own(alice_client, charlie):
    response = alice_client.post(url("deactivate_user", membership_pk=charlie.memberships.get().pk))
    assert response.status_code == 404
    assert charlie.memberships.get().is_active


def test_deactivating_a_user_ends_their_access_at_once(alice_client, alice, bob):
    bobs_browser = Client()
    bobs_browser.force_login(bob)
    response = alice_client.post(url("deactivate_user", membership_pk=bob.memberships.get().pk), follow=True)
    assert "no longer has access" in response.content.decode()
    assert "Deactivated" in response.content.decode()
    assert bobs_browser.get("/groups/104522/").status_code == 302
    event = AuditEvent.objects.get(action="user_deactivated")
    assert event.actor == alice and event.detail["user"] == "bob"


def test_a_user_keeps_their_account_while_they_administer_another_group(alice_client, bob, other_group):
    factories.MembershipFactory(user=bob, group=other_group, role="billing")
    alice_client.post(url("deactivate_user", membership_pk=bob.memberships.get(group__group_number="104522").pk))
    bob.refresh_from_db()
    assert bob.is_active and bob.memberships.filter(is_active=True).count() == 1


def test_a_primary_admin_cannot_deactivate_themselves(alice_client, alice):
    alice_client.post(url("deactivate_user", membership_pk=alice.memberships.get().pk))
    assert alice.memberships.get().is_active


def test_asking_for_a_new_user_queues_it_for_a_billing_specialist(alice_client, alice, group):
    bad = alice_client.post(url("request_user"), {"first_name": "Kim", "last_name": "Lee", "title": "Clerk", "email": "kim@", "role": "billing"})
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    assert not RegistrationRequest.objects.exists()
    response = alice_client.post(
        url("request_user"),
        {"first_name": "Kim", "last_name": "Lee", "title": "Clerk", "email": "kim@acme.example", "phone": "503-555-0100", "role": "billing", "access": "all"},
        follow=True,
    )
    assert "within two business days" in response.content.decode()
    registration = RegistrationRequest.objects.get()
    assert (registration.kind, registration.group, registration.requested_by, registration.status) == ("new_user", group, alice, "pending")
    person = registration.people.get()
    assert (person.email, person.role, person.is_registrant) == ("kim@acme.example", "billing", False)
    assert "Kim Lee" in alice_client.get(url("manage_users")).content.decode()  # shown as waiting


def test_an_approved_new_user_request_creates_the_user_in_the_group(alice_client, specialist, group, mailoutbox, django_capture_on_commit_callbacks):
    alice_client.post(url("request_user"), {"first_name": "Kim", "last_name": "Lee", "title": "Clerk", "email": "kim@acme.example", "role": "billing", "access": "all"})
    with django_capture_on_commit_callbacks(execute=True):
        users = services.approve_registration(
            registration=RegistrationRequest.objects.get(), acting_user=specialist, ip_address=None, login_url="http://testserver/login/"
        )
    assert users[0].memberships.get().group == group and users[0].memberships.get().role == "billing"
    assert [m.to for m in mailoutbox] == [["kim@acme.example"]] * 2


@pytest.mark.parametrize("role, visible", [("primary", True), ("read_only", False)])
def test_the_manage_users_link_shows_only_for_primary_admins(client, group, role, visible):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, group=group, role=role)
    client.force_login(user)
    assert ("Manage Users" in client.get("/groups/104522/").content.decode()) is visible
