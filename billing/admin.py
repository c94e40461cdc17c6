"""Django admin for billing specialists: invoices (read-only), manual adjustments, payments, autopay.

An issued invoice never changes, so invoices, their lines and payments are view-only here:
corrections are adjustments, which land on the next invoice. Payments come from Stripe (or a
posted check through the billing services), never typed into a model form that would leave the
invoice's amount paid behind.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from billing import payments, services
from billing.models import (
    Adjustment,
    Autopay,
    AutopayNotice,
    BillingAccount,
    Invoice,
    InvoiceBreakdownRow,
    InvoiceDocument,
    InvoiceLine,
    InvoiceLineMember,
    Payment,
    PaymentMethod,
    PaymentMismatch,
    Refund,
    StripeEvent,
)
from billing.payment_forms import AmountField
from core.admin_tools import ReadOnlyInline, ViewOnlyAdmin
from core.exceptions import PortalError
from core.identifiers import display_confirmation_number


# --- Invoices ------------------------------------------------------------------------------------


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("kind", "subscriber", "subgroup", "plan", "tier", "members", "service_month", "amount", "memo")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("subscriber", "subgroup", "plan")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fk_name = "invoice"
    fields = ("created_at", "amount", "status", "source", "payment_method", "received_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment_method")


@admin.register(Invoice)
class InvoiceAdmin(ViewOnlyAdmin):
    list_display = ("number", "group", "period", "issued_on", "due_on", "current_premium", "adjustments_total", "amount_due", "amount_paid", "status")
    list_filter = ("status", "period")
    search_fields = ("=number", "=group__group_number", "group__legal_name")
    list_select_related = ("group",)
    date_hierarchy = "period"
    readonly_fields = ("lines_link",)
    inlines = [InvoiceLineInline, PaymentInline]
    show_full_result_count = False

    @admin.display(description="lines")
    def lines_link(self, obj):
        url = reverse("admin:billing_invoiceline_changelist") + "?invoice__id__exact=%d" % obj.pk
        return format_html('<a href="{}">Search and filter this invoice\'s lines</a>', url)


class InvoiceLineMemberInline(ReadOnlyInline):
    model = InvoiceLineMember
    fields = ("dependent", "age", "age_band", "amount")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dependent")


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ViewOnlyAdmin):
    list_display = ("invoice", "kind", "subscriber", "subgroup", "plan", "tier", "members", "service_month", "amount", "memo")
    list_filter = ("kind", "tier", "service_month")
    search_fields = ("=invoice__number", "=subscriber__subscriber_number", "subscriber__last_name", "memo")
    list_select_related = ("invoice", "subscriber", "subgroup", "plan")
    inlines = [InvoiceLineMemberInline]
    show_full_result_count = False


@admin.register(InvoiceLineMember)
class InvoiceLineMemberAdmin(ViewOnlyAdmin):
    list_display = ("line", "invoice_number", "dependent", "age", "age_band", "amount")
    search_fields = ("=line__invoice__number", "=line__subscriber__subscriber_number")
    list_select_related = ("line__invoice", "dependent")
    show_full_result_count = False

    @admin.display(description="invoice", ordering="line__invoice__number")
    def invoice_number(self, obj):
        return obj.line.invoice.number


@admin.register(InvoiceBreakdownRow)
class InvoiceBreakdownRowAdmin(ViewOnlyAdmin):
    list_display = ("invoice", "plan", "tier", "subgroup", "subscribers", "members", "premium", "adjustments", "lines")
    search_fields = ("=invoice__number",)
    list_select_related = ("invoice", "plan", "subgroup")
    show_full_result_count = False


@admin.register(InvoiceDocument)
class InvoiceDocumentAdmin(ViewOnlyAdmin):
    """PDFs the worker prepared (the file itself is downloaded from the portal's invoice page)."""

    list_display = ("invoice", "scope", "status", "pages", "requested_at", "ready_at")
    list_filter = ("status",)
    search_fields = ("=invoice__number",)
    list_select_related = ("invoice",)
    fields = ("invoice", "scope", "status", "pages", "requested_at", "ready_at")
    show_full_result_count = False


# --- Adjustments -----------------------------------------------------------------------------------


class AdjustmentForm(forms.ModelForm):
    """A manual adjustment, checked by the billing service's own rules (billing.services.check_manual_adjustment)."""

    class Meta:
        model = Adjustment
        fields = ("group", "subscriber", "service_month", "amount", "memo")
        help_texts = {
            "amount": "Positive charges the group, negative credits it.",
            "service_month": "The first day of the month corrected.",
        }

    def clean(self):
        data = super().clean()
        needed = ("group", "service_month", "amount", "memo")
        if self.instance.pk or any(data.get(name) in (None, "") for name in needed):
            return data
        try:
            services.check_manual_adjustment(
                group=data["group"], subscriber=data.get("subscriber"), service_month=data["service_month"],
                amount=data["amount"], memo=data["memo"],
            )
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                for message in messages:
                    self.add_error(field, message)
        return data


@admin.register(Adjustment)
class AdjustmentAdmin(admin.ModelAdmin):
    """Specialists post manual adjustments with a memo (through billing.services); they land on the group's next invoice.

    A posted adjustment is not edited: to correct one, post another (the history shows both).
    """

    form = AdjustmentForm
    list_display = ("created_at", "group", "subscriber", "service_month", "amount", "memo", "source", "created_by", "invoice_number")
    list_filter = ("source", "service_month")
    search_fields = ("=group__group_number", "=subscriber__subscriber_number", "memo", "=invoice_line__invoice__number")
    list_select_related = ("group", "subscriber", "created_by", "invoice_line__invoice")
    raw_id_fields = ("group", "subscriber")
    readonly_fields = ("source", "change_request", "created_by", "created_at", "invoice_line")
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="on invoice", ordering="invoice_line__invoice__number")
    def invoice_number(self, obj):
        return obj.invoice_line.invoice.number if obj.invoice_line_id else "(next invoice)"

    def save_model(self, request, obj, form, change):
        posted = services.post_manual_adjustment(
            group=obj.group, subscriber=obj.subscriber, service_month=obj.service_month, amount=obj.amount, memo=obj.memo,
            acting_user=request.user,
        )
        # The admin goes on with `obj` (its message, its log entry): give it the posted row's identity.
        obj.pk, obj.source, obj.created_by, obj.created_at = posted.pk, posted.source, posted.created_by, posted.created_at


# --- Accounts, methods, autopay, payments ---------------------------------------------------------------


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ("group", "stripe_customer_id")
    search_fields = ("=group__group_number", "group__legal_name", "=stripe_customer_id")
    list_select_related = ("group",)
    raw_id_fields = ("group",)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "group", "kind", "exp_month", "exp_year", "created_by", "created_at", "removed_at")
    list_filter = ("kind", "brand")
    search_fields = ("=group__group_number", "group__legal_name", "=last4", "=stripe_payment_method_id")
    list_select_related = ("group", "created_by")
    raw_id_fields = ("group", "created_by")
    readonly_fields = ("stripe_payment_method_id", "created_at")


@admin.register(Autopay)
class AutopayAdmin(admin.ModelAdmin):
    list_display = ("group", "payment_method", "is_active", "maximum_amount", "started_at", "created_by", "cancelled_at")
    list_filter = ("is_active",)
    search_fields = ("=group__group_number", "group__legal_name")
    list_select_related = ("group", "payment_method", "created_by")
    raw_id_fields = ("group", "payment_method", "created_by", "cancelled_by")
    readonly_fields = ("created_at",)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("created_at", "amount", "status", "reason", "created_by", "stripe_refund_id", "failure_message")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


class RefundForm(forms.Form):
    amount = AmountField(label="Amount to refund")
    reason = forms.CharField(label="Reason (kept with the refund and in the audit log)", widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


@admin.register(Payment)
class PaymentAdmin(ViewOnlyAdmin):
    """Payments are history; a specialist may refund one through Stripe ("Refund through Stripe…")."""

    list_display = ("created_at", "reference_shown", "group", "invoice", "amount", "amount_refunded", "status", "source", "payment_method", "attempt", "received_at")
    list_filter = ("status", "source", "created_at")
    search_fields = ("=reference", "=group__group_number", "=invoice__number", "=stripe_payment_intent_id", "=idempotency_key")
    list_select_related = ("group", "invoice", "payment_method", "created_by")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [RefundInline]
    actions = ["refund"]

    @admin.display(description="reference", ordering="reference")
    def reference_shown(self, obj):
        return display_confirmation_number(obj.reference)

    def has_refund_permission(self, request):
        return request.user.has_perm("billing.refund_payment")

    @admin.action(description="Refund through Stripe…", permissions=["refund"])
    def refund(self, request, queryset):
        """Ask an amount and a reason, then refund the one payment selected through Stripe (billing.payments.refund_payment)."""
        if queryset.count() != 1:
            self.message_user(request, "Refund one payment at a time.", messages.WARNING)
            return None
        payment = queryset.select_related("invoice").get()
        form = RefundForm(request.POST if "apply" in request.POST else None, initial={"amount": payments.refundable(payment)})
        if form.is_valid():
            try:
                refund = payments.refund_payment(
                    payment_id=payment.pk, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
                    acting_user=request.user, today=timezone.localdate(),
                )
            except ValidationError as error:
                form.add_error("amount", error)
            except PortalError as error:
                self.message_user(request, "Not refunded: %s" % error.message, messages.ERROR)
                return None
            else:
                self.message_user(
                    request, "Refunded %s of payment %s (%s)." % (refund.amount, display_confirmation_number(payment.reference), refund.get_status_display().lower()),
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request), "title": "Refund through Stripe", "opts": self.model._meta,
            "intro": "Refund part or all of this payment to the card or bank account it came from. The invoice's amount paid "
                     "goes down by the refund (at most %s can still be refunded)." % payments.refundable(payment),
            "submit": "Refund through Stripe", "action": "refund", "queryset": [payment], "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/ask_reason.html", context)


@admin.register(Refund)
class RefundAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "payment", "group", "amount", "status", "reason", "created_by", "stripe_refund_id")
    list_filter = ("status", "created_at")
    search_fields = ("=payment__reference", "=group__group_number", "=stripe_refund_id")
    list_select_related = ("payment", "group", "created_by")
    show_full_result_count = False


@admin.register(StripeEvent)
class StripeEventAdmin(ViewOnlyAdmin):
    list_display = ("received_at", "type", "event_id", "processed_at", "outcome")
    list_filter = ("type",)
    search_fields = ("=event_id", "outcome")
    show_full_result_count = False


@admin.register(AutopayNotice)
class AutopayNoticeAdmin(ViewOnlyAdmin):
    list_display = ("sent_at", "invoice", "kind", "amount", "charge_on", "sent_to")
    list_filter = ("kind",)
    search_fields = ("=invoice__number", "=autopay__group__group_number")
    list_select_related = ("invoice",)
    show_full_result_count = False


@admin.register(PaymentMismatch)
class PaymentMismatchAdmin(ViewOnlyAdmin):
    """The nightly reconciliation's findings (billing.reconcile): a specialist checks each in Stripe."""

    list_display = ("found_on", "kind", "group", "payment", "stripe_payment_intent_id", "portal_amount", "stripe_amount", "portal_status", "stripe_status", "detail")
    list_filter = ("kind", "found_on")
    search_fields = ("=stripe_payment_intent_id", "=payment__reference", "=group__group_number")
    list_select_related = ("group", "payment")
    show_full_result_count = False
