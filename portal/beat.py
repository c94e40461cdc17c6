"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Children ageing out at 26: their removal at the end of that month, as a request of its own.
    "age-out-dependents": {"task": "enrollment.maintenance_tasks.age_out_dependents", "schedule": crontab(hour=2, minute=15)},
}
