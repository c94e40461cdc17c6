"""The columns of the billing pages' lists and how each sorts (billing.listing draws them)."""

from billing.listing import Column

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
