"""Submit each roster change as a request: one transaction, the subscriber row locked, the rules checked.

Each `submit_*` reads the subscriber through the admin's membership (an admin limited to some
subgroups changes only their subscribers), refuses a second open change of the same kind for
the same member (naming the first), stores what was asked as the request's snapshot and hands
it to the request pipeline (enrollment.change_requests.submit); the worker applies it
(enrollment.maintenance_processors). Raise ValidationError (nothing saved) when a rule fails.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

from accounts.models import User
from enrollment import change_requests, coverage_changes, rules
from enrollment.maintenance import previews
from enrollment.models import ChangeRequest, Coverage, Dependent, IDCardOrder, ProofDocument, Subscriber
from enrollment.selectors import OPEN_REQUEST_STATUSES

Kind = ChangeRequest.Kind
SUBSCRIBER_KEY = "S"
SYSTEM_USERNAME = "portal-system"


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def member_key(dependent: Dependent | None) -> str:
    """Return how a request names its member: "S" for the subscriber, "D<id>" for a dependent."""
    return SUBSCRIBER_KEY if dependent is None else "D%d" % dependent.pk


def open_request_for(subscriber, kind: str, key: str) -> ChangeRequest | None:
    """Return the open request of this kind for this member, if any."""
    return (
        ChangeRequest.objects.for_group(subscriber.group_id)
        .filter(subscriber=subscriber, kind=kind, status__in=OPEN_REQUEST_STATUSES, snapshot__member_key=key)
        .first()
    )


def _lock(membership, subscriber) -> Subscriber:
    """Lock the subscriber, read through the membership: changes of one subscriber are submitted one at a time."""
    return Subscriber.objects.for_membership(membership).select_for_update().select_related("group").get(pk=subscriber.pk)


def new_dependent_key(person: dict) -> str:
    """Return how a request names a dependent not yet in the books: first name and date of birth."""
    return "new:%s|%s" % (person["first_name"].strip().lower(), person["date_of_birth"].isoformat())


def new_dependent_name(person: dict) -> str:
    """Return a new dependent's name as the pages show it: "Nora J. Adams"."""
    return " ".join(filter(None, [person["first_name"], person.get("middle_initial") and person["middle_initial"] + ".", person["last_name"]]))


def refuse_if_open(subscriber, kind: str, key: str) -> None:
    """Raise ValidationError (code open_request, naming it) when the member has an open request of this kind."""
    existing = open_request_for(subscriber, kind, key)
    if existing is not None:
        raise ValidationError(
            "A %(kind)s for this member is already open (%(number)s): wait until it is completed.",
            code="open_request", params={"kind": existing.get_kind_display().lower(), "number": existing.display_number,
                                         "confirmation_number": existing.confirmation_number},
        )


def _dependent_of(membership, subscriber, dependent) -> Dependent | None:
    if dependent is None:
        return None
    return Dependent.objects.for_membership(membership).get(pk=dependent.pk, subscriber=subscriber)


def _reported_on(invoice_number: str) -> dict:
    """The snapshot's note of the invoice a change was reported on (Track Requests names it), if any."""
    return {"reported_on_invoice": invoice_number} if invoice_number else {}


def _submit(*, subscriber, kind, snapshot, acting_user, ip_address=None, coverage=None) -> ChangeRequest:
    return change_requests.submit(
        group=subscriber.group, kind=kind, acting_user=acting_user, snapshot=snapshot, subscriber=subscriber,
        coverage=coverage, ip_address=ip_address,
    )


# --- Personal information and PCP -----------------------------------------------------------------

SUBSCRIBER_FIELDS = ("first_name", "middle_initial", "last_name", "marital_status", "address_line1", "address_line2",
                     "city", "state", "zip_code", "phone", "email")
DEPENDENT_FIELDS = ("first_name", "middle_initial", "last_name")
NAME_FIELDS = {"first_name", "middle_initial", "last_name"}


def field_label(person, name: str) -> str:
    return {"address_line1": "Home address", "address_line2": "Address line 2"}.get(name) or capfirst(str(person._meta.get_field(name).verbose_name))


def display_value(person, name: str, value) -> str:
    field = person._meta.get_field(name)
    return str(dict(field.choices).get(value, value)) if field.choices else str(value or "")


@transaction.atomic
def submit_demographic_update(*, membership, subscriber, dependent=None, values: dict, name_change_reason: str = "",
                              acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Ask to change a subscriber's personal information (or a dependent's name); effective when processed."""
    subscriber = _lock(membership, subscriber)
    dependent = _dependent_of(membership, subscriber, dependent)
    person = dependent or subscriber
    allowed = DEPENDENT_FIELDS if dependent else SUBSCRIBER_FIELDS
    changed = {name: values[name] for name in allowed if name in values and values[name] != getattr(person, name)}
    if not changed:
        raise ValidationError("Nothing was changed.", code="no_change")
    if NAME_FIELDS & set(changed) and not name_change_reason:
        raise ValidationError({"name_change_reason": ValidationError("Give the reason for the name change.", code="name_reason")})
    key = member_key(dependent)
    refuse_if_open(subscriber, Kind.DEMOGRAPHIC_UPDATE, key)
    changes = [
        {"field": name, "label": field_label(person, name),
         "old": display_value(person, name, getattr(person, name)), "new": display_value(person, name, value)}
        for name, value in changed.items()
    ]
    snapshot = {
        "member_key": key, "member": person.full_name, "target": "dependent" if dependent else "subscriber",
        "dependent_id": dependent.pk if dependent else None, "changes": changes, "values": changed,
        "name_change_reason": name_change_reason if NAME_FIELDS & set(changed) else "", "effective_on": today.isoformat(),
    }
    return _submit(subscriber=subscriber, kind=Kind.DEMOGRAPHIC_UPDATE, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)


@transaction.atomic
def submit_pcp_change(*, membership, subscriber, dependent=None, pcp_name: str, pcp_id: str, acting_user, today: date,
                      ip_address=None) -> ChangeRequest:
    """Ask to set or change a member's primary care provider; effective when processed."""
    subscriber = _lock(membership, subscriber)
    dependent = _dependent_of(membership, subscriber, dependent)
    person = dependent or subscriber
    if (pcp_name, pcp_id) == (person.pcp_name, person.pcp_id):
        raise ValidationError("This is already the member's primary care provider.", code="no_change")
    key = member_key(dependent)
    refuse_if_open(subscriber, Kind.PCP_CHANGE, key)
    snapshot = {
        "member_key": key, "member": person.full_name, "dependent_id": dependent.pk if dependent else None,
        "pcp_name": pcp_name, "pcp_id": pcp_id, "old_pcp": " ".join(filter(None, [person.pcp_name, person.pcp_id and "(%s)" % person.pcp_id])),
        "effective_on": today.isoformat(),
    }
    return _submit(subscriber=subscriber, kind=Kind.PCP_CHANGE, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)


# --- Dependent added through a life event ---------------------------------------------------------------

EVENT_LABELS = {
    rules.MARRIAGE: "Marriage or domestic partnership",
    rules.BIRTH: "Birth",
    rules.ADOPTION: "Adoption or placement",
    rules.LOSS_OF_COVERAGE: "Loss of other coverage",
    rules.LOSS_OF_MEDICAID: "Loss of Medicaid or CHIP",
}


def check_dependent_added(subscriber, *, event: str, event_date: date, person: dict, today: date) -> date:
    """Check a life event's new dependent against the rules; return the coverage start. Raise ValidationError keyed by field."""
    rules.check_life_event_date(event_date, today)
    if event == rules.BIRTH and event_date != person["date_of_birth"]:
        raise ValidationError({"event_date": ValidationError("For a birth, the event date is the date of birth.", code="birth_date")})
    if event == rules.MARRIAGE and person["relationship"] not in rules.SPOUSAL:
        raise ValidationError({"relationship": ValidationError("A marriage adds a spouse or domestic partner.", code="marriage_spouse")})
    if event in (rules.BIRTH, rules.ADOPTION) and person["relationship"] not in rules.CHILDREN:
        raise ValidationError({"relationship": ValidationError("A birth, adoption or placement adds a child.", code="event_child")})
    start = rules.life_event_coverage_start(event, event_date)
    try:
        rules.check_dependent(
            relationship=person["relationship"], date_of_birth=person["date_of_birth"],
            subscriber_date_of_birth=subscriber.date_of_birth, coverage_start=start, today=today,
        )
    except ValidationError as error:
        raise ValidationError({"date_of_birth": error}) from None
    current = Dependent.objects.for_group(subscriber.group_id).filter(subscriber=subscriber, removed_on__isnull=True)
    try:
        rules.check_one_spouse(list(current.values_list("relationship", flat=True)) + [person["relationship"]])
    except ValidationError as error:
        raise ValidationError({"relationship": error}) from None
    if not coverage_changes.in_force_on(subscriber, start):
        raise ValidationError({"event_date": ValidationError(
            "The subscriber has no coverage on %s to add a dependent to." % _shown(start), code="no_coverage")})
    return start


def dependent_added_preview(subscriber, *, event: str, event_date: date, person: dict, today: date) -> dict:
    start = rules.life_event_coverage_start(event, event_date)
    change = previews.premium_change(subscriber, on=start, add=(person["relationship"], person["date_of_birth"]))
    late = not rules.within_special_enrollment_window(event, event_date, today)
    return {"coverage_start": start, "premium": change, "late": late, "window_days": rules.special_enrollment_days(event)}


@transaction.atomic
def submit_dependent_added(*, membership, subscriber, event: str, event_date: date, person: dict, document: ProofDocument | None = None,
                           acting_user, today: date, ip_address=None, reported_on_invoice: str = "") -> ChangeRequest:
    """Ask to add and cover a dependent after a life event (marriage, birth, adoption or placement, loss of coverage).

    `reported_on_invoice`: the number of the invoice the change was reported on (Adjust Invoice), kept in the snapshot.
    """
    subscriber = _lock(membership, subscriber)
    start = check_dependent_added(subscriber, event=event, event_date=event_date, person=person, today=today)
    key = new_dependent_key(person)
    refuse_if_open(subscriber, Kind.DEPENDENT_ADDED, key)
    preview = dependent_added_preview(subscriber, event=event, event_date=event_date, person=person, today=today)
    name = new_dependent_name(person)
    snapshot = {
        "member_key": key, "member": name, "requested_on": today.isoformat(), "event": event, "event_label": EVENT_LABELS[event], "event_date": event_date.isoformat(),
        "coverage_start": start.isoformat(),
        "dependent": {
            "first_name": person["first_name"], "middle_initial": person.get("middle_initial", ""), "last_name": person["last_name"],
            "date_of_birth": person["date_of_birth"].isoformat(), "gender": person["gender"], "relationship": person["relationship"],
        },
        "relationship_label": Dependent.Relationship(person["relationship"]).label,
        "late": preview["late"],
        **(preview["premium"].as_snapshot() if preview["premium"] else {}),
        "document": document.get_kind_display() if document else "",
        **_reported_on(reported_on_invoice),
    }
    request = _submit(subscriber=subscriber, kind=Kind.DEPENDENT_ADDED, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)
    if document is not None:
        ProofDocument.objects.for_membership(membership).filter(pk=document.pk, request__isnull=True, subscriber=subscriber).update(request=request)
    return request


# --- Termination (the subscriber, or one dependent) --------------------------------------------------------

SUBSCRIBER_REASONS = (
    Coverage.TerminationReason.END_OF_EMPLOYMENT, Coverage.TerminationReason.REDUCTION_OF_HOURS, Coverage.TerminationReason.DEATH,
    Coverage.TerminationReason.MEDICARE, Coverage.TerminationReason.VOLUNTARY, Coverage.TerminationReason.OTHER,
)
DEPENDENT_REASONS = (
    ("divorce", "Divorce, legal separation or end of partnership"), ("death", "Death"), ("ineligible", "No longer eligible"),
    ("voluntary", "Voluntary (keeps being a dependent)"), ("other", "Other"),
)


def termination_kind(dependent) -> str:
    """A termination of the subscriber ends every member's coverage; of a dependent, it removes them."""
    return Kind.DEPENDENT_REMOVED if dependent is not None else Kind.TERMINATION


def termination_reasons(dependent) -> dict:
    """Return the reasons (value -> label) a termination of the subscriber, or of a dependent, may give."""
    return dict(DEPENDENT_REASONS) if dependent is not None else {r.value: r.label for r in SUBSCRIBER_REASONS}


def termination_preview(subscriber, *, dependent=None, termination_date: date, today: date) -> dict:
    """Return the coverage end, whether it goes to review, the premium change (a dependent) or the expected credit (the subscriber)."""
    end = rules.termination_end(termination_date)
    retro = not rules.within_retro_window(end, today, subscriber.group.retro_days)
    if dependent is not None:
        change = previews.premium_change(subscriber, on=end + timedelta(days=1), remove=dependent)
        return {"coverage_end": end, "retro": retro, "premium": change, "credit": None}
    return {"coverage_end": end, "retro": retro, "premium": None, "credit": previews.expected_credit(subscriber, end=end, today=today)}


def check_termination(subscriber, *, dependent=None, termination_date: date) -> date:
    end = rules.termination_end(termination_date)
    if dependent is not None:
        if not coverage_changes.dependent_covered_after(subscriber, dependent, end):
            raise ValidationError({"termination_date": ValidationError(
                "%s is not covered after %s." % (dependent.full_name, _shown(end)), code="not_covered")})
    elif not Coverage.objects.for_group(subscriber.group_id).regular().filter(subscriber=subscriber, status=Coverage.Status.ACTIVE).exclude(end__lte=end).exists():
        raise ValidationError({"termination_date": ValidationError(
            "The coverage already ends on or before %s." % _shown(end), code="already_ends")})
    return end


@transaction.atomic
def submit_termination(*, membership, subscriber, dependent=None, reason: str, termination_date: date, acting_user, today: date,
                       ip_address=None, reported_on_invoice: str = "") -> ChangeRequest:
    """Ask to end the subscriber's coverage (every member's) or one dependent's, on the last day of the termination date's month.

    `reported_on_invoice`: as for submit_dependent_added.
    """
    subscriber = _lock(membership, subscriber)
    dependent = _dependent_of(membership, subscriber, dependent)
    end = check_termination(subscriber, dependent=dependent, termination_date=termination_date)
    kind = termination_kind(dependent)
    reasons = termination_reasons(dependent)
    if reason not in reasons:
        raise ValidationError({"reason": ValidationError("Choose a reason from the list.", code="reason")})
    key = member_key(dependent)
    refuse_if_open(subscriber, kind, key)
    preview = termination_preview(subscriber, dependent=dependent, termination_date=termination_date, today=today)
    person = dependent or subscriber
    snapshot = {
        "member_key": key, "member": person.full_name, "dependent_id": dependent.pk if dependent else None,
        "reason": reason, "reason_label": str(reasons[reason]), "termination_date": termination_date.isoformat(),
        "coverage_end": end.isoformat(), "retro": preview["retro"],
        **(preview["premium"].as_snapshot() if preview["premium"] else {}),
        "expected_credit": str(preview["credit"]) if preview["credit"] is not None else None,
        **_reported_on(reported_on_invoice),
    }
    return _submit(subscriber=subscriber, kind=kind, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)


# --- Reinstatement -----------------------------------------------------------------------------------------------


def reinstatable_row(subscriber, *, today: date) -> Coverage:
    """Return the subscriber's terminated row that can be reinstated, or raise ValidationError saying why not."""
    ended = coverage_changes.last_ended_row(subscriber)
    if ended is None:
        raise ValidationError("The subscriber's coverage is not terminated.", code="not_terminated")
    if not rules.may_reinstate(ended.end, today):
        raise ValidationError(
            "The coverage ended on %s, more than %d days ago: enroll the subscriber again with New Enrollment."
            % (_shown(ended.end), rules.REINSTATEMENT_DAYS), code="reinstatement_window",
        )
    # The subscriber is never covered twice on one day (the database refuses it): not while continuing under COBRA.
    if Coverage.objects.for_group(subscriber.group_id).live().filter(subscriber=subscriber, covers_subscriber=True, continuation__isnull=False).filter(
        Q(end__isnull=True) | Q(end__gt=ended.end)
    ).exists():
        raise ValidationError(
            "The subscriber continues coverage under COBRA (or state continuation) after %s: end the continuation before reinstating."
            % _shown(ended.end), code="continuing",
        )
    return ended


@transaction.atomic
def submit_reinstatement(*, membership, subscriber, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Ask to reinstate a coverage terminated in the last 60 days: it continues the day after its end, with no gap."""
    subscriber = _lock(membership, subscriber)
    ended = reinstatable_row(subscriber, today=today)
    refuse_if_open(subscriber, Kind.REINSTATEMENT, SUBSCRIBER_KEY)
    snapshot = {
        "member_key": SUBSCRIBER_KEY, "member": subscriber.full_name, "ended_on": ended.end.isoformat(),
        "coverage_start": rules.reinstatement_start(ended.end).isoformat(), "plan": ended.plan.name, "tier": ended.tier,
        "termination_reason": ended.get_termination_reason_display(),
    }
    return _submit(subscriber=subscriber, kind=Kind.REINSTATEMENT, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address, coverage=ended)


# --- ID card order --------------------------------------------------------------------------------------------------

ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "zip_code")


@transaction.atomic
def submit_id_card_order(*, membership, subscriber, include_subscriber: bool, dependents, reason: str, ship_to: str,
                         address: dict | None = None, acting_user, today: date, ip_address=None) -> ChangeRequest:
    """Order member ID cards for the subscriber and any dependents, mailed to the subscriber's address or another one."""
    subscriber = _lock(membership, subscriber)
    if not subscriber.subscriber_number:
        raise ValidationError("Cards can be ordered once the subscriber has a subscriber ID.", code="no_subscriber_number")
    dependents = list(Dependent.objects.for_membership(membership).filter(subscriber=subscriber, pk__in=[d.pk for d in dependents]))
    if not include_subscriber and not dependents:
        raise ValidationError("Choose at least one member.", code="no_member")
    if ship_to == IDCardOrder.ShipTo.SUBSCRIBER:
        address = {name: getattr(subscriber, name) for name in ADDRESS_FIELDS}
    elif not address or not all(address.get(name) for name in ("address_line1", "city", "state", "zip_code")):
        raise ValidationError("Enter the mailing address.", code="address")
    refuse_if_open(subscriber, Kind.ID_CARD_ORDER, SUBSCRIBER_KEY)
    order = IDCardOrder.objects.create(
        group=subscriber.group, subscriber=subscriber, include_subscriber=include_subscriber, reason=reason, ship_to=ship_to,
        mail_to_name=subscriber.full_name, **{name: address.get(name, "") for name in ADDRESS_FIELDS},
    )
    order.dependents.set(dependents)
    members = ([subscriber.full_name] if include_subscriber else []) + [d.full_name for d in dependents]
    snapshot = {
        "member_key": SUBSCRIBER_KEY, "member": subscriber.full_name, "order_id": order.pk, "members": members,
        "reason": reason, "reason_label": IDCardOrder.Reason(reason).label, "ship_to": IDCardOrder.ShipTo(ship_to).label,
        "address": ", ".join(filter(None, [address.get("address_line1"), address.get("address_line2"), address.get("city"),
                                           "%s %s" % (address.get("state", ""), address.get("zip_code", ""))])),
    }
    request = _submit(subscriber=subscriber, kind=Kind.ID_CARD_ORDER, snapshot=snapshot, acting_user=acting_user, ip_address=ip_address)
    order.request = request
    order.save(update_fields=["request"])
    return request


# --- A child ageing out at 26 (Celery beat, every day) ------------------------------------------------------------


def system_user() -> User:
    """Return the portal's own user, who submits the requests nobody typed (a child ageing out). It cannot log in."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "Portal", "last_name": "(automatic)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def children_ageing_out(*, today: date):
    """Return the covered children, of every active group, whose eligibility ends by the end of this month (not disabled adult children)."""
    return (
        Dependent.objects.filter(
            group__status="active", relationship__in=sorted(rules.CHILDREN - {rules.DISABLED_ADULT_CHILD}), removed_on__isnull=True,
            date_of_birth__lte=rules.latest_birth_date_ageing_out_by(today),
            covered_in__coverage__status=Coverage.Status.ACTIVE, covered_in__coverage__continuation__isnull=True,
        )
        .select_related("subscriber", "group")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def submit_age_out(*, dependent: Dependent, today: date) -> ChangeRequest | None:
    """Submit a child's removal at the end of the month they turn 26, unless one is open or they are no longer covered then.

    Running it twice submits once: the second finds the open request, or the child no longer covered.
    """
    subscriber = Subscriber.objects.for_group(dependent.group_id).select_for_update().select_related("group").get(pk=dependent.subscriber_id)
    end = rules.child_eligible_through(dependent.date_of_birth)
    key = member_key(dependent)
    if open_request_for(subscriber, Kind.DEPENDENT_REMOVED, key) or not coverage_changes.dependent_covered_after(subscriber, dependent, end):
        return None
    change = previews.premium_change(subscriber, on=end + timedelta(days=1), remove=dependent)
    snapshot = {
        "member_key": key, "member": dependent.full_name, "dependent_id": dependent.pk, "reason": Coverage.TerminationReason.AGED_OUT,
        "reason_label": "Dependent aged out (turns 26)", "termination_date": end.isoformat(), "coverage_end": end.isoformat(),
        "retro": not rules.within_retro_window(end, today, subscriber.group.retro_days),
        **(change.as_snapshot() if change else {}), "expected_credit": None,
    }
    return _submit(subscriber=subscriber, kind=Kind.DEPENDENT_REMOVED, snapshot=snapshot, acting_user=system_user())
