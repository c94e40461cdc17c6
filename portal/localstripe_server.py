"""Run localstripe (the Stripe API stand-in for `make run` and the tests) on loopback only.

Its own CLI binds every interface and pickles to a fixed file in /tmp; this wrapper
keeps its state under .data/ (or a path given) and listens on 127.0.0.1 only. It also

- registers the portal's webhook at start-up (`--webhook URL`, signed with `--webhook-secret`,
  default STRIPE_WEBHOOK_SECRET or whsec_localstripe), since localstripe keeps webhooks in memory
  only: `make run` passes http://127.0.0.1:$WEB_PORT/billing/stripe/webhook/;
- accepts `created[gte]`/`created[lt]` on GET /v1/payment_intents as Stripe does (localstripe
  refuses any filter there), so the nightly reconciliation lists one window the same way on both.
"""

import argparse
import os
import pickle
from pathlib import Path

from aiohttp import web
from localstripe import resources, server, webhooks
from localstripe.errors import UserError


def list_payment_intents_created(url, limit=None, starting_after=None, created=None, **kwargs):
    """List PaymentIntents, filtered by `created` (gt, gte, lt, lte: Unix times) like Stripe."""
    listing = resources.StripeObject._api_list_all.__func__(resources.PaymentIntent, url, limit=limit, starting_after=starting_after, **kwargs)
    if created is not None:
        if not isinstance(created, dict) or not set(created) <= {"gt", "gte", "lt", "lte"}:
            raise UserError(400, "Bad request")
        bounds = {op: int(value) for op, value in created.items()}
        tests = {"gt": lambda c, v: c > v, "gte": lambda c, v: c >= v, "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v}
        listing._list = [pi for pi in listing._list if all(tests[op](pi.created, v) for op, v in bounds.items())]
    listing._list.sort(key=lambda pi: (pi.created, pi.id))
    return listing


def serve(port: int, state_file: Path | None, webhook_url: str = "", webhook_secret: str = "") -> None:
    def load(self):
        if state_file and state_file.exists():
            with state_file.open("rb") as f:
                self.clear()
                self.update(pickle.load(f))

    def dump(self):
        if state_file:
            with state_file.open("wb") as f:
                pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.PaymentIntent._api_list_all = classmethod(lambda cls, url, **kw: list_payment_intents_created(url, **kw))
    resources.store.try_load_from_disk()
    if webhook_url:
        webhooks.register_webhook("portal", webhook_url, webhook_secret, None)
    web.run_app(server.app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", type=Path, default=Path(".data/localstripe.pickle"))
    parser.add_argument("--webhook", default="", help="the portal's webhook URL, e.g. http://127.0.0.1:8000/billing/stripe/webhook/")
    parser.add_argument("--webhook-secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe"))
    args = parser.parse_args()
    if args.state:
        args.state.parent.mkdir(parents=True, exist_ok=True)
    serve(args.port, args.state, args.webhook, args.webhook_secret)
