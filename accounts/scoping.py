"""The one scoping mechanism: every group-owned model's queryset is scoped by the admin's membership.

    Subscriber.objects.for_membership(request.membership)   # pages: the group, and the admin's subgroups
    Subscriber.objects.for_group(group)                      # a whole group: ops commands, the worker, billing runs

A membership may be limited to some subgroups of its group (Membership.subgroups; none means
all). Each model says how its rows reach their group and, when a row belongs to one subgroup
(a subscriber and everything that hangs off them), how it reaches that subgroup. Rows of the
whole group (an invoice, the admin users, a payment) are not limited by subgroup.
"""

from django.db import models
from django.db.models import Q


class GroupScopedQuerySet(models.QuerySet):
    """Filter by the owning employer group and, for a limited admin, by their subgroups."""

    group_lookup = "group"  # the path from a row to its EmployerGroup
    subgroup_lookup: str | None = None  # the path to its Subgroup; None: a row of the whole group
    subgroup_null_means_all = False  # a row with no subgroup concerns every subgroup (a plan offering)

    def for_group(self, group):
        """Return the rows of the whole group (for ops, the worker and group-wide billing)."""
        return self.filter(**{self.group_lookup: group})

    def for_membership(self, membership):
        """Return the rows this admin may see: their group's, and only their subgroups' when limited."""
        rows = self.for_group(membership.group)
        limited_to = membership.limited_subgroup_ids
        if limited_to is None or self.subgroup_lookup is None:
            return rows
        condition = Q(**{self.subgroup_lookup + "__in": limited_to})
        if self.subgroup_null_means_all:
            condition |= Q(**{self.subgroup_lookup + "__isnull": True})
        return rows.filter(condition)


def scoped_queryset(group: str = "group", subgroup: str | None = None, *, null_means_all: bool = False, base=GroupScopedQuerySet):
    """Return a GroupScopedQuerySet subclass reaching the group through `group` and the subgroup through `subgroup`."""
    name = "Scoped_%s_%s" % (group.replace("__", "_"), (subgroup or "all").replace("__", "_"))
    attrs = {"group_lookup": group, "subgroup_lookup": subgroup, "subgroup_null_means_all": null_means_all}
    return type(name, (base,), attrs)
