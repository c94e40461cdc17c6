"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries.

Times are UTC (CELERY_TIMEZONE); 10:15 UTC is 2:15 or 3:15 in the morning on the US west coast.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Unconfirmed New Enrollment drafts are deleted 30 days after their last change.
    "expire-enrollment-drafts": {"task": "enrollment.tasks.expire_enrollment_drafts", "schedule": crontab(hour=10, minute=15)},
    # Children ageing out at 26: their removal at the end of that month, as a request of its own.
    "age-out-dependents": {"task": "enrollment.maintenance_tasks.age_out_dependents", "schedule": crontab(hour=10, minute=20)},
    # Continuation (COBRA or state): the end of each maximum period, as a request of its own; lapsed elections closed.
    "end-continuations": {"task": "enrollment.continuation_tasks.end_continuations", "schedule": crontab(hour=10, minute=25)},
}
