"""Pages issue a constant number of SQL queries however long the list they show."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Invoice
from enrollment.models import ChangeRequest
from tests import factories
from tests.queries import count_queries


def add_subscribers(group, n):
    subgroup = factories.SubgroupFactory(group=group)
    plan = factories.PlanFactory()
    for _ in range(n):
        subscriber = factories.SubscriberFactory(group=group, subgroup=subgroup)
        factories.DependentFactory(subscriber=subscriber)
        factories.CoverageFactory(subscriber=subscriber, plan=plan, start=datetime.date(2020, 1, 1))
        factories.ChangeRequestFactory(group=group, subscriber=subscriber, status=ChangeRequest.Status.RECEIVED)


def add_invoices(group, n, start_year=2000):
    for i in range(n):
        period = datetime.date(start_year + i // 12, i % 12 + 1, 1)
        Invoice.objects.create(
            group=group, number="INV-%s-%s" % (group.group_number, period.strftime("%Y%m")), period=period,
            issued_on=period - datetime.timedelta(days=15), due_on=period,
            current_premium=Decimal("100.00"), amount_due=Decimal("100.00"),
        )


def queries_for(client, path):
    client.get(path)  # warm caches (content types, sessions) out of the count
    with count_queries() as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["group_home", "enrollment:roster", "billing:invoices"])
def test_the_page_makes_the_same_number_of_queries_for_5_and_40_rows(alice_client, group, page):
    path = reverse(page, kwargs={"group_number": group.group_number})
    add_subscribers(group, 5)
    add_invoices(group, 5)
    few = queries_for(alice_client, path)
    add_subscribers(group, 35)
    add_invoices(group, 35, start_year=2010)
    many = queries_for(alice_client, path)
    assert few == many, "%s: %d queries with 5 rows, %d with 40" % (page, few, many)
