"""Django admin of enrollment and billing: every page answers, no N+1, SSNs masked, adjustments signed."""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, EmployerGroup, User
from billing.models import (
    Adjustment, Autopay, AutopayNotice, Invoice, InvoiceDocument, Payment, PaymentMethod, PaymentMismatch, Refund, StripeEvent,
)
from enrollment.models import (
    ChangeRequest,
    EnrollmentDraft,
    IDCardOrder,
    OpenEnrollmentElection,
    OpenEnrollmentReminder,
    RequestEvent,
    Subscriber,
)
from tests import factories

pytestmark = pytest.mark.django_db

# What a billing specialist sets up in admin; everything else is only viewed there (requests
# arrive through the pipeline, invoices and payments are history).
ADDABLE = {
    "enrollment.plan", "enrollment.planoffering", "enrollment.planrate", "enrollment.planagerate", "billing.adjustment",
}


@pytest.fixture
def seeded(db):
    """Seed the demo data, plus one row of each model the seed does not make."""
    call_command("seed_demo", stdout=StringIO())
    acme = EmployerGroup.objects.get(group_number="104522")
    alice = User.objects.get(username="alice")
    subscriber = Subscriber.objects.filter(group=acme).first()
    request = factories.ChangeRequestFactory(
        group=acme, subscriber=subscriber, submitted_by=alice, confirmation_number="ABCDE23456",
        status=ChangeRequest.Status.NEEDS_REVIEW, snapshot={"kind": "termination", "on": "2026-10-31"},
    )
    RequestEvent.objects.create(request=request, status=ChangeRequest.Status.RECEIVED, actor=alice)
    OpenEnrollmentElection.objects.create(group=acme, subscriber=subscriber, plan_year=2099, choice="keep")
    OpenEnrollmentReminder.objects.create(group=acme, renewal_date="2099-01-01", kind="opening")
    order = IDCardOrder.objects.create(group=acme, subscriber=subscriber)
    order.dependents.set(subscriber.dependents.all())
    EnrollmentDraft.objects.create(group=acme, created_by=alice, data={"step": "member"})
    method = PaymentMethod.objects.create(
        group=acme, stripe_payment_method_id="pm_test_admin_smoke", kind="card", brand="visa", last4="4242",
        exp_month=12, exp_year=2030, created_by=alice,
    )
    autopay = Autopay.objects.create(group=acme, payment_method=method, created_by=alice)
    InvoiceDocument.objects.create(invoice=Invoice.objects.filter(group=acme).first(), status="ready", content=b"%PDF-1.7", pages=1)
    payment = Payment.objects.filter(group=acme, status="succeeded").first()
    Refund.objects.create(group=acme, payment=payment, amount=Decimal("1.00"), reason="Smoke test", idempotency_key="refund-smoke", status="succeeded")
    StripeEvent.objects.create(event_id="evt_smoke", type="payment_intent.succeeded", payload={"id": "evt_smoke"}, stripe_created_at=timezone.now())
    AutopayNotice.objects.create(autopay=autopay, invoice=payment.invoice, kind="upcoming_charge", amount=Decimal("1.00"), charge_on=payment.invoice.due_on)
    PaymentMismatch.objects.create(found_on=timezone.localdate(), kind="stuck", group=acme, payment=payment, detail="Smoke test")


@pytest.fixture
def specialist_client(client, seeded):
    """Return a client signed in as the demo's billing specialist (staff in the specialists' group, not a superuser)."""
    client.force_login(User.objects.get(username="specialist"))
    return client


def registered_models():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label in ("enrollment", "billing")),
        key=lambda m: m._meta.label_lower,
    )


def test_every_enrollment_and_billing_model_is_registered():
    expected = {m for app in ("enrollment", "billing") for m in apps.get_app_config(app).get_models()}
    expected.discard(apps.get_model("enrollment", "CoveredMember"))  # an inline of Coverage
    expected.discard(apps.get_model("enrollment", "RequestEvent"))  # an inline of ChangeRequest
    expected.discard(apps.get_model("enrollment", "QualifiedBeneficiary"))  # an inline of Continuation
    assert expected <= set(registered_models())


def test_the_changelist_add_and_change_pages_answer_with_a_fixed_number_of_queries(specialist_client):
    # One seed for every model (seeding takes seconds). Invoice lines, coverages and subscribers
    # have 100+ rows on their first page, so an N+1 would show as 100+ queries.
    problems = []
    for model in registered_models():
        opts = model._meta
        info = (opts.app_label, opts.model_name)
        with CaptureQueriesContext(connection) as queries:
            status = specialist_client.get(reverse("admin:%s_%s_changelist" % info)).status_code
        if status != 200 or len(queries) > 20:
            problems.append("%s changelist: %s, %d queries" % (opts.label, status, len(queries)))
        add = specialist_client.get(reverse("admin:%s_%s_add" % info)).status_code
        if add != (200 if opts.label_lower in ADDABLE else 403):
            problems.append("%s add: %s" % (opts.label, add))
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            problems.append("%s: no row to show" % opts.label)
            continue
        change = specialist_client.get(reverse("admin:%s_%s_change" % info, args=[obj.pk])).status_code
        if change != 200:
            problems.append("%s change: %s" % (opts.label, change))
    assert not problems, "\n".join(problems)


def test_the_invoice_page_makes_a_fixed_number_of_queries(specialist_client):
    invoice = Invoice.objects.filter(group__group_number="104522").first()
    assert invoice.lines.count() > 50
    with CaptureQueriesContext(connection) as queries:
        assert specialist_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).status_code == 200
    assert len(queries) <= 20


def test_a_subscriber_page_shows_the_ssn_masked_and_never_its_token(specialist_client):
    subscriber = Subscriber.objects.exclude(ssn_last4="").first()
    page = specialist_client.get(reverse("admin:enrollment_subscriber_change", args=[subscriber.pk])).content.decode()
    assert "***-**-%s" % subscriber.ssn_last4 in page
    assert subscriber.ssn_encrypted not in page and subscriber.ssn_hash not in page
    listing = specialist_client.get(reverse("admin:enrollment_subscriber_changelist")).content.decode()
    assert subscriber.ssn_encrypted not in listing


def test_a_request_is_found_by_its_confirmation_number_typed_with_a_dash(specialist_client):
    page = specialist_client.get(reverse("admin:enrollment_changerequest_changelist"), {"q": "abcde-23456"})
    assert "ABCDE-23456" in page.content.decode()


def test_a_specialist_posts_a_manual_adjustment_signed_with_their_name(client, seeded):
    specialist = User.objects.get(username="specialist")
    client.force_login(specialist)
    acme = EmployerGroup.objects.get(group_number="104522")
    response = client.post(reverse("admin:billing_adjustment_add"), {
        "group": acme.pk, "service_month": "2026-10-01", "amount": "-125.50", "memo": "Credit: ID cards reprinted at our cost",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    adjustment = Adjustment.objects.get(memo="Credit: ID cards reprinted at our cost")
    assert adjustment.created_by == specialist and adjustment.source == "manual" and adjustment.amount == Decimal("-125.50")
    assert AuditEvent.objects.filter(action="adjustment_posted", actor=specialist, object_id=str(adjustment.pk)).exists()
    adjustment.delete()


def test_an_adjustment_must_be_for_the_first_of_a_month(client, seeded):
    client.force_login(User.objects.get(username="specialist"))
    acme = EmployerGroup.objects.get(group_number="104522")
    response = client.post(reverse("admin:billing_adjustment_add"), {
        "group": acme.pk, "service_month": "2026-10-12", "amount": "10.00", "memo": "x",
    })
    assert response.status_code == 200 and "first day of the month" in response.content.decode()


def test_the_specialist_sees_invoices_but_cannot_change_them(client, seeded):
    client.force_login(User.objects.get(username="specialist"))
    invoice = Invoice.objects.first()
    page = client.get(reverse("admin:billing_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200 and invoice.number in page.content.decode()
    assert client.post(reverse("admin:billing_invoice_change", args=[invoice.pk]), {}).status_code == 403
