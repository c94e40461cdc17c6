"""Roster maintenance's scheduled work (Celery beat, portal/beat.py). Loaded through CELERY_IMPORTS:
it submits requests, and the request pipeline imports enrollment/tasks.py, so it cannot live there."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from enrollment.maintenance import services


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=5)
def age_out_dependents(self) -> int:
    """Submit the removal of every covered child ageing out at 26 this month (or earlier, if missed); return how many.

    Running it twice (or two beats at once) submits each removal once.
    """
    today = timezone.localdate()
    submitted = 0
    for dependent in services.children_ageing_out(today=today):
        if services.submit_age_out(dependent=dependent, today=today) is not None:
            submitted += 1
    return submitted
