"""The worker's billing: invoices (issued on each group's invoice day, past due, big PDFs) and payments.

Beat (portal/beat.py) runs `issue_due_invoices` and `mark_past_due_invoices` daily; the first
queues one `issue_group_invoice` per group whose invoice is due, so one group's problem (a rate
the carrier has not set up) never stops another's invoice. Payments: Stripe's events, attempts
sent to Stripe, Recurring Payment (`run_autopay`, daily) and reconciliation (nightly).
"""

import logging
from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import EmployerGroup
from billing import charging, pdf, reconcile, rules, selectors, services, stripe_events
from billing.models import Invoice, InvoiceDocument
from billing.stripe_gateway import StripeUnavailable

log = logging.getLogger(__name__)


@shared_task
def issue_due_invoices() -> int:
    """Queue the invoice of every active group whose invoice day has come and whose invoice is missing; return how many."""
    today = timezone.localdate()
    latest = {
        row["group_id"]: row["period"]
        for row in Invoice.objects.order_by("group_id", "-period").distinct("group_id").values("group_id", "period")
    }
    queued = 0
    for group in EmployerGroup.objects.filter(status=EmployerGroup.Status.ACTIVE).only("pk", "invoice_day"):
        period = rules.last_invoiced_month(today, group.invoice_day)
        if today >= rules.invoice_issue_date(period, group.invoice_day) and latest.get(group.pk, date.min) < period:
            issue_group_invoice.delay(group.pk, today.isoformat())
            queued += 1
    return queued


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=5, retry_backoff_max=300, max_retries=6)
def issue_group_invoice(self, group_id: int, today: str) -> str | None:
    """Issue one group's invoice of the current cycle (nothing when it exists already); return its number."""
    group = EmployerGroup.objects.get(pk=group_id)
    try:
        issued = services.issue_due_invoice(group=group, today=date.fromisoformat(today))
    except services.MissingRates as error:
        log.error("Invoice not issued: %s", error.message)  # names group, plan and tier: no member data
        return None
    return issued.invoice.number if issued else None


@shared_task
def mark_past_due_invoices() -> int:
    """Mark unpaid invoices past due once their grace period is over (their admins are emailed); return how many."""
    return len(services.mark_past_due(today=timezone.localdate()))


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=5, max_retries=3)
def render_invoice_document(self, document_id: int) -> None:
    """Render an invoice's PDF for its scope and keep it; a document rendered already is left as it is."""
    document = InvoiceDocument.objects.select_related("invoice__group").get(pk=document_id)
    if document.status == InvoiceDocument.Status.READY:
        return
    try:
        content, pages = pdf.render_invoice_pdf(document.invoice, subgroup_ids=selectors.subgroup_ids_of(document.scope))
    except Exception:
        InvoiceDocument.objects.filter(pk=document_id).update(status=InvoiceDocument.Status.FAILED)
        raise
    InvoiceDocument.objects.filter(pk=document_id).update(
        status=InvoiceDocument.Status.READY, content=content, pages=pages, ready_at=timezone.now()
    )


# --- Payments --------------------------------------------------------------------------------------


@shared_task(bind=True, autoretry_for=(StripeUnavailable, OperationalError), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def process_stripe_event(self, event_pk: int) -> str:
    """Do the work of a stored webhook event (once, whatever the deliveries); return what it did."""
    return stripe_events.process(event_pk, today=timezone.localdate())


# Stripe unreachable: the same idempotency key is sent again after 30 s, 1, 2, 4, 8 and 16 minutes
# (with jitter). A decline is never retried: the attempt is failed and the admin told.
@shared_task(bind=True, autoretry_for=(StripeUnavailable,), retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def send_payment(self, payment_id: int) -> str:
    """Send one recorded attempt to Stripe with its own idempotency key; return its status."""
    return charging.send_to_stripe(payment_id).status


@shared_task
def run_autopay(today: str | None = None) -> dict:
    """Run Recurring Payment's day (Celery beat, daily; `manage.py charge_autopay`): the notices, then the charges due."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    notices = charging.send_autopay_notices(today=day)
    attempts = charging.due_autopay_attempts(today=day)
    for payment in attempts:
        send_payment.delay(payment.pk)
    return {"date": day.isoformat(), "notices": len(notices), "charges": len(attempts)}


@shared_task(bind=True, autoretry_for=(StripeUnavailable,), retry_backoff=300, max_retries=5)
def reconcile_payments(self) -> int:
    """Compare the last week's payments with Stripe's PaymentIntents (Celery beat, nightly); return the new mismatches."""
    return len(reconcile.reconcile_payments(now=timezone.now(), today=timezone.localdate()))
