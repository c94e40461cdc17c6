"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries.

Times are UTC (CELERY_TIMEZONE); 10:15 UTC is 2:15 or 3:15 in the morning on the US west coast,
09:00 UTC is 1 or 2 a.m. in the carrier's time zone (America/Los_Angeles), so a task's
timezone.localdate() is already the day it runs for; 14:00 UTC is 6 or 7 in the morning there.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Unconfirmed New Enrollment drafts are deleted 30 days after their last change.
    "expire-enrollment-drafts": {"task": "enrollment.tasks.expire_enrollment_drafts", "schedule": crontab(hour=10, minute=15)},
    # Children ageing out at 26: their removal at the end of that month, as a request of its own.
    "age-out-dependents": {"task": "enrollment.maintenance_tasks.age_out_dependents", "schedule": crontab(hour=10, minute=20)},
    # Open enrollment. 08:15 UTC is past midnight in every continental US time zone, so a group
    # renews on its renewal date in its own time zone (a later run catches up; the renewal is
    # idempotent). Reminders go out in the US morning; each is sent once.
    "open-enrollment-renewals": {"task": "enrollment.tasks.run_due_renewals", "schedule": crontab(hour=8, minute=15)},
    "open-enrollment-reminders": {"task": "enrollment.tasks.send_open_enrollment_reminders", "schedule": crontab(hour=15, minute=0)},
    # Invoices: each group's on its invoice day, then the unpaid ones past the grace period.
    "billing-issue-due-invoices": {"task": "billing.tasks.issue_due_invoices", "schedule": crontab(hour=9, minute=0)},
    "billing-mark-past-due-invoices": {"task": "billing.tasks.mark_past_due_invoices", "schedule": crontab(hour=9, minute=30)},
    # Recurring Payment: the notices three days ahead, then the charges due today.
    "billing-autopay-daily": {"task": "billing.tasks.run_autopay", "schedule": crontab(hour=14, minute=0)},
    # The portal's payments against Stripe's PaymentIntents; mismatches to the specialists.
    "billing-reconcile-nightly": {"task": "billing.tasks.reconcile_payments", "schedule": crontab(hour=10, minute=30)},
    # Continuation (COBRA or state): the end of each maximum period, as a request of its own; lapsed elections closed.
    "end-continuations": {"task": "enrollment.continuation_tasks.end_continuations", "schedule": crontab(hour=10, minute=25)},
}
