"""Fixtures of the payment tests: billing and enrollment admins, an open invoice of next month."""

from datetime import date

import pytest
from django.utils import timezone

from billing.tests.stripe_helpers import make_invoice
from tests import factories
from tests.localstripe import deliver


@pytest.fixture
def bill(group):
    """Return a billing admin of `group`."""
    user = factories.UserFactory(username="bill", first_name="Bill", last_name="Baker")
    factories.MembershipFactory(user=user, group=group, role="billing")
    return user


@pytest.fixture
def erin(group):
    """Return an enrollment admin of `group`: no paying."""
    user = factories.UserFactory(username="erin", first_name="Erin", last_name="Evans")
    factories.MembershipFactory(user=user, group=group, role="enrollment")
    return user


@pytest.fixture
def invoice(group):
    """Return the group's open invoice of next month: $1,250.00 due."""
    today = timezone.localdate()
    return make_invoice(group, date(today.year + (today.month == 12), today.month % 12 + 1, 1))


@pytest.fixture
def webhook(client, django_capture_on_commit_callbacks):
    """Return send(body, signature): Stripe POSTing an event to the portal, the work queued on commit done at once."""

    def send(body, signature):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(client, body, signature)

    return send
