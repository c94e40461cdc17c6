"""The worker's billing: issue each group's invoice on its invoice day, mark invoices past due, render big PDFs.

Beat (portal/beat.py) runs `issue_due_invoices` and `mark_past_due_invoices` daily; the first
queues one `issue_group_invoice` per group whose invoice is due, so one group's problem (a rate
the carrier has not set up) never stops another's invoice.
"""

import logging
from datetime import date

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from accounts.models import EmployerGroup
from billing import pdf, rules, selectors, services
from billing.models import Invoice, InvoiceDocument

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
