from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from accounts.access import group_view
from enrollment import selectors
from enrollment.filters import RosterFilter
from enrollment.tables import RosterTable


@group_view()
def roster(request, group):
    """View the subscriber roster by group, subgroup or prospective subscribers."""
    queryset = selectors.roster(group, timezone.localdate())
    roster_filter = RosterFilter(request.GET, queryset=queryset, group=group)
    table = RosterTable(roster_filter.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "enrollment/roster.html", {"filter": roster_filter, "table": table})
