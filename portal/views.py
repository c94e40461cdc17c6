"""Pages that draw on every app (they sit above accounts <- enrollment <- billing)."""

from django.shortcuts import render
from django.utils import timezone

from accounts.access import group_view
from accounts.models import Subgroup
from billing import selectors as billing_selectors
from enrollment import oe_selectors
from enrollment import selectors as enrollment_selectors
from enrollment.maintenance import selectors as maintenance_selectors


@group_view()
def group_home(request, group):
    """Group Home: subscribers, pending requests, the current amount due."""
    today = timezone.localdate()
    pending = enrollment_selectors.open_requests(request.membership)
    context = {
        "counts": enrollment_selectors.roster_counts(request.membership, today),
        "pending_count": pending.count(),
        "pending_requests": pending.select_related("subscriber", "submitted_by")[:5],
        "invoice": billing_selectors.current_invoice(request.membership),
        "dashboard": billing_selectors.dashboard(group),
        "today": today,
        "enrollment_drafts": enrollment_selectors.open_drafts(request.membership, request.user)[:5],
        # A limited admin is told whose subscribers the counts are (one query, only for them).
        "limited_to": list(Subgroup.objects.for_membership(request.membership).order_by("name")) if request.membership.is_limited else [],
        "turning_26": maintenance_selectors.turning_26_rows(request.membership, today=today),
        "oe_banner": oe_selectors.banner(request.membership, group.today()),
    }
    return render(request, "group_home.html", context)
