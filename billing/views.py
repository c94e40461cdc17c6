"""Invoice Presentment and Payments: invoice history and search, the current invoice, an invoice with its
subscriber list, the premium breakdown and Contract Detail, PDF and CSV, and the next-invoice preview.

Every role views these pages. An admin limited to some subgroups sees only their lines (with a
note naming the subgroups and the lines' subtotal) next to the group's totals.
"""

from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import can, group_view
from accounts.models import BILLING_ROLES
from billing import adjust, documents, pdf, selectors, tables
from billing.filters import InvoiceLineFilter
from billing.forms import ContractLookupForm, InvoiceSearchForm, QuickSearchForm
from billing.listing import Listing
from billing.models import Invoice, InvoiceDocument, Payment
from billing.tables import PaymentTable
from core import csv_download
from enrollment.models import Subscriber


RECENT_PAYMENTS = 6  # on the invoice history; the Payments page lists them all


def _invoice_or_404(membership, invoice_number) -> Invoice:
    return get_object_or_404(selectors.invoices_for(membership).select_related("group"), number=invoice_number)


def _scope_context(membership, invoice) -> dict:
    subgroup_ids = selectors.scope_of(membership)
    return {
        "scope_names": selectors.scope_names(subgroup_ids),
        "subtotal": selectors.subtotal(invoice, subgroup_ids) if subgroup_ids is not None else None,
    }


@group_view()
def invoices(request, group):
    """Invoice Presentment and Payments: View Current Invoice, Quick Search, search by date and subgroup, invoice history."""
    quick = QuickSearchForm(request.GET if "invoice_number" in request.GET else None)
    if quick.is_bound and quick.is_valid():
        if selectors.invoices_for(request.membership).filter(number=quick.cleaned_data["invoice_number"]).exists():
            return redirect("billing:invoice", group_number=group.group_number, invoice_number=quick.cleaned_data["invoice_number"])
        quick.add_error("invoice_number", "No invoice of this group has that number.")
    search = InvoiceSearchForm(request.GET if "invoice_number" not in request.GET else None, membership=request.membership)
    criteria = search.cleaned_data if search.is_bound and search.is_valid() else {}
    subgroup = criteria.get("subgroup")
    history = selectors.invoice_history(
        request.membership, issued_from=criteria.get("issued_from"), issued_to=criteria.get("issued_to"), subgroup=subgroup
    )
    scope_names = [subgroup.name] if subgroup else selectors.scope_names(selectors.scope_of(request.membership))
    columns = list(tables.INVOICE_HISTORY)
    if scope_names:
        columns.append(replace(tables.SCOPE_TOTAL, label="Lines of %s" % ", ".join(scope_names)))
    may_pay = can(request.membership, BILLING_ROLES)
    if may_pay:
        columns.append(tables.PAY_ONLINE)
    listing = Listing(request, history, columns=columns, default=("-period", "-sequence"), per_page=24)
    recent = Payment.objects.for_membership(request.membership).select_related("invoice", "payment_method").order_by("-created_at")
    payments = PaymentTable(recent[:RECENT_PAYMENTS], group=group, link=may_pay, orderable=False)
    return render(request, "billing/invoices.html", {
        "listing": listing, "quick": quick, "search": search, "scope_total": bool(scope_names),
        "may_pay": may_pay, "payments": payments,
    })


@group_view()
def current_invoice(request, group):
    """View Current Invoice: the latest invoice's summary; its Invoice Number opens it."""
    invoice = selectors.current_invoice(request.membership)
    context = {"invoice": invoice, "balance": selectors.current_balance(group)}
    if invoice is not None:
        context.update(_scope_context(request.membership, invoice))
    return render(request, "billing/current_invoice.html", context)


@group_view()
def invoice(request, group, invoice_number):
    """An invoice: header, totals, the Dollar Amount (premium breakdown), the subscriber list, downloads."""
    found = _invoice_or_404(request.membership, invoice_number)
    lines = selectors.invoice_lines(request.membership, found)
    line_filter = InvoiceLineFilter(request.GET, queryset=lines, membership=request.membership, invoice=found)
    listing = Listing(request, line_filter.qs, columns=tables.INVOICE_LINES, default=("id",), per_page=50)
    return render(request, "billing/invoice.html", {
        "invoice": found, "filter": line_filter, "listing": listing, **_scope_context(request.membership, found),
        "may_pay": can(request.membership, BILLING_ROLES),
        "may_adjust": can(request.membership, adjust.ADJUST_ROLES) and adjust.is_current(request.membership, found),
    })


@group_view()
def invoice_breakdown(request, group, invoice_number):
    """The premium breakdown (by plan, tier and subgroup) and Contract Detail: each subscriber's contract."""
    found = _invoice_or_404(request.membership, invoice_number)
    lookup = ContractLookupForm(request.GET if "subscriber" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        number = lookup.cleaned_data["subscriber"]
        if selectors.invoice_lines(request.membership, found).filter(subscriber__subscriber_number=number).exists():
            return redirect("billing:contract_detail", group_number=group.group_number, invoice_number=found.number, subscriber_number=number)
        lookup.add_error("subscriber", "No subscriber with this ID is on this invoice.")
    subgroup_ids = selectors.scope_of(request.membership)
    rows = selectors.premium_breakdown(found, subgroup_ids)
    lines = selectors.invoice_lines(request.membership, found)
    line_filter = InvoiceLineFilter(request.GET if "subscriber" not in request.GET else None, queryset=lines, membership=request.membership, invoice=found)
    listing = Listing(request, line_filter.qs, columns=tables.INVOICE_LINES, default=("id",), per_page=50)
    return render(request, "billing/breakdown.html", {
        "invoice": found, "rows": rows, "lookup": lookup, "listing": listing, "filter": line_filter,
        "breakdown_total": selectors.subtotal(found, subgroup_ids), **_scope_context(request.membership, found),
    })


@group_view()
def contract_detail(request, group, invoice_number, subscriber_number):
    """Contract Detail: a subscriber's covered members, plan, tier, coverage dates, the rate applied, and past lines."""
    found = _invoice_or_404(request.membership, invoice_number)
    subscriber = get_object_or_404(Subscriber.objects.for_membership(request.membership).select_related("subgroup"), subscriber_number=subscriber_number)
    detail = selectors.contract(request.membership, found, subscriber)
    history = Listing(
        request, selectors.subscriber_history(request.membership, subscriber, through=found.period), columns=tables.SUBSCRIBER_HISTORY,
        default=("-invoice__period", "-invoice__sequence", "service_month", "id"), per_page=24,
    )
    return render(request, "billing/contract.html", {"invoice": found, "contract": detail, "listing": history})


# --- Downloads ----------------------------------------------------------------------------------


def _pdf_response(content: bytes, invoice) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="%s.pdf"' % invoice.number
    return response


@group_view()
def invoice_pdf(request, group, invoice_number):
    """Download the invoice as a PDF: rendered now when small; a big one by the worker, while a page waits for it."""
    found = _invoice_or_404(request.membership, invoice_number)
    subgroup_ids = selectors.scope_of(request.membership)
    if not documents.renders_in_worker(selectors.subtotal(found, subgroup_ids).lines):
        content, _ = pdf.render_invoice_pdf(found, subgroup_ids=subgroup_ids)
        return _pdf_response(content, found)
    document = documents.request_invoice_document(invoice=found, membership=request.membership)
    if document.status == InvoiceDocument.Status.READY:
        content = InvoiceDocument.objects.values_list("content", flat=True).get(pk=document.pk)
        return _pdf_response(bytes(content), found)
    return render(request, "billing/pdf_wait.html", {"invoice": found, "document": document}, status=202)


@group_view()
def invoice_pdf_status(request, group, invoice_number):
    """Whether the worker has the invoice's PDF ready (the waiting page asks every few seconds)."""
    found = _invoice_or_404(request.membership, invoice_number)
    scope = selectors.scope_key(selectors.scope_of(request.membership))
    document = InvoiceDocument.objects.for_membership(request.membership).filter(invoice=found, scope=scope).only("status").first()
    if document is None:
        raise Http404("No PDF was asked for.")
    return JsonResponse({
        "status": document.status,
        "url": reverse("billing:invoice_pdf", kwargs={"group_number": group.group_number, "invoice_number": found.number}),
    })


INVOICE_CSV_HEADER = [
    "Invoice Number", "Coverage month", "Kind", "Subscriber ID", "Last name", "First name", "Subgroup", "Plan code", "Plan",
    "Tier", "Members", "Service month", "Amount", "Monthly premium", "Covered days", "Confirmation number", "Memo",
]


@group_view()
def invoice_csv(request, group, invoice_number):
    """Download the invoice's lines the admin may see as CSV (streamed: any size)."""
    found = _invoice_or_404(request.membership, invoice_number)

    def row(line):
        sub = line.subscriber
        return [
            found.number, found.period.strftime("%Y-%m"), line.kind, sub.subscriber_number if sub else "",
            csv_download.text(sub.last_name if sub else ""), csv_download.text(sub.first_name if sub else ""),
            csv_download.text(line.subgroup.name if line.subgroup_id else ""), line.plan.code if line.plan_id else "",
            csv_download.text(line.plan.name if line.plan_id else ""), line.tier, line.members, line.service_month.strftime("%Y-%m"),
            line.amount, line.monthly_premium if line.monthly_premium is not None else "", line.covered_days or "",
            line.change_request.display_number if line.change_request_id else "", csv_download.text(line.memo),
        ]

    lines = selectors.invoice_lines(request.membership, found).iterator(chunk_size=2000)
    return csv_download.stream("%s.csv" % found.number, INVOICE_CSV_HEADER, (row(line) for line in lines))


# --- Next invoice preview ---------------------------------------------------------------------------


@group_view()
def next_invoice_preview(request, group):
    """What next month's invoice will be if nothing else changes (pending requests included)."""
    preview = selectors.next_invoice_preview(request.membership, timezone.localdate())
    if preview.already_issued is not None:
        messages.info(request, "The invoice for %s is already issued." % preview.period.strftime("%B %Y"))
        return redirect("billing:invoice", group_number=group.group_number, invoice_number=preview.already_issued.number)
    scope_names = selectors.scope_names(selectors.scope_of(request.membership))
    return render(request, "billing/preview.html", {"preview": preview, "scope_names": scope_names})
