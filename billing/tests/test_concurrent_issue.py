"""Two generations at once issue one invoice: the group's billing lock, and the unique (group, period) behind it."""

import datetime
import threading

import pytest
from django.db import connection

from billing import services
from billing.models import Invoice, InvoiceLine
from billing.tests import helpers

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_at_once_issue_one_invoice_with_its_lines_once(group):
    setup = helpers.set_up_group(group)
    for name in ("Ames", "Bell", "Cruz"):
        helpers.cover(helpers.subscriber(group, setup["salaried"], name), setup["gold"], datetime.date(2026, 1, 1))
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(services.issue_invoice(group=group, period=datetime.date(2026, 3, 1), today=datetime.date(2026, 2, 15)))
        except Exception as error:  # reported below, with the thread's traceback lost but its message kept
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors, errors
    assert sorted(result.created for result in results) == [False, True]
    assert results[0].invoice.pk == results[1].invoice.pk
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 3


def test_the_database_refuses_a_second_invoice_of_the_same_month_even_without_the_lock(group):
    helpers.set_up_group(group)
    first = services.issue_invoice(group=group, period=datetime.date(2026, 3, 1), today=datetime.date(2026, 2, 15)).invoice
    with pytest.raises(Exception, match="invoice_period_unique|number"):
        Invoice.objects.create(
            group=group, number="INV-104522-202603", period=first.period, issued_on=first.issued_on, due_on=first.due_on,
        )
