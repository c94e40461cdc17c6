"""A billing specialist (staff in "Billing specialists", not a superuser) has exactly their permissions,
and cannot add, change or delete history through Django admin: audit events, issued invoices and their
lines, recorded payments.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.audit import record_event
from accounts.models import AuditEvent
from billing.models import Invoice, InvoiceLine, InvoiceLineMember, Payment
from tests import factories
from tests.guards import superuser_sign_ins

pytestmark = pytest.mark.django_db

# View everything; add or change only what a specialist sets up or corrects; delete nothing.
EXPECTED_PERMISSIONS = {
    "accounts.add_employergroup", "accounts.change_employergroup", "accounts.view_employergroup",
    "accounts.add_subgroup", "accounts.change_subgroup", "accounts.view_subgroup",
    "accounts.add_membership", "accounts.change_membership", "accounts.view_membership",
    "accounts.change_user", "accounts.view_user",
    "accounts.change_registrationrequest", "accounts.view_registrationrequest",
    "accounts.change_registrationuser", "accounts.view_registrationuser",
    "accounts.view_auditevent",
    "enrollment.add_plan", "enrollment.change_plan", "enrollment.view_plan",
    "enrollment.add_planoffering", "enrollment.change_planoffering", "enrollment.view_planoffering",
    "enrollment.add_planrate", "enrollment.change_planrate", "enrollment.view_planrate",
    "enrollment.add_planagerate", "enrollment.change_planagerate", "enrollment.view_planagerate",
    "enrollment.change_subscriber", "enrollment.view_subscriber",
    "enrollment.change_dependent", "enrollment.view_dependent",
    "enrollment.change_changerequest", "enrollment.view_changerequest",
    "enrollment.change_idcardorder", "enrollment.view_idcardorder",
    "enrollment.view_coverage", "enrollment.view_coveredmember", "enrollment.view_requestevent",
    "enrollment.view_openenrollmentelection", "enrollment.view_enrollmentdraft", "enrollment.view_proofdocument",
    "enrollment.view_openenrollmentreminder",
    # Continuation (COBRA): read only; every change goes through a request a specialist approves or rejects.
    "enrollment.view_continuation", "enrollment.view_qualifiedbeneficiary",
    # Change history (django-pghistory events): read only.
    "enrollment.view_subscriberevent", "enrollment.view_dependentevent", "enrollment.view_coverageevent",
    "enrollment.view_coveredmemberevent",
    "billing.add_adjustment", "billing.change_adjustment", "billing.view_adjustment",
    "billing.view_invoice", "billing.view_invoiceline", "billing.view_invoicelinemember",
    "billing.view_invoicebreakdownrow", "billing.view_invoicedocument",
    "billing.view_payment", "billing.view_paymentmethod", "billing.view_autopay", "billing.view_billingaccount",
    "billing.refund_payment",  # "Refund through Stripe…" on a payment
    "billing.view_refund", "billing.view_stripeevent", "billing.view_autopaynotice", "billing.view_paymentmismatch",
}


def test_the_specialists_group_has_exactly_the_expected_permissions():
    permissions = Group.objects.get(name="Billing specialists").permissions.select_related("content_type")
    assert {"%s.%s" % (p.content_type.app_label, p.codename) for p in permissions} == EXPECTED_PERMISSIONS


def test_the_specialist_fixture_is_staff_in_the_group_and_not_a_superuser(specialist):
    assert specialist.is_staff and not specialist.is_superuser
    assert list(specialist.groups.values_list("name", flat=True)) == ["Billing specialists"]
    assert specialist.get_all_permissions() == EXPECTED_PERMISSIONS


# --- History cannot be written through Django admin -------------------------------------------------------


@pytest.fixture
def history(group, alice):
    """Return an audit event, an issued invoice with a line (and its member's premium), and a payment recorded against it."""
    event = record_event(action=AuditEvent.Action.LOGIN, actor=alice, group=group, ip_address="10.0.0.1")
    period = datetime.date(2026, 11, 1)
    invoice = Invoice.objects.create(
        group=group, number="INV-104522-202611", period=period, issued_on=datetime.date(2026, 10, 15), due_on=period,
        current_premium=Decimal("500.00"), amount_due=Decimal("500.00"),
    )
    subscriber = factories.SubscriberFactory(group=group)
    line = InvoiceLine.objects.create(
        invoice=invoice, kind=InvoiceLine.Kind.PREMIUM, subscriber=subscriber, subgroup=subscriber.subgroup, tier="EE",
        service_month=period, amount=Decimal("500.00"),
    )
    member = InvoiceLineMember.objects.create(line=line, age=40, age_band="40", amount=Decimal("500.00"))
    payment = Payment.objects.create(
        group=group, invoice=invoice, amount=Decimal("500.00"), status=Payment.Status.SUCCEEDED, idempotency_key="pay-1",
        received_at=datetime.datetime(2026, 11, 1, 12, tzinfo=datetime.UTC),
    )
    return {"auditevent": event, "invoice": invoice, "invoiceline": line, "invoicelinemember": member, "payment": payment}


def snapshot(obj):
    """Return every column of the object's row as stored now."""
    return type(obj).objects.filter(pk=obj.pk).values().get()


ADMIN_MODELS = [
    ("accounts", "auditevent"), ("billing", "invoice"), ("billing", "invoiceline"), ("billing", "invoicelinemember"), ("billing", "payment"),
]


@pytest.mark.parametrize("app, model", ADMIN_MODELS)
def test_the_specialist_sees_the_history_but_cannot_add_change_or_delete_it(specialist_client, history, app, model):
    obj = history[model]
    before = snapshot(obj)
    count = type(obj).objects.count()
    change = reverse("admin:%s_%s_change" % (app, model), args=[obj.pk])
    changelist = reverse("admin:%s_%s_changelist" % (app, model))
    add = reverse("admin:%s_%s_add" % (app, model))
    delete = reverse("admin:%s_%s_delete" % (app, model), args=[obj.pk])

    assert specialist_client.get(changelist).status_code == 200
    page = specialist_client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]  # shown read-only
    assert specialist_client.get(add).status_code == 403
    assert specialist_client.post(add, {"amount": "1.00", "action": "login"}).status_code == 403
    assert specialist_client.post(change, {"amount": "1.00", "status": "open", "action": "other", "_save": "Save"}).status_code == 403
    assert specialist_client.get(delete).status_code == 403
    assert specialist_client.post(delete, {"post": "yes"}).status_code == 403
    specialist_client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})

    assert snapshot(obj) == before and type(obj).objects.count() == count


def test_the_specialist_cannot_delete_lines_or_payments_through_the_invoice_page(specialist_client, history):
    invoice = history["invoice"]
    page = specialist_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert [formset.formset.can_delete for formset in page.context["inline_admin_formsets"]] == [False, False]
    assert [formset.has_change_permission for formset in page.context["inline_admin_formsets"]] == [False, False]



@pytest.mark.signs_in_a_superuser
def test_the_guard_of_the_root_conftest_notices_a_superuser_signing_in(client):
    # The autouse fixture `no_superuser_signs_in` fails a test when this list is not empty.
    with superuser_sign_ins() as seen:
        client.force_login(factories.UserFactory(username="spec", is_staff=True))
        assert seen == []
        client.force_login(factories.UserFactory(username="root", is_staff=True, is_superuser=True))
    assert seen == ["root"]
