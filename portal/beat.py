"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries."""

from celery.schedules import crontab

# CELERY_TIMEZONE is UTC: 09:00 UTC is 1 or 2 a.m. in the carrier's time zone (America/Los_Angeles),
# so the tasks' timezone.localdate() is already the day they run for.
BEAT_SCHEDULE: dict = {
    "billing-issue-due-invoices": {"task": "billing.tasks.issue_due_invoices", "schedule": crontab(hour=9, minute=0)},
    "billing-mark-past-due-invoices": {"task": "billing.tasks.mark_past_due_invoices", "schedule": crontab(hour=9, minute=30)},
}
