"""Open Enrollment's forms: the subscriber search, Decline Coverage, and Begin Enrollment's steps of the wizard."""

from django import forms
from django.core.exceptions import ValidationError

from enrollment import rules
from enrollment.forms import BaseDependentFormSet, DependentForm, PlanForm
from enrollment.models import OpenEnrollmentElection


class SubscriberSearchForm(forms.Form):
    q = forms.CharField(label="Subscriber ID or last name", max_length=60, required=False)


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for declining coverage", choices=OpenEnrollmentElection.DeclineReason.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for declining coverage."},
    )
    alternate_plan_name = forms.CharField(
        label="Alternate health plan name", max_length=120, required=False,
        help_text="Required when another plan covers the subscriber (a spouse's or partner's plan, other group coverage, individual coverage).",
    )

    def clean_alternate_plan_name(self):
        return self.cleaned_data["alternate_plan_name"].strip()

    def clean(self):
        data = super().clean()
        if data.get("reason"):
            try:
                rules.check_decline(data["reason"], data.get("alternate_plan_name", ""))
            except ValidationError as error:
                self.add_error(None, error)
        return data


class BeginPlanForm(PlanForm):
    """The plan step of Begin Enrollment: the coverage start is the renewal date, shown and not chosen."""

    def __init__(self, *args, renewal_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.renewal_date = renewal_date
        field = self.fields["coverage_start"]
        field.widget = forms.HiddenInput()
        field.initial = renewal_date.isoformat()
        field.help_text = ""

    def clean_coverage_start(self):
        value = self.cleaned_data["coverage_start"]
        if value != self.renewal_date:
            raise ValidationError("Open enrollment coverage starts on the renewal date.", code="start_not_renewal")
        return super().clean_coverage_start()


# A dependent already on file keeps their details in Begin Enrollment (a correction goes through
# the roster): only whether they are covered in the new plan year, and their other coverage, can change.
LOCKED_DEPENDENT_FIELDS = ("key", "first_name", "middle_initial", "last_name", "date_of_birth", "gender", "relationship", "ssn")


class BeginDependentForm(DependentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_file = bool(self.initial.get("dependent_pk"))
        if self.on_file:
            for name in LOCKED_DEPENDENT_FIELDS:
                self.fields[name].disabled = True


class BaseBeginDependentFormSet(BaseDependentFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if getattr(form, "on_file", False):
            # A dependent on file stays on file: "Elect coverage: No" leaves them out of the new plan year.
            del form.fields["DELETE"]


BeginDependentFormSet = forms.formset_factory(
    BeginDependentForm, formset=BaseBeginDependentFormSet, extra=0, can_delete=True, max_num=20
)


def kept_dependents(formset, *, open_enrollment: bool) -> list[dict]:
    """Return the cleaned data of the dependents to keep in the draft.

    New Enrollment posts without initial data, so every form filled in counts. Begin
    Enrollment posts with it (its locked fields take their values from it), so a dependent
    already in the draft counts even unchanged.
    """
    return [
        form.cleaned_data
        for form in formset.forms
        if form not in formset.deleted_forms and (form.has_changed() or (open_enrollment and form.initial))
    ]
