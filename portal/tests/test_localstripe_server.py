"""The localstripe wrapper `make run` starts: loopback only, the portal's webhook registered at start-up, Stripe's created filter."""

import time

import pytest
from django.conf import settings

from billing.models import StripeEvent
from tests.localstripe import LocalStripe


@pytest.fixture
def wrapper_with_webhook(tmp_path, live_server):
    """Start the wrapper as the Procfile does: --webhook naming the portal's webhook URL."""
    try:
        server = LocalStripe.start(tmp_path, extra_args=("--webhook", live_server.url + "/billing/stripe/webhook/",
                                                         "--webhook-secret", settings.STRIPE_WEBHOOK_SECRET))
    except (RuntimeError, OSError) as error:
        pytest.skip("localstripe could not start: %s" % error)
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_the_wrapper_sends_stripes_events_to_the_portal_from_start_up(wrapper_with_webhook, wait):
    wrapper_with_webhook.api("POST", "/v1/customers", data={"name": "Acme"})
    assert wait(lambda: StripeEvent.objects.filter(type="customer.created").exists(), timeout=15), "no signed event reached the portal"
    # The view stores the event; its work (here: nothing to do) is done after the commit.
    assert wait(lambda: StripeEvent.objects.get().outcome, timeout=15) == "ignored: the portal does not use customer.created"


def test_the_wrapper_listens_on_loopback_only_and_filters_payment_intents_by_creation(localstripe_server):
    assert localstripe_server.url.startswith("http://127.0.0.1:")
    made = localstripe_server.api("POST", "/v1/payment_intents", data={"amount": 100, "currency": "usd"})
    now = int(time.time())
    listed = localstripe_server.api("GET", "/v1/payment_intents", params={"created[gte]": made["created"], "created[lt]": now + 1})
    assert made["id"] in [pi["id"] for pi in listed["data"]]
    before = localstripe_server.api("GET", "/v1/payment_intents", params={"created[lt]": made["created"]})
    assert made["id"] not in [pi["id"] for pi in before["data"]]
