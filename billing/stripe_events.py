"""The work of a stored webhook event, done by the worker (`billing.tasks.process_stripe_event`).

The event row is locked and done once: a duplicate delivery was never stored twice (the webhook
view stores by Stripe's event ID), and a retried task finds the event processed. Each handler
only moves a payment forward, so events in any order leave the same ledger.
"""

from __future__ import annotations

from datetime import date, datetime, timezone as dt_timezone

from django.db import transaction
from django.utils import timezone

from billing import charging
from billing import stripe_gateway as gateway
from billing.models import StripeEvent


def _succeeded(obj: dict, at: datetime, today: date) -> str:
    return charging.record_intent_succeeded(gateway.intent_from(obj), at=at, today=today)


def _failed(obj: dict, at: datetime, today: date) -> str:
    return charging.record_intent_failed(gateway.intent_from(obj))


def _setup(obj: dict, at: datetime, today: date) -> str:
    try:
        return charging.record_setup_succeeded(gateway.setup_from(obj))
    except charging.MethodNotUsable as refused:
        return "ignored: %s" % refused.message


def _refunded(obj: dict, at: datetime, today: date) -> str:
    return charging.record_charge_refunded(gateway.charge_from(obj), at=at, today=today)


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _failed,
    "setup_intent.succeeded": _setup,
    "charge.refunded": _refunded,
}


def event_time(event: dict) -> datetime:
    """Return when Stripe made the event (the payment's received time: the same whichever delivery is processed)."""
    created = event.get("created")
    return datetime.fromtimestamp(int(created), tz=dt_timezone.utc) if created else timezone.now()


def store(event: dict) -> StripeEvent | None:
    """Store a verified event by its ID; return it when new, None when it was stored already (a duplicate)."""
    row, created = StripeEvent.objects.get_or_create(
        event_id=event["id"],
        defaults={"type": event["type"][:100], "payload": event, "stripe_created_at": event_time(event)},
    )
    return row if created else None


def process(event_pk: int, *, today: date) -> str:
    """Do the work of one stored event, once; return what it did, in words (also kept on the event)."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return event.outcome
        handler = HANDLERS.get(event.type)
        obj = (event.payload.get("data") or {}).get("object") or {}
        outcome = handler(obj, event.stripe_created_at, today) if handler else "ignored: the portal does not use %s" % event.type
        event.processed_at = timezone.now()
        event.outcome = outcome[:255]
        event.save(update_fields=["processed_at", "outcome"])
    return outcome
