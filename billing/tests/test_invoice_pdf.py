"""The invoice PDF: a remittance document whose text (read back with pypdf) holds the invoice, its totals,
its subscriber list and page numbers; a big one is prepared by the worker while a page waits for it."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from billing import pdf, selectors
from billing.models import InvoiceDocument
from billing.tests import helpers

pytestmark = pytest.mark.django_db


def url(name, group, number):
    return reverse("billing:" + name, kwargs={"group_number": group.group_number, "invoice_number": number})


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def squash(value: str) -> str:
    return " ".join(value.split())


def test_the_pdf_is_a_remittance_document_with_totals_lines_and_page_numbers(alice_client, group, billed):
    response = alice_client.get(url("invoice_pdf", group, "INV-104522-202604"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="INV-104522-202604.pdf"' == response["Content-Disposition"]
    text, pages = pdf_text(response.content)
    flat = squash(text)
    assert pages == 2  # the summary and remittance slip, then the subscriber list
    assert "Page 1 of 2" in flat and "Page 2 of 2" in flat
    for expected in (
        "Cascade Summit Health Plan", "Premium Invoice", "INV-104522-202604", "April 2026", "Mar 15, 2026", "Apr 1, 2026",
        "Acme Manufacturing Co.", "Group ID 104522", "Previous balance $5,375.00", "Current premium $3,925.00",
        "Adjustments -$1,450.00", "Amount due by Apr 1, 2026 $7,850.00", "Remit to", "Premium Remittance, PO Box 4480",
        "Amount enclosed", "Subscriber list (6 lines)", "Adams, Pat", "DAVS2-34567", "-$1,450.00", "Total of these lines $2,475.00",
    ):
        assert expected in flat, expected
    assert "Showing the subscribers of" not in flat


def test_a_limited_admins_pdf_holds_their_subgroups_lines_and_says_so(hana_client, group, billed):
    text, _ = pdf_text(hana_client.get(url("invoice_pdf", group, "INV-104522-202604")).content)
    flat = squash(text)

    assert "Showing the subscribers of: Hourly" in flat
    assert "subtotal $1,500.00" in flat
    assert "Evans, Pat" in flat and "Fox, Pat" in flat
    assert "Adams" not in flat and "Davis" not in flat


def test_a_long_invoice_numbers_its_pages_n_of_m(group, billed):
    for n in range(150):
        helpers.cover(helpers.subscriber(group, billed["salaried"], "Zed%03d" % n), billed["gold"], datetime.date(2026, 1, 1))
    may = helpers.issue(group, datetime.date(2026, 5, 1))

    content, pages = pdf.render_invoice_pdf(may)
    text, read_pages = pdf_text(content)
    assert pages == read_pages
    numbers = re.findall(r"Page (\d+) of (\d+)", text)
    assert numbers == [(str(i), str(pages)) for i in range(1, pages + 1)]


def test_a_big_invoice_is_prepared_by_the_worker_while_a_page_waits(alice_client, group, billed, settings, django_capture_on_commit_callbacks):
    settings.BILLING_PDF_INLINE_MAX_LINES = 3  # April has 6 lines: big for this test

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = alice_client.get(url("invoice_pdf", group, "INV-104522-202604"))
    assert waiting.status_code == 202
    assert "Your PDF is being prepared" in waiting.content.decode()
    assert alice_client.get(url("invoice_pdf_status", group, "INV-104522-202604")).json()["status"] == "pending"
    with django_capture_on_commit_callbacks(execute=False) as again:
        alice_client.get(url("invoice_pdf", group, "INV-104522-202604"))
    assert len(callbacks) == 1 and len(again) == 0  # asked once, however often the page is opened

    callbacks[0]()  # the worker (eager in tests) renders it

    document = InvoiceDocument.objects.get()
    assert (document.status, document.scope, document.pages) == ("ready", "", 2)
    status = alice_client.get(url("invoice_pdf_status", group, "INV-104522-202604")).json()
    assert status == {"status": "ready", "url": url("invoice_pdf", group, "INV-104522-202604")}
    ready = alice_client.get(url("invoice_pdf", group, "INV-104522-202604"))
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert "INV-104522-202604" in pdf_text(ready.content)[0]


def test_a_limited_admin_gets_a_document_of_their_own_scope(hana_client, group, billed, settings, django_capture_on_commit_callbacks):
    settings.BILLING_PDF_INLINE_MAX_LINES = 1
    with django_capture_on_commit_callbacks(execute=True):
        hana_client.get(url("invoice_pdf", group, "INV-104522-202604"))

    document = InvoiceDocument.objects.get()
    assert document.scope == selectors.scope_key([billed["hourly"].pk])
    assert "Davis" not in pdf_text(bytes(document.content))[0]


def test_the_status_of_a_pdf_never_asked_for_is_404(alice_client, group, billed):
    assert alice_client.get(url("invoice_pdf_status", group, "INV-104522-202604")).status_code == 404
