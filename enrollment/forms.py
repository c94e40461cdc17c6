"""The New Enrollment wizard's forms. Each rule comes from enrollment.rules, shown next to its field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from localflavor.us.forms import USSocialSecurityNumberField, USStateField, USStateSelect

from accounts.models import Subgroup
from core.fields import fingerprint, mask_ssn
from core.identifiers import normalize_confirmation_number
from core.phone import PhoneField
from enrollment import rules, selectors
from enrollment.models import Dependent, Gender, Plan, Subscriber

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", "Yes"), ("no", "No")]
BLANK_CHOICE = ("", "---------")


def _yes(value):
    return value == "yes"


class SSNInput(forms.TextInput):
    """Never write a typed SSN back into the page: a form redrawn with an error shows the field empty."""

    def format_value(self, value):
        return None


class PersonForm(forms.Form):
    """What a subscriber and a dependent share."""

    first_name = forms.CharField(label="First name", max_length=60)
    middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    last_name = forms.CharField(label="Last name", max_length=60)
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE_WIDGET)
    gender = forms.ChoiceField(label="Gender", choices=[("", "---------")] + Gender.choices)
    ssn = USSocialSecurityNumberField(
        label="SSN (optional)", required=False,
        widget=SSNInput(attrs={"autocomplete": "off", "inputmode": "numeric", "placeholder": "123-45-6789"}),
    )

    def clean_middle_initial(self):
        value = self.cleaned_data["middle_initial"]
        rules.check_middle_initial(value)
        return value.upper()


class SubscriberForm(PersonForm):
    field_order = ["first_name", "middle_initial", "last_name", "date_of_birth", "gender", "marital_status", "ssn"]

    marital_status = forms.ChoiceField(label="Marital status", choices=[("", "---------")] + Subscriber.MaritalStatus.choices)
    address_line1 = forms.CharField(label="Home address", max_length=200)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100)
    state = USStateField(label="State", widget=USStateSelect)
    zip_code = forms.CharField(label="ZIP code", max_length=10, widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    phone = PhoneField(label="Phone", help_text="")
    email = forms.EmailField(label="Email")
    hire_date = forms.DateField(label="Hire date", widget=DATE_WIDGET)
    subgroup = forms.ModelChoiceField(label="Subgroup", queryset=Subgroup.objects.none())

    def __init__(self, *args, membership, today, ssn_last4="", ssn_hash="", **kwargs):
        super().__init__(*args, **kwargs)
        self.group = membership.group
        self.today = today
        self.kept_ssn_hash = ssn_hash
        self.duplicate = None
        # An admin limited to some subgroups enrolls only into them (a forged POST included).
        self.fields["subgroup"].queryset = Subgroup.objects.for_membership(membership)
        # No state is chosen until the admin picks one (the list alone would submit Alabama).
        self.fields["state"].widget.choices = [BLANK_CHOICE] + list(self.fields["state"].widget.choices)
        if ssn_last4:
            self.fields["ssn"].help_text = "On file: %s. Leave blank to keep it." % mask_ssn(ssn_last4)

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        rules.check_date_of_birth(value, self.today)
        return value

    def clean_hire_date(self):
        value = self.cleaned_data["hire_date"]
        rules.check_hire_date_in_range(value, self.today)
        return value

    def clean_zip_code(self):
        value = self.cleaned_data["zip_code"]
        rules.check_zip_code(value)
        return value

    def clean(self):
        data = super().clean()
        dob, hire = data.get("date_of_birth"), data.get("hire_date")
        if dob and hire:
            try:
                rules.check_hire_date(hire, dob)
            except ValidationError as error:
                self.add_error("hire_date", error)
        if dob and data.get("first_name") and data.get("last_name"):
            ssn_hash = fingerprint(data.get("ssn") or "") or self.kept_ssn_hash
            self.duplicate = selectors.find_duplicate_subscriber(
                self.group, ssn_hash=ssn_hash, first_name=data["first_name"], last_name=data["last_name"], date_of_birth=dob
            )
            if self.duplicate:
                field = "ssn" if ssn_hash and self.duplicate.ssn_hash == ssn_hash else "date_of_birth"
                self.add_error(field, ValidationError(
                    "This subscriber is already in the group (same %s)." % ("SSN" if field == "ssn" else "name and date of birth"),
                    code="duplicate_subscriber",
                ))
        return data


class PlanForm(forms.Form):
    error_summary_anchors = {"plan": "plan-choice"}  # the plan cards' fieldset (templates/enrollment/wizard_plan.html)
    plan = forms.ModelChoiceField(
        label="Medical plan", queryset=Plan.objects.filter(is_active=True), widget=forms.RadioSelect,
        error_messages={"invalid_choice": "That plan cannot be chosen.", "required": "Choose a medical plan."},
    )
    coverage_start = forms.DateField(label="Coverage start date")

    def __init__(self, *args, group, subgroup, hire_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.subgroup = subgroup
        self.hire_date = hire_date
        earliest = rules.new_hire_coverage_start(hire_date, group.waiting_period_days)
        # The earliest start is preselected as the proposal it is, and says so.
        choices = [
            (d.isoformat(), formats.date_format(d) + (" (earliest, proposed)" if d == earliest else ""))
            for d in rules.later_first_of_months(earliest, 12)
        ]
        self.fields["coverage_start"].widget = forms.Select(choices=choices)
        self.fields["coverage_start"].help_text = (
            "Proposed from the hire date plus the group's %d-day waiting period; you may choose a later first of the month."
            % group.waiting_period_days
        )

    def clean_coverage_start(self):
        value = self.cleaned_data["coverage_start"]
        rules.check_coverage_start(value, self.hire_date, self.group.waiting_period_days)
        return value

    def clean(self):
        data = super().clean()
        plan, start = data.get("plan"), data.get("coverage_start")
        if plan and start:
            plan_year = rules.plan_year_of(self.group.renewal_month, start)
            if not selectors.offered_plans(self.group, self.subgroup.pk, plan_year).filter(pk=plan.pk).exists():
                self.add_error("plan", ValidationError(
                    "This plan is not offered to %s for plan year %d." % (self.subgroup.name, plan_year),
                    code="plan_not_offered",
                ))
        return data


class DependentForm(PersonForm):
    field_order = ["key", "first_name", "middle_initial", "last_name", "date_of_birth", "gender", "relationship", "ssn"]

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    relationship = forms.ChoiceField(label="Relationship", choices=[("", "---------")] + Dependent.Relationship.choices)
    elect_coverage = forms.TypedChoiceField(
        label="Elect coverage", choices=YES_NO, coerce=_yes, widget=forms.RadioSelect,
        error_messages={"required": "Say whether to elect coverage for this dependent."},
    )
    has_other_coverage = forms.TypedChoiceField(
        label="If not enrolled: other medical coverage?", choices=YES_NO, coerce=_yes, empty_value=None,
        required=False, widget=forms.RadioSelect,
    )
    other_carrier = forms.CharField(label="Other coverage: carrier", max_length=120, required=False)
    other_policy_number = forms.CharField(label="Other coverage: policy number", max_length=40, required=False)

    def __init__(self, *args, subscriber_date_of_birth, coverage_start, today, ssn_on_file=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriber_date_of_birth = subscriber_date_of_birth
        self.coverage_start = coverage_start
        self.today = today
        last4 = (ssn_on_file or {}).get(self.initial.get("key") or "", "")
        if last4:
            self.fields["ssn"].help_text = "On file: %s. Leave blank to keep it." % mask_ssn(last4)

    def clean(self):
        data = super().clean()
        relationship, dob = data.get("relationship"), data.get("date_of_birth")
        if relationship and dob:
            try:
                rules.check_dependent(
                    relationship=relationship, date_of_birth=dob, subscriber_date_of_birth=self.subscriber_date_of_birth,
                    coverage_start=self.coverage_start, today=self.today,
                )
            except ValidationError as error:
                self.add_error("date_of_birth", error)
        elected = data.get("elect_coverage")
        if elected is not None:
            try:
                data.update(rules.other_coverage(
                    elected=elected, has_other=data.get("has_other_coverage"),
                    carrier=data.get("other_carrier", ""), policy_number=data.get("other_policy_number", ""),
                ))
            except ValidationError as error:
                self.add_error(None, error)
        return data


class BaseDependentFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": "At most %(num)d dependents can be entered here. Call a billing specialist to add more.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this dependent"

    def clean(self):
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.has_changed() and not self._should_delete_form(form)]
        try:
            rules.check_one_spouse(form.cleaned_data.get("relationship") for form in kept)
        except ValidationError as error:
            # Next to the field of every spouse or partner after the first, and above the list.
            spousal = [form for form in kept if form.cleaned_data.get("relationship") in rules.SPOUSAL]
            for form in spousal[1:]:
                form.add_error("relationship", error)
            raise


MAX_DEPENDENTS = 20
DependentFormSet = forms.formset_factory(
    DependentForm, formset=BaseDependentFormSet, extra=0, can_delete=True,
    max_num=MAX_DEPENDENTS, validate_max=True, absolute_max=MAX_DEPENDENTS,
)


class FindRequestForm(forms.Form):
    number = forms.CharField(label="Confirmation number", max_length=20)

    def clean_number(self):
        return normalize_confirmation_number(self.cleaned_data["number"])

