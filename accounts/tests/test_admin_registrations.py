import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Membership, RegistrationRequest, User
from tests import factories

CHANGELIST = reverse("admin:accounts_registrationrequest_changelist")


def submit(group_number="104522", company_name="Acme Manufacturing", extra_people=2):
    people = [
        {"first_name": "Raj", "last_name": "Patel", "title": "Analyst", "email": "raj@acme.example", "role": "enrollment"},
        {"first_name": "Lee", "last_name": "Wong", "title": "AP Clerk", "email": "lee@acme.example", "role": "billing"},
    ][:extra_people]
    return services.submit_registration(
        company_name=company_name, group_number=group_number,
        registrant={"first_name": "Jane", "last_name": "Smith", "title": "HR Director", "email": "jane@acme.example", "phone": "503-555-0142"},
        additional_users=people, ip_address="10.1.2.3",
    )


def run_action(client, action, registrations, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [r.pk for r in registrations], **extra}, follow=True)


def test_approve_creates_a_user_and_membership_per_person_and_queues_two_emails_each(
    specialist_client, specialist, group, mailoutbox, django_capture_on_commit_callbacks
):
    registration = submit()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(specialist_client, "approve_registrations", [registration])
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == "approved" and registration.decided_by == specialist and registration.group == group

    memberships = {m.user.email: m for m in Membership.objects.for_group(group).select_related("user")}
    assert {email: m.role for email, m in memberships.items()} == {
        "jane@acme.example": "primary", "raj@acme.example": "enrollment", "lee@acme.example": "billing",
    }
    jane = memberships["jane@acme.example"].user
    assert re.fullmatch(r"jsmith\d{4}", jane.username)
    assert jane.must_change_password and jane.title == "HR Director" and jane.phone == "503-555-0142"
    expected_expiry = timezone.now() + datetime.timedelta(hours=72)
    assert abs(jane.temporary_password_expires_at - expected_expiry) < datetime.timedelta(minutes=1)
    assert set(registration.people.values_list("user__username", flat=True)) == {m.user.username for m in memberships.values()}

    assert len(mailoutbox) == 6
    for email, membership in memberships.items():
        sent = [m for m in mailoutbox if m.to == [email]]
        assert len(sent) == 2
        first, second = sent
        assert "(1 of 2)" in first.subject and membership.user.username in first.body
        assert "(2 of 2)" in second.subject
        password = re.search(r"Your temporary password: (\S+)", second.body).group(1)
        assert membership.user.check_password(password)
        assert password not in first.body and membership.user.username not in second.body
        assert mailoutbox.index(first) < mailoutbox.index(second)
    assert "approved" in response.content.decode()
    event = AuditEvent.objects.get(action="registration_approved")
    assert event.actor == specialist and event.group == group and event.ip_address == "127.0.0.1"


def test_the_specialist_can_change_a_role_before_approving(specialist_client, group, django_capture_on_commit_callbacks):
    registration = submit(extra_people=1)
    registration.people.filter(is_registrant=True).update(role="billing")
    with django_capture_on_commit_callbacks(execute=True):
        run_action(specialist_client, "approve_registrations", [registration])
    assert Membership.objects.get(user__email="jane@acme.example").role == "billing"


@pytest.mark.parametrize("status, message", [(None, "No group has the ID 999999"), ("terminated", "is not active")])
def test_approve_is_refused_for_a_missing_or_terminated_group(specialist_client, db, mailoutbox, status, message):
    if status:
        factories.GroupFactory(group_number="999999", status=status)
    registration = submit(group_number="999999")
    mailoutbox.clear()
    response = run_action(specialist_client, "approve_registrations", [registration])
    assert message in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "pending" and not User.objects.filter(email="jane@acme.example").exists()
    assert mailoutbox == []


def test_an_approved_registration_cannot_be_approved_twice(specialist_client, group, django_capture_on_commit_callbacks):
    registration = submit(extra_people=0)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(specialist_client, "approve_registrations", [registration])
    response = run_action(specialist_client, "approve_registrations", [registration])
    assert "already approved" in response.content.decode()
    assert User.objects.filter(email="jane@acme.example").count() == 1


def test_reject_asks_for_a_reason_and_emails_it(specialist_client, group, mailoutbox, django_capture_on_commit_callbacks):
    registration = submit()
    mailoutbox.clear()
    page = run_action(specialist_client, "reject_registrations", [registration])
    assert "Reason (emailed to the registrant)" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        run_action(specialist_client, "reject_registrations", [registration], apply="1", reason="The group ID does not match the company.")
    registration.refresh_from_db()
    assert registration.status == "rejected" and registration.rejection_reason == "The group ID does not match the company."
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["jane@acme.example"]
    assert "The group ID does not match the company." in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="registration_rejected", object_id=str(registration.pk)).exists()
    assert not User.objects.filter(email="jane@acme.example").exists()


def test_the_queue_lists_pending_registrations_oldest_first_with_due_date_and_checks(specialist_client, group):
    submit(company_name="Acme Widgets")
    older = submit(group_number="999999", company_name="Nobody Inc")
    # Submitted on a Friday: due the next Tuesday.
    RegistrationRequest.objects.filter(pk=older.pk).update(submitted_at=datetime.datetime(2026, 11, 20, 18, tzinfo=datetime.UTC))
    html = specialist_client.get(CHANGELIST).content.decode()
    assert html.index(">Nobody Inc</a>") < html.index(">Acme Widgets</a>")
    assert "Nov 24, 2026 (late)" in html
    assert "No such group" in html
    assert "No: Acme Manufacturing Co." in html  # the name typed differs from the group's
    assert "Raj Patel (Enrollment)" in html and "Jane Smith (Primary) registrant" in html
    decided = submit(company_name="Decided Co")
    RegistrationRequest.objects.filter(pk=decided.pk).update(status="rejected")
    assert "Decided Co" not in specialist_client.get(CHANGELIST).content.decode()


def test_a_group_admin_cannot_reach_the_admin(client, alice):
    client.force_login(alice)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_username_email_before_the_password_email(celery_worker_redis, wait, group, specialist):
    registration = submit(extra_people=0)
    assert wait(lambda: len(mail.outbox) == 1), "the receipt was not sent"
    services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://testserver/login/")
    assert wait(lambda: len(mail.outbox) == 3), "the worker did not send both emails"
    assert ["(1 of 2)" in m.subject for m in mail.outbox[1:]] == [True, False]
