"""Continuation's scheduled work (Celery beat, portal/beat.py). Loaded through CELERY_IMPORTS: it submits requests,
and the request pipeline imports enrollment/tasks.py, so it cannot live there."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from enrollment.continuation import services


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=5)
def end_continuations(self) -> int:
    """End every continuation whose maximum period ended (a request each), and close the election periods that lapsed; return the ends submitted.

    Running it twice (or two beats at once) submits each end once.
    """
    today = timezone.localdate()
    services.close_lapsed_elections(today=today)
    submitted = 0
    for continuation in services.continuations_past_their_maximum(today=today):
        if services.submit_maximum_period_end(continuation=continuation, today=today) is not None:
            submitted += 1
    return submitted
