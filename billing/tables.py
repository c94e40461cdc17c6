"""Tables of the billing pages (django-tables2): sortable, paginated, one query a page."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from billing.models import Invoice, InvoiceLine
from core.templatetags.core_tags import usd

DATE = "M j, Y"
MONEY = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class InvoiceTable(tables.Table):
    """Invoice history: every invoice with status, amount due, paid and dates."""

    number = tables.Column(verbose_name="Invoice Number")
    period = tables.DateColumn(verbose_name="Coverage month", format="F Y")
    issued_on = tables.DateColumn(verbose_name="Issued", format=DATE)
    due_on = tables.DateColumn(verbose_name="Due", format=DATE)
    amount_due = tables.Column(verbose_name="Amount due", attrs=MONEY)
    amount_paid = tables.Column(verbose_name="Paid", attrs=MONEY)
    status = tables.Column(verbose_name="Status")

    class Meta:
        model = Invoice
        fields = ("number", "period", "issued_on", "due_on", "amount_due", "amount_paid", "status")
        attrs = {"class": "table table-sm table-striped", "data-testid": "invoice-history"}
        per_page = 24

    def __init__(self, *args, group, scope_label=None, **kwargs):
        extra = [("scope_total", tables.Column(verbose_name=scope_label, attrs=MONEY, orderable=True))] if scope_label else []
        super().__init__(*args, extra_columns=extra, **kwargs)
        self.group = group

    def render_number(self, record):
        url = reverse("billing:invoice", kwargs={"group_number": self.group.group_number, "invoice_number": record.number})
        return format_html('<a href="{}">{}</a>', url, record.number)

    def render_amount_due(self, value):
        return usd(value)

    def render_amount_paid(self, value):
        return usd(value)

    def render_scope_total(self, value):
        return usd(value)

    def render_status(self, record):
        return record.get_status_display()


class InvoiceLineTable(tables.Table):
    """An invoice's subscriber list: one row per line, the subscriber ID opening Contract Detail."""

    subscriber_number = tables.Column(verbose_name="Subscriber ID", accessor="subscriber__subscriber_number", default="")
    name = tables.Column(verbose_name="Name", accessor="subscriber__last_name", order_by=("subscriber__last_name", "subscriber__first_name"), default="")
    subgroup = tables.Column(verbose_name="Subgroup", accessor="subgroup__name", default="")
    plan = tables.Column(verbose_name="Plan", accessor="plan__name", default="")
    tier = tables.Column(verbose_name="Tier", default="")
    members = tables.Column(verbose_name="Members")
    service_month = tables.DateColumn(verbose_name="Month", format="M Y")
    kind = tables.Column(verbose_name="Kind")
    change_request = tables.Column(verbose_name="Request", accessor="change_request__confirmation_number", default="")
    amount = tables.Column(verbose_name="Amount", attrs=MONEY)

    class Meta:
        model = InvoiceLine
        fields = ("subscriber_number", "name", "subgroup", "plan", "tier", "members", "service_month", "kind", "change_request", "amount")
        attrs = {"class": "table table-sm table-striped", "data-testid": "subscriber-list"}
        per_page = 50
        order_by = ("id",)

    def __init__(self, *args, invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.group_number = invoice.group.group_number

    def render_subscriber_number(self, record):
        if not record.subscriber_id or not record.subscriber.subscriber_number:
            return ""
        url = reverse("billing:contract_detail", kwargs={
            "group_number": self.group_number, "invoice_number": self.invoice.number, "subscriber_number": record.subscriber.subscriber_number,
        })
        return format_html('<a href="{}">{}</a>', url, record.subscriber.subscriber_number)

    def render_name(self, record):
        if not record.subscriber_id:
            return record.memo
        return "%s, %s" % (record.subscriber.last_name, record.subscriber.first_name)

    def render_tier(self, record):
        return record.tier  # the code admins know (EE, ES, EC, FAM), not its long label

    def render_members(self, record):
        return record.members if record.kind in InvoiceLine.PREMIUM_KINDS else ""

    def render_kind(self, record):
        return record.get_kind_display()

    def render_change_request(self, record):
        url = reverse("enrollment:request_detail", kwargs={"group_number": self.group_number, "number": record.change_request.confirmation_number})
        return format_html('<a href="{}">{}</a>', url, record.change_request.display_number)

    def render_amount(self, value):
        return usd(value)


class SubscriberHistoryTable(tables.Table):
    """Contract Detail: the subscriber's lines on past invoices."""

    invoice = tables.Column(verbose_name="Invoice Number", accessor="invoice__number", order_by=("invoice__period", "invoice__sequence"))
    service_month = tables.DateColumn(verbose_name="Month", format="M Y")
    kind = tables.Column(verbose_name="Kind")
    plan = tables.Column(verbose_name="Plan", accessor="plan__name", default="")
    tier = tables.Column(verbose_name="Tier", default="")
    change_request = tables.Column(verbose_name="Request", accessor="change_request__confirmation_number", default="")
    amount = tables.Column(verbose_name="Amount", attrs=MONEY)

    class Meta:
        model = InvoiceLine
        fields = ("invoice", "service_month", "kind", "plan", "tier", "change_request", "amount")
        attrs = {"class": "table table-sm table-striped", "data-testid": "contract-history"}
        per_page = 24

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_number = group.group_number

    def render_invoice(self, record):
        url = reverse("billing:invoice", kwargs={"group_number": self.group_number, "invoice_number": record.invoice.number})
        return format_html('<a href="{}">{}</a>', url, record.invoice.number)

    def render_kind(self, record):
        return record.get_kind_display()

    def render_tier(self, record):
        return record.tier

    def render_change_request(self, record):
        return record.change_request.display_number

    def render_amount(self, value):
        return usd(value)
