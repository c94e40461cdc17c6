"""The Stripe gateway: Stripe's errors become plain words, every write carries the portal's key, amounts are whole cents."""

from decimal import Decimal

import pytest
import stripe

from billing import stripe_gateway as gateway
from billing.tests.recorded_stripe import RecordedStripe

INTENT = {"amount": Decimal("12.34"), "customer_id": "cus_1", "payment_method_id": "pm_1", "kind": "card", "off_session": True,
          "idempotency_key": "autopay-1-2027-02-01", "metadata": {"payment_reference": "ABCDE23456"}}


def card_error(code, message, decline_code=None, intent_id="pi_declined"):
    error = {"type": "card_error", "code": code, "message": message, "payment_intent": {"id": intent_id, "object": "payment_intent"}}
    if decline_code:
        error["decline_code"] = decline_code
    return (402, {"error": error})


@pytest.fixture
def stripe_answers(monkeypatch, settings):
    settings.STRIPE_API_BASE = ""

    def install(answer):
        transport = RecordedStripe({("POST", r"/v1/payment_intents"): answer})
        monkeypatch.setattr(gateway, "HTTP_CLIENT", transport)
        return transport

    return install


def test_a_charge_is_sent_in_whole_cents_with_the_portals_idempotency_key(stripe_answers):
    transport = stripe_answers((200, {"id": "pi_1", "object": "payment_intent", "amount": 1234, "status": "succeeded", "created": 1790000000,
                                      "latest_charge": {"id": "ch_1", "object": "charge"}}))
    intent = gateway.create_payment_intent(**INTENT)
    [sent] = transport.sent
    assert sent.headers["Idempotency-Key"] == "autopay-1-2027-02-01"
    assert {k: sent.params[k] for k in ("amount", "currency", "off_session", "confirm", "metadata[payment_reference]")} == {
        "amount": "1234", "currency": "usd", "off_session": "true", "confirm": "true", "metadata[payment_reference]": "ABCDE23456"}
    assert (intent.id, intent.amount, intent.status, intent.charge_id) == ("pi_1", Decimal("12.34"), "succeeded", "ch_1")


@pytest.mark.parametrize("answer, kind, message, code", [
    (card_error("card_declined", "Your card was declined.", "generic_decline"), gateway.PaymentDeclined,
     "Your card was declined. Nothing was charged.", "generic_decline"),
    (card_error("card_declined", "Your card has insufficient funds.", "insufficient_funds"), gateway.PaymentDeclined,
     "Your card or account has insufficient funds. Nothing was charged.", "insufficient_funds"),
    (card_error("authentication_required", "Your card was declined. This transaction requires authentication.", "authentication_required"),
     gateway.AuthenticationRequired, gateway.AuthenticationRequired.default_message, "authentication_required"),
    (card_error("expired_card", "Your card has expired."), gateway.PaymentDeclined, "Your card has expired. Nothing was charged. Try another card.", "expired_card"),
])
def test_a_decline_says_what_happened_in_plain_words_and_that_nothing_was_charged(stripe_answers, answer, kind, message, code):
    stripe_answers(answer)
    with pytest.raises(kind) as raised:
        gateway.create_payment_intent(**INTENT)
    assert (type(raised.value), raised.value.message, raised.value.code, raised.value.payment_intent_id) == (kind, message, code, "pi_declined")


@pytest.mark.parametrize("answer", [
    (500, {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}),
    (429, {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests."}}),
])
def test_stripe_down_or_busy_is_unavailable_and_may_be_retried(stripe_answers, answer):
    stripe_answers(answer)
    with pytest.raises(gateway.StripeUnavailable) as raised:
        gateway.create_payment_intent(**INTENT)
    assert "We could not reach our payment processor." in raised.value.message


def test_a_request_stripe_refuses_is_not_the_admins_fault(stripe_answers):
    stripe_answers((400, {"error": {"type": "invalid_request_error", "code": "parameter_unknown", "message": "Received unknown parameter: x"}}))
    with pytest.raises(gateway.StripeRefused) as raised:
        gateway.create_payment_intent(**INTENT)
    assert raised.value.message == "The payment could not be processed, and nothing was charged. Please call us if it happens again."
    assert "parameter" not in raised.value.message


def test_an_object_stripe_does_not_know_is_missing(stripe_answers):
    stripe_answers((404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such customer: 'cus_1'"}}))
    with pytest.raises(gateway.StripeObjectMissing):
        gateway.create_payment_intent(**INTENT)


def test_the_network_failing_is_unavailable(monkeypatch, settings):
    class Down(stripe.HTTPClient):
        name = "down"

        def request(self, *args, **kwargs):
            raise stripe.APIConnectionError("Connection refused", should_retry=True)

        def close(self):
            pass

    monkeypatch.setattr(gateway, "HTTP_CLIENT", Down())
    with pytest.raises(gateway.StripeUnavailable):
        gateway.create_payment_intent(**INTENT)


def test_no_write_leaves_without_a_key():
    with pytest.raises(ValueError, match="idempotency key"):
        gateway.create_payment_intent(**{**INTENT, "idempotency_key": ""})


@pytest.mark.parametrize("amount, cents", [(Decimal("0.01"), 1), (Decimal("1250.00"), 125000), (Decimal("999999.99"), 99999999), (Decimal("12.5"), 1250)])
def test_amounts_go_to_stripe_in_whole_cents(amount, cents):
    assert gateway.to_cents(amount) == cents
    assert gateway.from_cents(cents) == amount


def test_a_fraction_of_a_cent_never_goes_to_stripe():
    with pytest.raises(ValueError):
        gateway.to_cents(Decimal("1.005"))


def test_only_cards_and_us_bank_accounts_are_read():
    with pytest.raises(gateway.StripeRefused, match="use a card or a US bank account"):
        gateway.method_from({"id": "pm_1", "type": "sepa_debit", "sepa_debit": {"last4": "3000"}})
