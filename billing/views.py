from django.shortcuts import render
from django_tables2 import RequestConfig

from accounts.access import can, group_view
from accounts.models import BILLING_ROLES
from billing.models import Invoice, Payment
from billing.tables import InvoiceTable, PaymentTable

RECENT_PAYMENTS = 6  # on the invoice history; the Payments page lists them all


@group_view()
def invoices(request, group):
    """Show Invoice Presentment and Payments: the group's invoice history, newest first, and its latest payments."""
    may_pay = can(request.membership, BILLING_ROLES)
    table = InvoiceTable(Invoice.objects.for_membership(request.membership), group=group, may_pay=may_pay)
    RequestConfig(request, paginate={"per_page": 24}).configure(table)
    recent = Payment.objects.for_membership(request.membership).select_related("invoice", "payment_method").order_by("-created_at")[:RECENT_PAYMENTS]
    payments = PaymentTable(recent, group=group, link=may_pay, orderable=False)
    return render(request, "billing/invoices.html", {"table": table, "payments": payments, "may_pay": may_pay})
