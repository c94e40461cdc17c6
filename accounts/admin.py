"""Django admin for billing specialists: the registration queue, users, groups, the audit trail."""

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join

from accounts import rules, selectors, services
from accounts.models import AuditEvent, EmployerGroup, Membership, RegistrationRequest, RegistrationUser, Subgroup, User
from accounts.signals import client_ip
from core.admin_tools import ViewOnlyAdmin, with_reason


def _login_url(request):
    return request.build_absolute_uri(reverse("accounts:login"))


# --- Registration queue ----------------------------------------------------------------------------


def _check_limit(form, *, role, group_id, subgroups) -> None:
    """Put the subgroup-limit rule's error next to the form's subgroups field."""
    try:
        rules.check_subgroup_limit(role=role, group_id=group_id, subgroup_group_ids=[s.group_id for s in subgroups])
    except ValidationError as error:
        form.add_error("subgroups", error)


class RegistrationUserForm(forms.ModelForm):
    """A person asked for; a limit names only subgroups of the registration's group, never for a primary admin."""

    def clean(self):
        data = super().clean()
        subgroups = data.get("subgroups")
        if subgroups and data.get("role"):
            group = selectors.registration_group(self.instance.registration) if self.instance.registration_id else None
            _check_limit(self, role=data["role"], group_id=group.pk if group else None, subgroups=subgroups)
        return data


class RegistrationUserInline(admin.TabularInline):
    model = RegistrationUser
    form = RegistrationUserForm
    extra = 0
    fields = ("is_registrant", "first_name", "last_name", "title", "email", "existing_account", "phone", "role", "subgroups", "user")
    readonly_fields = ("existing_account", "user")
    verbose_name = "person asked for"
    verbose_name_plural = "people asked for (set each role, and any subgroups to limit them to, before approving)"

    def get_queryset(self, request):
        return selectors.with_existing_account(super().get_queryset(request))

    @admin.display(description="existing account")
    def existing_account(self, obj):
        """Approving links this account (a membership is added) instead of creating a second user."""
        username = getattr(obj, "existing_username", None)
        return "Existing account: %s" % username if username else "None: a new user is created"

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.status == RegistrationRequest.Status.PENDING

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.status == RegistrationRequest.Status.PENDING)

    def get_formset(self, request, obj=None, **kwargs):
        """Offer only the subgroups of the registration's group ("All subgroups" when none is chosen)."""
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("subgroups")
        if field is not None:
            group = selectors.registration_group(obj) if obj is not None else None
            field.queryset = Subgroup.objects.for_group(group) if group else Subgroup.objects.none()
            field.help_text = "None chosen: All subgroups. Choose some: Only these subgroups (never for a primary admin)."
        return formset


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    list_display = ("submitted_at", "due_by", "company_name", "group_number", "group_check", "name_check", "people_asked", "kind", "status")
    list_display_links = ("submitted_at", "company_name")
    list_filter = ("status", "kind")
    search_fields = ("company_name", "group_number", "people__email", "people__last_name")
    ordering = ("submitted_at",)  # oldest first: the queue
    inlines = [RegistrationUserInline]
    actions = ["approve_registrations", "reject_registrations"]
    readonly_fields = ("kind", "status", "submitted_at", "submitted_from", "requested_by", "decided_at", "decided_by", "rejection_reason", "group")
    fields = ("kind", "company_name", "group_number", "group", "status", "submitted_at", "submitted_from", "requested_by", "decided_at", "decided_by", "rejection_reason")

    def get_queryset(self, request):
        people = Prefetch("people", queryset=selectors.with_existing_account(RegistrationUser.objects.all()))
        return super().get_queryset(request).select_related("group").prefetch_related(people)

    def changelist_view(self, request, extra_context=None):
        # The queue opens on what is waiting.
        if not request.GET and request.method == "GET":
            request.GET = request.GET.copy()
            request.GET["status__exact"] = RegistrationRequest.Status.PENDING
            request.META["QUERY_STRING"] = request.GET.urlencode()
        return super().changelist_view(request, extra_context)

    @admin.display(description="due by", ordering="submitted_at")
    def due_by(self, obj):
        due = selectors.registration_due_by(obj)
        if obj.status == RegistrationRequest.Status.PENDING and due < timezone.localdate():
            return "%s (late)" % formats.date_format(due)
        return formats.date_format(due)

    @admin.display(description="group ID exists and active")
    def group_check(self, obj):
        group = selectors.registration_group(obj)
        if group is None:
            return "No such group"
        return "Yes" if group.is_active else "Exists, %s" % group.get_status_display().lower()

    @admin.display(description="company name matches")
    def name_check(self, obj):
        group = selectors.registration_group(obj)
        if group is None:
            return "-"
        return "Yes" if rules.names_match(obj.company_name, group.legal_name) else "No: %s" % group.legal_name

    @admin.display(description="users asked for")
    def people_asked(self, obj):
        pending = obj.status == RegistrationRequest.Status.PENDING
        return format_html_join(
            ", ", "{} {} ({}){}{}",
            (
                (p.first_name, p.last_name, p.get_role_display(), " registrant" if p.is_registrant else "",
                 " · Existing account: %s" % p.existing_username if pending and p.existing_username else "")
                for p in obj.people.all()
            ),
        )

    @admin.action(description="Approve: create the users (or link existing accounts) and email them", permissions=["change"])
    def approve_registrations(self, request, queryset):
        for registration in queryset.order_by("submitted_at"):
            try:
                users = services.approve_registration(
                    registration=registration, acting_user=request.user, ip_address=client_ip(request), login_url=_login_url(request)
                )
            except ValidationError as error:
                self.message_user(request, "%s not approved: %s" % (registration, " ".join(error.messages)), messages.ERROR)
            else:
                self.message_user(
                    request,
                    "%s approved: %s. Each new user gets two emails (username, then password); an existing account is "
                    "emailed that it has the group." % (registration, ", ".join(u.username for u in users)),
                    messages.SUCCESS,
                )

    @admin.action(description="Reject with a reason", permissions=["change"])
    def reject_registrations(self, request, queryset):
        def reject(registration, reason):
            try:
                services.reject_registration(
                    registration=registration, reason=reason, acting_user=request.user, ip_address=client_ip(request)
                )
            except ValidationError as error:
                self.message_user(request, "%s not rejected: %s" % (registration, " ".join(error.messages)), messages.ERROR)
            else:
                self.message_user(request, "%s rejected; the reason was emailed." % registration, messages.SUCCESS)

        return with_reason(
            self, request, queryset, action="reject_registrations", title="Reject with a reason",
            intro="Reject these registrations. The reason is emailed to each registrant.",
            label="Reason (emailed to the registrant)", submit="Reject and email the reason", apply=reject,
        )


# --- Users ------------------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("group", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("group",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "groups_list", "is_active", "is_staff", "last_login", "must_change_password", "locked_out")
    list_filter = ("is_active", "is_staff", "must_change_password", "memberships__role")
    search_fields = ("username", "first_name", "last_name", "email", "memberships__group__group_number", "memberships__group__legal_name")
    inlines = [MembershipInline]
    actions = ["reset_password", "unlock_users"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Portal", {"fields": ("title", "phone", "must_change_password", "temporary_password_expires_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__group")

    @admin.display(description="groups")
    def groups_list(self, obj):
        return ", ".join("%s (%s)" % (m.group.group_number, m.get_role_display()) for m in obj.memberships.all() if m.is_active)

    @admin.display(description="locked out", boolean=True)
    def locked_out(self, obj):
        return AccessAttempt.objects.filter(username=obj.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()

    @admin.action(description="Reset password", permissions=["change"])
    def reset_password(self, request, queryset):
        for user in queryset:
            if not user.email:
                self.message_user(request, "%s has no email address: add one first." % user.username, messages.ERROR)
                continue
            services.reset_password(user=user, acting_user=request.user, ip_address=client_ip(request))
            self.message_user(request, "%s: a temporary password was emailed and every session ended." % user.username, messages.SUCCESS)

    @admin.action(description="Unlock (clear failed log-ins)", permissions=["change"])
    def unlock_users(self, request, queryset):
        for user in queryset:
            cleared = services.unlock_user(user=user, acting_user=request.user, ip_address=client_ip(request))
            self.message_user(request, "%s unlocked (%d lockout record%s cleared)." % (user.username, cleared, "" if cleared == 1 else "s"))


# --- Groups ---------------------------------------------------------------------------------------


class SubgroupInline(admin.TabularInline):
    model = Subgroup
    extra = 0
    fields = ("code", "name")


@admin.register(EmployerGroup)
class EmployerGroupAdmin(admin.ModelAdmin):
    list_display = ("group_number", "legal_name", "status", "renewal_month", "rating_method", "billing_policy", "require_mfa")
    list_filter = ("status", "require_mfa", "rating_method", "billing_policy", "continuation")
    search_fields = ("group_number", "legal_name")
    inlines = [SubgroupInline]
    fieldsets = (
        (None, {"fields": ("group_number", "legal_name", "status")}),
        ("Address", {"fields": ("address_line1", "address_line2", "city", "state", "zip_code", "time_zone")}),
        ("Plan year and billing", {"fields": ("renewal_month", "waiting_period_days", "rating_method", "billing_policy", "invoice_day", "retro_days")}),
        ("Security", {"fields": ("require_mfa",), "description": "Its admin users must set up an authenticator app at their next login."}),
        ("Continuation coverage", {"fields": ("continuation", "state_continuation_months"), "description": (
            "COBRA for employers with 20 or more employees; state continuation, with the state's maximum months, for smaller ones.")}),
    )


@admin.register(Subgroup)
class SubgroupAdmin(admin.ModelAdmin):
    list_display = ("group", "code", "name")
    search_fields = ("code", "name", "group__group_number", "group__legal_name")
    autocomplete_fields = ("group",)


class MembershipForm(forms.ModelForm):
    """A membership; a limit to subgroups names only subgroups of its group, never for a primary admin."""

    def clean(self):
        data = super().clean()
        if data.get("subgroups") and data.get("role") and data.get("group"):
            _check_limit(self, role=data["role"], group_id=data["group"].pk, subgroups=data["subgroups"])
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ("user", "group", "role", "is_active", "created_at")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__last_name", "user__email", "group__group_number", "group__legal_name")
    fields = ("user", "group", "role", "subgroups", "is_active", "created_at")
    autocomplete_fields = ("user", "group", "subgroups")


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    """The audit trail: read-only for everyone."""

    list_display = ("at", "action", "username", "actor", "group", "ip_address", "object_type", "object_id")
    list_filter = ("action",)
    date_hierarchy = "at"
    search_fields = ("username", "ip_address", "group__group_number", "object_id")
    list_select_related = ("actor", "group")

