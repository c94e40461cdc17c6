"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Open enrollment (CELERY_TIMEZONE is UTC). 08:15 UTC is past midnight in every continental US
    # time zone, so a group renews on its renewal date in its own time zone (a later run catches up;
    # the renewal is idempotent). Reminders go out in the US morning; each is sent once.
    "open-enrollment-renewals": {"task": "enrollment.tasks.run_due_renewals", "schedule": crontab(hour=8, minute=15)},
    "open-enrollment-reminders": {"task": "enrollment.tasks.send_open_enrollment_reminders", "schedule": crontab(hour=15, minute=0)},
}
