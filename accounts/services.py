"""Writes about accounts: registrations, users, passwords, two-factor devices, audit events.

Each function is keyword-only and atomic, writes its audit event in the same transaction,
and queues its emails on commit (core.tasks.send_templated_email), never inside a request.
"""

from axes.utils import reset as axes_reset
from celery import chain
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import rules, selectors
from accounts.audit import record_event
from accounts.models import AuditEvent, EmployerGroup, Membership, RegistrationRequest, RegistrationUser
from accounts.tasks import email_temporary_password
from core.tasks import send_templated_email

User = get_user_model()
RECOVERY_CODE_COUNT = 10


# --- Email -----------------------------------------------------------------------------------


def _queue_email(*, template: str, to: str, context: dict) -> None:
    transaction.on_commit(lambda: send_templated_email.delay(template=template, to=[to], context=context))


def _queue_credentials_emails(*, user, login_url: str) -> None:
    """Queue the two emails: the username first, then (chained after it) the temporary password.

    The password is made by the worker that sends it (accounts.tasks.email_temporary_password),
    so it never travels through the broker.
    """
    name = user.get_full_name() or user.get_username()
    first = send_templated_email.si(
        template="account_username", to=[user.email], context={"name": name, "username": user.get_username(), "login_url": login_url}
    )
    second = email_temporary_password.si(user_id=user.pk, template="account_password", context={"name": name, "login_url": login_url})
    transaction.on_commit(lambda: chain(first, second).delay())


# --- Registration ------------------------------------------------------------------------------


@transaction.atomic
def submit_registration(
    *, company_name: str, group_number: str, registrant: dict, additional_users: list[dict], ip_address: str | None
) -> RegistrationRequest:
    """Record a "Need to Register" submission for a billing specialist and email a receipt.

    `registrant` and each of `additional_users` hold first_name, last_name, title, email
    (and phone, role). The registrant is asked as the primary admin. Whether the group ID
    exists is left to the specialist: the registrant is never told.
    """
    registration = RegistrationRequest.objects.create(
        kind=RegistrationRequest.Kind.REGISTRATION,
        company_name=company_name,
        group_number=group_number,
        group=EmployerGroup.objects.filter(group_number=group_number).first(),
        submitted_from=ip_address or None,
    )
    _add_people(registration, registrant={**registrant, "role": Membership.Role.PRIMARY}, others=additional_users)
    _queue_email(
        template="registration_received",
        to=registrant["email"],
        context={"name": registrant["first_name"], "company_name": company_name, "group_number": group_number},
    )
    return registration


@transaction.atomic
def request_new_user(
    *, group: EmployerGroup, requested_by, person: dict, ip_address: str | None, subgroups=()
) -> RegistrationRequest:
    """Record a primary admin's request for another admin user; a billing specialist approves it like a registration.

    `subgroups` (none: all) limits the new user to those subgroups of the group once approved.
    """
    subgroups = list(subgroups)
    rules.check_subgroup_limit(role=person["role"], group_id=group.pk, subgroup_group_ids=[s.group_id for s in subgroups])
    registration = RegistrationRequest.objects.create(
        kind=RegistrationRequest.Kind.NEW_USER,
        company_name=group.legal_name,
        group_number=group.group_number,
        group=group,
        submitted_from=ip_address or None,
        requested_by=requested_by,
    )
    _add_people(registration, registrant=None, others=[person])
    if subgroups:
        registration.people.get().subgroups.set(subgroups)
    record_event(
        action=AuditEvent.Action.REQUEST_SUBMITTED, actor=requested_by, group=group, ip_address=ip_address,
        obj=registration,
        detail={"kind": "new_user", "email": person["email"], "role": person["role"], "subgroups": _subgroup_names(subgroups)},
    )
    return registration


def _subgroup_names(subgroups) -> list[str] | str:
    """Return how an audit event names a limit: the subgroups' names, or "all"."""
    return sorted(s.name for s in subgroups) or "all"


def _add_people(registration, *, registrant: dict | None, others: list[dict]) -> None:
    fields = ("first_name", "last_name", "title", "email", "phone", "role")
    people = ([(True, registrant)] if registrant else []) + [(False, p) for p in others]
    RegistrationUser.objects.bulk_create(
        RegistrationUser(registration=registration, is_registrant=is_registrant, **{f: p[f] for f in fields if p.get(f) is not None})
        for is_registrant, p in people
    )


@transaction.atomic
def approve_registration(*, registration: RegistrationRequest, acting_user, ip_address: str | None, login_url: str) -> list:
    """Give each person asked access to the group with their role; return their users.

    A person whose email already has an account (selectors.existing_account) gets a membership
    on that account and an email saying so; anyone else gets a new user and the two emails
    (username, then temporary password). Raise ValidationError when the request was already
    decided or its group ID is not an existing, active group.
    """
    registration = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationRequest.Status.PENDING:
        raise ValidationError("%s was already %s." % (registration, registration.get_status_display().lower()), code="already_decided")
    group = selectors.registration_group(registration)
    if group is None:
        raise ValidationError("No group has the ID %s: reject the request or correct the group ID." % registration.group_number, code="no_such_group")
    if not group.is_active:
        raise ValidationError("Group %s is not active." % group.group_number, code="group_inactive")
    now = timezone.now()
    people = list(registration.people.prefetch_related("subgroups"))
    for person in people:
        limit = list(person.subgroups.all())
        try:
            rules.check_subgroup_limit(role=person.role, group_id=group.pk, subgroup_group_ids=[s.group_id for s in limit])
        except ValidationError as error:
            raise ValidationError("%s %s: %s" % (person.first_name, person.last_name, error.messages[0]), code=error.code) from None
    users, linked = [], []
    for person in people:
        user = selectors.existing_account(person.email)
        if user is None:
            user = _create_user_with_unique_username(
                first_name=person.first_name, last_name=person.last_name, email=person.email,
                title=person.title, phone=person.phone,
            )
            membership = Membership.objects.create(user=user, group=group, role=person.role)
            _queue_credentials_emails(user=user, login_url=login_url)
        else:
            membership = _link_existing_account(user=user, group=group, role=person.role, login_url=login_url)
            linked.append(user.username)
        membership.subgroups.set(person.subgroups.all())
        person.user = user
        person.save(update_fields=["user"])
        users.append(user)
    registration.group = group
    registration.status = RegistrationRequest.Status.APPROVED
    registration.decided_at = now
    registration.decided_by = acting_user
    registration.save(update_fields=["group", "status", "decided_at", "decided_by"])
    record_event(
        action=AuditEvent.Action.REGISTRATION_APPROVED, actor=acting_user, group=group, ip_address=ip_address,
        obj=registration, detail={"usernames": [u.username for u in users], "existing_accounts_linked": linked},
    )
    return users


def _link_existing_account(*, user, group: EmployerGroup, role: str, login_url: str) -> Membership:
    """Give an existing account access to the group instead of making a second user with the same email.

    A membership already active keeps its role. A deactivated account is reactivated with a
    new temporary password (the two emails), since its old password may be known to others.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    membership = Membership.objects.filter(user=user, group=group).first()
    if membership is None:
        membership = Membership.objects.create(user=user, group=group, role=role)
    elif not membership.is_active:
        membership.is_active, membership.role = True, role
        membership.save(update_fields=["is_active", "role"])
    if not user.is_active:
        user.is_active = True
        user.set_unusable_password()
        user.must_change_password = True
        _end_all_sessions(user)
        user.save(update_fields=["is_active", "password", "must_change_password", "session_epoch"])
        _queue_credentials_emails(user=user, login_url=login_url)
        return membership
    _queue_email(
        template="account_group_added",
        to=user.email,
        context={
            "name": user.get_full_name() or user.get_username(), "username": user.get_username(),
            "group_name": group.legal_name, "group_number": group.group_number,
            "role": membership.get_role_display(), "login_url": login_url,
        },
    )
    return membership


def _create_user_with_unique_username(*, first_name, last_name, email, title, phone):
    """Create the user with no usable password yet: the worker issues it with the second email."""
    for _ in range(50):
        username = rules.random_username(first_name, last_name)
        if User.objects.filter(username__iexact=username).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin only costs a retry
                user = User(
                    username=username, first_name=first_name, last_name=last_name, email=email, title=title,
                    phone=phone, must_change_password=True,
                )
                user.set_unusable_password()
                user.save()
                return user
        except IntegrityError:
            continue
    raise RuntimeError("Could not find a free username for %s %s." % (first_name, last_name))


@transaction.atomic
def reject_registration(*, registration: RegistrationRequest, reason: str, acting_user, ip_address: str | None) -> RegistrationRequest:
    """Reject a pending registration and email the reason to the person who asked."""
    registration = RegistrationRequest.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationRequest.Status.PENDING:
        raise ValidationError("%s was already %s." % (registration, registration.get_status_display().lower()), code="already_decided")
    if not reason.strip():
        raise ValidationError("Give the reason: it is emailed to the registrant.", code="reason_required")
    registration.status = RegistrationRequest.Status.REJECTED
    registration.rejection_reason = reason.strip()
    registration.decided_at = timezone.now()
    registration.decided_by = acting_user
    registration.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
    record_event(
        action=AuditEvent.Action.REGISTRATION_REJECTED, actor=acting_user, group=selectors.registration_group(registration),
        ip_address=ip_address, obj=registration, detail={"reason": registration.rejection_reason},
    )
    recipient = registration.people.filter(is_registrant=True).first() or registration.requested_by or registration.people.first()
    if recipient is not None and recipient.email:
        _queue_email(
            template="registration_rejected",
            to=recipient.email,
            context={
                "name": recipient.first_name, "company_name": registration.company_name,
                "group_number": registration.group_number, "reason": registration.rejection_reason,
                "kind": registration.kind,
            },
        )
    return registration


# --- Passwords and sessions -------------------------------------------------------------------------


def _end_all_sessions(user) -> None:
    """End every session of the user: the epoch is part of the session hash checked on each request."""
    user.session_epoch += 1


@transaction.atomic
def change_password(*, user, new_password: str, ip_address: str | None, via_reset_link: bool = False) -> None:
    """Set the user's own new password (already validated) and clear any temporary-password flag.

    The password hash changes, so every other session of the user ends; the caller keeps
    the current one with update_session_auth_hash.
    """
    user.set_password(new_password)
    user.must_change_password = False
    user.temporary_password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    action = AuditEvent.Action.PASSWORD_RESET if via_reset_link else AuditEvent.Action.PASSWORD_CHANGE
    record_event(action=action, actor=user, ip_address=ip_address, detail={"by": "emailed link" if via_reset_link else "user"})


@transaction.atomic
def reset_password(*, user, acting_user, ip_address: str | None) -> None:
    """Reset a password for a billing specialist: a new temporary one is emailed, every session ends.

    Failed-login lockouts of the username are cleared too (the caller is on the phone with them).
    """
    user.set_unusable_password()  # the old password stops working now; the worker issues the new one
    user.must_change_password = True
    _end_all_sessions(user)
    user.save(update_fields=["password", "must_change_password", "session_epoch"])
    axes_reset(username=user.get_username())
    record_event(
        action=AuditEvent.Action.PASSWORD_RESET, actor=acting_user, username=acting_user.get_username(), ip_address=ip_address,
        obj=user, detail={"user": user.get_username(), "by": "billing specialist"},
    )
    context = {"name": user.get_full_name() or user.get_username()}
    user_id = user.pk
    transaction.on_commit(
        lambda: email_temporary_password.delay(user_id=user_id, template="password_reset_by_specialist", context=context)
    )


@transaction.atomic
def unlock_user(*, user, acting_user, ip_address: str | None) -> int:
    """Clear the failed-login lockouts of the user's username; return how many were cleared."""
    cleared = axes_reset(username=user.get_username())
    record_event(
        action=AuditEvent.Action.OTHER, actor=acting_user, ip_address=ip_address, obj=user,
        detail={"unlocked": user.get_username(), "attempts_cleared": cleared},
    )
    return cleared


@transaction.atomic
def deactivate_membership(*, membership: Membership, acting_user, ip_address: str | None) -> None:
    """End a user's admin access to a group at once; every session of the user ends.

    A user left without any active group (and not a billing specialist) is deactivated.
    """
    if membership.user_id == acting_user.pk:
        raise ValidationError("You cannot deactivate yourself.", code="self_deactivation")
    membership = Membership.objects.select_for_update().select_related("user", "group").get(pk=membership.pk)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.is_staff and not user.memberships.filter(is_active=True).exists():
        user.is_active = False
    _end_all_sessions(user)
    user.save(update_fields=["is_active", "session_epoch"])
    record_event(
        action=AuditEvent.Action.USER_DEACTIVATED, actor=acting_user, group=membership.group, ip_address=ip_address,
        obj=user, detail={"user": user.get_username(), "role": membership.role},
    )


@transaction.atomic
def set_membership_subgroups(*, membership: Membership, subgroups, acting_user, ip_address: str | None) -> bool:
    """Limit an admin to `subgroups` of their group (none: all subgroups); return whether the limit changed.

    Only the limit changes: the admin's sessions, role and access stay, and their next page
    already shows only the subgroups now allowed. A change is recorded as an audit event.
    """
    membership = Membership.objects.select_for_update().select_related("user", "group").get(pk=membership.pk)
    subgroups = list(subgroups)
    rules.check_subgroup_limit(role=membership.role, group_id=membership.group_id, subgroup_group_ids=[s.group_id for s in subgroups])
    before = list(membership.subgroups.all())
    if {s.pk for s in before} == {s.pk for s in subgroups}:
        return False
    membership.subgroups.set(subgroups)
    record_event(
        action=AuditEvent.Action.SUBGROUPS_CHANGED, actor=acting_user, group=membership.group, ip_address=ip_address,
        obj=membership.user,
        detail={"user": membership.user.get_username(), "from": _subgroup_names(before), "to": _subgroup_names(subgroups)},
    )
    return True


# --- Two-factor authentication ----------------------------------------------------------------


@transaction.atomic
def start_totp_setup(*, user) -> TOTPDevice:
    """Return the user's unconfirmed authenticator-app device, creating it the first time."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def confirm_totp_setup(*, user, device: TOTPDevice, token: str, ip_address: str | None) -> list[str]:
    """Confirm the device with a code from the app; return new recovery codes (shown once)."""
    if device.user_id != user.pk or not device.verify_token(token):
        raise ValidationError("That code is not right. Enter the 6-digit code your app shows now.", code="invalid_token")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    record_event(action=AuditEvent.Action.MFA_ADDED, actor=user, ip_address=ip_address)
    return codes


@transaction.atomic
def remove_mfa(*, user, ip_address: str | None) -> None:
    """Remove the user's authenticator app and recovery codes, unless one of their groups requires them."""
    if selectors.mfa_required_for(user):
        raise ValidationError("Your group requires two-factor authentication: it cannot be removed.", code="mfa_required")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(action=AuditEvent.Action.MFA_REMOVED, actor=user, ip_address=ip_address)
