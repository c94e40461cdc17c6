"""The one scoping mechanism: every group-owned model's queryset has `for_group(group)`."""

from django.db import models


class GroupScopedQuerySet(models.QuerySet):
    """Filter by the owning employer group. `group_lookup` names the path to it."""

    group_lookup = "group"

    def for_group(self, group):
        return self.filter(**{self.group_lookup: group})


def scoped_queryset(lookup: str):
    """Return a GroupScopedQuerySet subclass whose group is reached through `lookup`."""
    return type("GroupScopedQuerySet_" + lookup.replace("__", "_"), (GroupScopedQuerySet,), {"group_lookup": lookup})
