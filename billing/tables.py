import django_tables2 as tables

from billing.models import Invoice
from core.templatetags.core_tags import usd


class InvoiceTable(tables.Table):
    number = tables.Column(verbose_name="Invoice Number")
    period = tables.DateColumn(verbose_name="Coverage month", format="F Y")
    issued_on = tables.DateColumn(verbose_name="Issued")
    due_on = tables.DateColumn(verbose_name="Due")
    amount_due = tables.Column(verbose_name="Amount due", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="Status")

    class Meta:
        model = Invoice
        fields = ("number", "period", "issued_on", "due_on", "amount_due", "status")
        attrs = {"class": "table table-sm table-striped"}

    def render_amount_due(self, value):
        return usd(value)
