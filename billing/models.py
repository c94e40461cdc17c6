from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import EmployerGroup, Subgroup
from accounts.scoping import GroupScopedQuerySet, scoped_queryset
from core import identifiers
from core.money import MoneyField
from enrollment.models import ChangeRequest, Coverage, Dependent, Plan, Subscriber, Tier


class InvoiceQuerySet(GroupScopedQuerySet):
    def open(self):
        return self.exclude(status=Invoice.Status.PAID)


class Invoice(models.Model):
    """The premium bill of one month. Once issued it never changes."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_PAID = "partially_paid", "Partially paid"
        PAID = "paid", "Paid"
        PAST_DUE = "past_due", "Past due"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=22, unique=True)  # INV-104522-202701, -2 for a supplemental
    period = models.DateField()  # first day of the covered month
    sequence = models.PositiveSmallIntegerField(default=1)  # 2, 3… for supplemental invoices
    issued_on = models.DateField()
    due_on = models.DateField()  # the first day of the covered month
    previous_balance = MoneyField(default=0)
    payments_received = MoneyField(default=0)  # since the previous invoice
    current_premium = MoneyField(default=0)
    adjustments_total = MoneyField(default=0)
    amount_due = MoneyField(default=0)  # previous - payments + premium + adjustments
    # Payments received since it was issued, until it was settled (balance forward: a later
    # invoice carries its unpaid balance, so a payment settles the oldest invoices first).
    amount_paid = MoneyField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)  # the instant it was issued

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["group", "period", "sequence"], name="invoice_period_unique"),
            models.CheckConstraint(condition=Q(number__regex=identifiers.INVOICE_NUMBER_REGEX), name="invoice_number_format"),
            models.CheckConstraint(condition=Q(period__day=1), name="invoice_period_first_of_month"),
            models.CheckConstraint(
                condition=Q(amount_due=F("previous_balance") - F("payments_received") + F("current_premium") + F("adjustments_total")),
                name="invoice_totals_add_up",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "partially_paid", "paid", "past_due"]), name="invoice_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["group", "-period"])]

    def __str__(self):
        return self.number


class InvoiceLine(models.Model):
    """A premium line (one per subscriber coverage in force in the month) or an adjustment line."""

    class Kind(models.TextChoices):
        PREMIUM = "premium", "Premium"
        COBRA = "cobra", "COBRA premium"  # written by COBRA billing (a later issue); counted as premium
        ADJUSTMENT = "adjustment", "Adjustment"  # a retroactive change, computed at issue
        MANUAL = "manual", "Manual adjustment"  # posted by a billing specialist

    # The invoice's current premium sums these kinds; its adjustments total sums the others.
    PREMIUM_KINDS = (Kind.PREMIUM, Kind.COBRA)
    ADJUSTMENT_KINDS = (Kind.ADJUSTMENT, Kind.MANUAL)

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subgroup = models.ForeignKey(Subgroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(max_length=3, choices=Tier.choices, blank=True)
    members = models.PositiveSmallIntegerField(default=1)  # people covered
    service_month = models.DateField()  # the month the amount is for (earlier months on adjustments)
    amount = MoneyField()
    monthly_premium = MoneyField(null=True, blank=True)  # premium lines: the full month's rate applied (before proration)
    covered_days = models.PositiveSmallIntegerField(null=True, blank=True)  # premium lines: days of the month in force
    memo = models.CharField(max_length=255, blank=True)
    # Adjustment lines: the request that caused the change (the subscriber's latest completed
    # request decided after the month was last billed); empty when none did (a specialist's correction).
    change_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines")

    objects = scoped_queryset("invoice__group", "subgroup").as_manager()

    class Meta:
        ordering = ["invoice", "kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["premium", "cobra", "adjustment", "manual"]), name="invoice_line_kind_valid"),
            models.CheckConstraint(condition=Q(service_month__day=1), name="invoice_line_month_first"),
            models.UniqueConstraint(
                fields=["invoice", "coverage", "service_month"], condition=Q(kind="premium"), name="one_premium_line_per_coverage"
            ),
        ]
        indexes = [
            models.Index(fields=["invoice", "subscriber"]),
            models.Index(fields=["invoice", "id"]),  # an invoice's lines in the order written (subscriber names), a page at a time
            models.Index(fields=["subscriber", "service_month"]),  # what was billed for a subscriber's month
        ]

    @property
    def month_label(self) -> str:
        """The month the amount is for, as lists show it ("Mar 2026"): strftime, much cheaper per row than |date."""
        return self.service_month.strftime("%b %Y")


class InvoiceLineMember(models.Model):
    """Age-banded rating: one member's premium that makes up a subscriber's line."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="member_premiums")
    dependent = models.ForeignKey(Dependent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # empty: the subscriber
    age = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=5)
    amount = MoneyField()  # zero for a child beyond the three oldest under 21

    objects = scoped_queryset("line__invoice__group", "line__subgroup").as_manager()

    class Meta:
        ordering = ["line", "id"]


class InvoiceBreakdownRow(models.Model):
    """An issued invoice's lines summed by plan, tier and subgroup, written with it (it never changes).

    The premium breakdown and a limited admin's subtotal read these few rows instead of summing
    thousands of lines on every page.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="breakdown_rows")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # empty: manual lines
    tier = models.CharField(max_length=3, blank=True)
    subgroup = models.ForeignKey(Subgroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # empty: group-wide lines
    subscribers = models.PositiveIntegerField()  # distinct subscribers with a premium line
    members = models.PositiveIntegerField()  # people covered by the premium lines
    premium = MoneyField()  # premium and COBRA lines
    adjustments = MoneyField()  # retro and manual lines
    lines = models.PositiveIntegerField()

    objects = scoped_queryset("invoice__group", "subgroup").as_manager()

    class Meta:
        ordering = ["invoice", "id"]


class InvoiceDocument(models.Model):
    """An invoice's PDF as one admin sees it (the whole group, or only some subgroups), rendered once.

    Small invoices are rendered while the admin waits; a big one is rendered by the worker and
    kept here. The invoice never changes, so neither does its document.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="documents")
    scope = models.CharField(max_length=200, blank=True)  # "" the whole group, else the subgroup ids shown: "3,7"
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(null=True, blank=True)  # the PDF
    pages = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_queryset("invoice__group", None).as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "scope"], name="one_document_per_invoice_and_scope"),
            models.CheckConstraint(condition=Q(status__in=["pending", "ready", "failed"]), name="invoice_document_status_valid"),
        ]


class Adjustment(models.Model):
    """A retroactive change or a specialist's manual adjustment, waiting to land on the next invoice."""

    class Source(models.TextChoices):
        RETRO = "retro", "Retroactive change"
        MANUAL = "manual", "Manual (billing specialist)"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="adjustments")
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_month = models.DateField()  # the month corrected
    amount = MoneyField()  # positive charges, negative credits
    memo = models.CharField(max_length=255)
    source = models.CharField(max_length=8, choices=Source.choices)
    change_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    invoice_line = models.OneToOneField(InvoiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment")

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(service_month__day=1), name="adjustment_month_first"),
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_nonzero"),
        ]


class BillingAccount(models.Model):
    """A group's Stripe customer and its credit carried forward."""

    group = models.OneToOneField(EmployerGroup, on_delete=models.PROTECT, related_name="billing_account")
    stripe_customer_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = GroupScopedQuerySet.as_manager()


class PaymentMethod(models.Model):
    """A card or US bank account saved with Stripe: only Stripe's identifier and what a person reads (brand, last 4)."""

    class Kind(models.TextChoices):
        CARD = "card", "Card"
        US_BANK_ACCOUNT = "us_bank_account", "US bank account"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="payment_methods")
    stripe_payment_method_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    brand = models.CharField(max_length=30, blank=True)  # card brand or bank name
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    stripe_mandate_id = models.CharField(max_length=64, blank=True)  # a bank account's debit authorisation (ACH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = GroupScopedQuerySet.as_manager()

    def __str__(self):
        return "%s •••• %s" % (self.brand or self.get_kind_display(), self.last4)


class Autopay(models.Model):
    """Recurring Payment: charge the saved method the amount due of each new invoice on its due date.

    "New" is an invoice issued (created) after `started_at`, the latest time Recurring Payment was
    set up; one row per group, changed in place, cancelled by `is_active = False`.
    """

    group = models.OneToOneField(EmployerGroup, on_delete=models.PROTECT, related_name="autopay")
    payment_method = models.ForeignKey(PaymentMethod, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    maximum_amount = MoneyField(null=True, blank=True)  # an invoice above it is not charged (the admin is told); empty: no maximum
    started_at = models.DateTimeField(default=timezone.now)  # invoices issued after this are charged
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(maximum_amount__isnull=True) | Q(maximum_amount__gt=0), name="autopay_maximum_positive"),
        ]

    def __str__(self):
        return "Recurring Payment of %s (%s)" % (self.group_id, "active" if self.is_active else "cancelled")


class AutopayNotice(models.Model):
    """The email sent before Recurring Payment charges an invoice (or tells it will not: above the maximum). One per invoice and kind."""

    class Kind(models.TextChoices):
        UPCOMING_CHARGE = "upcoming_charge", "Upcoming charge"
        OVER_MAXIMUM = "over_maximum", "Above the maximum: not charged"

    autopay = models.ForeignKey(Autopay, on_delete=models.PROTECT, related_name="notices")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="autopay_notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = MoneyField()
    charge_on = models.DateField()
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    objects = scoped_queryset("autopay__group").as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "kind"], name="one_autopay_notice_per_invoice_and_kind"),
            models.CheckConstraint(condition=Q(kind__in=["upcoming_charge", "over_maximum"]), name="autopay_notice_kind_valid"),
        ]


class Payment(models.Model):
    """One payment attempt: recorded with its idempotency key before Stripe is called, succeeded only by Stripe's webhook."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    class Source(models.TextChoices):
        ONLINE = "online", "Pay Online"
        AUTOPAY = "autopay", "Recurring payment"
        CHECK = "check", "Check (posted by a specialist)"
        REMITTANCE = "remittance", "820 remittance"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    reference = models.CharField(max_length=10, unique=True, default=identifiers.generate_confirmation_number)  # shown XXXXX-XXXXX on the receipt
    amount = MoneyField()
    amount_refunded = MoneyField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    payment_method = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    idempotency_key = models.CharField(max_length=64, unique=True)  # the portal's own, one per attempt
    stripe_payment_intent_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stripe_setup_intent_id = models.CharField(max_length=64, blank=True)  # how the method was collected for this attempt
    stripe_status = models.CharField(max_length=32, blank=True)  # Stripe's last known status of the PaymentIntent
    attempt = models.PositiveSmallIntegerField(default=1)  # calls made to Stripe with the key (a retry after a network error reuses it)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)
    # The invoice whose "payments received since" counts this payment: the first issued after it.
    reported_invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments_reported")

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(condition=Q(amount_refunded__gte=0, amount_refunded__lte=F("amount")), name="payment_refund_within_amount"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "succeeded", "failed", "refunded"]), name="payment_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["group", "-created_at"]), models.Index(fields=["invoice", "created_at"])]
        permissions = [("refund_payment", "Can refund a payment (through Stripe)")]

    def __str__(self):
        return "Payment %s" % identifiers.display_confirmation_number(self.reference)

    @property
    def net_amount(self):
        """Return what the payment leaves with the carrier: the amount less what was refunded."""
        return self.amount - self.amount_refunded


class Refund(models.Model):
    """Money given back on a payment, through Stripe, by a specialist (or seen in Stripe's charge.refunded)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.CharField(max_length=64, unique=True)
    stripe_refund_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            models.CheckConstraint(condition=Q(status__in=["pending", "succeeded", "failed"]), name="refund_status_valid"),
        ]


class StripeEvent(models.Model):
    """A webhook event, stored by Stripe's event ID before any work: a duplicate is stored (and done) once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    stripe_created_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)  # what processing did, in words

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["type", "-received_at"])]

    def __str__(self):
        return "%s %s" % (self.type, self.event_id)


class PaymentMismatch(models.Model):
    """A difference the nightly reconciliation found between the portal's payments and Stripe's PaymentIntents."""

    class Kind(models.TextChoices):
        MISSING_IN_STRIPE = "missing_in_stripe", "Recorded in the portal, not found in Stripe"
        UNKNOWN_TO_PORTAL = "unknown_to_portal", "Succeeded in Stripe, unknown to the portal"
        STATUS_DIFFERS = "status_differs", "Status differs"
        AMOUNT_DIFFERS = "amount_differs", "Amount differs"
        STUCK = "stuck", "Attempt never reached Stripe"

    found_on = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    group = models.ForeignKey(EmployerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="mismatches")
    stripe_payment_intent_id = models.CharField(max_length=64, blank=True)
    portal_amount = MoneyField(null=True, blank=True)
    stripe_amount = MoneyField(null=True, blank=True)
    portal_status = models.CharField(max_length=16, blank=True)
    stripe_status = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=255)

    class Meta:
        ordering = ["-found_on", "kind"]
        verbose_name_plural = "payment mismatches"
