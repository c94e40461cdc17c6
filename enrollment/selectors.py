"""Reads that several views share."""

from datetime import date

from django.db.models import Case, Exists, OuterRef, Q, Value, When

from enrollment.models import ChangeRequest, Coverage, Subscriber

OPEN_REQUEST_STATUSES = (
    ChangeRequest.Status.RECEIVED,
    ChangeRequest.Status.PROCESSING,
    ChangeRequest.Status.NEEDS_REVIEW,
)


def roster(group, today: date):
    """The group's subscribers, each annotated with roster_status: active, prospective or terminated."""
    live = Coverage.objects.filter(subscriber=OuterRef("pk")).exclude(status=Coverage.Status.VOID)
    in_force = live.filter(status=Coverage.Status.ACTIVE, start__lte=today).filter(Q(end__isnull=True) | Q(end__gte=today))
    future = live.filter(start__gt=today) | live.filter(status=Coverage.Status.PENDING)
    return (
        Subscriber.objects.for_group(group)
        .select_related("subgroup")
        .annotate(
            roster_status=Case(
                When(Exists(in_force), then=Value("active")),
                When(Exists(future), then=Value("prospective")),
                default=Value("terminated"),
            )
        )
    )


def roster_counts(group, today: date) -> dict:
    """How many subscribers are active, prospective and terminated (one query)."""
    from django.db.models import Count

    rows = roster(group, today).order_by().values("roster_status").annotate(n=Count("pk"))
    counts = {"active": 0, "prospective": 0, "terminated": 0}
    counts.update({row["roster_status"]: row["n"] for row in rows})
    return counts


def open_requests(group):
    return ChangeRequest.objects.for_group(group).filter(status__in=OPEN_REQUEST_STATUSES)
