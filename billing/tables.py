"""The columns of the billing pages' lists and how each sorts (billing.listing draws them)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from billing.listing import Column
from billing.models import Payment
from core.identifiers import display_confirmation_number
from core.templatetags.core_tags import usd

INVOICE_HISTORY = (
    Column("number", "Invoice Number", ("period", "sequence")),
    Column("period", "Coverage month", ("period", "sequence")),
    Column("issued_on", "Issued", ("issued_on",)),
    Column("due_on", "Due", ("due_on",)),
    Column("amount_due", "Amount due", ("amount_due",), numeric=True),
    Column("amount_paid", "Paid", ("amount_paid",), numeric=True),
    Column("status", "Status", ("status",)),
)
SCOPE_TOTAL = Column("scope_total", "", ("scope_total",), numeric=True)  # labelled by the view: "Lines of Hourly"
PAY_ONLINE = Column("pay", "Payment", ())  # "Pay Online", for the billing and primary roles

INVOICE_LINES = (
    Column("subscriber_number", "Subscriber ID", ("subscriber__subscriber_number",)),
    Column("name", "Name", ("subscriber__last_name", "subscriber__first_name")),
    Column("subgroup", "Subgroup", ("subgroup__name",)),
    Column("plan", "Plan", ("plan__name",)),
    Column("tier", "Tier", ("tier",)),
    Column("members", "Members", ("members",), numeric=True),
    Column("service_month", "Month", ("service_month",)),
    Column("kind", "Kind", ("kind",)),
    Column("request", "Request", ("change_request__confirmation_number",)),
    Column("amount", "Amount", ("amount",), numeric=True),
)

SUBSCRIBER_HISTORY = (
    Column("invoice", "Invoice Number", ("invoice__period", "invoice__sequence")),
    Column("service_month", "Month", ("service_month",)),
    Column("kind", "Kind", ("kind",)),
    Column("plan", "Plan", ("plan__name",)),
    Column("tier", "Tier", ("tier",)),
    Column("request", "Request", ()),
    Column("amount", "Amount", ("amount",), numeric=True),
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
