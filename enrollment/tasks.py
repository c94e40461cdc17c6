"""The worker's side of the request pipeline."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from enrollment import drafts, processors


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=6)
def process_request(self, request_id: int) -> None:
    """Process a committed request (dispatching on its kind); running it twice changes nothing."""
    processors.process(request_id, today=timezone.localdate())


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=6)
def expire_enrollment_drafts() -> int:
    """Delete the New Enrollment drafts left unchanged for 30 days (daily, portal/beat.py)."""
    return drafts.expire_stale_drafts(now=timezone.now())
