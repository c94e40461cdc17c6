"""The History tab: every change to a subscriber, their dependents and coverage, from django-pghistory's events.

A PostgreSQL trigger writes an event row (the row as it became) on every insert, update and
delete of Subscriber, Dependent, Coverage and CoveredMember (enrollment.models). Comparing each
event with the one before it for the same row gives the field, old and new value; the event's
context says who asked and through which request (enrollment.processors.history_context).
Seven queries whatever the number of changes. SSNs are never in the events: only the last four
digits, shown masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

from accounts.models import Subgroup, User
from core.fields import mask_ssn
from core.identifiers import display_confirmation_number
from enrollment.models import (
    Coverage,
    CoverageEvent,
    CoveredMemberEvent,
    Dependent,
    DependentEvent,
    Plan,
    Subscriber,
    SubscriberEvent,
)

SUBSCRIBER_FIELDS = (
    "subscriber_number", "first_name", "middle_initial", "last_name", "date_of_birth", "gender", "marital_status", "ssn_last4",
    "address_line1", "address_line2", "city", "state", "zip_code", "phone", "email", "hire_date", "subgroup_id", "pcp_name", "pcp_id",
)
DEPENDENT_FIELDS = (
    "member_suffix", "first_name", "middle_initial", "last_name", "date_of_birth", "gender", "relationship", "ssn_last4", "pcp_name",
    "pcp_id", "has_other_coverage", "other_carrier", "other_policy_number", "removed_on",
)
COVERAGE_FIELDS = ("plan_id", "plan_year", "tier", "start", "end", "status", "termination_reason")
LABELS = {
    "subgroup_id": "Subgroup", "plan_id": "Plan", "ssn_last4": "SSN", "end": "End", "start": "Start", "address_line1": "Home address",
    "address_line2": "Address line 2", "subscriber_number": "Subscriber ID", "termination_reason": "Termination reason",
}


@dataclass(frozen=True)
class Change:
    at: datetime
    what: str  # "Subscriber", "Dependent Lucia Lopez", "Coverage from Jan 1, 2026"
    field: str  # "" for a row added
    old: str
    new: str
    who: str
    confirmation_number: str  # stored form, "" when not made through a request
    sequence: int = 0  # the event's id: orders the changes of one transaction (they share its time)

    @property
    def display_number(self) -> str:
        return display_confirmation_number(self.confirmation_number)


def _label(model, name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    return capfirst(str(model._meta.get_field(name).verbose_name))


class _Formatter:
    def __init__(self, plans: dict, subgroups: dict):
        self.plans, self.subgroups = plans, subgroups

    def value(self, model, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        if name == "ssn_last4":
            return mask_ssn(value)
        if name == "plan_id":
            return self.plans.get(value, str(value))
        if name == "subgroup_id":
            return self.subgroups.get(value, str(value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, date):
            return format_date(value, "M j, Y")
        field = model._meta.get_field(name)
        if field.choices:
            return str(dict(field.choices).get(value, value))
        return str(value)


def _who(context, users: dict) -> tuple[str, str]:
    metadata = context.metadata if context is not None else {}
    who = users.get(metadata.get("user"), "")
    if metadata.get("approved_by"):
        who = "%s (approved by %s)" % (who or "—", users.get(metadata["approved_by"], "a billing specialist"))
    return who or "—", metadata.get("confirmation_number") or ""


def _diffs(events, fields, model, what, fmt, users, added):
    """Yield a Change per field that differs between consecutive events of one row; `added(event)` describes an insert."""
    previous = None
    for event in events:
        who, number = _who(event.pgh_context, users)
        if event.pgh_label == "insert" or previous is None:
            yield Change(event.pgh_created_at, what(event), "", "", added(event), who, number, event.pgh_id)
        elif event.pgh_label == "delete":
            yield Change(event.pgh_created_at, what(event), "Removed", "", "", who, number, event.pgh_id)
        else:
            for name in fields:
                old, new = getattr(previous, name), getattr(event, name)
                if old != new:
                    yield Change(event.pgh_created_at, what(event), _label(model, name), fmt.value(model, name, old), fmt.value(model, name, new), who, number,
                                 event.pgh_id)
        previous = event


def _by_row(events):
    rows = {}
    for event in events:
        rows.setdefault(event.pgh_obj_id, []).append(event)
    return rows


def subscriber_history(subscriber: Subscriber) -> list[Change]:
    """Return every change to the subscriber, their dependents and coverage, newest first."""
    subscriber_events = list(SubscriberEvent.objects.filter(pgh_obj_id=subscriber.pk).select_related("pgh_context").order_by("pgh_id"))
    dependent_events = list(DependentEvent.objects.filter(subscriber_id=subscriber.pk).select_related("pgh_context").order_by("pgh_id"))
    coverage_events = list(CoverageEvent.objects.filter(subscriber_id=subscriber.pk).select_related("pgh_context").order_by("pgh_id"))
    member_events = list(
        CoveredMemberEvent.objects.filter(coverage__subscriber_id=subscriber.pk).select_related("pgh_context").order_by("pgh_id")
    )
    every = subscriber_events + dependent_events + coverage_events + member_events
    user_ids = set()
    for event in every:
        metadata = event.pgh_context.metadata if event.pgh_context_id else {}
        user_ids.update(filter(None, [metadata.get("user"), metadata.get("approved_by")]))
    users = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=user_ids)}
    plans = dict(Plan.objects.filter(pk__in={e.plan_id for e in coverage_events}).values_list("pk", "name"))
    subgroups = dict(Subgroup.objects.filter(pk__in={e.subgroup_id for e in subscriber_events}).values_list("pk", "name"))
    fmt = _Formatter(plans, subgroups)

    names = {e.pgh_obj_id: "%s %s" % (e.first_name, e.last_name) for e in dependent_events}  # the latest name of each dependent
    names_at_insert = {}
    for event in member_events:
        if event.pgh_label == "insert":
            names_at_insert.setdefault(event.coverage_id, []).append(names.get(event.dependent_id, "a dependent"))

    changes = []
    for events in _by_row(subscriber_events).values():
        changes += _diffs(events, SUBSCRIBER_FIELDS, Subscriber, lambda e: "Subscriber", fmt, users,
                          lambda e: "Added: %s %s" % (e.first_name, e.last_name))
    for events in _by_row(dependent_events).values():
        changes += _diffs(events, DEPENDENT_FIELDS, Dependent, lambda e: "Dependent %s" % names[e.pgh_obj_id], fmt, users,
                          lambda e: "Added: %s %s (%s)" % (e.first_name, e.last_name, fmt.value(Dependent, "relationship", e.relationship)))

    def coverage_added(event):
        members = ", ".join((["subscriber"] if event.covers_subscriber else []) + names_at_insert.get(event.pgh_obj_id, []))
        return "%s%s, %s, %s to %s (%s); covers %s" % (
            "Continuation coverage: " if event.continuation_id else "",
            fmt.value(Coverage, "plan_id", event.plan_id), event.tier, fmt.value(Coverage, "start", event.start),
            fmt.value(Coverage, "end", event.end) if event.end else "no end date", fmt.value(Coverage, "status", event.status), members,
        )

    for events in _by_row(coverage_events).values():
        changes += _diffs(events, COVERAGE_FIELDS, Coverage, lambda e: "Coverage from %s" % fmt.value(Coverage, "start", e.start),
                          fmt, users, coverage_added)
    for event in member_events:
        if event.pgh_label == "delete":
            who, number = _who(event.pgh_context, users)
            changes.append(Change(event.pgh_created_at, "Coverage", "No longer covered", names.get(event.dependent_id, ""), "", who, number, event.pgh_id))
    changes.sort(key=lambda c: (c.at, c.sequence), reverse=True)
    return changes
