"""An invoice as a PDF remittance document (WeasyPrint): header, totals, the subscriber list, a remittance slip.

Pages are numbered "Page 2 of 9" by CSS (@page margin boxes). A limited admin's document shows
only their subgroups' lines, says so, and gives their subtotal next to the group's totals.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from billing import selectors

STYLESHEET = "css/invoice-pdf.css"


def document_context(invoice, subgroup_ids) -> dict:
    """Return what the PDF template shows: the invoice, its lines in the scope, their subtotal, the scope's names."""
    return {
        "invoice": invoice,
        "group": invoice.group,
        "lines": selectors.lines_in_scope(invoice, subgroup_ids).iterator(chunk_size=2000),
        "subtotal": selectors.subtotal(invoice, subgroup_ids),
        "scope_names": selectors.scope_names(subgroup_ids),
        "carrier_name": settings.CARRIER_NAME,
        "carrier_address": settings.CARRIER_ADDRESS,
        "remit_to": settings.REMIT_TO,
        "support_phones": settings.SUPPORT_PHONES,
    }


def render_invoice_pdf(invoice, *, subgroup_ids=None) -> tuple[bytes, int]:
    """Return the invoice's PDF (bytes) and its number of pages."""
    html = render_to_string("pdf/invoice.html", document_context(invoice, subgroup_ids))
    document = HTML(string=html).render(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
    return document.write_pdf(), len(document.pages)
