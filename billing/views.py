from django.shortcuts import render
from django_tables2 import RequestConfig

from accounts.access import group_view
from billing.models import Invoice
from billing.tables import InvoiceTable


@group_view()
def invoices(request, group):
    """Invoice Presentment and Payments: the group's invoice history, newest first."""
    table = InvoiceTable(Invoice.objects.for_membership(request.membership))
    RequestConfig(request, paginate={"per_page": 24}).configure(table)
    return render(request, "billing/invoices.html", {"table": table})
