"""Writes: the New Enrollment wizard's draft, and confirming it into the request pipeline."""

from __future__ import annotations

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.fields import mask_ssn, ssn_fields
from enrollment import change_requests, open_enrollment, rules, wizard
from enrollment.models import ChangeRequest, Coverage, CoveredMember, Dependent, EnrollmentDraft, Subscriber

PERSON_FIELDS = ("first_name", "middle_initial", "last_name", "gender")
SUBSCRIBER_FIELDS = PERSON_FIELDS + (
    "marital_status", "address_line1", "address_line2", "city", "state", "zip_code", "phone", "email",
)


def _ssn_fields(ssn: str, previous: dict) -> dict:
    """Encrypt a newly typed SSN, or keep the one already in the draft when none was typed."""
    fields = ssn_fields(ssn)
    if not fields["ssn_last4"]:
        return {k: previous.get(k, "") for k in fields}
    return fields


def _touch(draft: EnrollmentDraft) -> None:
    draft.updated_at = timezone.now()
    draft.save(update_fields=["data", "updated_at"])


@transaction.atomic
def save_subscriber_step(*, group, acting_user, draft: EnrollmentDraft | None, cleaned_data: dict) -> EnrollmentDraft:
    """Store step 1 (creating the draft on the first save)."""
    if draft is None:
        draft = EnrollmentDraft.objects.create(group=group, created_by=acting_user, data={})
    previous = draft.data.get("subscriber") or {}
    subscriber = {name: cleaned_data[name] for name in SUBSCRIBER_FIELDS}
    subscriber.update(
        date_of_birth=cleaned_data["date_of_birth"].isoformat(),
        hire_date=cleaned_data["hire_date"].isoformat(),
        subgroup_id=cleaned_data["subgroup"].pk,
        **_ssn_fields(cleaned_data.get("ssn"), previous),
    )
    draft.data["subscriber"] = subscriber
    _touch(draft)
    return draft


@transaction.atomic
def save_plan_step(*, draft: EnrollmentDraft, cleaned_data: dict) -> EnrollmentDraft:
    draft.data["plan"] = {"plan_id": cleaned_data["plan"].pk, "coverage_start": cleaned_data["coverage_start"].isoformat()}
    _touch(draft)
    return draft


@transaction.atomic
def save_dependents_step(*, draft: EnrollmentDraft, cleaned_forms: list[dict], done: bool) -> EnrollmentDraft:
    """Store the dependents entered so far; `done` when the admin moves on to the summary."""
    previous = {d.get("key"): d for d in draft.data.get("dependents") or []}
    dependents = []
    for data in cleaned_forms:
        key = data.get("key") if data.get("key") in previous else uuid.uuid4().hex
        on_file = previous.get(key, {}).get("dependent_pk")  # Begin Enrollment: a dependent already on file
        dependents.append({
            "key": key,
            **({"dependent_pk": on_file} if on_file else {}),
            **{name: data[name] for name in PERSON_FIELDS},
            "date_of_birth": data["date_of_birth"].isoformat(),
            "relationship": data["relationship"],
            "elect_coverage": bool(data["elect_coverage"]),
            "has_other_coverage": bool(data.get("has_other_coverage")),
            "other_carrier": data.get("other_carrier", ""),
            "other_policy_number": data.get("other_policy_number", ""),
            **_ssn_fields(data.get("ssn"), previous.get(key, {})),
        })
    draft.data["dependents"] = dependents
    draft.data["dependents_done"] = done
    _touch(draft)
    return draft


@transaction.atomic
def discard_draft(*, draft: EnrollmentDraft) -> None:
    """Delete the draft unless it was confirmed, checked on the row locked (a confirm in another tab)."""
    locked = EnrollmentDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is not None and locked.request_id is None:
        locked.delete()


def snapshot_of(summary: wizard.Summary) -> dict:
    """Return what was asked, as confirmed, for the Track Requests page. SSNs only masked."""
    sub = summary.subscriber
    return {
        "subscriber": {
            "name": " ".join(filter(None, [sub["first_name"], sub["middle_initial"] and sub["middle_initial"] + ".", sub["last_name"]])),
            "date_of_birth": sub["date_of_birth"].isoformat(),
            "gender": sub["gender_label"],
            "marital_status": sub["marital_status_label"],
            "ssn": mask_ssn(sub.get("ssn_last4", "")),
            "address": ", ".join(filter(None, [sub["address_line1"], sub["address_line2"], sub["city"], "%s %s" % (sub["state"], sub["zip_code"])])),
            "phone": sub["phone"],
            "email": sub["email"],
            "hire_date": sub["hire_date"].isoformat(),
            "subgroup": summary.subgroup.name,
        },
        "plan": {"code": summary.plan.code, "name": summary.plan.name, "plan_year": summary.plan_year},
        "coverage_start": summary.coverage_start.isoformat(),
        "tier": summary.tier,
        "monthly_premium": str(summary.premium) if summary.premium is not None else None,
        "dependents": [
            {
                "name": " ".join(filter(None, [d["first_name"], d["middle_initial"] and d["middle_initial"] + ".", d["last_name"]])),
                "date_of_birth": d["date_of_birth"].isoformat(),
                "relationship": d["relationship_label"],
                "ssn": mask_ssn(d.get("ssn_last4", "")),
                "elect_coverage": d["elect_coverage"],
                "has_other_coverage": d.get("has_other_coverage", False),
                "other_carrier": d.get("other_carrier", ""),
                "other_policy_number": d.get("other_policy_number", ""),
            }
            for d in summary.dependents
        ],
    }


@transaction.atomic
def confirm_new_enrollment(*, group, draft_id: int, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Store the subscriber, dependents, pending coverage and the `received` request in one transaction.

    The draft row is locked, so two confirms of one draft at once give one request: the
    second returns the first's. Raise ValidationError (nothing saved) when a rule fails.
    An open enrollment's Begin Enrollment draft links the existing subscriber instead
    (enrollment.open_enrollment.submit_begin_enrollment).
    """
    draft = EnrollmentDraft.objects.for_group(group).select_for_update().get(pk=draft_id, created_by=acting_user)
    if draft.request_id:
        return draft.request
    missing = wizard.first_missing_step(draft.data, "summary")
    if missing:
        raise ValidationError(
            "Complete the %(label)s step first.", code="step_missing", params={"step": missing, "label": wizard.STEP_LABELS[missing]}
        )
    summary = wizard.build_summary(group, draft.data, today=today)
    if summary.problems or summary.plan is None or summary.subgroup is None:
        raise ValidationError(summary.problems or ["The enrollment is incomplete."], code="rules")
    if wizard.is_open_enrollment(draft.data):
        request = open_enrollment.submit_begin_enrollment(
            group=group, draft=draft, summary=summary, acting_user=acting_user, today=today, ip_address=ip_address,
        )
        draft.request = request
        draft.updated_at = timezone.now()
        draft.save(update_fields=["request", "updated_at"])
        return request
    sub = summary.subscriber
    subscriber = Subscriber(
        group=group, subgroup=summary.subgroup, date_of_birth=sub["date_of_birth"], hire_date=sub["hire_date"],
        ssn_encrypted=sub.get("ssn_encrypted", ""), ssn_last4=sub.get("ssn_last4", ""), ssn_hash=sub.get("ssn_hash", ""),
        **{name: sub[name] for name in SUBSCRIBER_FIELDS},
    )
    try:
        with transaction.atomic():
            subscriber.save()
    except IntegrityError:
        raise ValidationError(
            "A subscriber with the same SSN, or the same name and date of birth, is already in the group.",
            code="duplicate_subscriber",
        ) from None
    coverage = Coverage.objects.create(
        group=group, subscriber=subscriber, plan=summary.plan, plan_year=summary.plan_year, tier=summary.tier,
        start=summary.coverage_start, status=Coverage.Status.PENDING,
    )
    for data in summary.dependents:
        dependent = Dependent.objects.create(
            group=group, subscriber=subscriber, date_of_birth=data["date_of_birth"], relationship=data["relationship"],
            **rules.other_coverage(
                elected=data["elect_coverage"], has_other=data.get("has_other_coverage"),
                carrier=data.get("other_carrier", ""), policy_number=data.get("other_policy_number", ""),
            ),
            ssn_encrypted=data.get("ssn_encrypted", ""), ssn_last4=data.get("ssn_last4", ""), ssn_hash=data.get("ssn_hash", ""),
            **{name: data[name] for name in PERSON_FIELDS},
        )
        if data["elect_coverage"]:
            CoveredMember.objects.create(coverage=coverage, dependent=dependent)
    request = change_requests.submit(
        group=group, kind=ChangeRequest.Kind.NEW_ENROLLMENT, acting_user=acting_user, snapshot=snapshot_of(summary),
        subscriber=subscriber, coverage=coverage, ip_address=ip_address,
    )
    draft.request = request
    draft.updated_at = timezone.now()
    draft.save(update_fields=["request", "updated_at"])
    return request
