import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from billing.models import Invoice, Payment
from core.identifiers import display_confirmation_number
from core.templatetags.core_tags import usd


class InvoiceTable(tables.Table):
    number = tables.Column(verbose_name="Invoice Number")
    period = tables.DateColumn(verbose_name="Coverage month", format="F Y")
    issued_on = tables.DateColumn(verbose_name="Issued", format="m/d/Y")
    due_on = tables.DateColumn(verbose_name="Due", format="m/d/Y")
    amount_due = tables.Column(verbose_name="Amount due", attrs={"td": {"class": "text-end"}})
    amount_paid = tables.Column(verbose_name="Amount paid", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="Status")
    pay = tables.Column(verbose_name="Payment", accessor="pk", orderable=False, empty_values=())

    class Meta:
        model = Invoice
        fields = ("number", "period", "issued_on", "due_on", "amount_due", "amount_paid", "status", "pay")
        attrs = {"class": "table table-sm table-striped"}

    def __init__(self, *args, group=None, may_pay=False, **kwargs):
        if not may_pay:
            kwargs["exclude"] = (*kwargs.get("exclude", ()), "pay")
        super().__init__(*args, **kwargs)
        self.group = group

    def render_amount_due(self, value):
        return usd(value)

    def render_amount_paid(self, value):
        return usd(value)

    def render_pay(self, record):
        """Pay Online: Make a Payment opens in a new window, which the link says to every reader."""
        if record.status == Invoice.Status.PAID:
            return ""
        url = reverse("billing:make_payment", kwargs={"group_number": self.group.group_number, "invoice_number": record.number})
        return format_html(
            '<a class="btn btn-sm btn-primary" href="{}" target="_blank" rel="noopener" data-testid="pay-online-{}">'
            'Pay Online<span class="visually-hidden"> invoice {} (opens in a new window)</span>'
            '<span aria-hidden="true"> &#8599;</span></a>',
            url, record.number, record.number,
        )


class PaymentTable(tables.Table):
    """Every payment of the group, newest first: the receipt's reference links to it."""

    created_at = tables.DateColumn(verbose_name="Date", format="M j, Y")
    reference = tables.Column(verbose_name="Payment reference")
    invoice = tables.Column(verbose_name="Invoice Number", accessor="invoice__number")
    source = tables.Column(verbose_name="How")
    payment_method = tables.Column(verbose_name="Method", empty_values=(None, ""), default="")
    amount = tables.Column(verbose_name="Amount", attrs={"td": {"class": "text-end"}})
    amount_refunded = tables.Column(verbose_name="Refunded", attrs={"td": {"class": "text-end"}})
    status = tables.Column(verbose_name="Status")

    class Meta:
        model = Payment
        fields = ("created_at", "reference", "invoice", "source", "payment_method", "amount", "amount_refunded", "status")
        attrs = {"class": "table table-sm table-striped", "data-testid": "payments-table"}
        order_by = ("-created_at",)

    def __init__(self, *args, group=None, link=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.group, self.link = group, link

    def render_reference(self, value):
        shown = display_confirmation_number(value)
        if not self.link or self.group is None:
            return shown
        url = reverse("billing:payment_detail", kwargs={"group_number": self.group.group_number, "payment_reference": value})
        return format_html('<a href="{}">{}</a>', url, shown)

    def render_amount(self, value):
        return usd(value)

    def render_amount_refunded(self, value):
        return usd(value) if value else ""
