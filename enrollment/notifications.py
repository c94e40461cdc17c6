"""Emails about requests, queued after the commit (no member health data in them)."""

from django.db import transaction

from core.identifiers import display_confirmation_number
from core.tasks import send_templated_email
from enrollment.models import ChangeRequest


def email_after_commit(request_id: int, template: str) -> None:
    """Email the admin who submitted the request once the transaction commits."""
    transaction.on_commit(lambda: send_request_email(request_id, template))


def send_request_email(request_id: int, template: str) -> None:
    """Queue the email to the admin who submitted the request."""
    request = ChangeRequest.objects.select_related("submitted_by", "subscriber", "group").get(pk=request_id)
    if not request.submitted_by.email:
        return
    context = {
        "confirmation_number": display_confirmation_number(request.confirmation_number),
        "kind": request.get_kind_display(),
        "status": request.get_status_display(),
        "reason": request.reason,
        "group_number": request.group.group_number,
        "group_name": request.group.legal_name,
        "subscriber_number": request.subscriber.subscriber_number if request.subscriber_id else "",
        "first_name": request.submitted_by.first_name,
    }
    send_templated_email.delay(template=template, to=[request.submitted_by.email], context=context)
