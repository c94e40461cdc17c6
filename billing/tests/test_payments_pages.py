"""The pages of payments: constant queries however many payments, the history, the receipt, a limited admin, another group."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Autopay, Invoice, Payment, PaymentMethod, Refund
from billing.tests.stripe_helpers import make_invoice
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def add_payments(group, user, n, first_year):
    method, _ = PaymentMethod.objects.get_or_create(
        stripe_payment_method_id="pm_pages_%s" % group.group_number,
        defaults={"group": group, "kind": "card", "brand": "Visa", "last4": "4242", "created_by": user},
    )
    for i in range(n):
        invoice = make_invoice(group, date(first_year + i // 12, i % 12 + 1, 1), Decimal("100.00"))
        payment = Payment.objects.create(group=group, invoice=invoice, amount=Decimal("100.00"), status="succeeded", payment_method=method,
                                         idempotency_key="pay-%d-1" % invoice.pk, created_by=user, stripe_payment_intent_id="pi_pages_%d" % invoice.pk)
        Refund.objects.create(group=group, payment=payment, amount=Decimal("1.00"), reason="x", idempotency_key="r-%d" % payment.pk, status="succeeded")
    return method


def queries_for(client, path):
    client.get(path)
    with count_queries() as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["billing:payments", "billing:invoices"])
def test_the_page_makes_the_same_number_of_queries_for_5_and_40_payments(alice_client, alice, group, page):
    path = reverse(page, kwargs={"group_number": group.group_number})
    method = add_payments(group, alice, 5, 2001)
    Autopay.objects.create(group=group, payment_method=method, created_by=alice, maximum_amount=Decimal("500.00"))
    few = queries_for(alice_client, path)
    add_payments(group, alice, 35, 2011)
    many = queries_for(alice_client, path)
    assert few == many, "%s: %d queries with 5 payments, %d with 40" % (page, few, many)


def test_the_payments_page_lists_every_payment_with_its_receipt(alice_client, alice, group):
    add_payments(group, alice, 3, 2001)
    page = alice_client.get(reverse("billing:payments", kwargs={"group_number": "104522"})).content.decode()
    for payment in Payment.objects.all():
        receipt = reverse("billing:payment_detail", kwargs={"group_number": "104522", "payment_reference": payment.reference})
        assert '<a href="%s">%s-%s</a>' % (receipt, payment.reference[:5], payment.reference[5:]) in page
    assert page.count("Visa •••• 4242") == 3
    assert "Off. With Recurring Payment" in page


def test_the_invoice_history_shows_the_latest_payments_to_every_role(client, bob, alice, group):
    add_payments(group, alice, 2, 2001)
    client.force_login(bob)
    page = client.get(reverse("billing:invoices", kwargs={"group_number": "104522"})).content.decode()
    assert "Latest payments" in page
    reference = Payment.objects.first().reference
    assert "%s-%s" % (reference[:5], reference[5:]) in page
    assert "/billing/payments/%s/" % reference not in page, "a read-only admin is not linked to the receipt"
    assert '>Paid</th>' in page or '>Paid</a></th>' in page, "the history shows what was paid"


def test_a_receipt_shows_the_payment_and_what_the_invoice_owes_now(alice_client, alice, group):
    add_payments(group, alice, 1, 2001)
    payment = Payment.objects.get()
    page = alice_client.get(reverse("billing:payment_detail", kwargs={"group_number": "104522", "payment_reference": payment.reference})).content.decode()
    assert "Payment Receipt" in page
    assert "Thank you: $100.00 was received for invoice INV-104522-200101." in page
    assert "$1.00 on" in page, "the refund is listed"


def test_the_status_endpoint_answers_the_payments_status(alice_client, alice, group):
    add_payments(group, alice, 1, 2001)
    payment = Payment.objects.get()
    url = reverse("billing:payment_status", kwargs={"group_number": "104522", "payment_reference": payment.reference})
    assert alice_client.get(url).json() == {"status": "succeeded"}


def test_a_payment_of_another_group_is_not_found(alice_client, charlie, other_group):
    add_payments(other_group, charlie, 1, 2001)
    theirs = Payment.objects.get()
    for name in ("billing:payment_detail", "billing:payment_status"):
        assert alice_client.get(reverse(name, kwargs={"group_number": "104522", "payment_reference": theirs.reference})).status_code == 404
    invoice = Invoice.objects.get()
    assert alice_client.get(reverse("billing:make_payment", kwargs={"group_number": "104522", "invoice_number": invoice.number})).status_code == 404


def test_an_admin_limited_to_a_subgroup_still_pays_the_whole_groups_invoice(client, group, invoice):
    """An invoice belongs to the whole group, not to a subgroup: a billing admin limited to Hourly pays it (docs/payments.md)."""
    hourly = factories.SubgroupFactory(group=group, code="HRLY", name="Hourly")
    user = factories.UserFactory(username="limited-bill")
    membership = factories.MembershipFactory(user=user, group=group, role="billing")
    membership.subgroups.set([hourly])
    client.force_login(user)
    assert client.get(reverse("billing:make_payment", kwargs={"group_number": "104522", "invoice_number": invoice.number})).status_code == 200
