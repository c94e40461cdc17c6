"""The one place a group and the admin's membership in it are resolved from the URL and checked.

Every page of a group lives under /groups/<group_number>/ and its view is wrapped in
`group_view`. A user who is not an active member of that (active) group gets 404,
whatever the group number, so the portal never tells which groups exist; a member
whose role does not allow the page gets 403. The view finds the membership on
`request.membership` and reads every group-owned row through
`Model.objects.for_membership(request.membership)` (accounts.scoping), which also keeps
an admin limited to some subgroups inside them.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from accounts.models import ANY_ROLE, EmployerGroup, Membership


def resolve_membership(user, group_number: str) -> Membership:
    """Return the user's active membership in the active group `group_number`, else raise Http404.

    The subgroups it is limited to come in the same query (`limited_subgroup_ids`).
    """
    if not user.is_authenticated:
        raise Http404
    try:
        return (
            Membership.objects.select_related("group")
            .annotate(subgroup_ids=ArrayAgg("subgroups", filter=Q(subgroups__isnull=False), default=[]))
            .get(user=user, group__group_number=group_number, is_active=True, group__status=EmployerGroup.Status.ACTIVE)
        )
    except Membership.DoesNotExist:
        raise Http404("No such group.")


def group_view(*, allow=ANY_ROLE):
    """Wrap a view taking `group_number`: set request.group and request.membership, or 404/403.

    `allow` is the set of roles that may use the view (see accounts.models: ANY_ROLE,
    ENROLLMENT_ROLES, BILLING_ROLES, PRIMARY_ONLY). The view is called with `group`
    in place of `group_number`.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, group_number, *args, **kwargs):
            membership = resolve_membership(request.user, group_number)
            request.group = membership.group  # set first: the 403 page shows the group it is about
            request.membership = membership
            if membership.role not in allow:
                raise PermissionDenied(roles_needed_message(allow, membership))
            return view(request, membership.group, *args, **kwargs)

        wrapped.group_view_allow = frozenset(allow)
        return wrapped

    return decorator


def roles_needed_message(allow, membership) -> str:
    """Say which roles a page needs and which the user has: "This page needs the Primary or Enrollment role; ..."."""
    needed = [Membership.Role(role).label for role in Membership.Role.values if role in allow]
    return "This page needs the %s role; your role in %s is %s." % (
        " or ".join(needed), membership.group.legal_name, membership.get_role_display()
    )


def can(membership, allowed) -> bool:
    """Return whether this membership's role is in `allowed` (for showing links and buttons)."""
    return membership is not None and membership.role in allowed
