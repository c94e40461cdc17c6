"""Fixtures of the billing tests: a billed group (invoices), and the payment tests' admins, open invoice and webhook."""

import datetime
from datetime import date

import pytest
from django.utils import timezone

from accounts.models import Membership
from billing.tests import helpers
from billing.tests.stripe_helpers import make_invoice
from tests import factories
from tests.localstripe import deliver

d = datetime.date


@pytest.fixture
def billed(group):
    """Acme with six subscribers (four Salaried, two Hourly) and two invoices: March and April 2026.

    Salaried: Adams EE, Baker ES, Clark EC (a child), Davis FAM (spouse, child) -- Hourly: Evans EE, Fox ES.
    Feb 20, after March was invoiced: Davis's coverage ends Feb 28 (request DAVS2-34567), so April credits March: -1,450.00.
    March: 5,300.00 premium. April: 3,850.00 premium, -1,450.00 adjustment, 5,300.00 previous balance: 7,700.00 due.
    """
    setup = helpers.set_up_group(group)
    gold, salaried, hourly = setup["gold"], setup["salaried"], setup["hourly"]
    people = {}
    for name, subgroup, tier in (
        ("Adams", salaried, "EE"), ("Baker", salaried, "ES"), ("Clark", salaried, "EC"), ("Davis", salaried, "FAM"),
        ("Evans", hourly, "EE"), ("Fox", hourly, "ES"),
    ):
        sub = helpers.subscriber(group, subgroup, name, subscriber_number="M%09d" % (100000000 + len(people)))
        deps = []
        if tier in ("ES", "FAM"):
            deps.append(helpers.dependent(sub, "spouse", d(1986, 1, 1), "Spouse%s" % name, "01"))
        if tier in ("EC", "FAM"):
            deps.append(helpers.dependent(sub, "child", d(2015, 1, 1), "Kid%s" % name, "%02d" % (len(deps) + 1)))
        people[name] = (sub, helpers.cover(sub, gold, d(2026, 1, 1), tier=tier, dependents=deps))
    march = helpers.issue(group, d(2026, 3, 1))
    davis, coverage = people["Davis"]
    helpers.end(coverage, d(2026, 2, 28))
    request = helpers.completed_request(group, davis, "termination", helpers.at(d(2026, 2, 20)), "DAVS234567")
    april = helpers.issue(group, d(2026, 4, 1))
    return {**setup, "people": {k: v[0] for k, v in people.items()}, "march": march, "april": april, "request": request}


@pytest.fixture
def hana(group, billed):
    """An enrollment admin of Acme limited to the Hourly subgroup."""
    user = factories.UserFactory(username="hana", first_name="Hana", last_name="Hughes")
    membership = factories.MembershipFactory(user=user, group=group, role=Membership.Role.ENROLLMENT)
    membership.subgroups.set([billed["hourly"]])
    return user


@pytest.fixture
def hana_client(client, hana):
    client.force_login(hana)
    return client


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
