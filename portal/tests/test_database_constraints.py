"""The database itself refuses what must never be stored."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billing.models import Invoice
from enrollment.models import Coverage, Dependent
from tests import factories

D = datetime.date


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_refuses_an_overlapping_coverage_of_one_subscriber(db):
    first = factories.CoverageFactory(start=D(2026, 1, 1), end=D(2026, 6, 30))
    refused(lambda: factories.CoverageFactory(subscriber=first.subscriber, plan=first.plan, start=D(2026, 6, 1), end=None))
    refused(lambda: factories.CoverageFactory(subscriber=first.subscriber, plan=first.plan, start=D(2025, 1, 1), end=D(2026, 1, 1)))


def test_it_accepts_a_coverage_starting_the_day_after_the_last_one_ended(db):
    first = factories.CoverageFactory(start=D(2026, 1, 1), end=D(2026, 6, 30))
    factories.CoverageFactory(subscriber=first.subscriber, plan=first.plan, start=D(2026, 7, 1))
    assert Coverage.objects.filter(subscriber=first.subscriber).count() == 2


def test_an_open_ended_coverage_blocks_every_later_one(db):
    first = factories.CoverageFactory(start=D(2026, 1, 1), end=None)
    refused(lambda: factories.CoverageFactory(subscriber=first.subscriber, plan=first.plan, start=D(2030, 1, 1)))


def test_a_void_coverage_does_not_block_a_new_one(db):
    first = factories.CoverageFactory(start=D(2026, 1, 1), status=Coverage.Status.VOID)
    factories.CoverageFactory(subscriber=first.subscriber, plan=first.plan, start=D(2026, 1, 1))


def test_other_subscribers_may_have_the_same_dates(db):
    first = factories.CoverageFactory(start=D(2026, 1, 1))
    factories.CoverageFactory(plan=first.plan, start=D(2026, 1, 1))


def test_it_refuses_an_end_before_the_start(db):
    refused(lambda: factories.CoverageFactory(start=D(2026, 3, 1), end=D(2026, 2, 28)))


def test_it_refuses_duplicate_identifiers(db):
    subscriber = factories.SubscriberFactory()
    refused(lambda: factories.SubscriberFactory(group=subscriber.group, subgroup=subscriber.subgroup, subscriber_number=subscriber.subscriber_number))
    group = factories.GroupFactory()
    refused(lambda: factories.GroupFactory._meta.model.objects.create(
        group_number=group.group_number, legal_name="Copy", address_line1="x", city="x", state="OR", zip_code="97201"))
    request = factories.ChangeRequestFactory()
    refused(lambda: factories.ChangeRequestFactory(confirmation_number=request.confirmation_number))


def test_it_refuses_malformed_identifiers(db):
    refused(lambda: factories.GroupFactory(group_number="12345"))
    refused(lambda: factories.SubscriberFactory(subscriber_number="X123456789"))
    refused(lambda: factories.ChangeRequestFactory(confirmation_number="ABCDE1OIL0"))  # 1, O, I, L, 0 are not in the alphabet


def test_it_refuses_a_second_current_spouse_or_partner(db):
    spouse = factories.DependentFactory(relationship=Dependent.Relationship.SPOUSE)
    refused(lambda: factories.DependentFactory(subscriber=spouse.subscriber, relationship=Dependent.Relationship.PARTNER))
    spouse.removed_on = D(2026, 5, 1)
    spouse.save()
    factories.DependentFactory(subscriber=spouse.subscriber, relationship=Dependent.Relationship.SPOUSE)


def test_it_refuses_a_waiting_period_over_90_days(db):
    refused(lambda: factories.GroupFactory(waiting_period_days=120))


def test_it_refuses_an_invalid_tier_and_a_mid_month_invoice_period(db):
    refused(lambda: factories.CoverageFactory(tier="XX"))
    group = factories.GroupFactory()
    refused(lambda: Invoice.objects.create(group=group, number="INV-%s-202605" % group.group_number, period=D(2026, 5, 2),
                                           issued_on=D(2026, 4, 15), due_on=D(2026, 5, 1)))


def test_an_invoice_whose_totals_do_not_add_up_is_refused(db):
    group = factories.GroupFactory()
    ok = dict(group=group, period=D(2026, 5, 1), issued_on=D(2026, 4, 15), due_on=D(2026, 5, 1),
              previous_balance=Decimal("100.00"), payments_received=Decimal("100.00"), current_premium=Decimal("812.34"),
              adjustments_total=Decimal("-12.34"))
    refused(lambda: Invoice.objects.create(number="INV-%s-202605" % group.group_number, amount_due=Decimal("800.01"), **ok))
    invoice = Invoice.objects.create(number="INV-%s-202605" % group.group_number, amount_due=Decimal("800.00"), **ok)
    refused(lambda: Invoice.objects.create(number="INV-%s-202605" % group.group_number, amount_due=Decimal("800.00"),
                                           **{**ok, "period": D(2026, 6, 1)}))
    assert invoice.amount_due == Decimal("800.00")


def test_money_is_numeric_12_2(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "select numeric_precision, numeric_scale from information_schema.columns "
            "where table_name = 'billing_invoice' and column_name = 'amount_due'"
        )
        assert cursor.fetchone() == (12, 2)
