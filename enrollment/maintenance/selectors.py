"""Reads of the subscriber page, the header's search, the ID Cards page and Group Home's "turning 26" list.

Every read goes through the admin's membership (an admin limited to subgroups sees only theirs),
and each page runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery

from core.identifiers import looks_like_subscriber_number, normalize_subscriber_number
from enrollment import rating, rules
from enrollment.maintenance.services import SUBSCRIBER_KEY
from enrollment.models import ChangeRequest, Coverage, CoveredMember, Dependent, IDCardOrder, ProofDocument, Subscriber
from enrollment.selectors import OPEN_REQUEST_STATUSES, RateTable

SEARCH_LIMIT = 50
TURNING_26_DAYS = 60


def latest_request_number():
    """An annotation: the confirmation number of the subscriber's latest request (a pending subscriber's page until a number is assigned)."""
    return Subquery(
        ChangeRequest.objects.filter(subscriber=OuterRef("pk")).order_by("-submitted_at").values("confirmation_number")[:1]
    )


def search_subscribers(membership, text: str):
    """Find the admin's subscribers by subscriber ID (or its start) or by name (each word starts a first or last name)."""
    text = (text or "").strip()
    rows = Subscriber.objects.for_membership(membership).select_related("subgroup").annotate(latest_request_number=latest_request_number())
    if not text:
        return rows.none()
    if looks_like_subscriber_number(text):
        return rows.filter(subscriber_number__startswith=normalize_subscriber_number(text))[:SEARCH_LIMIT]
    condition = Q()
    for word in text.replace(",", " ").split():
        condition &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    return rows.filter(condition).order_by("last_name", "first_name")[:SEARCH_LIMIT]


@dataclass
class Member:
    key: str  # "S" or "D<id>"
    name: str
    member_id: str
    relationship: str
    date_of_birth: date
    pcp: str
    covered: bool
    removed_on: date | None = None
    dependent: Dependent | None = None


@dataclass
class SubscriberPage:
    subscriber: Subscriber
    members: list[Member]
    rows: list[Coverage]  # newest first, void ones left out
    current: Coverage | None  # in force today, else the next to start
    premium: Decimal | None
    status: str  # active, prospective, terminated
    ended: Coverage | None  # the terminated row, when the coverage ended (or ends)
    requests: list[ChangeRequest]
    open_by_kind: dict = field(default_factory=dict)  # kind -> {member key: request}
    orders: list[IDCardOrder] = field(default_factory=list)
    documents: dict = field(default_factory=dict)  # request id -> [ProofDocument]


def subscriber_page(membership, subscriber: Subscriber, *, today: date) -> SubscriberPage:
    """Return what the subscriber page shows, in a fixed number of queries."""
    dependents = list(Dependent.objects.for_membership(membership).filter(subscriber=subscriber).order_by("member_suffix", "pk"))
    rows = list(
        Coverage.objects.for_membership(membership).filter(subscriber=subscriber).exclude(status=Coverage.Status.VOID)
        .select_related("plan").prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.select_related("dependent")))
        .order_by("-start")
    )
    # The employee's own coverage; continuation rows (COBRA) are listed with it, marked, but never "current".
    active = [r for r in rows if r.status == Coverage.Status.ACTIVE and r.continuation_id is None]
    current = next((r for r in active if r.start <= today and (r.end is None or r.end >= today)), None)
    upcoming = [r for r in active if r.start > today]
    status = "active" if current else ("prospective" if upcoming or any(r.status == Coverage.Status.PENDING for r in rows) else "terminated")
    current = current or (upcoming[-1] if upcoming else None)
    latest = active[0] if active else None
    ended = latest if latest and latest.end and latest.termination_reason != Coverage.TerminationReason.REPLACED else None
    covered = {m.dependent_id for m in current.covered_members.all()} if current else set()

    premium = None
    if current is not None:
        members = [("subscriber", "subscriber", subscriber.date_of_birth)] + [
            (m.dependent_id, m.dependent.relationship, m.dependent.date_of_birth) for m in current.covered_members.all()
        ]
        try:
            premium = RateTable(plan_ids=[current.plan_id], plan_year=current.plan_year).premium(
                subscriber.group, plan_id=current.plan_id, plan_year=current.plan_year, tier=current.tier, members=members,
                coverage_start=current.start,
            )[0]
        except rating.MissingRate:
            premium = None

    pcp = lambda p: " ".join(filter(None, [p.pcp_name, p.pcp_id and "(%s)" % p.pcp_id])) or "None chosen"  # noqa: E731
    members = [Member(SUBSCRIBER_KEY, subscriber.full_name, subscriber.member_id, "Subscriber", subscriber.date_of_birth, pcp(subscriber),
                      current is not None)]
    members += [
        Member("D%d" % d.pk, d.full_name, d.member_id, d.get_relationship_display(), d.date_of_birth, pcp(d), d.pk in covered, d.removed_on, d)
        for d in dependents
    ]
    requests = list(
        ChangeRequest.objects.for_membership(membership).filter(subscriber=subscriber).select_related("submitted_by").order_by("-submitted_at")[:25]
    )
    open_by_kind = {}
    for request in ChangeRequest.objects.for_membership(membership).filter(subscriber=subscriber, status__in=OPEN_REQUEST_STATUSES):
        open_by_kind.setdefault(request.kind, {})[request.snapshot.get("member_key", SUBSCRIBER_KEY)] = request
    documents = {}
    for document in ProofDocument.objects.for_membership(membership).filter(subscriber=subscriber, request__isnull=False):
        documents.setdefault(document.request_id, []).append(document)
    for request in requests:
        request.proof_documents = documents.get(request.pk, [])
    orders = list(IDCardOrder.objects.for_membership(membership).filter(subscriber=subscriber).select_related("request")[:10])
    return SubscriberPage(subscriber, members, rows, current, premium, status, ended, requests, open_by_kind, orders, documents)


def id_card_orders(membership):
    """Return the admin's ID card orders, newest first, with what the ID Cards page shows."""
    return (
        IDCardOrder.objects.for_membership(membership)
        .select_related("subscriber", "request")
        .prefetch_related(Prefetch("dependents", queryset=Dependent.objects.order_by("member_suffix")))
        .order_by("-ordered_at")
    )


def turning_26(membership, *, today: date, days: int = TURNING_26_DAYS):
    """Return the admin's covered children who turn 26 in the next `days` days (their coverage ends with that month)."""
    after, through = rules.birth_dates_turning(rules.CHILD_AGE_LIMIT, today, today + timedelta(days=days))
    in_force = Coverage.objects.regular().filter(
        status=Coverage.Status.ACTIVE, start__lte=today, covered_members__dependent=OuterRef("pk")
    ).filter(Q(end__isnull=True) | Q(end__gte=today))
    return (
        Dependent.objects.for_membership(membership)
        .filter(relationship__in=sorted(rules.CHILDREN - {rules.DISABLED_ADULT_CHILD}), removed_on__isnull=True,
                date_of_birth__gt=after, date_of_birth__lte=through)
        .filter(Exists(in_force))
        .select_related("subscriber")
        .order_by("date_of_birth")
    )


def turning_26_rows(membership, *, today: date, limit: int = 20) -> list[dict]:
    """Return Group Home's list: each child turning 26 soon, their birthday and the day their coverage ends."""
    return [
        {"dependent": d, "birthday": rules.add_months(d.date_of_birth, 12 * rules.CHILD_AGE_LIMIT), "ends": rules.child_eligible_through(d.date_of_birth)}
        for d in turning_26(membership, today=today)[:limit]
    ]
