"""The worker's side of payments: Stripe's events, attempts sent to Stripe, Recurring Payment, reconciliation."""

from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from billing import charging, reconcile, stripe_events
from billing.stripe_gateway import StripeUnavailable


@shared_task(bind=True, autoretry_for=(StripeUnavailable, OperationalError), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def process_stripe_event(self, event_pk: int) -> str:
    """Do the work of a stored webhook event (once, whatever the deliveries); return what it did."""
    return stripe_events.process(event_pk, today=timezone.localdate())


# Stripe unreachable: the same idempotency key is sent again after 30 s, 1, 2, 4, 8 and 16 minutes
# (with jitter). A decline is never retried: the attempt is failed and the admin told.
@shared_task(bind=True, autoretry_for=(StripeUnavailable,), retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def send_payment(self, payment_id: int) -> str:
    """Send one recorded attempt to Stripe with its own idempotency key; return its status."""
    return charging.send_to_stripe(payment_id).status


@shared_task
def run_autopay(today: str | None = None) -> dict:
    """Run Recurring Payment's day (Celery beat, daily; `manage.py charge_autopay`): the notices, then the charges due."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    notices = charging.send_autopay_notices(today=day)
    attempts = charging.due_autopay_attempts(today=day)
    for payment in attempts:
        send_payment.delay(payment.pk)
    return {"date": day.isoformat(), "notices": len(notices), "charges": len(attempts)}


@shared_task(bind=True, autoretry_for=(StripeUnavailable,), retry_backoff=300, max_retries=5)
def reconcile_payments(self) -> int:
    """Compare the last week's payments with Stripe's PaymentIntents (Celery beat, nightly); return the new mismatches."""
    return len(reconcile.reconcile_payments(now=timezone.now(), today=timezone.localdate()))
