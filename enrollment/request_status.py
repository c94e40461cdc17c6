"""A request's status moves, after it was submitted (enrollment.change_requests):

    received  --(worker)-->  processing  ->  completed | needs review | rejected
    an open-enrollment option (any status but rejected)  ->  superseded, when a later one applies

Each move writes a RequestEvent (the timeline on Track Requests) in the caller's
transaction; a decision also writes an AuditEvent and emails the admin after the commit.
"""

from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditEvent
from enrollment.models import ChangeRequest, Coverage, RequestEvent
from enrollment.notifications import email_after_commit

Status = ChangeRequest.Status


class RequestAlreadyDecided(Exception):
    """A completed or rejected request cannot change status again."""


def mark_processing(request: ChangeRequest, *, note: str = "") -> None:
    """Record that the worker took the request (call inside its transaction, the request locked)."""
    _move(request, Status.PROCESSING, note=note, actor=None)


def complete(request: ChangeRequest, *, note: str = "", actor=None) -> None:
    """Record the request as applied."""
    _decide(request, Status.COMPLETED, reason="", note=note, actor=actor)


def needs_review(request: ChangeRequest, *, reason: str, actor=None) -> None:
    """Leave the request to a billing specialist, saying why."""
    _decide(request, Status.NEEDS_REVIEW, reason=reason, note=reason, actor=actor)


def reject(request: ChangeRequest, *, reason: str, actor=None) -> None:
    """Refuse the request with a reason; a pending coverage it created is voided."""
    if request.coverage_id:
        Coverage.objects.filter(pk=request.coverage_id, status=Coverage.Status.PENDING).update(status=Coverage.Status.VOID)
    _decide(request, Status.REJECTED, reason=reason, note=reason, actor=actor)


def supersede(request: ChangeRequest, *, by: ChangeRequest, actor=None) -> None:
    """Record that a later open-enrollment option replaced this request, completed or not yet.

    The one move out of `completed`: what the request applied was undone by the later one.
    A final status; no email (the admin made the later request).
    """
    if request.status in (Status.REJECTED, Status.SUPERSEDED):
        raise RequestAlreadyDecided("Request %s is already %s." % (request.display_number, request.get_status_display()))
    request.status = Status.SUPERSEDED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    RequestEvent.objects.create(request=request, status=Status.SUPERSEDED, note="Superseded by %s." % by.display_number, actor=actor)
    record_event(
        action=AuditEvent.Action.REQUEST_DECIDED, actor=actor, group=request.group, object_type="change_request",
        object_id=request.confirmation_number, detail={"kind": request.kind, "status": Status.SUPERSEDED, "by": by.confirmation_number},
    )


def _move(request, status, *, note, actor):
    if request.status in ChangeRequest.FINAL:
        raise RequestAlreadyDecided("Request %s is already %s." % (request.display_number, request.get_status_display()))
    request.status = status
    fields = ["status"]
    if status in (Status.COMPLETED, Status.REJECTED, Status.NEEDS_REVIEW):
        request.decided_at = timezone.now()
        fields.append("decided_at")
    request.save(update_fields=fields)
    RequestEvent.objects.create(request=request, status=status, note=note, actor=actor)


def _decide(request, status, *, reason, note, actor):
    if request.status in ChangeRequest.FINAL:
        raise RequestAlreadyDecided("Request %s is already %s." % (request.display_number, request.get_status_display()))
    request.reason = reason
    request.save(update_fields=["reason"])
    _move(request, status, note=note, actor=actor)
    record_event(
        action=AuditEvent.Action.REQUEST_DECIDED, actor=actor, group=request.group, object_type="change_request",
        object_id=request.confirmation_number, detail={"kind": request.kind, "status": status},
    )
    email_after_commit(request.pk, "request_decided")
