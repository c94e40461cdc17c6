"""The worker's side of the request pipeline, and open enrollment's daily beat tasks."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import EmployerGroup
from enrollment import drafts, oe_reminders, processors, renewals


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=6)
def process_request(self, request_id: int) -> None:
    """Process a committed request (dispatching on its kind); running it twice changes nothing."""
    processors.process(request_id, today=timezone.localdate())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=6)
def expire_enrollment_drafts() -> int:
    """Delete the New Enrollment drafts left unchanged for 30 days (daily, portal/beat.py)."""
    return drafts.expire_stale_drafts(now=timezone.now())
@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=5)
def run_due_renewals(self) -> list[str]:
    """Carry over every group whose renewal date is today in its time zone (or was, within the catch-up days); idempotent."""
    groups = EmployerGroup.objects.filter(status=EmployerGroup.Status.ACTIVE).order_by("pk")
    return [renewals.run_renewal(group, renewal).line() for group, renewal in renewals.groups_due(groups, lambda g: g.today())]


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=5)
def send_open_enrollment_reminders(self) -> int:
    """Email the reminders due today (the window's first day, seven days before it closes), each once."""
    return len(oe_reminders.send_due_reminders())
