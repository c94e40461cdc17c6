"""Reads about accounts that several views, the middleware and the admin share."""

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import rules
from accounts.models import EmployerGroup, Membership, RegistrationRequest


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


def registration_group(registration: RegistrationRequest) -> EmployerGroup | None:
    """Return the employer group a registration names, whatever its status, or None."""
    if registration.group_id:
        return registration.group
    return EmployerGroup.objects.filter(group_number=registration.group_number).first()


def registration_due_by(registration: RegistrationRequest):
    """Return the date access is promised by: submitted + two business days (weekends skipped)."""
    return rules.add_business_days(timezone.localdate(registration.submitted_at), rules.BUSINESS_DAYS_TO_GRANT_ACCESS)
