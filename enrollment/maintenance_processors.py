"""What the worker does with roster maintenance requests (registered in enrollment.processors).

Each `process_<kind>` re-checks the rules against the database as it is now, then applies the
request (`apply_<kind>`, which a billing specialist also calls through "Approve and apply"),
leaves it to a specialist (needs review: a late life event, a termination or coverage start
beyond the group's retro window) or rejects it with a reason. enrollment.processors wraps each
call in a django-pghistory context naming the confirmation number and who asked, so the
History tab can say who changed what through which request.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from core import identifiers
from core.tasks import send_templated_email
from enrollment import coverage_changes, id_cards, request_status, rules, selectors
from enrollment.documents import store_private_file
from enrollment.models import ChangeRequest, Coverage, Dependent, IDCardOrder, Subscriber

Kind = ChangeRequest.Kind


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def _requested_on(request: ChangeRequest) -> date:
    """The day the admin confirmed the request (the service's `today`, kept in the snapshot)."""
    if request.snapshot.get("requested_on"):
        return _day(request.snapshot["requested_on"])
    return timezone.localdate(request.submitted_at)


def _subscriber(request: ChangeRequest) -> Subscriber:
    """Lock and return the request's subscriber: every change of one subscriber is applied one at a time."""
    return Subscriber.objects.for_group(request.group_id).select_for_update().select_related("group").get(pk=request.subscriber_id)


def _dependent(request: ChangeRequest, subscriber) -> Dependent | None:
    dependent_id = request.snapshot.get("dependent_id")
    if not dependent_id:
        return None
    return Dependent.objects.for_group(request.group_id).filter(subscriber=subscriber, pk=dependent_id).first()


def _outside_retro(day: date, today: date, group) -> bool:
    return not rules.within_retro_window(day, today, group.retro_days)


# --- Demographic update and PCP change ---------------------------------------------------------

DEMOGRAPHIC_FIELDS = {
    "subscriber": ("first_name", "middle_initial", "last_name", "marital_status", "address_line1", "address_line2",
                   "city", "state", "zip_code", "phone", "email"),
    "dependent": ("first_name", "middle_initial", "last_name"),
}


def process_demographic_update(request: ChangeRequest, *, today: date) -> None:
    apply_demographic_update(request, actor=None)


def apply_demographic_update(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    target = request.snapshot.get("target", "subscriber")
    person = subscriber if target == "subscriber" else _dependent(request, subscriber)
    if person is None:
        request_status.reject(request, reason="The dependent is no longer on this subscriber's record.", actor=actor)
        return
    values = {name: value for name, value in request.snapshot.get("values", {}).items() if name in DEMOGRAPHIC_FIELDS[target]}
    for name, value in values.items():
        setattr(person, name, value)
    person.save(update_fields=list(values))
    labels = ", ".join(change["label"] for change in request.snapshot.get("changes", []))
    request_status.complete(request, note="Updated: %s." % labels, actor=actor)


def process_pcp_change(request: ChangeRequest, *, today: date) -> None:
    apply_pcp_change(request, actor=None)


def apply_pcp_change(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    person = _dependent(request, subscriber) if request.snapshot.get("dependent_id") else subscriber
    if person is None:
        request_status.reject(request, reason="The dependent is no longer on this subscriber's record.", actor=actor)
        return
    person.pcp_name, person.pcp_id = request.snapshot["pcp_name"], request.snapshot["pcp_id"]
    person.save(update_fields=["pcp_name", "pcp_id"])
    request_status.complete(request, note="Primary care provider of %s: %s." % (person.full_name, person.pcp_name or "none"), actor=actor)


# --- Dependent added through a life event ---------------------------------------------------------


def dependent_added_problems(request: ChangeRequest, subscriber, *, today: date) -> list[str]:
    """Return why the dependent cannot be added now (empty when they can)."""
    snap = request.snapshot
    person = snap["dependent"]
    start = _day(snap["coverage_start"])
    problems = []
    current = list(Dependent.objects.for_group(subscriber.group_id).filter(subscriber=subscriber, removed_on__isnull=True))
    try:
        rules.check_dependent(
            relationship=person["relationship"], date_of_birth=_day(person["date_of_birth"]),
            subscriber_date_of_birth=subscriber.date_of_birth, coverage_start=start, today=today,
        )
        rules.check_one_spouse([d.relationship for d in current] + [person["relationship"]])
    except ValidationError as error:
        problems.extend(error.messages)
    if not coverage_changes.in_force_on(subscriber, start):
        problems.append("The subscriber has no coverage on %s to add a dependent to." % _shown(start))
    same = [d for d in current if d.first_name.lower() == person["first_name"].lower() and d.date_of_birth.isoformat() == person["date_of_birth"]]
    if same:
        problems.append("%s is already a dependent of this subscriber." % same[0].full_name)
    return problems


def process_dependent_added(request: ChangeRequest, *, today: date) -> None:
    subscriber = _subscriber(request)
    problems = dependent_added_problems(request, subscriber, today=today)
    if problems:
        request_status.reject(request, reason=" ".join(problems))
        return
    snap = request.snapshot
    event, event_date = snap["event"], _day(snap["event_date"])
    if not rules.within_special_enrollment_window(event, event_date, _requested_on(request)):
        request_status.needs_review(request, reason=(
            "The request came more than %d days after the event: a billing specialist decides whether to accept the late enrollment."
            % rules.special_enrollment_days(event)
        ))
        return
    if _outside_retro(_day(snap["coverage_start"]), today, subscriber.group):
        request_status.needs_review(request, reason=(
            "Coverage would start more than %d days in the past: a billing specialist must approve it." % subscriber.group.retro_days
        ))
        return
    apply_dependent_added(request, actor=None)


def apply_dependent_added(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    problems = dependent_added_problems(request, subscriber, today=timezone.localdate())
    if problems:
        request_status.reject(request, reason=" ".join(problems), actor=actor)
        return
    person = request.snapshot["dependent"]
    taken = Dependent.objects.for_group(subscriber.group_id).filter(subscriber=subscriber).exclude(member_suffix="")
    dependent = Dependent.objects.create(
        group_id=subscriber.group_id, subscriber=subscriber, relationship=person["relationship"],
        first_name=person["first_name"], middle_initial=person.get("middle_initial", ""), last_name=person["last_name"],
        date_of_birth=_day(person["date_of_birth"]), gender=person["gender"],
        member_suffix=identifiers.next_member_suffix(taken.values_list("member_suffix", flat=True)) if subscriber.subscriber_number else "",
    )
    start = _day(request.snapshot["coverage_start"])
    rows = coverage_changes.change_members_from(subscriber=subscriber, day=start, add=[dependent])
    request_status.complete(request, note="%s added (member ID %s), covered from %s; tier %s." % (
        dependent.full_name, identifiers.member_id(subscriber.subscriber_number, dependent.member_suffix) or "pending",
        _shown(start), rows[0].tier,
    ), actor=actor)


# --- Dependent removed (one dependent's coverage ends; the subscriber's goes on) -------------------

REMOVES_DEPENDENT = {Coverage.TerminationReason.DIVORCE, Coverage.TerminationReason.DEATH, Coverage.TerminationReason.AGED_OUT, "ineligible"}


def process_dependent_removed(request: ChangeRequest, *, today: date) -> None:
    subscriber = _subscriber(request)
    dependent = _dependent(request, subscriber)
    end = _day(request.snapshot["coverage_end"])
    if dependent is None or not coverage_changes.dependent_covered_after(subscriber, dependent, end):
        request_status.reject(request, reason="The dependent is not covered after %s." % _shown(end))
        return
    if _outside_retro(end, today, subscriber.group):
        request_status.needs_review(request, reason=(
            "The coverage would end more than %d days in the past: a billing specialist must approve it." % subscriber.group.retro_days
        ))
        return
    apply_dependent_removed(request, actor=None)


def apply_dependent_removed(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    dependent = _dependent(request, subscriber)
    end = _day(request.snapshot["coverage_end"])
    if dependent is None or not coverage_changes.dependent_covered_after(subscriber, dependent, end):
        request_status.reject(request, reason="The dependent is not covered after %s." % _shown(end), actor=actor)
        return
    rows = coverage_changes.change_members_from(subscriber=subscriber, day=end + timedelta(days=1), remove=[dependent])
    if request.snapshot.get("reason") in REMOVES_DEPENDENT and dependent.removed_on is None:
        dependent.removed_on = _day(request.snapshot["termination_date"])
        dependent.save(update_fields=["removed_on"])
    request_status.complete(request, note="%s's coverage ends on %s; tier %s from %s." % (
        dependent.full_name, _shown(end), rows[0].tier, _shown(end + timedelta(days=1)),
    ), actor=actor)


# --- Termination of the subscriber's coverage (and so every dependent's) ---------------------------


def process_termination(request: ChangeRequest, *, today: date) -> None:
    subscriber = _subscriber(request)
    end = _day(request.snapshot["coverage_end"])
    if not coverage_changes.rows_from(subscriber, end + timedelta(days=1)):
        request_status.reject(request, reason="The coverage already ends on or before %s." % _shown(end))
        return
    if _outside_retro(end, today, subscriber.group):
        request_status.needs_review(request, reason=(
            "The coverage would end more than %d days in the past: a billing specialist must approve it." % subscriber.group.retro_days
        ))
        return
    apply_termination(request, actor=None)


def apply_termination(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    end = _day(request.snapshot["coverage_end"])
    try:
        coverage_changes.end_coverage(subscriber=subscriber, end=end, reason=request.snapshot["reason"])
    except coverage_changes.NoCoverage as error:
        request_status.reject(request, reason=str(error), actor=actor)
        return
    request_status.complete(request, note="Coverage ends on %s." % _shown(end), actor=actor)


# --- Reinstatement -------------------------------------------------------------------------------------


def _reinstatement_plan_year(subscriber, ended) -> int | None:
    """Return the plan year the reinstated row falls in, or None when its plan is not offered then."""
    start = rules.reinstatement_start(ended.end)
    plan_year = rules.plan_year_of(subscriber.group.renewal_month, start)
    offered = selectors.offered_plans(subscriber.group, subscriber.subgroup_id, plan_year).filter(pk=ended.plan_id).exists()
    return plan_year if offered else None


def process_reinstatement(request: ChangeRequest, *, today: date) -> None:
    subscriber = _subscriber(request)
    ended = coverage_changes.last_ended_row(subscriber)
    if ended is None or ended.end.isoformat() != request.snapshot["ended_on"]:
        request_status.reject(request, reason="The coverage is no longer terminated as it was when the request was made.")
        return
    if not rules.may_reinstate(ended.end, today):
        request_status.needs_review(request, reason=(
            "The coverage ended more than %d days ago: a billing specialist must approve the reinstatement." % rules.REINSTATEMENT_DAYS
        ))
        return
    if _reinstatement_plan_year(subscriber, ended) is None:
        request_status.needs_review(request, reason="The plan is not offered for the plan year the reinstated coverage falls in.")
        return
    apply_reinstatement(request, actor=None)


def apply_reinstatement(request: ChangeRequest, *, actor) -> None:
    subscriber = _subscriber(request)
    ended = coverage_changes.last_ended_row(subscriber)
    if ended is None:
        request_status.reject(request, reason="The coverage is not terminated.", actor=actor)
        return
    plan_year = _reinstatement_plan_year(subscriber, ended) or ended.plan_year
    row = coverage_changes.reinstate(subscriber=subscriber, ended=ended, plan_year=plan_year)
    request.coverage = row
    request.save(update_fields=["coverage"])
    request_status.complete(request, note="Coverage reinstated from %s, continuing with no gap." % _shown(row.start), actor=actor)


# --- ID card order --------------------------------------------------------------------------------------


def process_id_card_order(request: ChangeRequest, *, today: date) -> None:
    apply_id_card_order(request, actor=None)


def apply_id_card_order(request: ChangeRequest, *, actor) -> None:
    """Render the cards as a PDF, keep it privately, mark the order shipped and email the admin."""
    subscriber = _subscriber(request)
    order = IDCardOrder.objects.for_group(request.group_id).select_for_update(of=("self",)).select_related("group", "subscriber").get(request=request)
    today = timezone.localdate()
    if not subscriber.subscriber_number:
        request_status.reject(request, reason="The subscriber has no subscriber ID yet: order cards once the enrollment is completed.", actor=actor)
        return
    if not id_cards.member_dependents_covered(order, today=today):
        request_status.reject(request, reason="A member on the order is not covered.", actor=actor)
        return
    cards = id_cards.cards_for(order, today=today)
    if not cards:
        request_status.reject(request, reason="The subscriber has no coverage to print a card for.", actor=actor)
        return
    # The file is written before the commit; if the transaction rolls back it stays unreferenced (a random name, harmless).
    order.card_file = store_private_file("id-cards", "pdf", id_cards.render_pdf(cards, printed_on=today))
    order.status = IDCardOrder.Status.SHIPPED
    order.shipped_at = timezone.now()
    order.save(update_fields=["card_file", "status", "shipped_at"])
    request_status.complete(request, note="%d card%s printed and shipped." % (len(cards), "" if len(cards) == 1 else "s"), actor=actor)
    email_order_shipped(request)


def email_order_shipped(request: ChangeRequest) -> None:
    """Email "ID card order shipped" to the admin who ordered, after the commit (no member names in it)."""
    user = request.submitted_by
    if not user.email:
        return
    context = {
        "first_name": user.first_name, "confirmation_number": request.display_number,
        "group_number": request.group.group_number, "subscriber_number": request.subscriber.subscriber_number,
    }
    transaction.on_commit(lambda: send_templated_email.delay(template="id_card_shipped", to=[user.email], context=context))


PROCESSORS = {
    Kind.DEMOGRAPHIC_UPDATE: process_demographic_update,
    Kind.PCP_CHANGE: process_pcp_change,
    Kind.DEPENDENT_ADDED: process_dependent_added,
    Kind.DEPENDENT_REMOVED: process_dependent_removed,
    Kind.TERMINATION: process_termination,
    Kind.REINSTATEMENT: process_reinstatement,
    Kind.ID_CARD_ORDER: process_id_card_order,
}
APPLIERS = {
    Kind.DEMOGRAPHIC_UPDATE: apply_demographic_update,
    Kind.PCP_CHANGE: apply_pcp_change,
    Kind.DEPENDENT_ADDED: apply_dependent_added,
    Kind.DEPENDENT_REMOVED: apply_dependent_removed,
    Kind.TERMINATION: apply_termination,
    Kind.REINSTATEMENT: apply_reinstatement,
    Kind.ID_CARD_ORDER: apply_id_card_order,
}
