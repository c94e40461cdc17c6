from datetime import date
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property

from accounts.scoping import GroupScopedQuerySet, scoped_queryset
from core import identifiers


class User(AbstractUser):
    """A group admin (browser) or a billing specialist (is_staff, Django admin)."""

    title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # A temporary password (emailed at approval or reset) must be changed at first use
    # and stops working after `temporary_password_expires_at`.
    must_change_password = models.BooleanField(default=False)
    temporary_password_expires_at = models.DateTimeField(null=True, blank=True)
    # Bumped to end every session of the user at once (deactivation, reset by a specialist):
    # it is part of the session auth hash Django checks on every request.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    def _get_session_auth_hash(self, secret=None):
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, "%s:%s" % (self.password, self.session_epoch), secret=secret, algorithm="sha256").hexdigest()

    def memberships_active(self):
        return self.memberships.filter(is_active=True, group__status=EmployerGroup.Status.ACTIVE).select_related("group")


class EmployerGroup(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        TERMINATED = "terminated", "Terminated"

    class BillingPolicy(models.TextChoices):
        MID_MONTH = "mid_month", "Mid-month rule (15th)"
        DAILY = "daily", "Daily proration"

    class RatingMethod(models.TextChoices):
        TIERED = "tiered", "Tiered"
        AGE_BANDED = "age_banded", "Age-banded (ACA small group)"

    class Continuation(models.TextChoices):
        COBRA = "cobra", "COBRA"  # federal: employers with 20 or more employees
        STATE = "state", "State continuation"  # the state's law: smaller employers

    # The carrier's "Group ID" (6 digits). Named so it never reads like a foreign key column.
    group_number = models.CharField("group ID", max_length=6, unique=True, validators=[identifiers.group_number_validator])
    legal_name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # The plan year starts on the first day of this month every year (the renewal date).
    renewal_month = models.PositiveSmallIntegerField(default=1)
    waiting_period_days = models.PositiveSmallIntegerField(default=0)  # new hires: 0, 30, 60 or 90
    billing_policy = models.CharField(max_length=12, choices=BillingPolicy.choices, default=BillingPolicy.MID_MONTH)
    rating_method = models.CharField(max_length=12, choices=RatingMethod.choices, default=RatingMethod.TIERED)
    invoice_day = models.PositiveSmallIntegerField(default=15)  # of the month before the covered month
    retro_days = models.PositiveSmallIntegerField(default=60)  # retroactive termination window
    require_mfa = models.BooleanField("Require two-factor authentication", default=False)
    # Continuation coverage after a qualifying event (docs/cobra.md): set by the carrier.
    continuation = models.CharField("Continuation", max_length=5, choices=Continuation.choices, default=Continuation.COBRA)
    state_continuation_months = models.PositiveSmallIntegerField(
        "state continuation months", null=True, blank=True,
        help_text="The state's maximum months of continuation (e.g. Oregon: 9); only for state continuation.",
    )
    time_zone = models.CharField(max_length=50, default="America/Los_Angeles")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(condition=Q(group_number__regex=identifiers.GROUP_NUMBER_REGEX), name="group_number_six_digits"),
            models.CheckConstraint(condition=Q(waiting_period_days__in=[0, 30, 60, 90]), name="waiting_period_allowed"),
            models.CheckConstraint(condition=Q(renewal_month__gte=1, renewal_month__lte=12), name="renewal_month_valid"),
            models.CheckConstraint(condition=Q(invoice_day__gte=1, invoice_day__lte=28), name="invoice_day_valid"),
            models.CheckConstraint(condition=Q(status__in=["active", "terminated"]), name="group_status_valid"),
            models.CheckConstraint(condition=Q(billing_policy__in=["mid_month", "daily"]), name="billing_policy_valid"),
            models.CheckConstraint(condition=Q(rating_method__in=["tiered", "age_banded"]), name="rating_method_valid"),
            models.CheckConstraint(
                condition=Q(continuation="cobra") | Q(continuation="state", state_continuation_months__gte=1, state_continuation_months__lte=36),
                name="continuation_valid",
                violation_error_message="State continuation needs the state's maximum months (1 to 36).",
            ),
        ]

    def __str__(self):
        return "%s %s" % (self.group_number, self.legal_name)

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def today(self) -> date:
        """Return today's date in the group's time zone: the open-enrollment window and the renewal follow it."""
        return timezone.localdate(timezone=ZoneInfo(self.time_zone))
    @property
    def continuation_description(self) -> str:
        """Say which continuation law applies: "COBRA" or "State continuation (OR): 9 months"."""
        if self.continuation == self.Continuation.STATE:
            return "State continuation (%s): %d months" % (self.state, self.state_continuation_months or 0)
        return "COBRA"


class Subgroup(models.Model):
    """A division, location or class ("Salaried", "Hourly", "Union Local 48")."""

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="subgroups")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)

    objects = scoped_queryset("group", "pk").as_manager()

    class Meta:
        ordering = ["group", "code"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="subgroup_code_unique"),
            models.UniqueConstraint(fields=["group", "name"], name="subgroup_name_unique"),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's admin access to one employer group, with a role."""

    class Role(models.TextChoices):
        PRIMARY = "primary", "Primary"
        ENROLLMENT = "enrollment", "Enrollment"
        BILLING = "billing", "Billing"
        READ_ONLY = "read_only", "Read-only"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    # Limits the admin to these subgroups of the group; none means every subgroup.
    subgroups = models.ManyToManyField(Subgroup, blank=True, related_name="limited_memberships")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["group", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["primary", "enrollment", "billing", "read_only"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return "%s in %s (%s)" % (self.user, self.group.group_number, self.get_role_display())

    @cached_property
    def limited_subgroup_ids(self) -> frozenset | None:
        """Return the ids of the subgroups this admin is limited to, or None for all subgroups.

        accounts.access annotates `subgroup_ids` when it resolves the membership, so pages
        pay no extra query for it.
        """
        ids = getattr(self, "subgroup_ids", None)
        if ids is None:
            ids = self.subgroups.values_list("pk", flat=True) if self.pk else []
        return frozenset(ids) or None

    @property
    def is_limited(self) -> bool:
        return self.limited_subgroup_ids is not None


# Which roles may do what. Views name one of these in `group_view(allow=...)`.
Role = Membership.Role
ANY_ROLE = frozenset(Role.values)
ENROLLMENT_ROLES = frozenset({Role.PRIMARY, Role.ENROLLMENT})
BILLING_ROLES = frozenset({Role.PRIMARY, Role.BILLING})
PRIMARY_ONLY = frozenset({Role.PRIMARY})


class RegistrationRequest(models.Model):
    """A "Need to Register" submission, waiting for a billing specialist."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "Registration"
        NEW_USER = "new_user", "New user asked by a primary admin"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGISTRATION)
    company_name = models.CharField(max_length=200)
    group_number = models.CharField("group ID", max_length=6)  # as typed; checked by the specialist
    group = models.ForeignKey(EmployerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_from = models.GenericIPAddressField(null=True, blank=True)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "approved", "rejected"]), name="registration_status_valid")
        ]

    def __str__(self):
        return "%s (%s)" % (self.company_name, self.group_number)


class RegistrationUser(models.Model):
    """A person a registration asks access for: the registrant and any additional users."""

    registration = models.ForeignKey(RegistrationRequest, on_delete=models.CASCADE, related_name="people")
    is_registrant = models.BooleanField(default=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, blank=True)
    email = models.EmailField()
    phone = models.CharField(max_length=20, blank=True)
    role = models.CharField(max_length=12, choices=Membership.Role.choices, default=Membership.Role.READ_ONLY)
    # Copied onto the membership at approval: the subgroups the person will see (none: all).
    # Set by the primary admin who asks for a new user, or by the specialist before approving.
    subgroups = models.ManyToManyField(Subgroup, blank=True, related_name="+")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-is_registrant", "id"]

    def __str__(self):
        return "%s %s <%s>" % (self.first_name, self.last_name, self.email)


class AuditEvent(models.Model):
    """Who did what, when and from where. Never holds member health data."""

    class Action(models.TextChoices):
        LOGIN = "login", "Login"
        LOGIN_FAILED = "login_failed", "Login failed"
        LOCKOUT = "lockout", "Lockout"
        LOGOUT = "logout", "Logout"
        PASSWORD_CHANGE = "password_change", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        MFA_ADDED = "mfa_added", "Two-factor set up"
        MFA_REMOVED = "mfa_removed", "Two-factor removed"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        SUBGROUPS_CHANGED = "subgroups_changed", "User's subgroups changed"
        REGISTRATION_APPROVED = "registration_approved", "Registration approved"
        REGISTRATION_REJECTED = "registration_rejected", "Registration rejected"
        REQUEST_SUBMITTED = "request_submitted", "Request submitted"
        REQUEST_DECIDED = "request_decided", "Request decided"
        INVOICE_ISSUED = "invoice_issued", "Invoice issued"
        ADJUSTMENT_POSTED = "adjustment_posted", "Adjustment posted"
        PAYMENT = "payment", "Payment"
        AUTOPAY_CHANGED = "autopay_changed", "Autopay changed"
        EXPORT = "export", "Export"
        OTHER = "other", "Other"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    username = models.CharField(max_length=150, blank=True)  # as typed, for failures
    group = models.ForeignKey(EmployerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    action = models.CharField(max_length=32, choices=Action.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = GroupScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["group", "-at"]), models.Index(fields=["actor", "-at"])]

    def __str__(self):
        return "%s %s %s" % (self.at, self.action, self.username or self.actor_id)
