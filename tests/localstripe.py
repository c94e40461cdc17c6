"""localstripe for the tests: one server per test session on a free port of 127.0.0.1, wiped before each test.

Started with portal/localstripe_server.py (loopback only, its state in the session's temporary
folder). Never the real Stripe. `LocalStripe` also plays the two parts the tests need from
outside the portal: the browser's Stripe.js confirming a SetupIntent with a card number, and
Stripe sending a signed webhook event (localstripe sends only payment_intent events).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

SECRET_KEY = "sk_test_localstripe"
PUBLISHABLE_KEY = "pk_test_localstripe"
WEBHOOK_ID = "portal-tests"
NO_EVENT = "portal.tests.silenced"  # a webhook subscribed only to this receives nothing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalStripe:
    def __init__(self, url: str, process: subprocess.Popen | None = None):
        self.url = url
        self.process = process
        self.http = requests.Session()

    @property
    def js_url(self) -> str:
        return self.url + "/js.stripe.com/v3/"

    @classmethod
    def start(cls, folder: Path, timeout: float = 20.0, extra_args: tuple[str, ...] = ()) -> LocalStripe:
        """Start the wrapper on a free port; raise RuntimeError (with its output) when it does not answer."""
        port = free_port()
        log = (folder / "localstripe.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.localstripe_server", "--port", str(port), "--state", str(folder / "localstripe.pickle"), *extra_args],
            stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent,
        )
        server = cls("http://127.0.0.1:%d" % port, process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                if server.http.get(server.js_url, timeout=1).status_code == 200:
                    return server
            except requests.ConnectionError:
                time.sleep(0.1)
        process.kill()
        raise RuntimeError("localstripe did not start: %s" % (folder / "localstripe.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    # --- Its configuration -------------------------------------------------------------------------

    def wipe(self) -> None:
        self.http.delete(self.url + "/_config/data").raise_for_status()

    def send_webhooks_to(self, url: str, secret: str) -> None:
        self.http.post(self.url + "/_config/webhooks/" + WEBHOOK_ID, data={"url": url, "secret": secret}).raise_for_status()

    def silence_webhooks(self) -> None:
        """Stop sending webhooks (localstripe cannot forget one: it is subscribed to an event that never happens)."""
        self.http.post(
            self.url + "/_config/webhooks/" + WEBHOOK_ID, data={"url": "http://127.0.0.1:9/", "secret": "x", "events[]": [NO_EVENT]}
        ).raise_for_status()

    # --- Reading what Stripe holds --------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, self.url + path, headers={"Authorization": "Bearer " + SECRET_KEY}, **kwargs)
        response.raise_for_status()
        return response.json()

    def payment_intents(self) -> list[dict]:
        """Return every PaymentIntent localstripe holds (what Stripe would have charged)."""
        found, after = [], None
        while True:
            params = {"limit": 100, **({"starting_after": after} if after else {})}
            page = self.api("GET", "/v1/payment_intents", params=params)
            found += page["data"]
            if not page["has_more"]:
                return found
            after = page["data"][-1]["id"]

    # --- What the browser's Stripe.js does ------------------------------------------------------------

    def confirm_setup(self, client_secret: str, card_number: str = "4242424242424242") -> dict:
        """Confirm a SetupIntent with a card, as Stripe.js's confirmCardSetup does (publishable key, client secret).

        A card that asks for 3D Secure (4000 0025 0000 3155) is then authenticated, as the cardholder
        does in Stripe.js's dialog.
        """
        setup_id = client_secret.split("_secret_")[0]
        url = self.url + "/v1/setup_intents/%s/confirm" % setup_id
        answer = self.http.post(url, json={
            "key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret,
            "payment_method_data": {"type": "card", "card": {"number": card_number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}},
        }).json()
        if answer.get("status") == "requires_action":
            answer = self.http.post(url, json={"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": client_secret}).json()
        return answer


# --- Signed webhook events, as Stripe sends them ----------------------------------------------------------


def signed_event(event_type: str, obj: dict, *, secret: str, event_id: str | None = None, created: int | None = None) -> tuple[bytes, str]:
    """Return (body, Stripe-Signature header) of an event carrying `obj`, signed with `secret` as Stripe signs."""
    created = created or int(time.time())
    event = {
        "id": event_id or "evt_%s" % uuid.uuid4().hex[:24], "object": "event", "type": event_type, "created": created,
        "api_version": "2025-03-31.basil", "livemode": False, "data": {"object": obj},
    }
    body = json.dumps(event).encode()
    return body, sign(body, secret=secret)


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), b"%d.%s" % (timestamp, body), hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (timestamp, signature)


def deliver(client, body: bytes, signature: str):
    """POST a webhook to the portal as Stripe does: the raw JSON body and its signature header."""
    return client.post("/billing/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
