"""An invoice as a PDF remittance document (WeasyPrint): header, totals, a remittance slip, the subscriber list.

Pages are numbered "Page 2 of 9" by CSS (@page margin boxes). A limited admin's document shows
only their subgroups' lines, says so, and gives their subtotal next to the group's totals.

The subscriber list is set as fixed-width lines of a monospaced font, in preformatted blocks, with
the column heads repeated at the top of each page: WeasyPrint lays out a table of thousands of
rows at about 10 ms a row, these lines at well under 1 ms.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML

from billing import selectors
from core.templatetags.core_tags import usd

STYLESHEET = "css/invoice-pdf.css"


# (heading, width, right-aligned): the subscriber list's columns, in characters.
COLUMNS = (
    ("Subscriber", 10, False), ("Name", 24, False), ("Subgroup", 14, False), ("Plan", 14, False), ("Tier", 4, False),
    ("Mbrs", 4, True), ("Month", 8, False), ("Kind", 10, False), ("Request", 11, False), ("Amount", 13, True),
)
KIND_LABELS = {"premium": "Premium", "cobra": "COBRA", "adjustment": "Adjustment", "manual": "Manual"}


def cell(text: str, width: int, right: bool) -> str:
    text = str(text)
    if len(text) > width:
        text = text[: width - 1] + "\u2026"
    return text.rjust(width) if right else text.ljust(width)


def row_text(values) -> str:
    return " ".join(cell(value, width, right) for value, (_, width, right) in zip(values, COLUMNS)).rstrip()


HEADER = row_text([heading for heading, _, _ in COLUMNS])


def line_text(line) -> str:
    """Return one invoice line as a fixed-width row of the subscriber list."""
    sub = line.subscriber
    premium = line.kind in ("premium", "cobra")
    return row_text([
        sub.subscriber_number or "" if sub else "",
        "%s, %s" % (sub.last_name, sub.first_name) if sub else line.memo,
        line.subgroup.name if line.subgroup_id else "",
        line.plan.code if line.plan_id else "",
        line.tier,
        line.members if premium else "",
        line.service_month.strftime("%b %Y"),
        KIND_LABELS.get(line.kind, line.kind),
        line.change_request.display_number if line.change_request_id else "",
        usd(line.amount),
    ])


BLOCK_LINES = 20  # lines of the list per <pre>: WeasyPrint lays out 20-line blocks 3x faster than one block a line


def blocks(rows):
    """Yield the rows joined BLOCK_LINES at a time (one preformatted block each)."""
    block = []
    for row in rows:
        block.append(row)
        if len(block) == BLOCK_LINES:
            yield "\n".join(block)
            block = []
    if block:
        yield "\n".join(block)


def document_context(invoice, subgroup_ids) -> dict:
    """Return what the PDF template shows: the invoice, its lines in the scope, their subtotal, the scope's names."""
    return {
        "invoice": invoice,
        "group": invoice.group,
        "blocks": blocks(line_text(line) for line in selectors.lines_in_scope(invoice, subgroup_ids).iterator(chunk_size=2000)),
        "header": HEADER,
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
