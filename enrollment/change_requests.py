"""The one request pipeline's entry: every transaction a group admin confirms is submitted here.

    submit()  ->  received  --(worker: tasks.process_request)-->  processing
              ->  completed | needs review | rejected           (enrollment.request_status)

submit() stores the ChangeRequest with a fresh confirmation number and its snapshot, its
first RequestEvent and an AuditEvent, in the caller's transaction; the worker and the
"request confirmed" email are queued on commit, so nothing leaves before the commit. Every
kind registers its processor in enrollment.processors.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.audit import record_event
from accounts.models import AuditEvent
from core.identifiers import generate_confirmation_number
from enrollment.models import ChangeRequest, RequestEvent
from enrollment.notifications import email_after_commit
from enrollment.tasks import process_request

Status = ChangeRequest.Status
MAX_ATTEMPTS = 8


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
    record_event(
        action=AuditEvent.Action.REQUEST_SUBMITTED, actor=acting_user, group=group, ip_address=ip_address,
        object_type="change_request", object_id=request.confirmation_number, detail={"kind": kind},
    )
    request_id = request.pk
    if process:
        transaction.on_commit(lambda: process_request.delay(request_id))
    email_after_commit(request_id, "request_confirmed")
    return request
