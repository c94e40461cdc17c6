"""What the worker does with continuation requests (COBRA or state; registered in enrollment.processors).

- qualifying_event: check again that the beneficiaries lost their coverage as reported; a report
  past its deadline goes to a billing specialist; else render the election notice (WeasyPrint),
  keep it privately, record the notice date and the election deadline, email the admin.
- continuation_election: check the election against the deadline and the beneficiaries again,
  then write the continuation coverage from the day after the loss of coverage.
- continuation_end: end the continuation coverage (the maximum period, non-payment, other group
  coverage, Medicare); an end further back than the group's retro window, but for non-payment or
  the maximum period, goes to a specialist.
- continuation_extension: a disability or second qualifying event moves the maximum period's end.

Each `process_<kind>` re-checks against the database as it is now; each `apply_<kind>` is also
what a specialist's "Approve and apply" runs.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from core.tasks import send_templated_email
from enrollment import continuation_coverage, continuation_rules, election_notices, request_status, rules
from enrollment.documents import store_private_file
from enrollment.models import ChangeRequest, Continuation, QualifiedBeneficiary, Subscriber, continuation_page_name

Kind = ChangeRequest.Kind
Status = Continuation.Status


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _shown(day: date) -> str:
    return format_date(day, "M j, Y")


def _lock(request: ChangeRequest) -> tuple[Subscriber, Continuation]:
    """Lock the subscriber (every change of one subscriber is applied one at a time), then the continuation."""
    subscriber = Subscriber.objects.for_group(request.group_id).select_for_update().select_related("group").get(pk=request.subscriber_id)
    continuation = (
        Continuation.objects.for_group(request.group_id).select_for_update(of=("self",))
        .select_related("group", "subscriber", "plan").get(pk=request.snapshot["continuation_id"])
    )
    return subscriber, continuation


def _requested_on(request: ChangeRequest) -> date:
    if request.snapshot.get("requested_on"):
        return _day(request.snapshot["requested_on"])
    return timezone.localdate(request.submitted_at)


def _void(continuation: Continuation) -> None:
    continuation.status = Status.VOID
    continuation.save(update_fields=["status"])


# --- The qualifying event: the election notice ---------------------------------------------------------


def coverage_problems(subscriber, continuation: Continuation) -> list[str]:
    """Return why the beneficiaries did not lose their coverage as reported (empty when they did)."""
    problems = []
    for b in continuation.beneficiaries.select_related("dependent"):
        if continuation_coverage.covered_after(subscriber, b.dependent, continuation.coverage_lost_on):
            name = (b.dependent or subscriber).full_name
            problems.append("%s is still covered after %s." % (name, _shown(continuation.coverage_lost_on)))
    return problems


def process_qualifying_event(request: ChangeRequest, *, today: date) -> None:
    subscriber, continuation = _lock(request)
    problems = coverage_problems(subscriber, continuation)
    if problems:
        _void(continuation)
        request_status.reject(request, reason=" ".join(problems))
        return
    due = continuation_rules.report_due_by(continuation.event_kind, continuation.event_date, continuation.coverage_lost_on)
    if _requested_on(request) > due:
        request_status.needs_review(request, reason=(
            "The qualifying event was reported after %s, the last day to report it: a billing specialist decides whether to offer continuation."
            % _shown(due)
        ))
        return
    _issue_notice(request, continuation, today=today, actor=None)


def apply_qualifying_event(request: ChangeRequest, *, actor) -> None:
    subscriber, continuation = _lock(request)
    problems = coverage_problems(subscriber, continuation)
    if problems:
        _void(continuation)
        request_status.reject(request, reason=" ".join(problems), actor=actor)
        return
    _issue_notice(request, continuation, today=timezone.localdate(), actor=actor)


def _issue_notice(request, continuation: Continuation, *, today: date, actor) -> None:
    """Render the election notice dated today, keep it privately, record the deadline, complete and email the admin."""
    # The file is written before the commit; if the transaction rolls back it stays unreferenced (a random name, harmless).
    continuation.notice_file = store_private_file("notices", "pdf", election_notices.render_pdf(continuation, notice_on=today))
    continuation.notice_on = today
    continuation.election_deadline = continuation_rules.election_deadline(today, continuation.coverage_lost_on)
    continuation.save(update_fields=["notice_file", "notice_on", "election_deadline"])
    request_status.complete(request, note="Election notice dated %s, ready to print and mail; the election deadline is %s." % (
        _shown(today), _shown(continuation.election_deadline)), actor=actor)
    email_notice_ready(request, continuation)


def email_notice_ready(request: ChangeRequest, continuation: Continuation) -> None:
    """Email "ready to print and mail" to the admin who reported the event, after the commit (no member names in it)."""
    user = request.submitted_by
    if not user.email:
        return
    name = continuation.law_name
    context = {
        "first_name": user.first_name, "confirmation_number": request.display_number, "group_number": request.group.group_number,
        "subscriber_number": continuation.subscriber.subscriber_number, "deadline": _shown(continuation.election_deadline),
        "notice_name": "COBRA election notice" if name == "COBRA" else "state continuation election notice",
        "page_name": continuation_page_name(continuation.law),
    }
    transaction.on_commit(lambda: send_templated_email.delay(template="continuation_notice_ready", to=[user.email], context=context))


# --- The election: continuation coverage from the day after the loss ---------------------------------------


def election_problems(subscriber, continuation: Continuation, request: ChangeRequest, *, today: date) -> list[str]:
    """Return why the election cannot be applied now (empty when it can)."""
    if continuation.status not in (Status.PENDING_ELECTION, Status.NOT_ELECTED) or continuation.election_request_id not in (None, request.pk):
        return ["An election was already recorded for this qualifying event."]
    if continuation.election_deadline is None:
        return ["The election notice has not been issued yet."]
    problems = []
    try:
        continuation_rules.check_election_date(
            _day(request.snapshot["elected_on"]), event_date=continuation.event_date, deadline=continuation.election_deadline, today=today,
        )
    except ValidationError as error:
        problems.extend(error.messages)
    electing = set(request.snapshot["electing"])
    beneficiaries = {b.key: b for b in continuation.beneficiaries.select_related("dependent")}
    if not electing or not electing <= set(beneficiaries):
        problems.append("Only the qualified beneficiaries of this event may elect.")
    for key in sorted(electing & set(beneficiaries)):
        b = beneficiaries[key]
        if continuation_coverage.covered_after(subscriber, b.dependent, continuation.coverage_lost_on):
            problems.append("%s is covered by the group coverage after %s." % ((b.dependent or subscriber).full_name, _shown(continuation.coverage_lost_on)))
    return problems


def process_continuation_election(request: ChangeRequest, *, today: date) -> None:
    apply_continuation_election(request, actor=None, today=today)


def apply_continuation_election(request: ChangeRequest, *, actor, today: date | None = None) -> None:
    subscriber, continuation = _lock(request)
    problems = election_problems(subscriber, continuation, request, today=today or timezone.localdate())
    if problems:
        request_status.reject(request, reason=" ".join(problems), actor=actor)
        return
    electing = set(request.snapshot["electing"])
    beneficiaries = list(continuation.beneficiaries.all())
    chosen = [b for b in beneficiaries if b.key in electing]
    row = continuation_coverage.start_continuation(continuation, chosen)
    for b in beneficiaries:
        b.elected = b.key in electing
    QualifiedBeneficiary.objects.bulk_update(beneficiaries, ["elected"])
    elected_on = _day(request.snapshot["elected_on"])
    continuation.status, continuation.elected_on, continuation.election_request = Status.CONTINUING, elected_on, request
    continuation.save(update_fields=["status", "elected_on", "election_request"])
    request.coverage = row
    request.save(update_fields=["coverage"])
    request_status.complete(request, note="Continuation coverage from %s (tier %s), with no gap; first payment due by %s." % (
        _shown(row.start), row.tier, _shown(continuation_rules.first_payment_due(elected_on))), actor=actor)


# --- The end of continuation -----------------------------------------------------------------------------


def process_continuation_end(request: ChangeRequest, *, today: date) -> None:
    subscriber, continuation = _lock(request)
    if continuation.status != Status.CONTINUING:
        request_status.reject(request, reason="The continuation is not in force (%s)." % continuation.get_status_display().lower())
        return
    end, reason = _day(request.snapshot["coverage_end"]), request.snapshot["reason"]
    retro_free = (Continuation.EndReason.MAXIMUM_PERIOD, Continuation.EndReason.NON_PAYMENT)
    if reason not in retro_free and not rules.within_retro_window(end, today, subscriber.group.retro_days):
        request_status.needs_review(request, reason=(
            "The continuation would end more than %d days in the past: a billing specialist must approve it." % subscriber.group.retro_days
        ))
        return
    apply_continuation_end(request, actor=None)


def apply_continuation_end(request: ChangeRequest, *, actor) -> None:
    subscriber, continuation = _lock(request)
    if continuation.status != Status.CONTINUING:
        request_status.reject(request, reason="The continuation is not in force (%s)." % continuation.get_status_display().lower(), actor=actor)
        return
    end, reason = _day(request.snapshot["coverage_end"]), request.snapshot["reason"]
    continuation_coverage.end_continuation(continuation, end=end, reason=reason)
    continuation.status, continuation.ended_on, continuation.end_reason, continuation.end_request = Status.ENDED, end, reason, request
    continuation.save(update_fields=["status", "ended_on", "end_reason", "end_request"])
    note = "Continuation coverage ends on %s (%s)." % (_shown(end), Continuation.EndReason(reason).label.lower())
    if end < continuation.start:
        note = "Continuation coverage cancelled from its start, %s (%s)." % (_shown(continuation.start), Continuation.EndReason(reason).label.lower())
    request_status.complete(request, note=note, actor=actor)


# --- An extension of the maximum period ------------------------------------------------------------------


def process_continuation_extension(request: ChangeRequest, *, today: date) -> None:
    apply_continuation_extension(request, actor=None)


def apply_continuation_extension(request: ChangeRequest, *, actor) -> None:
    subscriber, continuation = _lock(request)
    extension = request.snapshot["extension"]
    if continuation.status != Status.CONTINUING or continuation.extension:
        request_status.reject(request, reason="Only a continuation in force, not extended yet, can be extended.", actor=actor)
        return
    months = continuation_rules.maximum_months(continuation.event_kind, law=continuation.law, extension=extension)
    continuation.extension, continuation.maximum_months = extension, months
    continuation.maximum_end = continuation_rules.maximum_end(continuation.start, months)
    continuation.save(update_fields=["extension", "maximum_months", "maximum_end"])
    request_status.complete(request, note="The maximum period is now %d months, through %s." % (months, _shown(continuation.maximum_end)), actor=actor)


PROCESSORS = {
    Kind.QUALIFYING_EVENT: process_qualifying_event,
    Kind.CONTINUATION_ELECTION: process_continuation_election,
    Kind.CONTINUATION_END: process_continuation_end,
    Kind.CONTINUATION_EXTENSION: process_continuation_extension,
}
APPLIERS = {
    Kind.QUALIFYING_EVENT: apply_qualifying_event,
    Kind.CONTINUATION_ELECTION: apply_continuation_election,
    Kind.CONTINUATION_END: apply_continuation_end,
    Kind.CONTINUATION_EXTENSION: apply_continuation_extension,
}
