"""A stripe.HTTPClient that replays recorded Stripe API responses and keeps every request it was sent.

Put in `billing.stripe_gateway.HTTP_CLIENT`, it replaces only the network: the gateway builds its
StripeClient, encodes parameters and sends the idempotency key exactly as against Stripe.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Sent:
    method: str
    path: str
    params: dict  # form fields (POST) or query (GET), flattened as Stripe encodes them: "metadata[group_number]"
    headers: dict


class RecordedStripe(stripe.HTTPClient):
    name = "recorded"

    def __init__(self, routes: dict, folder: Path = FIXTURES):
        """Answer each (method, path regex) of `routes` with a file of `folder` (a 200 response's body), or with (status, body dict)."""
        super().__init__()
        self.routes = [(method, re.compile(pattern + r"\Z"), answer if isinstance(answer, tuple) else folder / answer)
                       for (method, pattern), answer in routes.items()]
        self.sent: list[Sent] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = dict(parse_qsl(body if method.upper() == "POST" else parts.query, keep_blank_values=True))
        self.sent.append(Sent(method.upper(), parts.path, params, dict(headers or {})))
        for route_method, pattern, answer in self.routes:
            if route_method == method.upper() and pattern.match(parts.path):
                if isinstance(answer, tuple):
                    return json.dumps(answer[1]), answer[0], {"request-id": "req_recorded"}
                return answer.read_text(), 200, {"request-id": "req_recorded"}
        error = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No recording for %s %s" % (method, parts.path)}}
        return json.dumps(error), 404, {"request-id": "req_recorded"}

    def close(self):
        pass

    def posts(self, path_pattern: str) -> list[Sent]:
        return [s for s in self.sent if s.method == "POST" and re.fullmatch(path_pattern, s.path)]
