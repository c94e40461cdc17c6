"""Adjust Invoice: changes an admin reports against the current invoice, what each does to it, and their submission.

The admin reports what the invoice does not show yet: a subscriber terminated (with a date), a
dependent removed or added (the tier follows the covered members, so a tier change is reported
as the member who joins or leaves). The changes wait in a worksheet in the session, one per
subscriber, until Confirm. Before that, each shows line by line what it does to the invoice:
the subscriber's amount for the invoice's month as billed and as it would be (rules.month_cost
on the rates the invoice applied, billing/recost.py), and the adjustment expected for earlier
months; the reconciled amount is the amount due with this month's differences, offered as the
amount to pay. Confirm submits every change as a request through roster maintenance's services
(the same rules, the same worker), all or none; the next invoice carries their adjustments,
each linked to its request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils.dateformat import format as format_date

from accounts.models import BILLING_ROLES, ENROLLMENT_ROLES
from billing import recost, rules, selectors
from core.money import ZERO
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, Dependent, Subscriber

# Billing admins reconcile the invoice; enrollment admins make the same changes from the roster.
ADJUST_ROLES = BILLING_ROLES | ENROLLMENT_ROLES
MAX_CHANGES = 20  # reported changes in one adjustment (each is priced on the page)
TERMINATE, ADD_DEPENDENT = "terminate", "add_dependent"
CHANGES = {TERMINATE: "Terminate coverage (the subscriber, or a dependent)", ADD_DEPENDENT: "Add New Dependent"}


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def is_current(membership, invoice) -> bool:
    """Only the current (latest) invoice is adjusted: an older one's differences are already on a later invoice."""
    current = selectors.current_invoice(membership)
    return current is not None and current.pk == invoice.pk


def on_invoice(membership, invoice, subscriber_number: str) -> bool:
    """Whether the subscriber has a line on the invoice that the admin may see."""
    return selectors.invoice_lines(membership, invoice).filter(subscriber__subscriber_number=subscriber_number).exists()


# --- The worksheet (in the session) ----------------------------------------------------------------------


class Worksheet:
    """The changes reported against one invoice, waiting for Confirm: a list of JSON entries in the session.

    Entry: {"id": 1, "subscriber": "M482913305", "change": "terminate", "data": {form's cleaned data, dates ISO}, "error": ""}.
    """

    def __init__(self, session, invoice_number: str):
        self.session, self.key = session, "adjust_invoice:%s" % invoice_number

    @property
    def entries(self) -> list[dict]:
        return list(self.session.get(self.key, []))

    def _save(self, entries) -> None:
        self.session[self.key] = entries

    def entry_for(self, subscriber_number: str) -> dict | None:
        return next((e for e in self.entries if e["subscriber"] == subscriber_number), None)

    def add(self, subscriber_number: str, change: str, data: dict) -> dict:
        entries = [e for e in self.entries if e["subscriber"] != subscriber_number]
        entry = {"id": max((e["id"] for e in self.entries), default=0) + 1, "subscriber": subscriber_number, "change": change,
                 "data": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}, "error": ""}
        self._save(entries + [entry])
        return entry

    def remove(self, entry_id: int) -> None:
        self._save([e for e in self.entries if e["id"] != entry_id])

    def mark(self, entry_id: int, error: str) -> None:
        self._save([{**e, "error": error if e["id"] == entry_id else ""} for e in self.entries])

    def clear(self) -> None:
        self.session.pop(self.key, None)

    @property
    def full(self) -> bool:
        return len(self.entries) >= MAX_CHANGES


def _dated(data: dict, *names) -> dict:
    return {**data, **{n: date.fromisoformat(data[n]) for n in names if data.get(n)}}


# --- What a change does to the invoice ------------------------------------------------------------------------


@dataclass
class Row:
    """One reported change, priced against the invoice."""

    entry: dict
    subscriber: Subscriber
    change: str  # what was reported, in words
    effective: str  # "Coverage ends Mar 31, 2026" / "Coverage starts Mar 20, 2026"
    tier: str  # "ES → EE"
    before: Decimal  # the subscriber's amount for the invoice's month, as billed
    after: Decimal  # ... as it would be with the change
    earlier: Decimal  # the adjustment expected on the next invoice for earlier months
    notes: list = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    @property
    def error(self) -> str:
        return self.entry.get("error", "")


@dataclass(frozen=True)
class Reconciled:
    amount_due: Decimal
    changes: Decimal  # the sum of this month's differences
    amount: Decimal  # the reconciled amount: what the invoice comes to with the changes
    paid: Decimal

    @property
    def to_pay(self) -> Decimal:
        return rules.balance(self.amount, self.paid)


def _member(entry_data: dict, dependents: dict[int, Dependent], subscriber) -> Dependent | None:
    key = entry_data.get("member", services.SUBSCRIBER_KEY)
    if key == services.SUBSCRIBER_KEY:
        return None
    dependent = dependents.get(int(key.removeprefix("D")))
    if dependent is None or dependent.subscriber_id != subscriber.pk:
        raise ObjectDoesNotExist("No such dependent.")
    return dependent


def _terminate(entry, subscriber, dependents, today):
    data = _dated(entry["data"], "termination_date")
    dependent = _member(data, dependents, subscriber)
    preview = services.termination_preview(subscriber, dependent=dependent, termination_date=data["termination_date"], today=today)
    end, premium = preview["coverage_end"], preview["premium"]
    notes = []
    if preview["retro"]:
        notes.append("More than %d days back: a billing specialist reviews the request." % subscriber.group.retro_days)
    reason = services.termination_reasons(dependent).get(data["reason"], data["reason"])
    if dependent is None:
        return ("Terminate %s and every dependent (%s)" % (subscriber.full_name, reason), "Coverage ends %s" % _shown(end),
                "", recost.ended(end), notes)
    words = "Remove dependent %s (%s)" % (dependent.full_name, reason)
    return (words, "Coverage ends %s" % _shown(end), *_switch(premium, end + timedelta(days=1), notes), notes)


def _add_dependent(entry, subscriber, today):
    data = _dated(entry["data"], "event_date", "date_of_birth")
    preview = services.dependent_added_preview(subscriber, event=data["event"], event_date=data["event_date"], person=data, today=today)
    start, notes = preview["coverage_start"], []
    if preview["late"]:
        notes.append("More than %d days after the event: a billing specialist reviews the request." % preview["window_days"])
    words = "Add New Dependent %s (%s; %s on %s)" % (
        services.new_dependent_name(data), Dependent.Relationship(data["relationship"]).label, services.EVENT_LABELS[data["event"]], _shown(data["event_date"]))
    return (words, "Coverage starts %s" % _shown(start), *_switch(preview["premium"], start, notes), notes)


def _switch(premium, day, notes):
    """Return (tier in words, change) for a change of who is covered from `day`."""
    if premium is None:
        return "", lambda periods: periods
    tier = "%s → %s" % (premium.tier_from, premium.tier_to) if premium.tier_from != premium.tier_to else premium.tier_to
    if premium.premium_to is None:
        notes.append("No rate is set for the new tier: a billing specialist prices the change.")
        return tier, lambda periods: periods
    return tier, recost.switched(day, premium.premium_to)


def rows(membership, invoice, entries: list[dict], *, today: date) -> list[Row]:
    """Price each reported change against the invoice (a few queries a change; MAX_CHANGES at most)."""
    if not entries:
        return []
    subscribers = {
        s.subscriber_number: s
        for s in Subscriber.objects.for_membership(membership).select_related("group", "subgroup")
        .filter(subscriber_number__in=[e["subscriber"] for e in entries])
    }
    dependents = {d.pk: d for d in Dependent.objects.for_membership(membership).filter(subscriber__in=list(subscribers.values()))}
    group, month, result = invoice.group, invoice.period, []
    for entry in entries:
        subscriber = subscribers.get(entry["subscriber"])
        if subscriber is None:
            continue  # no longer the admin's to see
        if entry["change"] == TERMINATE:
            words, effective, tier, change, notes = _terminate(entry, subscriber, dependents, today)
        else:
            words, effective, tier, change, notes = _add_dependent(entry, subscriber, today)
        billed = recost.billed_for(subscriber)
        before = after = earlier = ZERO
        if billed is not None:
            cost = recost.costs(billed, change, policy=group.billing_policy)
            before = billed.amounts.get(month, ZERO)
            after = cost.get(month, before)
            earlier = sum((line.amount for line in recost.next_invoice_adjustments(billed, cost, group=group, today=today, before=month)), ZERO)
        result.append(Row(entry, subscriber, words, effective, tier, before, after, earlier, notes))
    return result


def reconcile(invoice, priced: list[Row]) -> Reconciled:
    changes = sum((row.difference for row in priced), ZERO)
    return Reconciled(invoice.amount_due, changes, invoice.amount_due + changes, invoice.amount_paid)


# --- Confirm: every change a request, all or none -------------------------------------------------------------


class EntryRefused(Exception):
    """A reported change failed a rule at Confirm: nothing was submitted."""

    def __init__(self, entry_id: int, message: str):
        super().__init__(message)
        self.entry_id, self.message = entry_id, message


def submit_all(*, membership, invoice, entries: list[dict], acting_user, today: date, ip_address=None) -> list[ChangeRequest]:
    """Submit each reported change as a request (roster maintenance's services); raise EntryRefused and submit none if one fails."""
    submitted = []
    with transaction.atomic():
        for entry in entries:
            try:
                submitted.append(_submit(membership, invoice, entry, acting_user=acting_user, today=today, ip_address=ip_address))
            except ValidationError as error:
                raise EntryRefused(entry["id"], " ".join(error.messages)) from error
            except ObjectDoesNotExist as error:
                raise EntryRefused(entry["id"], "This subscriber or dependent is no longer yours to change.") from error
    return submitted


def _submit(membership, invoice, entry, *, acting_user, today, ip_address) -> ChangeRequest:
    subscriber = Subscriber.objects.for_membership(membership).get(subscriber_number=entry["subscriber"])
    common = {"membership": membership, "subscriber": subscriber, "acting_user": acting_user, "today": today, "ip_address": ip_address,
              "reported_on_invoice": invoice.number}
    if entry["change"] == TERMINATE:
        data = _dated(entry["data"], "termination_date")
        key = data.get("member", services.SUBSCRIBER_KEY)
        dependent = None if key == services.SUBSCRIBER_KEY else Dependent.objects.for_membership(membership).get(
            pk=int(key.removeprefix("D")), subscriber=subscriber)
        return services.submit_termination(dependent=dependent, reason=data["reason"], termination_date=data["termination_date"], **common)
    data = _dated(entry["data"], "event_date", "date_of_birth")
    return services.submit_dependent_added(event=data["event"], event_date=data["event_date"], person=data, **common)
