"""Reads about accounts that several views, the middleware and the admin share."""

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import rules
from accounts.models import EmployerGroup, Membership, RegistrationRequest, User


def mfa_required_for(user) -> bool:
    """Return whether one of the user's active groups requires two-factor authentication."""
    return user.memberships_active().filter(group__require_mfa=True).exists()


def has_mfa(user) -> bool:
    """Return whether the user has a confirmed TOTP device (recovery codes alone do not count)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def group_admins(membership):
    """Return the group's admin users (active first), with their roles and last login."""
    return (
        Membership.objects.for_membership(membership)
        .select_related("user")
        .prefetch_related("subgroups")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def pending_new_user_requests(group):
    """Return the new users the group's primary admins asked for, not yet decided by a specialist."""
    return RegistrationRequest.objects.filter(
        group=group, kind=RegistrationRequest.Kind.NEW_USER, status=RegistrationRequest.Status.PENDING
    ).prefetch_related("people__subgroups")


def _accounts_with_email(email):
    """Group-admin accounts with this email (case aside), the one to link first: active, then used most recently.

    Billing specialists' accounts are never linked: they stay apart from group roles.
    """
    return (
        User.objects.filter(email__iexact=email, is_staff=False, is_superuser=False)
        .exclude(email="")
        .order_by("-is_active", F("last_login").desc(nulls_last=True), "pk")
    )


def existing_account(email: str):
    """The account an approval links for this email instead of creating a second user, or None."""
    return _accounts_with_email(email.strip()).first()


def with_existing_account(people):
    """Annotate RegistrationUser rows with `existing_username`: the account their approval would link, or None."""
    return people.annotate(existing_username=Subquery(_accounts_with_email(OuterRef("email")).values("username")[:1]))


def registration_group(registration: RegistrationRequest) -> EmployerGroup | None:
    """Return the employer group a registration names, whatever its status, or None."""
    if registration.group_id:
        return registration.group
    return EmployerGroup.objects.filter(group_number=registration.group_number).first()


def registration_due_by(registration: RegistrationRequest):
    """Return the date access is promised by: submitted + two business days (weekends skipped)."""
    return rules.add_business_days(timezone.localdate(registration.submitted_at), rules.BUSINESS_DAYS_TO_GRANT_ACCESS)
