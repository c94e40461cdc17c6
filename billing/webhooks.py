"""Stripe's webhook: /billing/stripe/webhook/ (outside any group: Stripe signs it, nobody signs in).

The signature is verified on the raw body (STRIPE_WEBHOOK_SECRET); a bad one is answered 400 and
nothing is stored. A good event is stored by its ID (a duplicate is stored once and answered 200,
so Stripe stops sending it) and its work is queued for the worker on commit: the answer goes back
to Stripe at once, whatever the work costs.
"""

import logging

from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_events, tasks
from billing.stripe_gateway import BadSignature, verify_event

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token: the signature proves the sender
@require_POST
def stripe_webhook(request):
    """Verify, store by event ID, queue the work; 400 for a bad signature."""
    try:
        event = verify_event(request.body, request.headers.get("Stripe-Signature"))
    except BadSignature:
        log.warning("Stripe webhook refused: bad signature")
        return HttpResponseBadRequest("Bad signature.", content_type="text/plain")
    with transaction.atomic():
        stored = stripe_events.store(event)
        if stored is not None:
            transaction.on_commit(lambda: tasks.process_stripe_event.delay(stored.pk))
    return HttpResponse("Stored." if stored is not None else "Already stored.", content_type="text/plain")
