from django.conf import settings

from accounts.models import BILLING_ROLES, ENROLLMENT_ROLES, PRIMARY_ONLY
from enrollment import rules


def portal(request):
    """Return the current group and membership (set by group_view) and what its role may do."""
    membership = getattr(request, "membership", None)
    group = getattr(request, "group", None)
    role = membership.role if membership else None
    return {
        "current_group": group,
        "membership": membership,
        "may_enroll": role in ENROLLMENT_ROLES,
        "may_bill": role in BILLING_ROLES,
        "may_manage_users": role in PRIMARY_ONLY,
        # Only inside a group page, so signed-out and admin pages run no query for it.
        "may_switch_group": bool(group) and request.user.memberships_active().count() > 1,
        # The window follows the group's own date (its time zone).
        "current_group_oe_open": bool(group and rules.in_open_enrollment(group.renewal_month, group.today())),
        "support_phones": settings.SUPPORT_PHONES,
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
    }
