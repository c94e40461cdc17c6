"""Deactivate asks first: a confirmation page that works without JavaScript, then the POST acts."""

from django.urls import reverse


def deactivate_url(membership):
    return reverse("accounts:deactivate_user", kwargs={"group_number": "104522", "membership_pk": membership.pk})


def test_manage_users_links_to_a_confirmation_instead_of_acting_on_one_click(alice_client, bob):
    html = alice_client.get(reverse("accounts:manage_users", kwargs={"group_number": "104522"})).content.decode()
    membership = bob.memberships.get()
    assert 'href="%s"' % deactivate_url(membership) in html
    assert 'action="%s"' % deactivate_url(membership) not in html  # no form that deactivates at once


def test_the_confirmation_page_names_the_user_and_changes_nothing(alice_client, bob):
    membership = bob.memberships.get()
    response = alice_client.get(deactivate_url(membership))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deactivate Bob Brown?" in html and "will lose access to Acme Manufacturing Co. at once" in html
    assert '<button class="btn btn-danger" type="submit">Deactivate Bob Brown</button>' in html
    assert 'href="/groups/104522/users/">Cancel</a>' in html
    membership.refresh_from_db()
    bob.refresh_from_db()
    assert membership.is_active and bob.is_active


def test_confirming_deactivates(alice_client, bob):
    membership = bob.memberships.get()
    response = alice_client.post(deactivate_url(membership))
    assert response.status_code == 302 and response.url == "/groups/104522/users/"
    membership.refresh_from_db()
    assert not membership.is_active


def test_an_already_deactivated_user_has_no_confirmation_page(alice_client, bob):
    membership = bob.memberships.get()
    alice_client.post(deactivate_url(membership))
    assert alice_client.get(deactivate_url(membership)).status_code == 404
