"""What a change will do, shown on its summary before Confirm and kept in its request's snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from enrollment import hooks, rating, rules
from enrollment.models import Coverage, Dependent
from enrollment.selectors import RateTable


@dataclass(frozen=True)
class PremiumChange:
    """The subscriber's tier and monthly premium before and after a change of who is covered, from `on`."""

    on: date
    plan_name: str
    tier_from: str
    tier_to: str
    premium_from: Decimal | None  # None: no rate set for the plan year
    premium_to: Decimal | None

    @property
    def changes(self) -> bool:
        return self.tier_from != self.tier_to or self.premium_from != self.premium_to

    def as_snapshot(self) -> dict:
        return {
            "premium_on": self.on.isoformat(), "tier_from": self.tier_from, "tier_to": self.tier_to,
            "premium_from": str(self.premium_from) if self.premium_from is not None else None,
            "premium_to": str(self.premium_to) if self.premium_to is not None else None,
        }


def coverage_on(subscriber, day: date) -> Coverage | None:
    """Return the subscriber's active row in force on `day`, else the first one starting after it."""
    rows = (
        Coverage.objects.for_group(subscriber.group_id)
        .regular()
        .filter(subscriber=subscriber, status=Coverage.Status.ACTIVE)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("plan")
        .prefetch_related("covered_members__dependent")
        .order_by("start")
    )
    return next(iter(rows[:1]), None)


def _premium(group, rates, row, members) -> Decimal | None:
    tier = rules.coverage_tier(relationship for _, relationship, _ in members[1:])
    try:
        return rates.premium(group, plan_id=row.plan_id, plan_year=row.plan_year, tier=tier, members=members, coverage_start=row.start)[0]
    except rating.MissingRate:
        return None


def premium_change(subscriber, *, on: date, add: tuple[str, date] | None = None, remove: Dependent | None = None) -> PremiumChange | None:
    """Return the tier and premium before and after covering `add` (relationship, date of birth) or no longer covering `remove` from `on`.

    None when the subscriber has no coverage on or after `on`.
    """
    row = coverage_on(subscriber, on)
    if row is None:
        return None
    group = subscriber.group
    before = [("subscriber", "subscriber", subscriber.date_of_birth)] + [
        (m.dependent_id, m.dependent.relationship, m.dependent.date_of_birth) for m in row.covered_members.all()
    ]
    after = [m for m in before if remove is None or m[0] != remove.pk]
    if add is not None:
        after.append(("new", add[0], add[1]))
    rates = RateTable(plan_ids=[row.plan_id], plan_year=row.plan_year)
    return PremiumChange(
        on=max(on, row.start), plan_name=row.plan.name,
        tier_from=rules.coverage_tier(r for _, r, _ in before[1:]), tier_to=rules.coverage_tier(r for _, r, _ in after[1:]),
        premium_from=_premium(group, rates, row, before), premium_to=_premium(group, rates, row, after),
    )


def expected_credit(subscriber, *, end: date, today: date) -> Decimal | None:
    """Return the credit billing expects when the coverage ends on `end` (None until billing registers an estimator)."""
    return hooks.expected_credit(subscriber=subscriber, end=end, today=today)
