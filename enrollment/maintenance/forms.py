"""The small forms of roster maintenance. Each rule comes from enrollment.rules or the services and shows next to its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from localflavor.us.forms import USStateField, USStateSelect, USZipCodeField

from core.phone import PhoneField
from enrollment import documents, rules
from enrollment.maintenance import services
from enrollment.models import Dependent, Gender, IDCardOrder, ProofDocument, Subscriber

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NAME_CHANGE_REASONS = [
    ("", "---------"), ("marriage", "Marriage"), ("divorce", "Divorce"), ("court_order", "Court order"),
    ("correction", "Correction of a typing error"), ("other", "Other"),
]
EVENT_CHOICES = [("", "---------")] + list(services.EVENT_LABELS.items())
EVENT_DOCUMENTS = {
    rules.MARRIAGE: ProofDocument.Kind.MARRIAGE_CERTIFICATE,
    rules.BIRTH: ProofDocument.Kind.BIRTH_CERTIFICATE,
    rules.ADOPTION: ProofDocument.Kind.ADOPTION_PAPERS,
    rules.LOSS_OF_COVERAGE: ProofDocument.Kind.LOSS_OF_COVERAGE,
    rules.LOSS_OF_MEDICAID: ProofDocument.Kind.LOSS_OF_COVERAGE,
}


def _clean_middle_initial(value: str) -> str:
    return (value or "").upper()


class NameFields(forms.Form):
    first_name = forms.CharField(label="First name", max_length=60)
    middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    last_name = forms.CharField(label="Last name", max_length=60)
    name_change_reason = forms.ChoiceField(
        label="Reason for a name change", choices=NAME_CHANGE_REASONS, required=False,
        help_text="Needed only when the name changes.",
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_middle_initial(self):
        return _clean_middle_initial(self.cleaned_data["middle_initial"])

    def clean(self):
        data = super().clean()
        renamed = any(name in data and data[name] != getattr(self.person, name) for name in services.NAME_FIELDS)
        if renamed and not data.get("name_change_reason"):
            self.add_error("name_change_reason", ValidationError("Give the reason for the name change.", code="name_reason"))
        changed = [name for name in self.changeable if name in data and data[name] != getattr(self.person, name)]
        if not self.errors and not changed:
            raise ValidationError("Nothing was changed.", code="no_change")
        return data


class PersonalInformationForm(NameFields):
    """Update personal information: name (with a reason), marital status, home address, phone, email."""

    changeable = services.SUBSCRIBER_FIELDS
    marital_status = forms.ChoiceField(label="Marital status", choices=Subscriber.MaritalStatus.choices)
    address_line1 = forms.CharField(label="Home address", max_length=200)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100)
    state = USStateField(label="State", widget=USStateSelect)
    zip_code = USZipCodeField(label="ZIP code")
    phone = PhoneField(label="Phone", required=False, help_text="")
    email = forms.EmailField(label="Email", required=False)


class DependentNameForm(NameFields):
    """Update a dependent's name (with a reason)."""

    changeable = services.DEPENDENT_FIELDS


def member_choices(page_members, *, covered_only=False, dependents_only=False):
    return [
        (m.key, "%s (%s)" % (m.name, m.relationship)) for m in page_members
        if (not covered_only or m.covered) and (not dependents_only or m.key != services.SUBSCRIBER_KEY) and m.removed_on is None
    ]


class PCPForm(forms.Form):
    """Set or change a member's primary care provider."""

    member = forms.ChoiceField(label="Member")
    pcp_name = forms.CharField(label="Primary care provider", max_length=120, help_text="A physician or clinic, e.g. Dr. Maria Ochoa")
    pcp_id = forms.RegexField(
        label="Provider ID", max_length=20, regex=r"^[A-Za-z0-9-]+$",
        error_messages={"invalid": "A provider ID has letters, digits and dashes only."},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = member_choices(members)

    def clean_pcp_id(self):
        return self.cleaned_data["pcp_id"].upper()


class AddDependentForm(forms.Form):
    """Add New Dependent through a life event, with its proof document."""

    event = forms.ChoiceField(label="Life event", choices=EVENT_CHOICES)
    event_date = forms.DateField(label="Event date", widget=DATE_WIDGET, help_text="For a birth, the date of birth.")
    first_name = forms.CharField(label="First name", max_length=60)
    middle_initial = forms.CharField(label="Middle initial", max_length=1, required=False)
    last_name = forms.CharField(label="Last name", max_length=60)
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE_WIDGET)
    gender = forms.ChoiceField(label="Gender", choices=[("", "---------")] + Gender.choices)
    relationship = forms.ChoiceField(label="Relationship", choices=[("", "---------")] + Dependent.Relationship.choices)
    document = forms.FileField(
        label="Proof document (optional)", required=False,
        help_text="Marriage certificate, birth certificate, adoption or placement papers, or letter of lost coverage: PDF, PNG or JPEG, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, subscriber, today, oversized=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriber, self.today, self.oversized = subscriber, today, set(oversized)
        self.document_content_type = None

    def clean_middle_initial(self):
        return _clean_middle_initial(self.cleaned_data["middle_initial"])

    def clean_document(self):
        if "document" in self.oversized:
            raise ValidationError("The file is larger than 10 MB.", code="document_too_large")
        uploaded = self.cleaned_data.get("document")
        if uploaded:
            self.document_content_type = documents.check_upload(uploaded)
        return uploaded

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_dependent_added(self.subscriber, event=data["event"], event_date=data["event_date"], person=data, today=self.today)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class TerminateForm(forms.Form):
    """Terminate coverage: the subscriber (and so every dependent) or one dependent."""

    member = forms.ChoiceField(label="Whose coverage ends")
    reason = forms.ChoiceField(label="Reason")
    termination_date = forms.DateField(
        label="Termination date", widget=DATE_WIDGET, help_text="Coverage ends on the last day of this date's month.",
    )

    def __init__(self, *args, members, subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriber = subscriber
        self.members = {m.key: m for m in members}
        subscriber_choice = [(services.SUBSCRIBER_KEY, "%s, the subscriber (and so every dependent)" % subscriber.full_name)]
        self.fields["member"].choices = subscriber_choice + member_choices(members, covered_only=True, dependents_only=True)
        reasons = [(r.value, "Subscriber: %s" % r.label) for r in services.SUBSCRIBER_REASONS]
        reasons += [("dependent:%s" % value, "Dependent: %s" % label) for value, label in services.DEPENDENT_REASONS]
        self.fields["reason"].choices = [("", "---------")] + reasons

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        member = self.members.get(data["member"])
        dependent = member.dependent if member else None
        reason = data["reason"]
        if (dependent is None) == reason.startswith("dependent:"):
            self.add_error("reason", ValidationError(
                "Choose a %s reason." % ("subscriber" if dependent is None else "dependent"), code="reason_member"))
            return data
        data["reason"] = reason.removeprefix("dependent:")
        data["dependent"] = dependent
        try:
            services.check_termination(self.subscriber, dependent=dependent, termination_date=data["termination_date"])
        except ValidationError as error:
            self.add_error(None, error)
        return data


class IDCardOrderForm(forms.Form):
    """Order member ID cards: for whom, why, and where to mail them."""

    members = forms.MultipleChoiceField(label="Cards for", widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label="Reason", choices=IDCardOrder.Reason.choices, widget=forms.RadioSelect)
    ship_to = forms.ChoiceField(label="Mail the cards to", choices=IDCardOrder.ShipTo.choices, widget=forms.RadioSelect,
                                initial=IDCardOrder.ShipTo.SUBSCRIBER)
    address_line1 = forms.CharField(label="Mailing address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = USStateField(label="State", widget=USStateSelect, required=False)
    zip_code = USZipCodeField(label="ZIP code", required=False)

    def __init__(self, *args, members, subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriber = subscriber
        self.fields["members"].choices = member_choices(members, covered_only=True)
        self.fields["ship_to"].choices = [
            (IDCardOrder.ShipTo.SUBSCRIBER, "The subscriber's home address: %s, %s, %s %s" % (
                subscriber.address_line1, subscriber.city, subscriber.state, subscriber.zip_code)),
            (IDCardOrder.ShipTo.OTHER, "Another address (below)"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("ship_to") == IDCardOrder.ShipTo.OTHER:
            for name, label in (("address_line1", "mailing address"), ("city", "city"), ("state", "state"), ("zip_code", "ZIP code")):
                if not data.get(name):
                    self.add_error(name, ValidationError("Enter the %s." % label, code="address"))
        return data


