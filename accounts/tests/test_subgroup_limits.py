"""A primary admin limits an admin to some subgroups in Manage Users; a specialist may before approving a registration."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, Membership, RegistrationRequest
from tests import factories
from tests.admin_forms import change_form_data
from tests.queries import count_queries


@pytest.fixture
def hourly(group):
    return factories.SubgroupFactory(group=group, code="HRLY", name="Hourly")


@pytest.fixture
def salaried(group):
    return factories.SubgroupFactory(group=group, code="SAL", name="Salaried")


@pytest.fixture
def erin(group):
    """Return an enrollment admin of `group`, not limited yet."""
    user = factories.UserFactory(username="erin", first_name="Erin", last_name="Evans")
    factories.MembershipFactory(user=user, group=group, role="enrollment")
    return user


def url(name, **kwargs):
    return reverse("accounts:%s" % name, kwargs={"group_number": "104522", **kwargs})


def limit_url(user):
    return url("membership_subgroups", membership_pk=user.memberships.get().pk)


def limit_of(user):
    return {s.name for s in user.memberships.get().subgroups.all()}


def squashed(response) -> str:
    """Return the page's HTML with every run of whitespace made one space."""
    return " ".join(response.content.decode().split())


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# --- Manage Users ---------------------------------------------------------------------------------


def test_manage_users_shows_each_admins_subgroups(alice_client, alice, erin, bob, hourly, salaried):
    erin.memberships.get().subgroups.set([hourly, salaried])
    html = squashed(alice_client.get(url("manage_users")))
    assert 'data-testid="subgroups-erin"> Only these subgroups: Hourly, Salaried <a' in html
    assert 'data-testid="subgroups-bob"> All subgroups <a' in html
    assert 'data-testid="subgroups-alice"> All subgroups </td>' in html


def test_manage_users_offers_to_change_the_subgroups_of_every_admin_but_a_primary_one(alice_client, alice, erin, hourly):
    html = alice_client.get(url("manage_users")).content.decode()
    assert limit_url(erin) in html
    assert limit_url(alice) not in html  # a primary admin is never limited, themselves included


def test_the_subgroups_page_shows_the_current_limit_and_saves_nothing_on_get(alice_client, erin, hourly):
    erin.memberships.get().subgroups.set([hourly])
    response = alice_client.get(limit_url(erin))
    html = response.content.decode()
    assert response.status_code == 200 and '<h1 class="h3">Subgroups of Erin Evans</h1>' in html
    assert 'data-testid="current-limit">Only these subgroups: Hourly</strong>' in html
    assert response.context["form"].initial["access"] == "only"
    assert limit_of(erin) == {"Hourly"} and not AuditEvent.objects.filter(action="subgroups_changed").exists()


def test_a_primary_admin_limits_an_admin_to_chosen_subgroups_and_the_change_is_audited(alice_client, alice, erin, hourly, salaried):
    erins_browser = Client()
    erins_browser.force_login(erin)
    epoch = erin.session_epoch
    response = alice_client.post(limit_url(erin), {"access": "only", "subgroups": [hourly.pk]}, follow=True)
    assert "Erin Evans now sees only the subscribers of Hourly." in response.content.decode()
    assert limit_of(erin) == {"Hourly"}
    event = AuditEvent.objects.get(action="subgroups_changed")
    assert (event.actor, event.group.group_number, event.object_id) == (alice, "104522", str(erin.pk))
    assert event.detail == {"user": "erin", "from": "all", "to": ["Hourly"]}
    # Nothing else ends: erin stays signed in, active, with her role.
    erin.refresh_from_db()
    assert erin.is_active and erin.session_epoch == epoch and erin.memberships.get().role == "enrollment"
    assert erins_browser.get("/groups/104522/").status_code == 200


def test_all_subgroups_lifts_the_limit(alice_client, erin, hourly):
    erin.memberships.get().subgroups.set([hourly])
    response = alice_client.post(limit_url(erin), {"access": "all", "subgroups": [hourly.pk]}, follow=True)
    assert "Erin Evans now sees the subscribers of all subgroups." in response.content.decode()
    assert limit_of(erin) == set()
    assert AuditEvent.objects.get(action="subgroups_changed").detail == {"user": "erin", "from": ["Hourly"], "to": "all"}


def test_saving_the_same_limit_again_changes_nothing_and_records_nothing(alice_client, erin, hourly):
    erin.memberships.get().subgroups.set([hourly])
    response = alice_client.post(limit_url(erin), {"access": "only", "subgroups": [hourly.pk]}, follow=True)
    assert "still sees only the subscribers of Hourly: nothing changed." in response.content.decode()
    assert not AuditEvent.objects.filter(action="subgroups_changed").exists()


def test_only_these_subgroups_with_none_ticked_is_refused_next_to_the_field(alice_client, erin, hourly):
    response = alice_client.post(limit_url(erin), {"access": "only"})
    assert response.status_code == 200
    assert errors_of(response, "subgroups") == ["Tick at least one subgroup, or choose All subgroups."]
    assert limit_of(erin) == set() and not AuditEvent.objects.filter(action="subgroups_changed").exists()


def test_a_forged_subgroup_of_another_group_is_refused_next_to_the_field(alice_client, erin, hourly, other_group):
    foreign = factories.SubgroupFactory(group=other_group, name="Their Hourly")
    response = alice_client.post(limit_url(erin), {"access": "only", "subgroups": [hourly.pk, foreign.pk]})
    assert errors_of(response, "subgroups") == ["Select a valid choice. %d is not one of the available choices." % foreign.pk]
    assert limit_of(erin) == set()


def test_a_primary_admin_cannot_limit_themselves_or_another_primary_admin(alice_client, alice, group, hourly):
    dana = factories.UserFactory(username="dana", first_name="Dana", last_name="Diaz")
    factories.MembershipFactory(user=dana, group=group, role="primary")
    for user in (alice, dana):
        response = alice_client.post(limit_url(user), {"access": "only", "subgroups": [hourly.pk]})
        assert errors_of(response, "access") == [
            "A primary admin manages the whole group, so their access cannot be limited to subgroups."
        ]
        assert limit_of(user) == set()


def test_the_subgroups_of_a_deactivated_admin_cannot_be_changed(alice_client, erin, hourly):
    Membership.objects.filter(user=erin).update(is_active=False)
    assert alice_client.get(limit_url(erin)).status_code == 404
    assert alice_client.post(limit_url(erin), {"access": "only", "subgroups": [hourly.pk]}).status_code == 404
    assert limit_of(erin) == set()


@pytest.mark.parametrize("role", ["enrollment", "billing", "read_only"])
def test_only_a_primary_admin_changes_subgroups(client, group, erin, hourly, role):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, group=group, role=role)
    client.force_login(user)
    assert client.get(limit_url(erin)).status_code == 403
    assert client.post(limit_url(erin), {"access": "only", "subgroups": [hourly.pk]}).status_code == 403
    assert limit_of(erin) == set()


def test_the_service_refuses_a_subgroup_of_another_group(alice, erin, other_group):
    foreign = factories.SubgroupFactory(group=other_group)
    with pytest.raises(Exception, match="Choose only subgroups of the admin's own group."):
        services.set_membership_subgroups(membership=erin.memberships.get(), subgroups=[foreign], acting_user=alice, ip_address=None)
    assert limit_of(erin) == set()


# --- Where a limited admin sees their limit --------------------------------------------------------


def test_a_limited_admin_sees_their_subgroups_in_my_account_and_on_group_home(client, erin, hourly, salaried):
    erin.memberships.get().subgroups.set([salaried, hourly])
    client.force_login(erin)
    assert "You see the subscribers of: Hourly, Salaried" in client.get(reverse("accounts:my_account")).content.decode()
    assert '<p data-testid="subgroup-limit">You see the subscribers of: Hourly, Salaried</p>' in client.get("/groups/104522/").content.decode()


def test_an_admin_of_all_subgroups_is_not_told_of_a_limit(alice_client, hourly):
    assert "You see the subscribers of" not in alice_client.get(reverse("accounts:my_account")).content.decode()
    assert "You see the subscribers of" not in alice_client.get("/groups/104522/").content.decode()


# --- Ask for a new user -----------------------------------------------------------------------------


NEW_USER = {"first_name": "Kim", "last_name": "Lee", "title": "Clerk", "email": "kim@acme.example", "role": "enrollment"}


def test_asking_for_a_new_user_can_limit_them_and_approval_copies_the_limit(
    alice_client, specialist, hourly, salaried, django_capture_on_commit_callbacks
):
    response = alice_client.post(url("request_user"), {**NEW_USER, "access": "only", "subgroups": [hourly.pk]}, follow=True)
    assert "Kim Lee (kim@acme.example), Enrollment, Only these subgroups: Hourly" in response.content.decode()
    person = RegistrationRequest.objects.get().people.get()
    assert {s.name for s in person.subgroups.all()} == {"Hourly"}
    assert AuditEvent.objects.get(action="request_submitted").detail["subgroups"] == ["Hourly"]
    with django_capture_on_commit_callbacks(execute=True):
        (user,) = services.approve_registration(
            registration=RegistrationRequest.objects.get(), acting_user=specialist, ip_address=None, login_url="http://testserver/login/"
        )
    assert limit_of(user) == {"Hourly"} and user.memberships.get().role == "enrollment"


def test_a_new_user_asked_for_all_subgroups_is_not_limited(alice_client, specialist, hourly):
    alice_client.post(url("request_user"), {**NEW_USER, "access": "all", "subgroups": [hourly.pk]})
    assert not RegistrationRequest.objects.get().people.get().subgroups.exists()


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"role": "primary", "access": "only"}, "access", "A primary admin manages the whole group, so their access cannot be limited to subgroups."),
        ({"access": "only", "subgroups": []}, "subgroups", "Tick at least one subgroup, or choose All subgroups."),
    ],
)
def test_a_new_user_limit_that_cannot_be_given_is_refused_next_to_the_field(alice_client, hourly, post, field, message):
    data = {**NEW_USER, "subgroups": [hourly.pk], **post}
    response = alice_client.post(url("request_user"), data)
    assert errors_of(response, field) == [message]
    assert not RegistrationRequest.objects.exists()


def test_the_new_user_form_offers_the_groups_subgroups_only(alice_client, hourly, other_group):
    factories.SubgroupFactory(group=other_group, name="Their Hourly")
    form = alice_client.get(url("request_user")).context["form"]
    assert [s.name for s in form.fields["subgroups"].queryset] == ["Hourly"]


# --- A public registration's additional user, in Django admin -----------------------------------------


def submit_registration():
    return services.submit_registration(
        company_name="Acme Manufacturing", group_number="104522",
        registrant={"first_name": "Jane", "last_name": "Smith", "title": "HR Director", "email": "jane@acme.example", "phone": "503-555-0142"},
        additional_users=[{"first_name": "Raj", "last_name": "Patel", "title": "Analyst", "email": "raj@acme.example", "role": "enrollment"}],
        ip_address=None,
    )


def change_url(registration):
    return reverse("admin:accounts_registrationrequest_change", args=[registration.pk])


def post_people(client, registration, **subgroups_by_email):
    """Post the registration's change page as shown, with each named person's subgroups replaced."""
    data = change_form_data(client.get(change_url(registration)))
    for index, person in enumerate(registration.people.all()):
        if person.email in subgroups_by_email:
            data["people-%d-subgroups" % index] = [str(s.pk) for s in subgroups_by_email[person.email]]
    return client.post(change_url(registration), data)


def test_the_specialist_limits_an_additional_user_before_approving_and_approval_copies_it(
    specialist_client, specialist, hourly, salaried, django_capture_on_commit_callbacks
):
    registration = submit_registration()
    response = post_people(specialist_client, registration, **{"raj@acme.example": [hourly]})
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://x/login/")
    memberships = {m.user.email: m for m in Membership.objects.prefetch_related("subgroups").select_related("user")}
    assert {s.name for s in memberships["raj@acme.example"].subgroups.all()} == {"Hourly"}
    assert not memberships["jane@acme.example"].subgroups.exists()


def test_the_admin_offers_only_the_registrations_groups_subgroups(specialist_client, hourly, other_group):
    factories.SubgroupFactory(group=other_group, name="Their Hourly")
    registration = submit_registration()
    formset = specialist_client.get(change_url(registration)).context["inline_admin_formsets"][0].formset
    assert [s.name for s in formset.forms[0].fields["subgroups"].queryset] == ["Hourly"]


def test_the_admin_refuses_a_subgroup_of_another_group_or_a_limit_on_the_primary_registrant(specialist_client, hourly, other_group):
    foreign = factories.SubgroupFactory(group=other_group, name="Their Hourly")
    registration = submit_registration()
    response = post_people(specialist_client, registration, **{"raj@acme.example": [foreign], "jane@acme.example": [hourly]})
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0]["subgroups"] == ["A primary admin manages the whole group, so their access cannot be limited to subgroups."]
    assert errors[1]["subgroups"] == ["Select a valid choice. %d is not one of the available choices." % foreign.pk]
    assert not any(p.subgroups.exists() for p in registration.people.all())


def test_a_limit_cannot_be_changed_once_the_registration_is_approved(specialist_client, specialist, hourly):
    registration = submit_registration()
    services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://x/login/")
    page = specialist_client.get(change_url(registration))
    assert not page.context["inline_admin_formsets"][0].has_change_permission  # shown read-only
    data = change_form_data(page)
    data["people-1-subgroups"] = [str(hourly.pk)]
    specialist_client.post(change_url(registration), data)
    assert not registration.people.get(email="raj@acme.example").subgroups.exists()


def test_approval_refuses_a_limit_outside_the_group_set_behind_the_admins_back(specialist, hourly, other_group):
    registration = submit_registration()
    registration.people.get(email="raj@acme.example").subgroups.set([factories.SubgroupFactory(group=other_group)])
    with pytest.raises(Exception, match="Raj Patel: Choose only subgroups of the admin's own group."):
        services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://x/login/")
    assert not Membership.objects.exists()


def test_manage_users_makes_the_same_number_of_queries_for_3_and_12_limited_admins(alice_client, group, hourly, salaried):
    def add_admins(n):
        for _ in range(n):
            membership = factories.MembershipFactory(group=group, role="enrollment")
            membership.subgroups.set([hourly, salaried])
            services.request_new_user(
                group=group, requested_by=membership.user, ip_address=None, subgroups=[hourly],
                person={"first_name": "Kim", "last_name": "Lee", "title": "", "email": "kim@acme.example", "phone": "", "role": "billing"},
            )

    def queries():
        alice_client.get(url("manage_users"))  # warm the session and content types out of the count
        with count_queries() as ctx:
            assert alice_client.get(url("manage_users")).status_code == 200
        return len(ctx)

    add_admins(3)
    few = queries()
    add_admins(9)
    assert queries() == few
