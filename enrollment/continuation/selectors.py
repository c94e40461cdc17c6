"""Reads of continuation (COBRA or state): the COBRA roster and its CSV, a continuation's page, and what billing bills.

Pages pass the admin's membership (an admin limited to subgroups sees only their subscribers'
continuations) and run a fixed number of queries whatever the number of rows. Billing calls
`continuation_periods(group, first_month, last_month)` for a whole group (docs/cobra.md, "For billing").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q

from enrollment import continuation_rules, election_notices, rules
from enrollment.models import ChangeRequest, Continuation, Coverage, CoveredMember, QualifiedBeneficiary

Status = Continuation.Status
ROSTER_STATUSES = (Status.PENDING_ELECTION, Status.CONTINUING, Status.ENDED, Status.NOT_ELECTED)


def continuations(membership, *, include_void: bool = False):
    """Return the admin's continuations (a rejected event's, void, left out unless asked), with what the roster shows."""
    rows = Continuation.objects.for_membership(membership)
    if not include_void:
        rows = rows.exclude(status=Status.VOID)
    return (
        rows
        .select_related("subscriber", "subscriber__subgroup", "plan", "request")
        .prefetch_related(Prefetch("beneficiaries", queryset=QualifiedBeneficiary.objects.select_related("dependent")))
    )


def roster(membership, *, status: str = "", text: str = ""):
    """Return the COBRA roster: the admin's continuations by status (pending election, continuing, ended, not elected), newest event first.

    `text` finds a subscriber ID (or its start) or a last name.
    """
    rows = continuations(membership)
    if status:
        rows = rows.filter(status=status)
    text = (text or "").strip()
    if text:
        rows = rows.filter(Q(subscriber__subscriber_number__istartswith=text) | Q(subscriber__last_name__istartswith=text))
    return rows.order_by("-event_date", "-pk")


def beneficiary_names(continuation: Continuation) -> list[str]:
    return [(b.dependent or continuation.subscriber).full_name for b in continuation.beneficiaries.all()]


def csv_rows(membership, *, status: str = "", text: str = ""):
    """Yield the COBRA roster's CSV: a header, then one line per qualified beneficiary (two queries however many)."""
    yield [
        "Subscriber ID", "Subscriber", "Subgroup", "Qualified beneficiary", "Member ID", "Relationship", "Qualifying event", "Event date",
        "Group coverage ended", "Continuation starts", "Status", "Notice date", "Election deadline", "Elected", "Maximum period ends",
        "Ended on", "End reason", "Plan", "Confirmation number",
    ]
    for c in roster(membership, status=status, text=text):
        s = c.subscriber
        for b in c.beneficiaries.all():
            person = b.dependent or s
            yield [
                s.subscriber_number or "", s.full_name, s.subgroup.name, person.full_name, election_notices.member_id_of(s, b.dependent),
                "Subscriber" if b.dependent is None else b.dependent.get_relationship_display(), c.get_event_kind_display(),
                c.event_date.isoformat(), c.coverage_lost_on.isoformat(), c.start.isoformat(), c.get_status_display(),
                c.notice_on.isoformat() if c.notice_on else "", c.election_deadline.isoformat() if c.election_deadline else "",
                {True: "Yes", False: "No", None: ""}[b.elected], c.maximum_end.isoformat(), c.ended_on.isoformat() if c.ended_on else "",
                c.get_end_reason_display(), c.plan.name, c.request.display_number,
            ]


@dataclass
class ContinuationPage:
    continuation: Continuation
    beneficiaries: list  # election_notices.Beneficiary
    choices: list  # election_notices.PremiumChoice
    requests: list[ChangeRequest]  # the event, the election, an extension, the end; oldest first
    rows: list[Coverage]  # the continuation coverage rows
    open_kinds: set = field(default_factory=set)  # kinds of request still open
    first_payment_due: date | None = None
    may_elect: bool = False
    may_end: bool = False
    may_extend: bool = False


def continuation_page(membership, continuation: Continuation, *, today: date) -> ContinuationPage:
    """Return what a continuation's page shows, in a fixed number of queries."""
    requests = list(
        ChangeRequest.objects.for_membership(membership).filter(snapshot__continuation_id=continuation.pk)
        .select_related("submitted_by").order_by("submitted_at")
    )
    rows = list(
        Coverage.objects.for_membership(membership).filter(continuation=continuation).exclude(status=Coverage.Status.VOID)
        .select_related("plan").prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.select_related("dependent")))
        .order_by("start")
    )
    open_kinds = {r.kind for r in requests if r.status not in ChangeRequest.FINAL}
    Kind = ChangeRequest.Kind
    c = continuation
    extendable = c.law == continuation_rules.COBRA and c.event_kind in continuation_rules.EMPLOYMENT_EVENTS and not c.extension
    return ContinuationPage(
        continuation=c, beneficiaries=election_notices.beneficiaries_of(c), choices=election_notices.premium_choices(c),
        requests=requests, rows=rows, open_kinds=open_kinds,
        first_payment_due=continuation_rules.first_payment_due(c.elected_on) if c.elected_on else None,
        # "Not elected" too: a form postmarked by the deadline may arrive after the daily task closed the period.
        may_elect=(c.status in (Status.PENDING_ELECTION, Status.NOT_ELECTED) and c.election_deadline is not None
                   and Kind.CONTINUATION_ELECTION not in open_kinds),
        may_end=c.status == Status.CONTINUING and Kind.CONTINUATION_END not in open_kinds,
        may_extend=c.status == Status.CONTINUING and extendable and Kind.CONTINUATION_EXTENSION not in open_kinds and today <= c.maximum_end,
    )


def subscriber_continuations(membership, subscriber) -> list[Continuation]:
    """Return the subscriber's continuations for their page, newest first (one query, beneficiaries prefetched)."""
    return list(continuations(membership).filter(subscriber=subscriber).order_by("-event_date", "-pk"))


# --- For billing: what continuation bills ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContinuationMember:
    dependent_id: int | None  # None: the subscriber
    relationship: str  # "subscriber" or the dependent's
    date_of_birth: date


@dataclass(frozen=True)
class ContinuationPeriod:
    """One continuation coverage row, as billing sees it (docs/cobra.md, "For billing").

    Bill each month from `start` through `end` under the group's billing policy, as a premium row,
    with the monthly rate of (`plan_id`, `plan_year`, `tier`) for a tiered group or the members'
    age rates (`rating_members`, `coverage_start`) for an age-banded one, then
    `cobra_premium(rate, cobra_month_number(first_month, month), extension=extension, months=maximum_months)`.
    """

    coverage_id: int
    continuation_id: int
    subscriber_id: int
    subgroup_id: int
    covers_subscriber: bool
    members: tuple[ContinuationMember, ...]  # who is covered, the subscriber first when covered
    plan_id: int
    plan_year: int
    tier: str  # the rate key (EE alone, EC for two or more without the subscriber)
    start: date  # the first day covered (the day after the loss of group coverage, on the first row)
    end: date  # the last day covered: the row's end, or the end of the maximum period while the row is open
    first_month: date  # the first month of continuation: month 1 of cobra_month_number
    extension: str | None  # None, "disability" (150% from month 19) or "second_event"
    maximum_months: int  # 18, 29, 36 or the state's: the months cobra_premium accepts
    law: str  # "cobra" or "state"
    election_request_id: int | None  # added months reach back to the election: their adjustment lines link to it
    end_request_id: int | None  # months an early end takes back: their credits link to it

    @property
    def rating_members(self) -> list[tuple]:
        """Return the members as enrollment.selectors.RateTable.premium takes them: (key, relationship, date of birth)."""
        return [("subscriber" if m.dependent_id is None else m.dependent_id, m.relationship, m.date_of_birth) for m in self.members]

    @property
    def coverage_start(self) -> date:
        return self.start


def continuation_periods(group, first_month: date, last_month: date) -> list[ContinuationPeriod]:
    """Return the group's continuation coverage in force in any month from `first_month` through `last_month`, by subscriber and start.

    Two queries, whatever the number of rows. Void rows are left out; an open row ends with the
    maximum period; a row an end cancelled from its start is void, so not here.
    """
    continuation_rules.check_month(first_month)
    continuation_rules.check_month(last_month)
    through = rules.last_of_month(last_month)
    rows = (
        Coverage.objects.for_group(group).filter(continuation__isnull=False, status=Coverage.Status.ACTIVE, start__lte=through)
        .filter(Q(end__isnull=True) | Q(end__gte=first_month))
        .filter(continuation__maximum_end__gte=first_month)
        .select_related("continuation", "subscriber")
        .prefetch_related(Prefetch("covered_members", queryset=CoveredMember.objects.select_related("dependent").order_by("dependent__member_suffix", "dependent_id")))
        .order_by("subscriber_id", "start", "pk")
    )
    periods = []
    for row in rows:
        c, s = row.continuation, row.subscriber
        members = [ContinuationMember(None, continuation_rules.SUBSCRIBER, s.date_of_birth)] if row.covers_subscriber else []
        members += [ContinuationMember(m.dependent_id, m.dependent.relationship, m.dependent.date_of_birth) for m in row.covered_members.all()]
        periods.append(ContinuationPeriod(
            coverage_id=row.pk, continuation_id=c.pk, subscriber_id=s.pk, subgroup_id=s.subgroup_id, covers_subscriber=row.covers_subscriber,
            members=tuple(members), plan_id=row.plan_id, plan_year=row.plan_year, tier=row.tier, start=row.start,
            end=min(row.end or c.maximum_end, c.maximum_end), first_month=rules.first_of_month(c.start), extension=c.extension or None,
            maximum_months=c.maximum_months, law=c.law, election_request_id=c.election_request_id, end_request_id=c.end_request_id,
        ))
    return periods


def monthly_premium(period: ContinuationPeriod, monthly_rate: Decimal, month: date) -> Decimal:
    """Return one month's continuation premium of a period from the plan's monthly rate (what a COBRA line bills)."""
    number = continuation_rules.cobra_month_number(period.first_month, month)
    return continuation_rules.cobra_premium(monthly_rate, number, extension=period.extension, months=period.maximum_months)
