"""The billing pages make the same number of SQL queries for an invoice of 10 lines or of many."""

import datetime

import pytest
from django.urls import reverse

from billing.tests import helpers
from enrollment.models import Coverage, CoveredMember
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

d = datetime.date


def add_subscribers(group, setup, n, start=0):
    subs = [factories.SubscriberFactory(group=group, subgroup=setup["salaried" if i % 2 else "hourly"], last_name="Zed%04d" % i) for i in range(start, start + n)]
    for i, sub in enumerate(subs):
        coverage = Coverage.objects.create(
            group=group, subscriber=sub, plan=setup["gold"], plan_year=2026, tier="EC" if i % 3 else "EE", start=d(2026, 1, 1), status="active",
        )
        if i % 3:
            CoveredMember.objects.create(coverage=coverage, dependent=factories.DependentFactory(subscriber=sub, group=group))
    return subs


def queries(client, path):
    client.get(path)  # caches (content types, the session) out of the count
    with count_queries() as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx)


@pytest.mark.parametrize("rating", ["tiered", "age_banded"])
def test_the_invoice_breakdown_contract_history_and_preview_pages_do_not_grow_with_the_invoice(alice_client, group, rating):
    setup = helpers.set_up_group(group, rating=rating)
    helpers.add_age_rates(setup["gold"], 2026, {})

    def counts():
        # A fresh pair of invoices each time: March, then April with retro charges for March.
        period = d(2026, 3, 1) if not counts.calls else d(2026, 5, 1)
        first = helpers.issue(group, period)
        invoice = helpers.issue(group, d(period.year, period.month + 1, 1))
        counts.calls += 1
        number = invoice.number
        sub = invoice.lines.exclude(subscriber=None).first().subscriber.subscriber_number
        paths = [
            reverse("billing:invoice", kwargs={"group_number": "104522", "invoice_number": number}),
            reverse("billing:invoice", kwargs={"group_number": "104522", "invoice_number": number}) + "?sort=-amount&tier=EC",
            reverse("billing:invoice_breakdown", kwargs={"group_number": "104522", "invoice_number": number}),
            reverse("billing:contract_detail", kwargs={"group_number": "104522", "invoice_number": number, "subscriber_number": sub}),
            reverse("billing:invoices", kwargs={"group_number": "104522"}),
            reverse("billing:current_invoice", kwargs={"group_number": "104522"}),
            reverse("billing:next_invoice_preview", kwargs={"group_number": "104522"}),
            reverse("group_home", kwargs={"group_number": "104522"}),
        ]
        assert first.lines.exists()
        return {path.split("/billing/")[-1].split(number)[-1] or path: queries(alice_client, path) for path in paths}

    counts.calls = 0
    add_subscribers(group, setup, 10)
    few = counts()
    add_subscribers(group, setup, 90, start=10)
    many = counts()
    assert few == many
