"""Asking for an invoice's PDF: rendered at once when small, by the worker when big, and kept."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing import selectors
from billing.models import InvoiceDocument
from billing.tasks import render_invoice_document


def renders_in_worker(line_count: int) -> bool:
    """Return whether an invoice of this many lines (as the admin sees it) is rendered by the worker."""
    return line_count > settings.BILLING_PDF_INLINE_MAX_LINES


@transaction.atomic
def request_invoice_document(*, invoice, membership) -> InvoiceDocument:
    """Return the invoice's PDF document for the admin's scope, asking the worker to render it when
    it is new or its rendering failed (a second request while it is prepared asks nothing more)."""
    scope = selectors.scope_key(selectors.scope_of(membership))
    document, created = InvoiceDocument.objects.get_or_create(invoice=invoice, scope=scope)
    if not created and document.status != InvoiceDocument.Status.FAILED:
        return document
    if document.status == InvoiceDocument.Status.FAILED:
        InvoiceDocument.objects.filter(pk=document.pk).update(status=InvoiceDocument.Status.PENDING, requested_at=timezone.now())
        document.status = InvoiceDocument.Status.PENDING
    document_id = document.pk
    transaction.on_commit(lambda: render_invoice_document.delay(document_id))
    return document
