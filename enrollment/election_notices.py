"""The election notice of a continuation: the premium of each choice, and the printable PDF the worker renders (WeasyPrint).

The premiums are the plan's rate for the coverage (its tier, or the members' age rates) at 102%,
rounded half-up once (enrollment.continuation_rules.cobra_premium, the function billing's COBRA
lines use too); under COBRA after an end of employment or a reduction of hours, the notice also
says what months 19 to 29 would cost under a disability extension (150%).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from core import identifiers
from enrollment import continuation_coverage, continuation_rules, rating
from enrollment.models import Continuation, QualifiedBeneficiary
from enrollment.selectors import RateTable

TIER_WHO = {
    "EE": "One person alone",
    "ES": "The subscriber with the spouse or partner",
    "FAM": "The subscriber with the spouse or partner and the children",
}


@dataclass(frozen=True)
class PremiumChoice:
    """What one choice of who continues costs a month."""

    who: str  # "One person alone", "Maria Lopez alone", "All 3 together"
    tier: str  # the rate tier; "" on an age-banded group's rows
    monthly_rate: Decimal | None  # the plan's rate (None: the carrier set no rate)
    premium: Decimal | None  # 102% of the rate, rounded half-up once
    extended_premium: Decimal | None  # months 19 to 29 of a disability extension (150%); None where none applies


@dataclass(frozen=True)
class Beneficiary:
    name: str
    member_id: str
    relationship: str
    date_of_birth: date
    elected: bool | None


def beneficiaries_of(continuation: Continuation) -> list[Beneficiary]:
    """Return the qualified beneficiaries as the notice and the pages name them."""
    subscriber = continuation.subscriber
    result = []
    for b in continuation.beneficiaries.all():
        person = b.dependent or subscriber
        relationship = "Subscriber" if b.dependent is None else b.dependent.get_relationship_display()
        result.append(Beneficiary(person.full_name, member_id_of(subscriber, b.dependent), relationship, person.date_of_birth, b.elected))
    return result


def member_id_of(subscriber, dependent) -> str:
    """Return a member's ID (M482913305-01) from the subscriber already read: no query per dependent."""
    suffix = identifiers.SUBSCRIBER_SUFFIX if dependent is None else dependent.member_suffix
    return identifiers.member_id(subscriber.subscriber_number, suffix) or ""


def _members(continuation: Continuation, chosen: list[QualifiedBeneficiary]):
    subscriber = continuation.subscriber
    return [
        ("subscriber" if b.dependent is None else b.dependent_id, b.relationship,
         subscriber.date_of_birth if b.dependent is None else b.dependent.date_of_birth)
        for b in chosen
    ]


def _rate(continuation, rates, plan_id, plan_year, chosen) -> tuple[str, Decimal | None]:
    covers_subscriber = any(b.dependent_id is None for b in chosen)
    tier = continuation_rules.continuation_tier([b.relationship for b in chosen if b.dependent_id], covers_subscriber=covers_subscriber)
    try:
        rate = rates.premium(
            continuation.group, plan_id=plan_id, plan_year=plan_year, tier=tier, members=_members(continuation, chosen),
            coverage_start=continuation.start,
        )[0]
    except rating.MissingRate:
        rate = None
    return tier, rate


def premium_for(continuation: Continuation, chosen: list[QualifiedBeneficiary]) -> tuple[str, Decimal | None, Decimal | None]:
    """Return (tier, the plan's monthly rate, the continuation premium at 102%) of these beneficiaries continuing together."""
    plan_id, plan_year = continuation_coverage.continuation_plan(continuation)
    tier, rate = _rate(continuation, RateTable(plan_ids=[plan_id], plan_year=plan_year), plan_id, plan_year, chosen)
    if rate is None:
        return tier, None, None
    return tier, rate, continuation_rules.cobra_premium(rate, 1, extension=continuation.extension or None, months=continuation.maximum_months)


def _priced(continuation, who, tier, rate) -> PremiumChoice:
    if rate is None:
        return PremiumChoice(who, tier, None, None, None)
    months = continuation.maximum_months
    premium = continuation_rules.cobra_premium(rate, 1, extension=continuation.extension or None, months=months)
    extended = None
    if continuation.law == continuation_rules.COBRA and continuation.event_kind in continuation_rules.EMPLOYMENT_EVENTS:
        extended = continuation_rules.cobra_premium(rate, continuation_rules.COBRA_DISABILITY_FROM_MONTH, extension=continuation_rules.DISABILITY)
    return PremiumChoice(who, tier, rate, premium, extended)


def premium_choices(continuation: Continuation) -> list[PremiumChoice]:
    """Return the monthly premium of each choice of who continues.

    Tiered groups: one row per tier the beneficiaries can form (every one alone pays EE; a
    continuation without the subscriber of two or more people pays EC). Age-banded groups: each
    beneficiary alone, and all of them together (a family pays for every adult and the three oldest
    children under 21).
    """
    beneficiaries = list(continuation.beneficiaries.select_related("dependent"))
    plan_id, plan_year = continuation_coverage.continuation_plan(continuation)
    rates = RateTable(plan_ids=[plan_id], plan_year=plan_year)
    if continuation.group.rating_method == continuation.group.RatingMethod.AGE_BANDED:
        subscriber = continuation.subscriber
        rows = []
        for b in beneficiaries:
            tier, rate = _rate(continuation, rates, plan_id, plan_year, [b])
            rows.append(_priced(continuation, "%s alone" % (b.dependent or subscriber).full_name, "", rate))
        if len(beneficiaries) > 1:
            tier, rate = _rate(continuation, rates, plan_id, plan_year, beneficiaries)
            rows.append(_priced(continuation, "All %d together" % len(beneficiaries), "", rate))
        return rows
    # Which tiers the beneficiaries can form, and whether with or without the subscriber.
    ways: dict[str, set[bool]] = {}
    for size in range(1, len(beneficiaries) + 1):
        for chosen in combinations(beneficiaries, size):
            with_subscriber = any(b.dependent_id is None for b in chosen)
            tier = continuation_rules.continuation_tier([b.relationship for b in chosen if b.dependent_id], covers_subscriber=with_subscriber)
            ways.setdefault(tier, set()).add(with_subscriber)
    rows = []
    for tier in ("EE", "ES", "EC", "FAM"):
        if tier not in ways:
            continue
        if tier == "EC":
            texts = {True: "The subscriber with the children", False: "Two or more family members without the subscriber"}
            who = ", or ".join(texts[w] for w in (True, False) if w in ways[tier])
            who = who[0] + who[1:].replace("Two or more", "two or more")
        else:
            who = TIER_WHO[tier]
        rate = rates.tiers[(plan_id, plan_year)].get(tier)
        rows.append(_priced(continuation, who, tier, rate))
    return rows


def render_pdf(continuation: Continuation, *, notice_on: date) -> bytes:
    """Render the election notice as a printable PDF (letter size), ready to mail to the qualified beneficiaries."""
    group = continuation.group
    deadline = continuation_rules.election_deadline(notice_on, continuation.coverage_lost_on)
    logo = finders.find("img/carrier-logo.svg")
    context = {
        "carrier_name": settings.CARRIER_NAME, "member_services_phone": settings.MEMBER_SERVICES_PHONE,
        "logo_url": Path(logo).as_uri() if logo else "",
        "continuation": continuation, "group": group, "subscriber": continuation.subscriber, "notice_on": notice_on,
        "is_cobra": continuation.law == continuation_rules.COBRA,
        "beneficiaries": beneficiaries_of(continuation), "choices": premium_choices(continuation),
        "deadline": deadline, "latest_first_payment": continuation_rules.first_payment_due(deadline),
        "election_days": continuation_rules.ELECTION_DAYS, "first_payment_days": continuation_rules.FIRST_PAYMENT_DAYS,
        "employment_event": continuation.event_kind in continuation_rules.EMPLOYMENT_EVENTS,
    }
    html = render_to_string("pdf/cobra_notice.html", context)
    stylesheet = CSS(filename=finders.find("css/cobra_notice.css"))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])
