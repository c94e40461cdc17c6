"""What the worker does with an open-enrollment request: Keep, Begin and Decline (registered in enrollment.processors).

Elections take effect on the coverage rows as soon as they are processed, so the renewal
month's invoice (issued inside the window) already bills them:

- Keep and Begin end the current coverage on the day before the renewal date ("replaced")
  and start the new plan year's row on the renewal date;
- Decline ends the current coverage on the day before the renewal date ("declined").

A later option for the same subscriber and plan year supersedes the earlier ones: what the
standing election wrote is undone (its new-year row voided, the current row's end restored),
the earlier requests become `superseded`, then the new option applies. The subscriber row is
locked first, so options of one subscriber are applied one at a time.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core import identifiers
from enrollment import oe_selectors, request_status, rules, selectors
from enrollment.models import ChangeRequest, Coverage, CoveredMember, Dependent, OpenEnrollmentElection, Subscriber

Choice = OpenEnrollmentElection.Choice


def process_open_enrollment(request: ChangeRequest, *, today: date) -> None:
    """Check the option again against the books as they are now, then apply it, leave it to a specialist, or reject it."""
    window = _window(request, today)
    subscriber = Subscriber.objects.select_for_update(of=("self",)).select_related("subgroup").get(pk=request.subscriber_id)
    problems = _problems(request, subscriber, window, today)
    if problems:
        request_status.reject(request, reason=" ".join(problems))
        return
    election = _locked_election(subscriber, window)
    conflict = _conflict(subscriber, election, window)
    if conflict:
        request_status.needs_review(request, reason=conflict + " A billing specialist will apply this option.")
        return
    _apply(request, subscriber, election, window, actor=None)


def apply_open_enrollment(request: ChangeRequest, *, actor) -> None:
    """A billing specialist applies an option that needed review: every live row from the renewal date on is replaced."""
    window = _window(request, timezone.localdate())
    subscriber = Subscriber.objects.select_for_update(of=("self",)).get(pk=request.subscriber_id)
    election = _locked_election(subscriber, window)
    Coverage.objects.filter(subscriber=subscriber, start__gte=window.renewal_date).exclude(status=Coverage.Status.VOID).update(
        status=Coverage.Status.VOID
    )
    _undo(election, window)
    _apply(request, subscriber, None, window, actor=actor)


def _window(request: ChangeRequest, today: date) -> oe_selectors.Window:
    return oe_selectors.window_of_renewal(request.group, date.fromisoformat(request.snapshot["renewal_date"]), today)


def _locked_election(subscriber, window) -> OpenEnrollmentElection | None:
    return OpenEnrollmentElection.objects.select_for_update(of=("self",)).filter(subscriber=subscriber, plan_year=window.plan_year).first()


def _covered_ids(snapshot: dict) -> list[int]:
    return [d["id"] for d in snapshot.get("dependents", []) if d.get("elect_coverage")]


def _problems(request: ChangeRequest, subscriber: Subscriber, window, today: date) -> list[str]:
    """Return why the option cannot apply (the request is rejected with them), empty when it can."""
    snapshot = request.snapshot
    if snapshot["choice"] == Choice.DECLINE:
        try:
            rules.check_decline(snapshot.get("reason", ""), snapshot.get("alternate_plan_name", ""))
        except ValidationError as error:
            return error.messages
        return []
    problems = []
    plan_id = snapshot["plan"]["id"]
    if not selectors.offered_plans(request.group, subscriber.subgroup_id, window.plan_year).filter(pk=plan_id).exists():
        problems.append("%s is not offered to %s for plan year %d." % (snapshot["plan"]["name"], subscriber.subgroup.name, window.plan_year))
    wanted = _covered_ids(snapshot)
    dependents = list(Dependent.objects.filter(subscriber=subscriber, pk__in=wanted, removed_on__isnull=True))
    if len(dependents) != len(set(wanted)):
        problems.append("A dependent to cover is no longer on file.")
    for dependent in dependents:
        try:
            rules.check_dependent(
                relationship=dependent.relationship, date_of_birth=dependent.date_of_birth,
                subscriber_date_of_birth=subscriber.date_of_birth, coverage_start=window.renewal_date, today=today,
            )
        except ValidationError as error:
            problems.extend("%s: %s" % (dependent.full_name, message) for message in error.messages)
    try:
        rules.check_one_spouse(d.relationship for d in dependents)
    except ValidationError as error:
        problems.extend(error.messages)
    tier = rules.coverage_tier(d.relationship for d in dependents)
    if tier != snapshot["tier"]:
        problems.append("The tier %s does not match the members covered (%s)." % (snapshot["tier"], tier))
    return problems


def _conflict(subscriber, election, window) -> str:
    """Return how the books changed since the standing election (the option then needs a person), or ""."""
    rows = list(
        Coverage.objects.filter(subscriber=subscriber)
        .exclude(status=Coverage.Status.VOID)
        .filter(Q(end__isnull=True) | Q(end__gte=window.day_before_renewal))
    )
    current = [row for row in rows if row.start < window.renewal_date]
    new_year = {row.pk for row in rows if row.start >= window.renewal_date}
    if new_year != ({election.coverage_id} if election and election.coverage_id else set()):
        return "The subscriber has coverage from %s that this open enrollment did not write." % window.renewal_date.strftime("%b %-d, %Y")
    if len(current) != 1 or current[0].status != Coverage.Status.ACTIVE:
        return "The subscriber has no coverage in force on %s to renew." % window.day_before_renewal.strftime("%b %-d, %Y")
    row = current[0]
    if row.end is not None and not (row.end == window.day_before_renewal and election and election.ended_coverage_id == row.pk):
        return "The subscriber's coverage now ends on %s." % row.end.strftime("%b %-d, %Y")
    return ""


def _undo(election: OpenEnrollmentElection | None, window) -> None:
    """Undo what the standing election wrote: void its new-year row, restore the end of the row it ended."""
    if election is None:
        return
    if election.coverage_id:
        Coverage.objects.filter(pk=election.coverage_id).update(status=Coverage.Status.VOID)
    if election.ended_coverage_id:
        Coverage.objects.filter(pk=election.ended_coverage_id, end=window.day_before_renewal).update(end=None, termination_reason="")


def _apply(request: ChangeRequest, subscriber: Subscriber, election, window, *, actor) -> None:
    snapshot = request.snapshot
    choice = snapshot["choice"]
    _undo(election, window)
    earlier = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .filter(subscriber=subscriber, kind__in=oe_selectors.OE_KINDS, status__in=oe_selectors.STANDING, snapshot__plan_year=window.plan_year)
        .exclude(pk=request.pk)
        .order_by("submitted_at", "pk")
    )
    for other in earlier:
        request_status.supersede(other, by=request, actor=actor)
    current = oe_selectors.in_force_before_renewal(window).select_for_update().filter(subscriber=subscriber).first()
    if current is not None:
        current.end = window.day_before_renewal
        current.termination_reason = Coverage.TerminationReason.DECLINED if choice == Choice.DECLINE else Coverage.TerminationReason.REPLACED
        current.save(update_fields=["end", "termination_reason"])
    new = None
    if choice != Choice.DECLINE:
        new = Coverage.objects.create(
            group=request.group, subscriber=subscriber, plan_id=snapshot["plan"]["id"], plan_year=window.plan_year, tier=snapshot["tier"],
            start=window.renewal_date, status=Coverage.Status.ACTIVE,
        )
        CoveredMember.objects.bulk_create([CoveredMember(coverage=new, dependent_id=pk) for pk in _covered_ids(snapshot)])
        _number_new_dependents(subscriber)
    request.coverage = new or current
    request.save(update_fields=["coverage"])
    OpenEnrollmentElection.objects.update_or_create(
        subscriber=subscriber, plan_year=window.plan_year,
        defaults=dict(
            group=request.group, choice=choice, plan_id=None if new is None else new.plan_id,
            decline_reason=snapshot.get("reason", "") if choice == Choice.DECLINE else "",
            alternate_plan_name=snapshot.get("alternate_plan_name", "") if choice == Choice.DECLINE else "",
            request=request, coverage=new, ended_coverage=current, flags=snapshot.get("flags", []), created_at=timezone.now(),
        ),
    )
    request_status.complete(request, note=_note(snapshot, window), actor=actor)


def _note(snapshot: dict, window) -> str:
    last = window.day_before_renewal.strftime("%b %-d, %Y")
    if snapshot["choice"] == Choice.DECLINE:
        return "Coverage ends on %s; nothing from %s." % (last, window.renewal_date.strftime("%b %-d, %Y"))
    return "From %s: %s, tier %s. This plan year's coverage ends on %s." % (
        window.renewal_date.strftime("%b %-d, %Y"), snapshot["plan"]["name"], snapshot["tier"], last,
    )


def _number_new_dependents(subscriber: Subscriber) -> None:
    """Give dependents added by Begin Enrollment their member suffix, after the highest ever given.

    The same rule as enrollment.processors.assign_member_suffixes, which this module cannot
    import: processors imports it to register these kinds.
    """
    taken = list(Dependent.objects.filter(subscriber=subscriber).exclude(member_suffix="").values_list("member_suffix", flat=True))
    for dependent in Dependent.objects.filter(subscriber=subscriber, member_suffix="").order_by("id"):
        dependent.member_suffix = identifiers.next_member_suffix(taken)
        dependent.save(update_fields=["member_suffix"])
        taken.append(dependent.member_suffix)
