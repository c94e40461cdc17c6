"""The one module that talks to Stripe: a thin wrapper over stripe.StripeClient.

Every write is sent with the portal's own idempotency key (the caller's, recorded in the
database before the call), so a retry after a network error never charges twice on Stripe.
Stripe's answers come back as small frozen dataclasses holding only identifiers, statuses,
amounts in Decimal dollars and what a person reads (brand, last 4): card and bank numbers
never reach the portal. Stripe's errors become `core.exceptions.PortalError` subclasses whose
message is shown to the admin in plain words.

Configured from settings: STRIPE_SECRET_KEY, STRIPE_API_BASE (localstripe in `make run` and the
tests; empty for the real Stripe), STRIPE_MAX_NETWORK_RETRIES (0 in tests, where a retry would
only hide a bug), STRIPE_WEBHOOK_SECRET. Tests that replay recorded Stripe responses (ACH,
which localstripe lacks) put their transport in `HTTP_CLIENT`: the rest of this module runs as is.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

import stripe
from django.conf import settings

from core.exceptions import PortalError
from core.money import round_half_up

log = logging.getLogger(__name__)

CURRENCY = "usd"
CARD = "card"
US_BANK_ACCOUNT = "us_bank_account"
METHOD_KINDS = (CARD, US_BANK_ACCOUNT)

# A stripe.HTTPClient for tests that replay recorded responses; None: stripe's own.
HTTP_CLIENT: stripe.HTTPClient | None = None


# --- Errors, in plain words -----------------------------------------------------------------------


class PaymentDeclined(PortalError):
    """The card or bank refused the charge: nothing was charged."""

    default_message = "The payment was declined. Nothing was charged. Try another card or bank account."

    def __init__(self, message: str | None = None, *, code: str = "", payment_intent_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.payment_intent_id = payment_intent_id


class AuthenticationRequired(PaymentDeclined):
    """The bank wants the cardholder to confirm the charge, which an off-session charge cannot do."""

    default_message = (
        "Your bank asked to confirm this payment, which it cannot do while you are away. Nothing was charged. "
        "Pay this invoice with Pay Online, or set up Recurring Payment again with this card."
    )


class StripeUnavailable(PortalError):
    """Stripe could not be reached (network, timeout, Stripe's own error): the same key may be retried."""

    default_message = (
        "We could not reach our payment processor. If the payment went through it will show in your invoice "
        "history within a few minutes; please check there before trying again."
    )


class StripeRefused(PortalError):
    """Stripe refused the request itself (a setting or a bug, not the card): logged, nothing was charged."""

    default_message = "The payment could not be processed, and nothing was charged. Please call us if it happens again."


class StripeObjectMissing(StripeRefused):
    """Stripe does not know the customer, method or intent named."""


class BadSignature(ValueError):
    """A webhook whose signature does not verify (or whose body is not an event)."""


# Stripe's decline codes whose own message is terse or technical, said plainly.
PLAIN_WORDS = {
    "card_declined": "Your card was declined. Nothing was charged. Try another card or a bank account.",
    "insufficient_funds": "Your card or account has insufficient funds. Nothing was charged.",
    "expired_card": "Your card has expired. Nothing was charged. Try another card.",
    "incorrect_cvc": "The card's security code is incorrect. Nothing was charged.",
    "processing_error": "The card could not be processed. Nothing was charged. Please try again.",
    "authentication_required": AuthenticationRequired.default_message,
    "payment_intent_authentication_failure": "The payment was not confirmed with your bank. Nothing was charged.",
}


def plain_words(code: str, stripe_message: str) -> str:
    """Return a decline's message for people: ours for the codes we know, else Stripe's (which is meant for them)."""
    if code in PLAIN_WORDS:
        return PLAIN_WORDS[code]
    message = (stripe_message or "").strip()
    if not message:
        return PaymentDeclined.default_message
    return message if "charged" in message else "%s Nothing was charged." % message


class _Calling:
    """Translate stripe's exceptions into the portal's while calling Stripe to `action`."""

    def __init__(self, action: str):
        self.action = action

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None or not isinstance(error, stripe.StripeError):
            return False
        if isinstance(error, stripe.CardError):
            code = error.code or ""
            body = (error.json_body or {}).get("error", {}) if isinstance(error.json_body, dict) else {}
            intent = body.get("payment_intent") or {}
            intent_id = intent.get("id") if isinstance(intent, dict) else intent or None
            decline_code = body.get("decline_code") or ""
            cls = AuthenticationRequired if "authentication_required" in (code, decline_code) else PaymentDeclined
            raise cls(plain_words(decline_code or code, error.user_message or ""), code=decline_code or code, payment_intent_id=intent_id) from error
        if isinstance(error, (stripe.APIConnectionError, stripe.RateLimitError)) or (
            isinstance(error, stripe.APIError) and not isinstance(error, stripe.InvalidRequestError)
        ):
            log.warning("Stripe unavailable while trying to %s: %s", self.action, type(error).__name__)
            raise StripeUnavailable() from error
        log.error("Stripe refused to %s: %s %s", self.action, type(error).__name__, error.code or error.http_status)
        if isinstance(error, stripe.InvalidRequestError) and (error.code == "resource_missing" or error.http_status == 404):
            raise StripeObjectMissing() from error
        raise StripeRefused() from error


def _client() -> stripe.StripeClient:
    kwargs = {"max_network_retries": settings.STRIPE_MAX_NETWORK_RETRIES, "http_client": HTTP_CLIENT}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)


def _options(idempotency_key: str) -> dict:
    if not idempotency_key:
        raise ValueError("Every write to Stripe carries the portal's idempotency key.")
    return {"idempotency_key": idempotency_key}


# --- Amounts ------------------------------------------------------------------------------------------


def to_cents(amount: Decimal) -> int:
    """Return a Decimal dollar amount in whole cents, refusing a fraction of a cent."""
    if round_half_up(amount) != amount:
        raise ValueError("%s is not whole cents." % amount)
    return int(amount * 100)


def from_cents(cents: int) -> Decimal:
    """Return Stripe's whole cents as Decimal dollars."""
    return Decimal(int(cents)).scaleb(-2)


def _at(timestamp) -> datetime | None:
    return datetime.fromtimestamp(int(timestamp), tz=dt_timezone.utc) if timestamp else None


def _id(value) -> str | None:
    """Return an object's ID whether Stripe gave the ID or the object (localstripe expands some)."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


def _plain(obj) -> dict:
    """Return a Stripe object (or a webhook's dict) as plain dicts and lists."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict(recursive=True)
    return obj


# --- What Stripe answers, as the portal reads it ---------------------------------------------------------


@dataclass(frozen=True)
class Method:
    id: str
    kind: str  # card or us_bank_account
    brand: str  # the card's brand, or the bank's name
    last4: str
    exp_month: int | None = None
    exp_year: int | None = None
    customer: str | None = None


@dataclass(frozen=True)
class Setup:
    id: str
    status: str  # requires_payment_method, requires_action, processing, succeeded, canceled
    customer: str | None
    payment_method: str | None
    client_secret: str | None = None
    mandate: str | None = None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # requires_action, processing, succeeded, requires_payment_method, canceled, ...
    amount: Decimal
    customer: str | None
    payment_method: str | None
    created_at: datetime | None
    metadata: dict = field(default_factory=dict)
    client_secret: str | None = None
    charge_id: str | None = None
    error_code: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class RefundInfo:
    id: str
    status: str  # pending, succeeded, failed, canceled
    amount: Decimal
    payment_intent: str | None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeInfo:
    id: str
    payment_intent: str | None
    amount: Decimal
    amount_refunded: Decimal
    status: str
    refunds: tuple[RefundInfo, ...] = ()


def method_from(obj) -> Method:
    data = _plain(obj)
    kind = data.get("type")
    if kind == CARD:
        card = data.get("card") or {}
        return Method(
            id=data["id"], kind=CARD, brand=(card.get("brand") or "").title(), last4=card.get("last4") or "",
            exp_month=card.get("exp_month"), exp_year=card.get("exp_year"), customer=_id(data.get("customer")),
        )
    if kind == US_BANK_ACCOUNT:
        bank = data.get("us_bank_account") or {}
        return Method(id=data["id"], kind=US_BANK_ACCOUNT, brand=bank.get("bank_name") or "", last4=bank.get("last4") or "",
                      customer=_id(data.get("customer")))
    raise StripeRefused("This kind of payment method (%s) is not accepted: use a card or a US bank account." % kind)


def setup_from(obj) -> Setup:
    data = _plain(obj)
    return Setup(
        id=data["id"], status=data.get("status") or "", customer=_id(data.get("customer")),
        payment_method=_id(data.get("payment_method")), client_secret=data.get("client_secret"),
        mandate=_id(data.get("mandate")), metadata=dict(data.get("metadata") or {}),
    )


def intent_from(obj) -> Intent:
    data = _plain(obj)
    error = data.get("last_payment_error") or {}
    return Intent(
        id=data["id"], status=data.get("status") or "", amount=from_cents(data.get("amount") or 0),
        customer=_id(data.get("customer")), payment_method=_id(data.get("payment_method")),
        created_at=_at(data.get("created")), metadata=dict(data.get("metadata") or {}),
        client_secret=data.get("client_secret"), charge_id=_id(data.get("latest_charge")),
        error_code=error.get("decline_code") or error.get("code") or "", error_message=error.get("message") or "",
    )


def refund_from(obj) -> RefundInfo:
    data = _plain(obj)
    return RefundInfo(
        id=data["id"], status=data.get("status") or "", amount=from_cents(data.get("amount") or 0),
        payment_intent=_id(data.get("payment_intent")), metadata=dict(data.get("metadata") or {}),
    )


def charge_from(obj) -> ChargeInfo:
    data = _plain(obj)
    refunds = (data.get("refunds") or {}).get("data") or []
    return ChargeInfo(
        id=data["id"], payment_intent=_id(data.get("payment_intent")), amount=from_cents(data.get("amount") or 0),
        amount_refunded=from_cents(data.get("amount_refunded") or 0), status=data.get("status") or "",
        refunds=tuple(refund_from(refund) for refund in refunds),
    )


# --- Calls ------------------------------------------------------------------------------------------------


def create_customer(*, name: str, email: str, group_number: str, idempotency_key: str) -> str:
    """Create the group's Stripe customer; return its ID."""
    params = {"name": name, "metadata": {"group_number": group_number}}
    if email:
        params["email"] = email
    with _Calling("create a customer"):
        return _client().v1.customers.create(params, _options(idempotency_key)).id


def create_setup_intent(*, customer_id: str, kind: str, off_session: bool, idempotency_key: str, metadata: dict) -> Setup:
    """Create a SetupIntent for the browser to collect a card or bank account with Stripe.js."""
    if kind not in METHOD_KINDS:
        raise ValueError("Unknown payment method kind %r." % kind)
    params = {
        "customer": customer_id, "payment_method_types": [kind], "usage": "off_session" if off_session else "on_session",
        "metadata": metadata,
    }
    if kind == US_BANK_ACCOUNT:
        # Instant verification only (the admin signs in to the bank through Stripe): microdeposits
        # would leave Recurring Payment waiting days for a method (docs/payments.md).
        params["payment_method_options"] = {"us_bank_account": {"verification_method": "instant"}}
    with _Calling("create a SetupIntent"):
        return setup_from(_client().v1.setup_intents.create(params, _options(idempotency_key)))


def retrieve_setup_intent(setup_intent_id: str) -> Setup:
    with _Calling("read a SetupIntent"):
        return setup_from(_client().v1.setup_intents.retrieve(setup_intent_id))


def retrieve_payment_method(payment_method_id: str) -> Method:
    with _Calling("read a payment method"):
        return method_from(_client().v1.payment_methods.retrieve(payment_method_id))


def attach_payment_method(*, payment_method_id: str, customer_id: str, idempotency_key: str) -> Method:
    """Attach the method to the customer (a confirmed SetupIntent does it on Stripe; localstripe does not)."""
    with _Calling("attach a payment method"):
        return method_from(_client().v1.payment_methods.attach(payment_method_id, {"customer": customer_id}, _options(idempotency_key)))


def create_payment_intent(
    *, amount: Decimal, customer_id: str, payment_method_id: str, kind: str, off_session: bool, idempotency_key: str,
    metadata: dict, mandate_id: str = "",
) -> Intent:
    """Create and confirm a PaymentIntent charging the saved method; return it (a decline raises PaymentDeclined)."""
    params = {
        "amount": to_cents(amount), "currency": CURRENCY, "customer": customer_id, "payment_method": payment_method_id,
        "payment_method_types": [kind], "confirm": True, "metadata": metadata,
    }
    if off_session:
        params["off_session"] = True
    if kind == US_BANK_ACCOUNT and mandate_id:
        params["mandate"] = mandate_id
    with _Calling("create a PaymentIntent"):
        return intent_from(_client().v1.payment_intents.create(params, _options(idempotency_key)))


def cancel_payment_intent(*, payment_intent_id: str, idempotency_key: str) -> Intent:
    """Cancel a PaymentIntent that will not be completed (an off-session charge waiting for the cardholder)."""
    with _Calling("cancel a PaymentIntent"):
        return intent_from(_client().v1.payment_intents.cancel(payment_intent_id, {}, _options(idempotency_key)))


def retrieve_payment_intent(payment_intent_id: str) -> Intent:
    with _Calling("read a PaymentIntent"):
        return intent_from(_client().v1.payment_intents.retrieve(payment_intent_id))


def list_payment_intents(*, created_from: datetime, created_before: datetime) -> list[Intent]:
    """Return every PaymentIntent created in [created_from, created_before), page by page."""
    intents, after = [], None
    window = {"gte": int(created_from.timestamp()), "lt": int(created_before.timestamp())}
    with _Calling("list PaymentIntents"):
        while True:
            params = {"limit": 100, "created": window}
            if after:
                params["starting_after"] = after
            page = _client().v1.payment_intents.list(params)
            intents += [intent_from(item) for item in page.data]
            if not page.has_more or not page.data:
                return intents
            after = page.data[-1].id


def create_refund(*, payment_intent_id: str, amount: Decimal, idempotency_key: str, metadata: dict) -> RefundInfo:
    """Refund `amount` of a succeeded PaymentIntent."""
    params = {"payment_intent": payment_intent_id, "amount": to_cents(amount), "metadata": metadata}
    with _Calling("refund a payment"):
        return refund_from(_client().v1.refunds.create(params, _options(idempotency_key)))


def verify_event(payload: bytes, signature: str | None) -> dict:
    """Return the webhook's event as Stripe sent it, once its signature verifies on the raw body; else raise BadSignature."""
    try:
        stripe.Webhook.construct_event(payload.decode("utf-8"), signature or "", settings.STRIPE_WEBHOOK_SECRET)
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
        raise BadSignature(str(error)) from error
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise BadSignature("Not a Stripe event.")
    return event
