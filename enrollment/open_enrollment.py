"""Open Enrollment's writes: Keep Existing Coverage, Decline Coverage and Begin Enrollment (through the wizard).

Each confirmed option is a request (enrollment.change_requests.submit) the worker applies
(enrollment.oe_processors). Every function checks the window itself, with the group's own
date, so a forged POST outside it is refused here and saves nothing, whatever the view did.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from core.fields import mask_ssn
from enrollment import change_requests, oe_selectors, rules, wizard
from enrollment.models import ChangeRequest, Coverage, Dependent, EnrollmentDraft, OpenEnrollmentElection, Subscriber

Kind = ChangeRequest.Kind
DeclineReason = OpenEnrollmentElection.DeclineReason
# What the wizard's subscriber step holds besides dates, subgroup and SSN (enrollment.services.save_subscriber_step).
WIZARD_SUBSCRIBER_FIELDS = (
    "first_name", "middle_initial", "last_name", "gender", "marital_status",
    "address_line1", "address_line2", "city", "state", "zip_code", "phone", "email",
)
WIZARD_DEPENDENT_FIELDS = ("first_name", "middle_initial", "last_name", "gender", "relationship")


def open_window(group, today: date) -> oe_selectors.Window:
    """Return the group's open-enrollment window if it is open on `today`, else raise ValidationError."""
    window = oe_selectors.window_for(group, today)
    if not window.is_open:
        raise ValidationError(closed_message(window), code="outside_open_enrollment")
    return window


def closed_message(window: oe_selectors.Window) -> str:
    return "Open enrollment is not open today: for the plan year %d it runs from %s through %s. Nothing was saved." % (
        window.plan_year, _shown(window.opens), _shown(window.closes),
    )


def _shown(day: date) -> str:
    return day.strftime("%b %-d, %Y")


def lock_participant(group, subscriber_pk: int, window: oe_selectors.Window) -> tuple[Subscriber, Coverage]:
    """Lock the subscriber and return them with the coverage to renew, or raise ValidationError.

    The coverage must be in force on the day before the renewal date and continue past it
    (open-ended), or have been ended there by this open enrollment's election: a coverage
    already ending for another reason (a termination) has nothing to renew.
    """
    subscriber = Subscriber.objects.for_group(group).select_for_update(of=("self",)).select_related("subgroup").filter(pk=subscriber_pk).first()
    if subscriber is None:
        raise ValidationError("This subscriber is not in the group.", code="no_subscriber")
    coverage = oe_selectors.in_force_before_renewal(window).filter(subscriber=subscriber).select_related("plan").first()
    if coverage is None:
        raise ValidationError(
            "%(name)s has no coverage in force on %(day)s to renew.", code="no_coverage",
            params={"name": subscriber.full_name, "day": _shown(window.day_before_renewal)},
        )
    if coverage.end is not None:
        election = oe_selectors.election_of(subscriber, window.plan_year)
        if election is None or election.ended_coverage_id != coverage.pk:
            raise ValidationError(
                "%(name)s's coverage ends on %(end)s: open enrollment renews only coverage continuing past the renewal date.",
                code="coverage_ending", params={"name": subscriber.full_name, "end": _shown(coverage.end)},
            )
    return subscriber, coverage


def _base_snapshot(window, subscriber, choice: str, coverage: Coverage, premium) -> dict:
    """What every open-enrollment request records: the subscriber, the plan year, and this year's coverage."""
    return {
        "choice": choice,
        "plan_year": window.plan_year,
        "renewal_date": window.renewal_date.isoformat(),
        "subscriber": {"name": subscriber.full_name, "subscriber_number": subscriber.subscriber_number, "subgroup": subscriber.subgroup.name},
        "current": {
            "plan": {"code": coverage.plan.code, "name": coverage.plan.name},
            "plan_year": coverage.plan_year,
            "tier": coverage.tier,
            "monthly_premium": _money(premium),
        },
    }


def _money(value) -> str | None:
    return str(value) if value is not None else None


# --- Keep Existing Coverage -----------------------------------------------------------------------


@transaction.atomic
def keep_existing_coverage(*, group, subscriber_pk: int, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Confirm the current elections rolled into the new plan year (the successor plan where the plan is discontinued)."""
    window = open_window(group, today)
    subscriber, _ = lock_participant(group, subscriber_pk, window)
    roll = oe_selectors.rollover(group, subscriber, window)
    if roll.problems:
        raise ValidationError(" ".join(roll.problems), code="cannot_carry_over")
    snapshot = _base_snapshot(window, subscriber, OpenEnrollmentElection.Choice.KEEP, roll.coverage, roll.premium)
    snapshot.update(
        plan={"id": roll.plan.pk, "code": roll.plan.code, "name": roll.plan.name, "via_successor": roll.via_successor},
        tier=roll.tier,
        coverage_start=window.renewal_date.isoformat(),
        monthly_premium=_money(roll.new_premium),
        difference=_money(roll.difference),
        dependents=[_dependent_snapshot(d, covered=True) for d in roll.kept],
        left_out=[{"id": d.pk, "name": d.full_name, "reason": reason} for d, reason in roll.left_out],
        flags=roll.flags,
    )
    return change_requests.submit(
        group=group, kind=Kind.OE_KEEP, acting_user=acting_user, snapshot=snapshot, subscriber=subscriber, ip_address=ip_address,
    )


def _dependent_snapshot(dependent: Dependent, *, covered: bool, new: bool = False) -> dict:
    return {
        "id": dependent.pk,
        "name": dependent.full_name,
        "relationship": dependent.get_relationship_display(),
        "date_of_birth": dependent.date_of_birth.isoformat(),
        "elect_coverage": covered,
        "new": new,
    }


# --- Decline Coverage -------------------------------------------------------------------------------


@transaction.atomic
def decline_coverage(
    *, group, subscriber_pk: int, reason: str, alternate_plan_name: str, acting_user, today: date, ip_address=None
) -> ChangeRequest:
    """Confirm declining coverage for the new plan year: coverage ends on the day before the renewal date."""
    window = open_window(group, today)
    if reason and reason not in DeclineReason.values:
        raise ValidationError({"reason": ValidationError("Choose one of the reasons listed.", code="decline_reason_invalid")})
    rules.check_decline(reason, alternate_plan_name)
    subscriber, coverage = lock_participant(group, subscriber_pk, window)
    premium = oe_selectors.premiums_of(group, [coverage], window.current_plan_year)[coverage.pk]
    snapshot = _base_snapshot(window, subscriber, OpenEnrollmentElection.Choice.DECLINE, coverage, premium)
    snapshot.update(
        reason=reason,
        reason_label=DeclineReason(reason).label,
        alternate_plan_name=(alternate_plan_name or "").strip(),
        coverage_ends=window.day_before_renewal.isoformat(),
    )
    return change_requests.submit(
        group=group, kind=Kind.OE_DECLINE, acting_user=acting_user, snapshot=snapshot, subscriber=subscriber, ip_address=ip_address,
    )


# --- Begin Enrollment: the New Enrollment wizard, prefilled ----------------------------------------


@transaction.atomic
def start_begin_enrollment(*, group, subscriber_pk: int, acting_user, today: date) -> EnrollmentDraft:
    """Return a New Enrollment draft for the new plan year prefilled with the subscriber and dependents.

    The coverage start is the renewal date. A child who will be past the end of the month
    they turn 26 on that date is left out, with the reason kept on the draft. The admin's
    unconfirmed draft for the same subscriber and plan year is continued rather than doubled.
    """
    window = open_window(group, today)
    subscriber, coverage = lock_participant(group, subscriber_pk, window)
    existing = (
        EnrollmentDraft.objects.for_group(group)
        .filter(created_by=acting_user, request__isnull=True, data__mode=wizard.OE_BEGIN)
        .filter(data__subscriber_pk=subscriber.pk, data__plan_year=window.plan_year)
        .first()
    )
    if existing:
        return existing
    covered = set(coverage.covered_members.values_list("dependent_id", flat=True))
    dependents, flags = [], []
    for dependent in Dependent.objects.for_group(group).filter(subscriber=subscriber, removed_on__isnull=True).order_by("member_suffix", "pk"):
        if rules.aged_out_on(dependent.relationship, dependent.date_of_birth, window.renewal_date):
            child = oe_selectors.AgedOutChild(subscriber, dependent, rules.child_eligible_through(dependent.date_of_birth))
            flags.append("%s: %s" % (dependent.full_name, child.reason))
            continue
        dependents.append({
            "key": uuid.uuid4().hex,
            "dependent_pk": dependent.pk,
            **{name: getattr(dependent, name) for name in WIZARD_DEPENDENT_FIELDS},
            "date_of_birth": dependent.date_of_birth.isoformat(),
            "elect_coverage": dependent.pk in covered,
            "has_other_coverage": dependent.has_other_coverage,
            "other_carrier": dependent.other_carrier,
            "other_policy_number": dependent.other_policy_number,
            "ssn_encrypted": dependent.ssn_encrypted, "ssn_last4": dependent.ssn_last4, "ssn_hash": dependent.ssn_hash,
        })
    data = {
        "mode": wizard.OE_BEGIN,
        "subscriber_pk": subscriber.pk,
        "subscriber_number": subscriber.subscriber_number,
        "plan_year": window.plan_year,
        "renewal_date": window.renewal_date.isoformat(),
        "flags": flags,
        "subscriber": {
            **{name: getattr(subscriber, name) for name in WIZARD_SUBSCRIBER_FIELDS},
            "date_of_birth": subscriber.date_of_birth.isoformat(),
            "hire_date": subscriber.hire_date.isoformat(),
            "subgroup_id": subscriber.subgroup_id,
            "ssn_encrypted": subscriber.ssn_encrypted, "ssn_last4": subscriber.ssn_last4, "ssn_hash": subscriber.ssn_hash,
        },
        "dependents": dependents,
        "dependents_done": False,
    }
    return EnrollmentDraft.objects.create(group=group, created_by=acting_user, data=data)


def submit_begin_enrollment(*, group, draft: EnrollmentDraft, summary: wizard.Summary, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Confirm a Begin Enrollment draft (inside enrollment.services.confirm_new_enrollment's transaction, the draft locked).

    No second subscriber: the existing one is linked; dependents added in the wizard become
    Dependent rows, those already on file keep their details (only whether they have other
    coverage is updated). The worker writes the new plan year's coverage.
    """
    window = open_window(group, today)
    if draft.data.get("plan_year") != window.plan_year:
        raise ValidationError("This enrollment was started for another open enrollment: start it again.", code="stale_draft")
    subscriber, coverage = lock_participant(group, draft.data["subscriber_pk"], window)
    if summary.subgroup.pk != subscriber.subgroup_id:
        raise ValidationError("The subscriber's subgroup changed since this enrollment was started: start it again.", code="stale_draft")
    if summary.coverage_start != window.renewal_date:
        raise ValidationError("Open enrollment coverage starts on the renewal date, %(day)s.", code="start_not_renewal",
                              params={"day": _shown(window.renewal_date)})
    on_file = Dependent.objects.for_group(group).filter(subscriber=subscriber).in_bulk(
        [d["dependent_pk"] for d in summary.dependents if d.get("dependent_pk")]
    )
    entries = []
    for data in summary.dependents:
        other = rules.other_coverage(
            elected=data["elect_coverage"], has_other=data.get("has_other_coverage"),
            carrier=data.get("other_carrier", ""), policy_number=data.get("other_policy_number", ""),
        )
        if data.get("dependent_pk"):
            dependent = on_file.get(data["dependent_pk"])
            if dependent is None or dependent.removed_on is not None:
                raise ValidationError("A dependent of this enrollment is no longer on file: start it again.", code="stale_draft")
            for name, value in other.items():
                setattr(dependent, name, value)
            dependent.save(update_fields=list(other))
            new = False
        else:
            dependent = Dependent.objects.create(
                group=group, subscriber=subscriber, date_of_birth=data["date_of_birth"], relationship=data["relationship"],
                ssn_encrypted=data.get("ssn_encrypted", ""), ssn_last4=data.get("ssn_last4", ""), ssn_hash=data.get("ssn_hash", ""),
                **{name: data[name] for name in ("first_name", "middle_initial", "last_name", "gender")}, **other,
            )
            new = True
        entry = _dependent_snapshot(dependent, covered=data["elect_coverage"], new=new)
        entry.update(ssn=mask_ssn(dependent.ssn_last4), **{k: v for k, v in other.items()})
        entries.append(entry)
    premium = oe_selectors.premiums_of(group, [coverage], window.current_plan_year)[coverage.pk]
    snapshot = _base_snapshot(window, subscriber, OpenEnrollmentElection.Choice.BEGIN, coverage, premium)
    snapshot.update(
        plan={"id": summary.plan.pk, "code": summary.plan.code, "name": summary.plan.name},
        tier=summary.tier,
        coverage_start=window.renewal_date.isoformat(),
        monthly_premium=_money(summary.premium),
        difference=_money(summary.premium - premium if summary.premium is not None and premium is not None else None),
        dependents=entries,
        flags=list(draft.data.get("flags") or []),
    )
    return change_requests.submit(
        group=group, kind=Kind.OE_BEGIN, acting_user=acting_user, snapshot=snapshot, subscriber=subscriber, ip_address=ip_address,
    )
