"""The one request pipeline: every transaction a group admin confirms goes through here.

    submit()  ->  received  --(worker: tasks.process_request)-->  processing
              ->  complete() | needs_review() | reject()

Each step writes a RequestEvent (the status timeline on Track Requests) and, for
submission and decision, an AuditEvent, in the caller's transaction. Emails and the
worker are queued with transaction.on_commit, so nothing leaves before the commit.
New enrollment, open enrollment, terminations, ID cards and invoice adjustments all
submit here and register a processor in enrollment.processors.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from enrollment.models import CONFIRMATION_ALPHABET, ChangeRequest, RequestEvent

Status = ChangeRequest.Status
CONFIRMATION_LENGTH = 10
MAX_ATTEMPTS = 8


class RequestAlreadyDecided(Exception):
    """A completed or rejected request cannot change status again."""


def generate_confirmation_number() -> str:
    """Return 10 random characters from the confirmation alphabet (no 0, O, 1, I, L)."""
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))


def normalize_confirmation_number(text: str) -> str:
    """Return a typed confirmation number in stored form: upper case, no dashes or spaces."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def display_confirmation_number(number: str) -> str:
    return "%s-%s" % (number[:5], number[5:]) if len(number) == CONFIRMATION_LENGTH else number


@transaction.atomic
def submit(*, group, kind, acting_user, snapshot: dict, subscriber=None, coverage=None, ip_address=None, process: bool = True) -> ChangeRequest:
    """Record a confirmed request as `received` with a fresh confirmation number.

    On commit the worker is asked to process it (unless `process` is False) and the
    admin is emailed the confirmation number.
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a collision rolls back only this insert
                request = ChangeRequest.objects.create(
                    group=group,
                    confirmation_number=generate_confirmation_number(),
                    kind=kind,
                    status=Status.RECEIVED,
                    subscriber=subscriber,
                    coverage=coverage,
                    snapshot=snapshot,
                    submitted_by=acting_user,
                )
            break
        except IntegrityError as error:
            if "confirmation_number" not in str(error) or attempt == MAX_ATTEMPTS - 1:
                raise
    RequestEvent.objects.create(request=request, status=Status.RECEIVED, at=request.submitted_at, actor=acting_user)
    AuditEvent.objects.create(
        actor=acting_user, username=acting_user.username, group=group, action=AuditEvent.Action.REQUEST_SUBMITTED,
        ip_address=ip_address, object_type="change_request", object_id=request.confirmation_number,
        detail={"kind": kind},
    )
    request_id = request.pk
    if process:
        from enrollment.tasks import process_request

        transaction.on_commit(lambda: process_request.delay(request_id))
    transaction.on_commit(lambda: _email(request_id, "request_confirmed"))
    return request


def mark_processing(request: ChangeRequest, *, note: str = "") -> None:
    """The worker took the request (call inside its transaction, the request locked)."""
    _move(request, Status.PROCESSING, note=note, actor=None)


def complete(request: ChangeRequest, *, note: str = "", actor=None) -> None:
    _decide(request, Status.COMPLETED, reason="", note=note, actor=actor)


def needs_review(request: ChangeRequest, *, reason: str, actor=None) -> None:
    """Leave the request to a billing specialist, saying why."""
    _decide(request, Status.NEEDS_REVIEW, reason=reason, note=reason, actor=actor)


def reject(request: ChangeRequest, *, reason: str, actor=None) -> None:
    """Refuse the request with a reason; a pending coverage it created is voided."""
    from enrollment.models import Coverage

    if request.coverage_id:
        Coverage.objects.filter(pk=request.coverage_id, status=Coverage.Status.PENDING).update(status=Coverage.Status.VOID)
    _decide(request, Status.REJECTED, reason=reason, note=reason, actor=actor)


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
    AuditEvent.objects.create(
        actor=actor, username=getattr(actor, "username", ""), group_id=request.group_id,
        action=AuditEvent.Action.REQUEST_DECIDED, object_type="change_request",
        object_id=request.confirmation_number, detail={"kind": request.kind, "status": status},
    )
    request_id = request.pk
    transaction.on_commit(lambda: _email(request_id, "request_decided"))


def _email(request_id: int, template: str) -> None:
    """Queue the email to the admin who submitted the request (no member health data in it)."""
    from accounts.tasks import send_templated_email

    request = ChangeRequest.objects.select_related("submitted_by", "subscriber", "group").get(pk=request_id)
    if not request.submitted_by.email:
        return
    context = {
        "confirmation_number": request.display_number,
        "kind": request.get_kind_display(),
        "status": request.get_status_display(),
        "reason": request.reason,
        "group_id": request.group.group_id,
        "group_name": request.group.legal_name,
        "subscriber_id": request.subscriber.subscriber_id if request.subscriber_id else "",
        "first_name": request.submitted_by.first_name,
    }
    send_templated_email.delay(template=template, to=[request.submitted_by.email], context=context)
