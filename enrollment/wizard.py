"""The New Enrollment wizard's draft: its steps, what each needs first, and reading it back.

The draft (EnrollmentDraft.data) is JSON, saved after every step:

    {"subscriber": {..., "date_of_birth": "1985-04-12", "subgroup_id": 3, "ssn_encrypted": "...", "ssn_last4": "1234"},
     "plan": {"plan_id": 7, "coverage_start": "2026-07-01"},
     "dependents": [{"key": "ab12…", ..., "elect_coverage": true, "has_other_coverage": false, ...}],
     "dependents_done": true}

An SSN is stored encrypted (core.fields) even in the draft and never shown again in full.

Open enrollment's Begin Enrollment reuses the wizard: its draft has "mode": "oe_begin", the
existing subscriber ("subscriber_pk", details read-only), the dependents on file (each with
its "dependent_pk"), the new "plan_year" and the "renewal_date" every coverage starts on
(enrollment.open_enrollment.start_begin_enrollment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import Subgroup
from enrollment import rules, selectors
from enrollment.models import Dependent, Gender, Plan, Subscriber, Tier

STEPS = ("subscriber", "plan", "dependents", "summary")
OE_BEGIN = "oe_begin"
STEP_LABELS = {"subscriber": "Subscriber", "plan": "Medical plan", "dependents": "Dependents", "summary": "Summary"}


def completed(data: dict, step: str) -> bool:
    if step == "dependents":
        return bool(data.get("dependents_done"))
    return bool(data.get(step))


def first_missing_step(data: dict, step: str) -> str | None:
    """Return the earliest step before `step` not yet done (the wizard cannot be skipped ahead), or None."""
    for earlier in STEPS[: STEPS.index(step)]:
        if not completed(data, earlier):
            return earlier
    return None


def current_step(data: dict) -> str:
    """Return where to continue a draft: the first step not done yet."""
    for step in STEPS:
        if not completed(data, step):
            return step
    return "summary"


def as_date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else value or None


def subscriber_dates(data: dict) -> dict:
    sub = dict(data.get("subscriber") or {})
    for key in ("date_of_birth", "hire_date"):
        sub[key] = as_date(sub.get(key))
    return sub


def dependents_of(data: dict) -> list[dict]:
    result = []
    for dep in data.get("dependents") or []:
        dep = dict(dep)
        dep["date_of_birth"] = as_date(dep.get("date_of_birth"))
        result.append(dep)
    return result


def coverage_start_of(data: dict) -> date | None:
    return as_date((data.get("plan") or {}).get("coverage_start"))


def tier_of(data: dict) -> str:
    """Return the tier the server computes from the dependents elected for coverage (never from the form)."""
    return rules.coverage_tier(d["relationship"] for d in dependents_of(data) if d.get("elect_coverage"))


def rating_members(data: dict) -> list[tuple[str, str, date]]:
    members = [("00", "subscriber", subscriber_dates(data)["date_of_birth"])]
    members += [(d["key"], d["relationship"], d["date_of_birth"]) for d in dependents_of(data) if d.get("elect_coverage")]
    return members


def is_open_enrollment(data: dict) -> bool:
    """Whether the draft is an open enrollment's Begin Enrollment (its coverage starts on the renewal date)."""
    return data.get("mode") == OE_BEGIN


def proposed_coverage_start(group, data: dict) -> date:
    if is_open_enrollment(data):
        return as_date(data["renewal_date"])
    sub = subscriber_dates(data)
    return rules.new_hire_coverage_start(sub["hire_date"], group.waiting_period_days)


@dataclass
class PlanCard:
    plan: Plan
    offered: bool
    reason: str
    premium: Decimal | None


def plan_cards(group, data: dict, coverage_start: date) -> tuple[int, list[PlanCard]]:
    """Return the plan year of `coverage_start` and a card per plan the group offers then, greyed out when not to this subgroup."""
    sub = subscriber_dates(data)
    subgroup = Subgroup.objects.for_group(group).get(pk=sub["subgroup_id"])
    plan_year = rules.plan_year_of(group.renewal_month, coverage_start)
    plans = list(selectors.group_plans(group, plan_year).order_by("name"))
    offered = set(selectors.offered_plans(group, subgroup.pk, plan_year).values_list("pk", flat=True))
    premiums = selectors.plan_premiums(
        group, plans, plan_year=plan_year, tier=tier_of(data), members=rating_members(data), coverage_start=coverage_start
    )
    cards = [
        PlanCard(plan, plan.pk in offered, "" if plan.pk in offered else "not offered to %s" % subgroup.name, premiums[plan.pk])
        for plan in plans
    ]
    return plan_year, cards


@dataclass
class Summary:
    subscriber: dict
    subgroup: Subgroup | None
    plan: Plan | None
    coverage_start: date | None
    plan_year: int | None
    tier: str
    premium: Decimal | None
    dependents: list[dict]
    problems: list[str] = field(default_factory=list)

    @property
    def tier_label(self):
        return Tier(self.tier).label


def build_summary(group, data: dict, *, today: date) -> Summary:
    """Everything chosen in the draft, the tier and premium, and any rule it breaks now."""
    sub = subscriber_dates(data)
    dependents = dependents_of(data)
    start = coverage_start_of(data)
    subgroup = Subgroup.objects.for_group(group).filter(pk=sub.get("subgroup_id")).first()
    plan_year = rules.plan_year_of(group.renewal_month, start) if start else None
    plan = None
    problems = []
    plan_id = (data.get("plan") or {}).get("plan_id")
    if subgroup and plan_year:
        plan = selectors.offered_plans(group, subgroup.pk, plan_year).filter(pk=plan_id).first()
        if plan is None:
            problems.append("The chosen plan is not offered to %s for plan year %d." % (subgroup.name, plan_year))
    tier = tier_of(data)
    premium = None
    if plan:
        premium = selectors.plan_premiums(
            group, [plan], plan_year=plan_year, tier=tier, members=rating_members(data), coverage_start=start
        )[plan.pk]
    if start and sub.get("date_of_birth"):
        problems += rules.enrollment_problems(
            subscriber_date_of_birth=sub["date_of_birth"],
            hire_date=sub["hire_date"],
            waiting_days=group.waiting_period_days,
            coverage_start=start,
            dependents=[(d["relationship"], d["date_of_birth"]) for d in dependents],
            today=today,
            zip_code=sub.get("zip_code", ""),
            middle_initials=[sub.get("middle_initial", "")] + [d.get("middle_initial", "") for d in dependents],
        )
    sub["gender_label"] = Gender(sub["gender"]).label if sub.get("gender") in Gender.values else ""
    sub["marital_status_label"] = dict(Subscriber.MaritalStatus.choices).get(sub.get("marital_status"), "")
    for dep in dependents:
        dep["relationship_label"] = dict(Dependent.Relationship.choices).get(dep.get("relationship"), "")
    return Summary(sub, subgroup, plan, start, plan_year, tier, premium, dependents, problems)
