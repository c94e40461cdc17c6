"""Celery beat's schedule: what operations runs on a clock. Each app's issue adds its entries.

Times are UTC (CELERY_TIMEZONE): 14:00 UTC is 6 or 7 in the morning in the carrier's Pacific time.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Recurring Payment: the notices three days ahead, then the charges due today.
    "billing-autopay-daily": {"task": "billing.tasks.run_autopay", "schedule": crontab(hour=14, minute=0)},
    # The portal's payments against Stripe's PaymentIntents; mismatches to the specialists.
    "billing-reconcile-nightly": {"task": "billing.tasks.reconcile_payments", "schedule": crontab(hour=10, minute=30)},
}
