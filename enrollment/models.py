from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import EmployerGroup, Subgroup
from accounts.scoping import scoped_queryset
from core import identifiers
from core.fields import SSNMixin
from core.money import MoneyField
from enrollment import rules


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNSPECIFIED = "X", "X / Unspecified"


class Tier(models.TextChoices):
    EE = "EE", "Employee only"
    ES = "ES", "Employee + spouse/partner"
    EC = "EC", "Employee + child(ren)"
    FAM = "FAM", "Family"


class Plan(models.Model):
    """A medical plan the carrier sells."""

    class PlanType(models.TextChoices):
        HMO = "HMO", "HMO"
        PPO = "PPO", "PPO"
        EPO = "EPO", "EPO"
        HDHP = "HDHP", "HDHP"

    class Metal(models.TextChoices):
        BRONZE = "bronze", "Bronze"
        SILVER = "silver", "Silver"
        GOLD = "gold", "Gold"
        PLATINUM = "platinum", "Platinum"

    code = models.CharField(max_length=20, unique=True)  # HD04 in the 834
    name = models.CharField(max_length=120)
    plan_type = models.CharField(max_length=5, choices=PlanType.choices)
    metal_level = models.CharField(max_length=10, choices=Metal.choices)
    network = models.CharField(max_length=80)
    deductible = MoneyField()  # individual, per plan year
    out_of_pocket_max = MoneyField()  # individual, per plan year
    # Printed on the member ID card (0 where the deductible applies first, e.g. an HDHP).
    copay_primary_care = MoneyField("primary care copay", default=0)
    copay_specialist = MoneyField("specialist copay", default=0)
    copay_urgent_care = MoneyField("urgent care copay", default=0)
    copay_emergency = MoneyField("emergency room copay", default=0)
    # Where this plan is no longer offered in a new plan year, renewal maps to it.
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(deductible__gte=0) & Q(out_of_pocket_max__gte=0), name="plan_money_nonnegative")
        ]

    def __str__(self):
        return self.name


class PlanOffering(models.Model):
    """A plan offered to a group (every subgroup when subgroup is empty) for one plan year."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="offerings")
    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="offerings")
    subgroup = models.ForeignKey(Subgroup, null=True, blank=True, on_delete=models.PROTECT, related_name="offerings")
    plan_year = models.PositiveSmallIntegerField()  # the calendar year in which the plan year starts

    objects = scoped_queryset("group", "subgroup", null_means_all=True).as_manager()

    class Meta:
        ordering = ["group", "plan_year", "plan"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "group", "subgroup", "plan_year"], nulls_distinct=False, name="offering_unique"
            )
        ]

    def __str__(self):
        return "%s for %s %s (%s)" % (self.plan, self.group.group_number, self.subgroup or "all subgroups", self.plan_year)


class PlanRate(models.Model):
    """Tiered rating: the monthly premium of a plan, plan year and tier."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="rates")
    plan_year = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=3, choices=Tier.choices)
    monthly_premium = MoneyField()  # monthly, per tier

    class Meta:
        ordering = ["plan", "plan_year", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "plan_year", "tier"], name="plan_rate_unique"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="plan_rate_tier_valid"),
            models.CheckConstraint(condition=Q(monthly_premium__gte=0), name="plan_rate_nonnegative"),
        ]

    def __str__(self):
        return "%s %s %s %s" % (self.plan.code, self.plan_year, self.tier, self.monthly_premium)


AGE_BANDS = ["0-14"] + [str(age) for age in range(15, 64)] + ["64+"]


class PlanAgeRate(models.Model):
    """Age-banded rating (ACA small groups): the monthly premium of one member by age band."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="age_rates")
    plan_year = models.PositiveSmallIntegerField()
    age_band = models.CharField(max_length=5, choices=[(band, band) for band in AGE_BANDS])
    monthly_premium = MoneyField()  # monthly, per member

    class Meta:
        ordering = ["plan", "plan_year", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "plan_year", "age_band"], name="plan_age_rate_unique"),
            models.CheckConstraint(condition=Q(age_band__in=AGE_BANDS), name="plan_age_band_valid"),
            models.CheckConstraint(condition=Q(monthly_premium__gte=0), name="plan_age_rate_nonnegative"),
        ]

    def __str__(self):
        return "%s %s age %s %s" % (self.plan.code, self.plan_year, self.age_band, self.monthly_premium)


class Person(SSNMixin, models.Model):
    """What a subscriber and a dependent share."""

    first_name = models.CharField(max_length=60)
    middle_initial = models.CharField(max_length=1, blank=True)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    ssn_encrypted = models.TextField(blank=True)  # Fernet token; see core.fields
    ssn_last4 = models.CharField(max_length=4, blank=True)
    ssn_hash = models.CharField(max_length=64, blank=True)  # keyed hash, to find duplicates
    pcp_name = models.CharField("primary care provider", max_length=120, blank=True)
    pcp_id = models.CharField("provider ID", max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def full_name(self):
        middle = " %s." % self.middle_initial if self.middle_initial else ""
        return "%s%s %s" % (self.first_name, middle, self.last_name)


class SubscriberQuerySet(scoped_queryset("group", "subgroup")):
    def search(self, text: str):
        """Find by subscriber ID (or its start) or by last name (its start, any case)."""
        text = (text or "").strip()
        if not text:
            return self
        if identifiers.looks_like_subscriber_number(text):
            return self.filter(subscriber_number__startswith=identifiers.normalize_subscriber_number(text))
        return self.filter(last_name__istartswith=text)


class Subscriber(Person):
    """The employee."""

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", "Single"
        MARRIED = "married", "Married"
        PARTNER = "domestic_partner", "Domestic partner"
        DIVORCED = "divorced", "Divorced"
        WIDOWED = "widowed", "Widowed"
        SEPARATED = "separated", "Separated"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="subscribers")
    subgroup = models.ForeignKey(Subgroup, on_delete=models.PROTECT, related_name="subscribers")
    # The carrier's "Subscriber ID" (M + 9 digits), assigned when the enrollment is processed;
    # never reused. Named so it never reads like the subscriber_id foreign key column of other models.
    subscriber_number = models.CharField("subscriber ID", max_length=10, unique=True, null=True, blank=True)
    marital_status = models.CharField(max_length=20, choices=MaritalStatus.choices)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    hire_date = models.DateField()

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(subscriber_number__regex=identifiers.SUBSCRIBER_NUMBER_REGEX), name="subscriber_number_format"),
            models.UniqueConstraint(fields=["group", "ssn_hash"], condition=~Q(ssn_hash=""), name="subscriber_ssn_unique"),
            models.UniqueConstraint(
                "group", Lower("first_name"), Lower("last_name"), "date_of_birth", name="subscriber_name_dob_unique"
            ),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="subscriber_gender_valid"),
        ]
        indexes = [models.Index(fields=["group", "last_name"]), models.Index(fields=["subgroup"])]

    def __str__(self):
        return "%s %s" % (self.subscriber_number or "(pending)", self.full_name)

    @property
    def member_id(self):
        return identifiers.member_id(self.subscriber_number)


class Dependent(Person):
    class Relationship(models.TextChoices):
        SPOUSE = "spouse", "Spouse"
        PARTNER = "domestic_partner", "Domestic partner"
        CHILD = "child", "Child"
        STEPCHILD = "stepchild", "Stepchild"
        FOSTER_CHILD = "foster_child", "Foster child"
        LEGAL_WARD = "legal_ward", "Legal ward"
        DISABLED_ADULT_CHILD = "disabled_adult_child", "Disabled adult child"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="dependents")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="dependents")
    relationship = models.CharField(max_length=24, choices=Relationship.choices)
    member_suffix = models.CharField(max_length=2, blank=True)  # 01, 02…; stable for life, assigned at processing
    has_other_coverage = models.BooleanField(default=False)  # asked when not enrolled
    other_carrier = models.CharField(max_length=120, blank=True)
    other_policy_number = models.CharField(max_length=40, blank=True)
    removed_on = models.DateField(null=True, blank=True)  # no longer a dependent (divorce, death…)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["subscriber", "member_suffix", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "member_suffix"], condition=~Q(member_suffix=""), name="dependent_suffix_unique"
            ),
            # At most one spouse or domestic partner at a time.
            models.UniqueConstraint(
                fields=["subscriber"],
                condition=Q(relationship__in=sorted(rules.SPOUSAL), removed_on__isnull=True),
                name="one_current_spouse_or_partner",
            ),
            models.CheckConstraint(
                condition=Q(member_suffix="") | Q(member_suffix__regex=identifiers.DEPENDENT_SUFFIX_REGEX), name="dependent_suffix_format"
            ),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="dependent_gender_valid"),
        ]

    def __str__(self):
        return "%s (%s)" % (self.full_name, self.get_relationship_display())

    @property
    def is_spousal(self):
        return self.relationship in rules.SPOUSAL

    @property
    def member_id(self):
        return identifiers.member_id(self.subscriber.subscriber_number, self.member_suffix)


class DateRange(Func):
    function = "daterange"
    output_field = models.DateField()  # only used inside the exclusion constraint


class CoverageQuerySet(scoped_queryset("group", "subscriber__subgroup")):
    def live(self):
        return self.exclude(status=Coverage.Status.VOID)

    def regular(self):
        """Return the rows of the employee's own group coverage, leaving out continuation coverage (COBRA or state)."""
        return self.filter(continuation__isnull=True)

    def in_force_on(self, day):
        return self.filter(status=Coverage.Status.ACTIVE, start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))

    def overlapping_month(self, first, last):
        return self.filter(status=Coverage.Status.ACTIVE, start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))


class Coverage(models.Model):
    """One effective-dated period of a subscriber's medical coverage. History is never overwritten."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # confirmed, waiting for the worker
        ACTIVE = "active", "Active"  # in the books (may start in the future or have ended)
        VOID = "void", "Void"  # its request was rejected

    class TerminationReason(models.TextChoices):
        END_OF_EMPLOYMENT = "end_of_employment", "End of employment"
        REDUCTION_OF_HOURS = "reduction_of_hours", "Reduction of hours"
        DEATH = "death", "Death"
        MEDICARE = "medicare", "Medicare entitlement"
        VOLUNTARY = "voluntary", "Voluntary"
        DIVORCE = "divorce", "Divorce"
        AGED_OUT = "aged_out", "Dependent aged out"
        DECLINED = "declined", "Declined at open enrollment"
        REPLACED = "replaced", "Replaced by a later coverage"
        # The end of a continuation coverage (COBRA or state).
        MAXIMUM_PERIOD = "maximum_period", "End of the maximum continuation period"
        NON_PAYMENT = "non_payment", "Non-payment of premium"
        OTHER_COVERAGE = "other_coverage", "Other group health coverage"
        OTHER = "other", "Other"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="coverages")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="coverages")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="coverages")
    plan_year = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=3, choices=Tier.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)  # inclusive; empty while open-ended
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    termination_reason = models.CharField(max_length=20, choices=TerminationReason.choices, blank=True)
    dependents = models.ManyToManyField(Dependent, through="CoveredMember", related_name="coverages", blank=True)
    # Continuation coverage (COBRA or state) after a qualifying event: its record. Empty on the
    # employee's own group coverage, which is what every roster change and renewal works on.
    continuation = models.ForeignKey("Continuation", null=True, blank=True, on_delete=models.PROTECT, related_name="coverages")
    # Whether the subscriber is covered (always, but on a continuation without them: a divorced
    # spouse, the family of a subscriber who died). Covered dependents are the CoveredMember rows.
    covers_subscriber = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CoverageQuerySet.as_manager()

    class Meta:
        ordering = ["subscriber", "start"]
        constraints = [
            # The subscriber is never covered twice on one day: their own coverage's rows never
            # overlap, nor a continuation covering them with their own coverage.
            ExclusionConstraint(
                name="coverage_no_overlap",
                expressions=[
                    ("subscriber", RangeOperators.EQUAL),
                    (DateRange("start", "end", Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="void") & Q(covers_subscriber=True),
            ),
            # The rows of one continuation never overlap either (with or without the subscriber).
            ExclusionConstraint(
                name="continuation_no_overlap",
                expressions=[
                    ("continuation", RangeOperators.EQUAL),
                    (DateRange("start", "end", Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status="void") & Q(continuation__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(covers_subscriber=True) | Q(continuation__isnull=False), name="coverage_without_subscriber_is_continuation"
            ),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="coverage_end_after_start"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="coverage_tier_valid"),
            models.CheckConstraint(condition=Q(status__in=["pending", "active", "void"]), name="coverage_status_valid"),
        ]
        indexes = [models.Index(fields=["group", "status", "start"]), models.Index(fields=["plan", "plan_year"])]

    def __str__(self):
        return "%s %s %s %s..%s" % (self.subscriber.subscriber_number or "(pending)", self.plan.code, self.tier, self.start, self.end or "")


class CoveredMember(models.Model):
    """A dependent covered by a coverage (the subscriber always is)."""

    coverage = models.ForeignKey(Coverage, on_delete=models.CASCADE, related_name="covered_members")
    dependent = models.ForeignKey(Dependent, on_delete=models.PROTECT, related_name="covered_in")

    objects = scoped_queryset("coverage__group", "coverage__subscriber__subgroup").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coverage", "dependent"], name="covered_member_unique")]


class RequestKind(models.TextChoices):
    NEW_ENROLLMENT = "new_enrollment", "New enrollment"
    OE_BEGIN = "oe_begin", "Open enrollment: begin enrollment"
    OE_KEEP = "oe_keep", "Open enrollment: keep existing coverage"
    OE_DECLINE = "oe_decline", "Open enrollment: decline coverage"
    DEMOGRAPHIC_UPDATE = "demographic_update", "Demographic update"
    DEPENDENT_ADDED = "dependent_added", "Dependent added"
    DEPENDENT_REMOVED = "dependent_removed", "Dependent removed"
    PCP_CHANGE = "pcp_change", "PCP change"
    TERMINATION = "termination", "Termination"
    REINSTATEMENT = "reinstatement", "Reinstatement"
    ID_CARD_ORDER = "id_card_order", "ID card order"
    INVOICE_ADJUSTMENT = "invoice_adjustment", "Invoice adjustment"
    QUALIFYING_EVENT = "qualifying_event", "Continuation: qualifying event"
    CONTINUATION_ELECTION = "continuation_election", "Continuation: election"
    CONTINUATION_END = "continuation_end", "Continuation: end"
    CONTINUATION_EXTENSION = "continuation_extension", "Continuation: extension"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    NEEDS_REVIEW = "needs_review", "Needs review"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"  # a later open-enrollment option replaced it


class ChangeRequest(models.Model):
    """A transaction a group admin confirmed, tracked by its confirmation number."""

    Kind = RequestKind
    Status = RequestStatus

    FINAL = (Status.COMPLETED, Status.REJECTED, Status.SUPERSEDED)

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="change_requests")
    confirmation_number = models.CharField(max_length=10, unique=True)  # shown as XXXXX-XXXXX
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    subscriber = models.ForeignKey(Subscriber, null=True, blank=True, on_delete=models.PROTECT, related_name="change_requests")
    coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.SET_NULL, related_name="change_requests")
    snapshot = models.JSONField(default=dict)  # what was asked, as confirmed
    reason = models.TextField(blank=True)  # why it needs review or was rejected
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_requests")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmation_number__regex=identifiers.CONFIRMATION_REGEX),
                name="confirmation_number_format",
            ),
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="change_request_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="change_request_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["group", "-submitted_at"]),
            models.Index(fields=["group", "status"]),
            models.Index(fields=["group", "kind"]),
        ]

    def __str__(self):
        return "%s %s" % (self.display_number, self.get_kind_display())

    @property
    def display_number(self):
        return identifiers.display_confirmation_number(self.confirmation_number)


class RequestEvent(models.Model):
    """One step of a request's status timeline."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=12, choices=ChangeRequest.Status.choices)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = scoped_queryset("request__group", "request__subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["at", "id"]


class OpenEnrollmentElection(models.Model):
    """The current open-enrollment election of a subscriber for a coming plan year (one per subscriber and year).

    Written when an option is applied (by the worker, or by the automatic carry-over), it
    points at the request that made it and at the rows it wrote, so a later option can undo
    them: `coverage` is the new plan year's row it started, `ended_coverage` the row it ended
    on the day before the renewal date.
    """

    class Choice(models.TextChoices):
        BEGIN = "begin", "Begin Enrollment"
        KEEP = "keep", "Keep Existing Coverage"
        DECLINE = "decline", "Decline Coverage"
        AUTO = "auto", "Carried over automatically"

    class DeclineReason(models.TextChoices):
        SPOUSE_PLAN = "spouse_plan", "Covered by a spouse's or partner's plan"
        OTHER_GROUP = "other_group", "Other group coverage"
        MEDICARE = "medicare", "Medicare"
        MEDICAID = "medicaid", "Medicaid or CHIP"
        INDIVIDUAL = "individual", "Individual coverage"
        OTHER = "other", "Other"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="oe_elections")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="oe_elections")
    plan_year = models.PositiveSmallIntegerField()  # the plan year elected for
    choice = models.CharField(max_length=8, choices=Choice.choices)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    alternate_plan_name = models.CharField("alternate health plan name", max_length=120, blank=True)
    request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ended_coverage = models.ForeignKey(Coverage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    flags = models.JSONField(default=list, blank=True)  # why something was left out or not carried, as sentences
    created_at = models.DateTimeField(default=timezone.now)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "plan_year"], name="one_election_per_plan_year"),
            models.CheckConstraint(condition=Q(choice__in=["begin", "keep", "decline", "auto"]), name="election_choice_valid"),
            models.CheckConstraint(
                condition=Q(choice="decline", plan__isnull=True) & ~Q(decline_reason="")
                | ~Q(choice="decline") & Q(decline_reason=""),
                name="election_decline_has_reason",
            ),
        ]

    def __str__(self):
        return "%s %s %s" % (self.subscriber_id, self.plan_year, self.choice)


class OpenEnrollmentReminder(models.Model):
    """A reminder email sent to a group's admins for one open enrollment: the unique key makes it once only."""

    class Kind(models.TextChoices):
        OPENING = "opening", "The window opened"
        CLOSING = "closing", "Seven days before the window closes"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="oe_reminders")
    renewal_date = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    objects = scoped_queryset("group", None).as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["group", "renewal_date", "kind"], name="one_reminder_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=["opening", "closing"]), name="reminder_kind_valid"),
        ]


class IDCardOrder(models.Model):
    """Member ID cards ordered for a subscriber and any dependents; the worker renders and ships them."""

    class Status(models.TextChoices):
        ORDERED = "ordered", "Ordered"
        PRINTED = "printed", "Printed"
        SHIPPED = "shipped", "Shipped"

    class ShipTo(models.TextChoices):
        SUBSCRIBER = "subscriber", "Subscriber's home address"
        OTHER = "other", "Another address"

    class Reason(models.TextChoices):
        NEW = "new", "New card"
        LOST = "lost", "Lost or stolen"
        NAME_CHANGE = "name_change", "Name change"
        DAMAGED = "damaged", "Damaged"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="id_card_orders")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="id_card_orders")
    request = models.OneToOneField(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="id_card_order")
    include_subscriber = models.BooleanField(default=True)  # a card for the subscriber (-00)
    dependents = models.ManyToManyField(Dependent, blank=True, related_name="+")
    quantity = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=12, choices=Reason.choices, default=Reason.NEW)
    ship_to = models.CharField(max_length=10, choices=ShipTo.choices, default=ShipTo.SUBSCRIBER)
    # The mailing address as ordered (the subscriber's at that time, or the one typed).
    mail_to_name = models.CharField(max_length=130, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ORDERED)
    card_file = models.CharField(max_length=100, blank=True)  # the rendered PDF's random name in PRIVATE_FILES_DIR
    ordered_at = models.DateTimeField(default=timezone.now)
    shipped_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=5), name="id_card_quantity_valid"),
            models.CheckConstraint(condition=Q(status__in=["ordered", "printed", "shipped"]), name="id_card_status_valid"),
            models.CheckConstraint(condition=Q(ship_to__in=["subscriber", "other"]), name="id_card_ship_to_valid"),
        ]

    def __str__(self):
        return "ID cards for %s (%s)" % (self.subscriber, self.get_status_display())


class ProofDocument(models.Model):
    """A life event's proof (marriage or birth certificate, letter of lost coverage), stored privately.

    The file lives in PRIVATE_FILES_DIR under a random name; only the group's admins (through
    for_membership) and the billing specialists read it, and every read is audited.
    """

    class Kind(models.TextChoices):
        MARRIAGE_CERTIFICATE = "marriage_certificate", "Marriage certificate or partnership registration"
        BIRTH_CERTIFICATE = "birth_certificate", "Birth certificate"
        ADOPTION_PAPERS = "adoption_papers", "Adoption or placement papers"
        LOSS_OF_COVERAGE = "loss_of_coverage", "Letter of lost coverage"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="proof_documents")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="proof_documents")
    request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    stored_name = models.CharField(max_length=100, unique=True)  # random; never the uploaded name
    original_name = models.CharField(max_length=120, blank=True)  # as uploaded, shown only
    content_type = models.CharField(max_length=40)  # from the file's first bytes
    size = models.PositiveIntegerField()  # bytes
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]), name="proof_document_type_valid"
            ),
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=10 * 1024 * 1024), name="proof_document_size_valid"),
        ]

    def __str__(self):
        return "%s (%s)" % (self.get_kind_display(), self.original_name or self.stored_name)


class EnrollmentDraft(models.Model):
    """A New Enrollment wizard in progress, kept on the server after each step."""

    group = models.ForeignKey(EmployerGroup, on_delete=models.CASCADE, related_name="enrollment_drafts")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollment_drafts")
    data = models.JSONField(default=dict)  # each completed step's cleaned data
    request = models.OneToOneField(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="draft")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # The draft's subscriber belongs to the subgroup chosen on the first step: a limited admin
    # sees only drafts of their subgroups (a draft saved before their limit changed included).
    objects = scoped_queryset("group", "data__subscriber__subgroup_id").as_manager()

    class Meta:
        ordering = ["-updated_at"]

    @property
    def expires_at(self):
        """When this draft is deleted unless it changes or is confirmed first (enrollment.tasks.expire_enrollment_drafts)."""
        return rules.draft_expires_at(self.updated_at)

# --- Continuation coverage (COBRA or a state's law) after a qualifying event ------------------------
# docs/cobra.md. The rules are enrollment.continuation_rules; the worker's side is
# enrollment.continuation_processors; the pages and services are enrollment/continuation/.


class Continuation(models.Model):
    """The continuation rights a qualifying event gives: who may continue which coverage, until when, and whether they did.

    Reported as a request of its own (`request`); the worker renders the election notice; an
    election writes Coverage rows marked with this record from the day after the loss of coverage;
    an end (the maximum period, or earlier) ends them. Each step is a request with a confirmation number.
    """

    class EventKind(models.TextChoices):
        END_OF_EMPLOYMENT = "end_of_employment", "End of employment"
        REDUCTION_OF_HOURS = "reduction_of_hours", "Reduction of hours"
        DEATH = "death", "Death of the subscriber"
        DIVORCE = "divorce", "Divorce or legal separation"
        MEDICARE = "medicare", "The subscriber's Medicare entitlement"
        DEPENDENT_CHILD = "dependent_child", "A child no longer a dependent (aged out)"

    class Status(models.TextChoices):
        PENDING_ELECTION = "pending_election", "Pending election"
        CONTINUING = "continuing", "Continuing"
        ENDED = "ended", "Ended"
        NOT_ELECTED = "not_elected", "Not elected"  # the election period closed with no election
        VOID = "void", "Void"  # its qualifying event was rejected

    class EndReason(models.TextChoices):
        MAXIMUM_PERIOD = "maximum_period", "End of the maximum period"
        NON_PAYMENT = "non_payment", "Non-payment of premium"
        OTHER_COVERAGE = "other_coverage", "Other group health coverage"
        MEDICARE = "medicare", "Medicare entitlement"

    class Extension(models.TextChoices):
        DISABILITY = "disability", "Disability (29 months)"
        SECOND_EVENT = "second_event", "Second qualifying event (36 months)"

    group = models.ForeignKey(EmployerGroup, on_delete=models.PROTECT, related_name="continuations")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="continuations")
    law = models.CharField(max_length=5, choices=EmployerGroup.Continuation.choices)  # the group's, when the event was reported
    event_kind = models.CharField("qualifying event", max_length=20, choices=EventKind.choices)
    event_date = models.DateField()
    coverage_lost_on = models.DateField()  # the last day of group coverage; continuation starts the day after
    # The coverage the beneficiaries had the day before the event: the only one they may continue.
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    plan_year = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=3, choices=Tier.choices)
    maximum_months = models.PositiveSmallIntegerField()  # 18, 29, 36, or the state's
    extension = models.CharField(max_length=12, choices=Extension.choices, blank=True)
    maximum_end = models.DateField()  # the last day continuation may last
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING_ELECTION)
    request = models.OneToOneField(ChangeRequest, on_delete=models.PROTECT, related_name="continuation")  # the qualifying event
    notice_on = models.DateField(null=True, blank=True)  # the election notice's date (rendered by the worker)
    notice_file = models.CharField(max_length=100, blank=True)  # the notice PDF's random name in PRIVATE_FILES_DIR
    election_deadline = models.DateField(null=True, blank=True)  # set with the notice
    elected_on = models.DateField(null=True, blank=True)
    election_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)  # the last day of continuation coverage
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    end_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = scoped_queryset("group", "subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["-event_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(law__in=["cobra", "state"]), name="continuation_law_valid"),
            models.CheckConstraint(
                condition=Q(event_kind__in=["end_of_employment", "reduction_of_hours", "death", "divorce", "medicare", "dependent_child"]),
                name="continuation_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending_election", "continuing", "ended", "not_elected", "void"]), name="continuation_status_valid"
            ),
            models.CheckConstraint(condition=Q(extension__in=["", "disability", "second_event"]), name="continuation_extension_valid"),
            models.CheckConstraint(
                condition=Q(end_reason__in=["", "maximum_period", "non_payment", "other_coverage", "medicare"]), name="continuation_end_reason_valid"
            ),
            models.CheckConstraint(condition=Q(maximum_end__gt=F("coverage_lost_on")), name="continuation_maximum_after_loss"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="continuation_tier_valid"),
        ]
        indexes = [models.Index(fields=["group", "status"]), models.Index(fields=["status", "maximum_end"])]

    def __str__(self):
        return "%s: %s on %s (%s)" % (self.subscriber, self.get_event_kind_display(), self.event_date, self.get_status_display())

    @property
    def start(self):
        """The first day of continuation: the day after the last day of group coverage."""
        return self.coverage_lost_on + timedelta(days=1)

    @property
    def law_name(self) -> str:
        """Return "COBRA" or "State continuation", as pages and the notice name the law."""
        return "COBRA" if self.law == EmployerGroup.Continuation.COBRA else "State continuation"


def continuation_page_name(law: str) -> str:
    """Return the title of the COBRA roster for a group under this law: "COBRA continuation", or "State continuation"."""
    return "COBRA continuation" if law == EmployerGroup.Continuation.COBRA else "State continuation"


class QualifiedBeneficiary(models.Model):
    """A member who lost coverage through a qualifying event and may elect to continue it."""

    continuation = models.ForeignKey(Continuation, on_delete=models.CASCADE, related_name="beneficiaries")
    dependent = models.ForeignKey(Dependent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # empty: the subscriber
    relationship = models.CharField(max_length=24)  # "subscriber" or the dependent's, as it was
    elected = models.BooleanField(null=True, blank=True)  # unknown until an election is recorded

    objects = scoped_queryset("continuation__group", "continuation__subscriber__subgroup").as_manager()

    class Meta:
        ordering = ["continuation", "pk"]  # as recorded: the subscriber first, then the dependents
        constraints = [
            models.UniqueConstraint(fields=["continuation", "dependent"], nulls_distinct=False, name="qualified_beneficiary_unique"),
        ]

    @property
    def key(self) -> str:
        """How pages and requests name the member: "S" for the subscriber, "D<id>" for a dependent."""
        return "S" if self.dependent_id is None else "D%d" % self.dependent_id


# --- History (django-pghistory): a PostgreSQL trigger keeps every row's old values -----------------
# Each change to these rows writes an event row (the whole row as it became), with the context the
# worker attaches (who asked, the confirmation number). SSNs stay out: only their last four digits.
HISTORY_EXCLUDED = ["ssn_encrypted", "ssn_hash"]
for _model, _exclude in ((Subscriber, HISTORY_EXCLUDED), (Dependent, HISTORY_EXCLUDED), (Coverage, []), (CoveredMember, [])):
    pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
        exclude=_exclude, model_name="%sEvent" % _model.__name__,
    )(_model)
