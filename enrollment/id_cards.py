"""Member ID cards: what each card says, and the printable PDF (WeasyPrint) the worker renders for an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from core import identifiers
from enrollment.models import Coverage, CoveredMember, IDCardOrder


@dataclass(frozen=True)
class Card:
    member_name: str
    member_id: str  # subscriber ID with the member suffix, M482913305-01
    subscriber_name: str
    group_number: str
    group_name: str
    plan_name: str
    plan_code: str
    network: str
    pcp_name: str
    pcp_id: str
    effective_on: date  # since when this member is covered without a gap
    copay_primary_care: Decimal
    copay_specialist: Decimal
    copay_urgent_care: Decimal
    copay_emergency: Decimal


def _current_and_earlier(rows, today):
    """Return the row in force today (else the next to start) and the rows before it, latest first."""
    rows = sorted(rows, key=lambda r: r.start)
    current = next((r for r in rows if r.start <= today and (r.end is None or r.end >= today)), None)
    if current is None:
        current = next((r for r in rows if r.start > today), None) or (rows[-1] if rows else None)
    if current is None:
        return None, []
    return current, [r for r in rows if r.start < current.start][::-1]


def covered_since(current, earlier, dependent_id=None) -> date:
    """Return when the member's coverage began, following rows back while they join with no gap."""
    since = current.start
    for row in earlier:
        joins = row.end is not None and row.end + timedelta(days=1) == since
        covers = dependent_id is None or dependent_id in {m.dependent_id for m in row.covered_members.all()}
        if not (joins and covers):
            break
        since = row.start
    return since


def cards_for(order: IDCardOrder, *, today: date) -> list[Card]:
    """Return one card per member of the order, from the subscriber's coverage as it is today."""
    subscriber = order.subscriber
    rows = list(
        Coverage.objects.for_group(order.group_id)
        .regular()
        .filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
        .select_related("plan")
        .prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.all()))
    )
    current, earlier = _current_and_earlier(rows, today)
    if current is None:
        return []
    covered = {m.dependent_id for m in current.covered_members.all()}
    members = [(None, subscriber, identifiers.SUBSCRIBER_SUFFIX)] if order.include_subscriber else []
    members += [(d.pk, d, d.member_suffix) for d in order.dependents.order_by("member_suffix") if d.pk in covered]
    plan = current.plan
    return [
        Card(
            member_name=person.full_name,
            member_id=identifiers.member_id(subscriber.subscriber_number, suffix),
            subscriber_name=subscriber.full_name,
            group_number=order.group.group_number,
            group_name=order.group.legal_name,
            plan_name=plan.name,
            plan_code=plan.code,
            network=plan.network,
            pcp_name=person.pcp_name,
            pcp_id=person.pcp_id,
            effective_on=covered_since(current, earlier, dependent_id),
            copay_primary_care=plan.copay_primary_care,
            copay_specialist=plan.copay_specialist,
            copay_urgent_care=plan.copay_urgent_care,
            copay_emergency=plan.copay_emergency,
        )
        for dependent_id, person, suffix in members
    ]


def member_dependents_covered(order: IDCardOrder, *, today: date) -> bool:
    """Whether every dependent on the order is covered by the subscriber's current coverage."""
    covered = Coverage.objects.for_group(order.group_id).regular().filter(
        subscriber=order.subscriber, status=Coverage.Status.ACTIVE
    ).filter(Q(end__isnull=True) | Q(end__gte=today))
    wanted = set(order.dependents.values_list("pk", flat=True))
    have = set(CoveredMember.objects.filter(coverage__in=covered).values_list("dependent_id", flat=True))
    return wanted <= have


def render_pdf(cards: list[Card], *, printed_on: date) -> bytes:
    """Render the cards as a printable PDF: each member's card front and back, cut along the dashed line."""
    logo = finders.find("img/carrier-logo.svg")
    html = render_to_string("pdf/id_card.html", {
        "cards": cards, "carrier_name": settings.CARRIER_NAME, "member_services_phone": settings.MEMBER_SERVICES_PHONE,
        "logo_url": Path(logo).as_uri() if logo else "", "printed_on": printed_on,
    })
    stylesheet = CSS(filename=finders.find("css/id_card.css"))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])
