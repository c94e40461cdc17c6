"""Extension points a higher layer fills in, so enrollment's pages never import billing.

billing registers its functions here in its AppConfig.ready(); enrollment calls them and
shows nothing when none is registered (e.g. in a test of enrollment alone).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# Each: f(*, subscriber, end: date, today: date) -> Decimal | None: the credit the group can
# expect when the subscriber's coverage ends on `end` and months after it were invoiced already.
credit_estimators: list = []


def expected_credit(*, subscriber, end: date, today: date) -> Decimal | None:
    """Return the credit a termination ending on `end` is expected to bring, or None when unknown."""
    for estimate in credit_estimators:
        value = estimate(subscriber=subscriber, end=end, today=today)
        if value is not None:
            return value
    return None
