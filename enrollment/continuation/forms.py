"""The small forms of continuation (COBRA or state). Each rule comes from the services and shows next to its field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from enrollment.continuation import services
from enrollment.models import Continuation

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATUS_CHOICES = [("", "All")] + [(s.value, s.label) for s in Continuation.Status if s != Continuation.Status.VOID]


class RosterFilterForm(forms.Form):
    """The COBRA roster: by status, or a subscriber ID or last name."""

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label="Subscriber ID or last name", max_length=60, required=False)


class MembersField(forms.MultipleChoiceField):
    """Checkboxes of some members; any member of the family passes the field, so the service says why one may not be chosen."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, family_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.family_keys = set(family_keys)

    def valid_value(self, value):
        return value in self.family_keys or super().valid_value(value)


def _family(page_members):
    return [(m.key, "%s (%s)" % (m.name, m.relationship)) for m in page_members]


class QualifyingEventForm(forms.Form):
    """Report a qualifying event: what happened, when, and who lost coverage."""

    kind = forms.ChoiceField(label="Qualifying event", choices=[("", "---------")] + list(Continuation.EventKind.choices))
    event_date = forms.DateField(label="Event date", widget=DATE_WIDGET, help_text="The day of the end of employment, death, divorce, Medicare entitlement or 26th birthday.")
    members = MembersField(label="Members who lost coverage", help_text="Each of them may elect continuation coverage.")

    def __init__(self, *args, members, subscriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.subscriber = subscriber
        self.fields["members"].choices = _family(members)
        self.fields["members"].family_keys = {m.key for m in members}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_qualifying_event(
                self.subscriber, kind=data["kind"], event_date=data["event_date"], people=services.people_of(self.subscriber, data["members"]),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ElectionForm(forms.Form):
    """Record an election: the date on the election form, and who elects."""

    elected_on = forms.DateField(label="Election date", widget=DATE_WIDGET, help_text="The date the election form was signed, postmarked or handed in.")
    beneficiaries = MembersField(label="Who elects continuation coverage", help_text="Each qualified beneficiary elects independently.")

    def __init__(self, *args, continuation, subscriber, family, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.continuation, self.subscriber, self.today = continuation, subscriber, today
        names = dict(_family(family))
        self.fields["beneficiaries"].choices = [(b.key, names.get(b.key, b.key)) for b in continuation.beneficiaries.all()]
        self.fields["beneficiaries"].family_keys = set(names)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_election(self.subscriber, self.continuation, elected_on=data["elected_on"], electing=data["beneficiaries"], today=self.today)
        except ValidationError as error:
            self.add_error(None, error)
        return data


class EndForm(forms.Form):
    """End a continuation before its maximum period."""

    reason = forms.ChoiceField(label="Reason", choices=[("", "---------")] + [(r.value, r.label) for r in services.ADMIN_END_REASONS])
    on = forms.DateField(
        label="Date", widget=DATE_WIDGET,
        help_text="Non-payment: the last day paid for. Other coverage or Medicare: the day it began. Coverage ends on the last day of this date's month.",
    )

    def __init__(self, *args, continuation, **kwargs):
        super().__init__(*args, **kwargs)
        self.continuation = continuation

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_end(self.continuation, reason=data["reason"], on=data["on"])
        except ValidationError as error:
            self.add_error(None, error)
        return data


class ExtensionForm(forms.Form):
    """Extend an 18-month continuation: a disability, or a second qualifying event."""

    extension = forms.ChoiceField(label="Extension", choices=[("", "---------")] + list(Continuation.Extension.choices))
    on = forms.DateField(label="Date", widget=DATE_WIDGET, help_text="The day the disability began (Social Security's determination), or the day of the second event.")

    def __init__(self, *args, continuation, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.continuation, self.today = continuation, today

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_extension(self.continuation, extension=data["extension"], on=data["on"], today=self.today)
        except ValidationError as error:
            self.add_error(None, error)
        return data
