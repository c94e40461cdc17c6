"""Django admin for the carrier's billing specialists: plans and rates, members, coverages, requests.

Every changelist selects its foreign keys in the same query (no N+1), big foreign keys are raw
IDs (a group has thousands of subscribers), and SSNs are shown masked only: the encrypted token
and its hash never reach a page.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from core.admin_tools import ReadOnlyInline, with_reason
from core.fields import mask_ssn
from enrollment import continuation_admin  # noqa: F401 (registers the continuation admin)
from enrollment import processors, request_status, rules
from enrollment.maintenance_admin import HistoryContextAdmin, ProofDocumentInline
from enrollment.models import (
    ChangeRequest,
    Coverage,
    CoveredMember,
    Dependent,
    EnrollmentDraft,
    IDCardOrder,
    OpenEnrollmentElection,
    OpenEnrollmentReminder,
    Plan,
    PlanAgeRate,
    PlanOffering,
    PlanRate,
    RequestEvent,
    Subscriber,
)

SSN_FIELDS = ("ssn_encrypted", "ssn_last4", "ssn_hash")


def pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True, default=str))


# --- Plans and rates ---------------------------------------------------------------------------


class PlanRateInline(admin.TabularInline):
    model = PlanRate
    extra = 0
    fields = ("plan_year", "tier", "monthly_premium")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "plan_type", "metal_level", "network", "deductible", "out_of_pocket_max", "successor", "is_active")
    list_filter = ("plan_type", "metal_level", "is_active", "network")
    search_fields = ("code", "name")
    list_select_related = ("successor",)
    autocomplete_fields = ("successor",)
    inlines = [PlanRateInline]


@admin.register(PlanOffering)
class PlanOfferingAdmin(admin.ModelAdmin):
    list_display = ("plan", "group", "subgroup", "plan_year")
    list_filter = ("plan_year", "plan")
    search_fields = ("=group__group_number", "group__legal_name", "plan__code", "plan__name")
    list_select_related = ("plan", "group", "subgroup")
    autocomplete_fields = ("plan",)
    raw_id_fields = ("group", "subgroup")


@admin.register(PlanRate)
class PlanRateAdmin(admin.ModelAdmin):
    list_display = ("plan", "plan_year", "tier", "monthly_premium")
    list_filter = ("plan_year", "tier", "plan")
    search_fields = ("plan__code", "plan__name")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)


@admin.register(PlanAgeRate)
class PlanAgeRateAdmin(admin.ModelAdmin):
    list_display = ("plan", "plan_year", "age_band", "monthly_premium")
    list_filter = ("plan_year", "plan")
    search_fields = ("plan__code", "plan__name", "=age_band")
    list_select_related = ("plan",)
    autocomplete_fields = ("plan",)


# --- Members -------------------------------------------------------------------------------------


class SSNForm(forms.ModelForm):
    """Take a new SSN in plain digits (write-only); the stored token never leaves the server."""

    new_ssn = forms.RegexField(
        label="New SSN", regex=r"^\d{3}-?\d{2}-?\d{4}$", required=False,
        help_text="Leave empty to keep the current SSN. Shown masked once saved.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def save(self, commit=True):
        if self.cleaned_data.get("new_ssn"):
            self.instance.set_ssn(self.cleaned_data["new_ssn"])
        return super().save(commit=commit)


class MemberForm(SSNForm):
    """A specialist's edit of a subscriber or dependent meets the wizard's plausibility rules (enrollment.rules)."""

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        checks = [
            ("middle_initial", rules.check_middle_initial),
            ("zip_code", rules.check_zip_code),
            ("date_of_birth", lambda value: rules.check_date_of_birth(value, today)),
            ("hire_date", lambda value: rules.check_hire_date_in_range(value, today)),
        ]
        if data.get("hire_date") and data.get("date_of_birth"):
            checks.append(("hire_date", lambda value: rules.check_hire_date(value, data["date_of_birth"])))
        for name, check in checks:
            if name in self.fields and data.get(name) and not self.has_error(name):
                try:
                    check(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data


class DependentInline(admin.TabularInline):
    model = Dependent
    form = MemberForm
    extra = 0
    fk_name = "subscriber"
    fields = ("member_suffix", "first_name", "last_name", "date_of_birth", "gender", "relationship", "masked_ssn",
              "new_ssn", "has_other_coverage", "other_carrier", "removed_on")
    readonly_fields = ("masked_ssn",)
    show_change_link = True


@admin.register(Subscriber)
class SubscriberAdmin(HistoryContextAdmin):
    form = MemberForm
    list_display = ("subscriber_number", "last_name", "first_name", "group", "subgroup", "date_of_birth", "masked_ssn", "hire_date")
    list_filter = ("gender", "marital_status")
    search_fields = ("=subscriber_number", "last_name", "first_name", "=group__group_number", "=ssn_last4")
    list_select_related = ("group", "subgroup")
    raw_id_fields = ("group", "subgroup")
    exclude = SSN_FIELDS
    readonly_fields = ("masked_ssn", "created_at")
    inlines = [DependentInline]
    show_full_result_count = False  # a count(*) of every subscriber on each page is wasted work

    def save_formset(self, request, form, formset, change):
        # A dependent added inline belongs to its subscriber's group.
        for dependent in formset.save(commit=False):
            dependent.group_id = form.instance.group_id
            dependent.save()
        for dependent in formset.deleted_objects:
            dependent.delete()
        formset.save_m2m()


@admin.register(Dependent)
class DependentAdmin(HistoryContextAdmin):
    form = MemberForm
    list_display = ("member_id", "full_name", "relationship", "date_of_birth", "masked_ssn", "has_other_coverage", "removed_on")
    list_filter = ("relationship", "has_other_coverage", "gender")
    search_fields = ("=subscriber__subscriber_number", "last_name", "first_name", "=group__group_number")
    list_select_related = ("subscriber", "group")
    raw_id_fields = ("group", "subscriber")
    exclude = SSN_FIELDS
    readonly_fields = ("masked_ssn", "created_at")
    show_full_result_count = False

    @admin.display(description="member ID", ordering="subscriber__subscriber_number")
    def member_id(self, obj):
        return "%s-%s" % (obj.subscriber.subscriber_number or "(pending)", obj.member_suffix or "??")


# --- Coverage ------------------------------------------------------------------------------------


class CoveredMemberInline(admin.TabularInline):
    model = CoveredMember
    extra = 0
    raw_id_fields = ("dependent",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dependent")


@admin.register(Coverage)
class CoverageAdmin(HistoryContextAdmin):
    list_display = ("subscriber", "group", "plan", "plan_year", "tier", "start", "end", "status", "termination_reason")
    list_filter = ("status", "tier", "plan_year", "termination_reason", "plan")
    search_fields = ("=subscriber__subscriber_number", "subscriber__last_name", "=group__group_number")
    list_select_related = ("subscriber", "group", "plan")
    raw_id_fields = ("group", "subscriber")
    autocomplete_fields = ("plan",)
    readonly_fields = ("created_at",)
    date_hierarchy = "start"
    inlines = [CoveredMemberInline]
    show_full_result_count = False


# --- Requests ------------------------------------------------------------------------------------


class RequestEventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "status", "note", "actor")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    """Find a request by confirmation number; decide the ones that need review."""

    list_display = ("display_number", "kind", "status", "group", "subscriber", "submitted_by", "submitted_at", "decided_at")
    list_filter = ("status", "kind", "submitted_at")
    search_fields = ("=confirmation_number", "=subscriber__subscriber_number", "subscriber__last_name", "=group__group_number")
    list_select_related = ("group", "subscriber", "submitted_by")
    date_hierarchy = "submitted_at"
    fields = ("confirmation_number", "kind", "group", "subscriber", "coverage", "submitted_by", "submitted_at",
              "snapshot_pretty", "status", "reason", "decided_at")
    # Decisions go through the request pipeline (the actions below), never a bare status edit,
    # so the timeline, the audit trail, the coverage and the admin's email all follow.
    readonly_fields = fields
    actions = ["approve_requests", "reject_requests"]
    inlines = [RequestEventInline, ProofDocumentInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # requests come from group admins, each with its confirmation number

    @admin.display(description="confirmation number", ordering="confirmation_number")
    def display_number(self, obj):
        return obj.display_number

    @admin.display(description="what was asked")
    def snapshot_pretty(self, obj):
        return pretty_json(obj.snapshot)

    def get_search_results(self, request, queryset, search_term):
        # "abcde-fghjk" finds ABCDEFGHJK: numbers are shown with a dash, typed in any case.
        compact = search_term.replace("-", "").strip().upper()
        if len(compact) == 10 and compact.isalnum():
            search_term = compact
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description="Approve and apply (needs review only)", permissions=["change"])
    def approve_requests(self, request, queryset):
        for change_request in queryset.order_by("submitted_at"):
            try:
                processors.approve(change_request, actor=request.user)
            except (request_status.RequestAlreadyDecided, KeyError) as error:
                self.message_user(request, "%s not approved: %s" % (change_request.display_number, error), messages.ERROR)
            else:
                self.message_user(request, "%s approved and applied." % change_request.display_number, messages.SUCCESS)

    @admin.action(description="Reject with a reason", permissions=["change"])
    def reject_requests(self, request, queryset):
        def reject(change_request, reason):
            try:
                with transaction.atomic():
                    locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
                    request_status.reject(locked, reason=reason, actor=request.user)
            except request_status.RequestAlreadyDecided as error:
                self.message_user(request, "%s not rejected: %s" % (change_request.display_number, error), messages.ERROR)
            else:
                self.message_user(request, "%s rejected; the admin is emailed the reason." % change_request.display_number, messages.SUCCESS)

        return with_reason(
            self, request, queryset.order_by("submitted_at"), action="reject_requests", title="Reject with a reason",
            intro="Reject these requests. The reason shows in Track Requests and is emailed to the admin who asked; "
                  "a pending coverage is voided.",
            label="Reason (shown to the group admin)", submit="Reject and email the reason", apply=reject,
        )


@admin.register(OpenEnrollmentElection)
class OpenEnrollmentElectionAdmin(admin.ModelAdmin):
    """The current election of each subscriber and plan year; "auto" with no plan is a carry-over left to a specialist."""

    list_display = ("subscriber", "group", "plan_year", "choice", "plan", "decline_reason", "alternate_plan_name", "flags", "created_at")
    list_filter = ("choice", "plan_year", "decline_reason", ("plan", admin.EmptyFieldListFilter))
    search_fields = ("=subscriber__subscriber_number", "subscriber__last_name", "=group__group_number")
    list_select_related = ("subscriber", "group", "plan")
    raw_id_fields = ("group", "subscriber", "request", "coverage", "ended_coverage")
    autocomplete_fields = ("plan",)


@admin.register(OpenEnrollmentReminder)
class OpenEnrollmentReminderAdmin(admin.ModelAdmin):
    list_display = ("group", "renewal_date", "kind", "recipients", "sent_at")
    list_filter = ("kind", "renewal_date")
    search_fields = ("=group__group_number",)
    list_select_related = ("group",)
    readonly_fields = ("group", "renewal_date", "kind", "recipients", "sent_at")

    def has_add_permission(self, request):
        return False  # recorded by the reminder task only


@admin.register(IDCardOrder)
class IDCardOrderAdmin(admin.ModelAdmin):
    list_display = ("subscriber", "group", "reason", "ship_to", "status", "ordered_at", "shipped_at")
    list_filter = ("status", "reason", "ship_to")
    search_fields = ("=subscriber__subscriber_number", "subscriber__last_name", "=group__group_number")
    list_select_related = ("subscriber", "group")
    raw_id_fields = ("group", "subscriber", "request", "dependents")
    date_hierarchy = "ordered_at"


@admin.register(EnrollmentDraft)
class EnrollmentDraftAdmin(admin.ModelAdmin):
    list_display = ("id", "group", "created_by", "created_at", "updated_at", "request")
    search_fields = ("=group__group_number", "created_by__username")
    list_select_related = ("group", "created_by", "request")
    raw_id_fields = ("group", "created_by", "request")
    readonly_fields = ("data_pretty", "created_at", "updated_at")
    exclude = ("data",)

    @admin.display(description="data")
    def data_pretty(self, obj):
        return pretty_json(redact_ssns(obj.data))


def redact_ssns(value):
    """Return the draft's data with every SSN shown masked only: never the encrypted token or its hash."""
    if isinstance(value, list):
        return [redact_ssns(item) for item in value]
    if not isinstance(value, dict):
        return value
    redacted = {key: redact_ssns(item) for key, item in value.items() if key not in SSN_FIELDS}
    if any(key in value for key in SSN_FIELDS):
        redacted["ssn"] = mask_ssn(value.get("ssn_last4", ""))
    return redacted
