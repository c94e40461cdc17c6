"""Applying payments (balance forward: a payment settles the oldest invoices first), past due after the grace
period with emails to the billing and primary admins, and the "invoice issued" email."""

import datetime

import pytest
from django.core import mail

from accounts.models import AuditEvent, Membership
from billing import rules, services
from billing.models import Invoice, Payment
from billing.tests import helpers
from billing.tests.helpers import D, at
from tests import factories

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def two_invoices(group):
    """March (500.00 due) and April (1,000.00 due: March's balance carried) of a one-subscriber group."""
    setup = helpers.set_up_group(group)
    helpers.cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))
    return helpers.issue(group, d(2026, 3, 1)), helpers.issue(group, d(2026, 4, 1))


def pay(group, invoice, amount, day, key):
    return services.apply_payment(
        group=group, invoice=invoice, amount=D(amount), source=Payment.Source.ONLINE, today=day, received_at=at(day), idempotency_key=key,
    )


def statuses():
    return list(Invoice.objects.order_by("period").values_list("number", "amount_due", "amount_paid", "status"))


def test_paying_the_latest_amount_due_settles_every_invoice_it_carries(group, two_invoices):
    pay(group, two_invoices[1], "1000.00", d(2026, 3, 20), "p1")
    assert statuses() == [
        ("INV-104522-202603", D("500.00"), D("1000.00"), "paid"),
        ("INV-104522-202604", D("1000.00"), D("1000.00"), "paid"),
    ]


def test_a_partial_payment_settles_the_oldest_invoice_first(group, two_invoices):
    pay(group, two_invoices[1], "600.00", d(2026, 3, 20), "p1")
    assert statuses() == [
        ("INV-104522-202603", D("500.00"), D("600.00"), "paid"),
        ("INV-104522-202604", D("1000.00"), D("600.00"), "partially_paid"),
    ]


def test_a_payment_is_reported_once_on_the_next_invoice(group, two_invoices):
    payment = pay(group, two_invoices[1], "600.00", d(2026, 3, 20), "p1")
    may = helpers.issue(group, d(2026, 5, 1))
    june = helpers.issue(group, d(2026, 6, 1))

    payment.refresh_from_db()
    assert payment.reported_invoice == may
    assert (may.previous_balance, may.payments_received, may.amount_due) == (D("1000.00"), D("600.00"), D("900.00"))
    assert (june.previous_balance, june.payments_received, june.amount_due) == (D("900.00"), D("0.00"), D("1400.00"))


def test_the_same_payment_twice_is_recorded_once(group, two_invoices):
    first = pay(group, two_invoices[1], "250.00", d(2026, 3, 20), "same-key")
    second = pay(group, two_invoices[1], "250.00", d(2026, 3, 20), "same-key")
    assert first == second
    assert Payment.objects.count() == 1
    assert two_invoices[1].__class__.objects.get(pk=two_invoices[1].pk).amount_paid == D("250.00")


@pytest.mark.parametrize("amount, code", [("0", "payment_not_positive"), ("10.005", "payment_fraction_of_cent"), ("1000000.00", "payment_too_large")])
def test_a_payment_the_rules_refuse_records_nothing(group, two_invoices, amount, code):
    with pytest.raises(Exception) as caught:
        pay(group, two_invoices[1], amount, d(2026, 3, 20), "bad")
    assert caught.value.code == code
    assert not Payment.objects.exists()


def test_a_payment_is_audited(group, two_invoices, alice):
    services.apply_payment(
        group=group, invoice=two_invoices[1], amount=D("10.00"), source=Payment.Source.ONLINE, today=d(2026, 3, 20),
        acting_user=alice, idempotency_key="audited",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.PAYMENT)
    assert (event.actor, event.group, event.detail["amount"], event.detail["invoice"]) == (alice, group, "10.00", "INV-104522-202604")


# --- Past due -------------------------------------------------------------------------------------------


def test_an_unpaid_invoice_is_past_due_the_day_after_its_grace_period_and_its_admins_are_emailed(group, two_invoices, alice, django_capture_on_commit_callbacks):
    billing_admin = factories.UserFactory(username="bill", email="bill@example.com")
    factories.MembershipFactory(user=billing_admin, group=group, role=Membership.Role.BILLING)
    reader = factories.UserFactory(username="reader", email="reader@example.com")
    factories.MembershipFactory(user=reader, group=group, role=Membership.Role.READ_ONLY)
    march = two_invoices[0]
    last_day_of_grace = rules.grace_ends_on(march.due_on)  # Mar 31

    assert services.mark_past_due(today=last_day_of_grace) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_past_due(today=last_day_of_grace + datetime.timedelta(days=1)) == [march.pk]

    assert statuses()[0][3] == "past_due" and statuses()[1][3] == "open"
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bill@example.com"]
    assert mail.outbox[0].subject == "Invoice INV-104522-202603 is past due"
    assert "$500.00" in mail.outbox[0].body and "Mar 1, 2026" in mail.outbox[0].body


def test_a_paid_invoice_is_never_past_due(group, two_invoices):
    pay(group, two_invoices[0], "500.00", d(2026, 2, 20), "p1")
    assert services.mark_past_due(today=d(2026, 6, 1)) == [two_invoices[1].pk]


def test_a_payment_after_past_due_settles_it(group, two_invoices):
    services.mark_past_due(today=d(2026, 4, 1))
    pay(group, two_invoices[1], "1000.00", d(2026, 4, 2), "late")
    assert [row[3] for row in statuses()] == ["paid", "paid"]


def test_a_partial_payment_after_the_grace_period_leaves_it_past_due(group, two_invoices):
    services.mark_past_due(today=d(2026, 4, 1))
    pay(group, two_invoices[1], "100.00", d(2026, 4, 2), "part")
    assert statuses()[0][2:] == (D("100.00"), "past_due")


# --- Invoice issued email --------------------------------------------------------------------------------


def test_issuing_emails_each_active_billing_and_primary_admin_once(group, alice, bob, django_capture_on_commit_callbacks):
    setup = helpers.set_up_group(group)
    helpers.cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))
    billing_admin = factories.UserFactory(username="bill", email="bill@example.com", first_name="Bill")
    factories.MembershipFactory(user=billing_admin, group=group, role=Membership.Role.BILLING)
    gone = factories.UserFactory(username="gone", email="gone@example.com")
    factories.MembershipFactory(user=gone, group=group, role=Membership.Role.BILLING, is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        helpers.issue(group, d(2026, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        helpers.issue(group, d(2026, 3, 1))  # again: nothing new, no email

    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bill@example.com"]
    bills = [m for m in mail.outbox if m.to == ["bill@example.com"]][0]
    assert bills.subject == "Invoice INV-104522-202603 for March 2026 is ready"
    assert "Hello Bill," in bills.body and "Amount due: $500.00" in bills.body and "Due: Mar 1, 2026" in bills.body
