from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Subgroup
from core.identifiers import is_invoice_number, is_subscriber_number, normalize_invoice_number, normalize_subscriber_number


def style_fields(form) -> None:
    """Give each widget Bootstrap's class (billing/_field.html draws the rest); an invalid one is marked so."""
    for name, field in form.fields.items():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if form.is_bound and name in form.errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css


class QuickSearchForm(forms.Form):
    """Quick Search: straight to an invoice by its number."""

    invoice_number = forms.CharField(label="Invoice Number", max_length=30, help_text="For example INV-104522-202701.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_invoice_number(self):
        number = normalize_invoice_number(self.cleaned_data["invoice_number"])
        if not is_invoice_number(number):
            raise ValidationError("Enter an invoice number such as INV-104522-202701.", code="invoice_number_format")
        return number


class ContractLookupForm(forms.Form):
    """Contract Detail: a subscriber's contract on this invoice, by subscriber ID."""

    subscriber = forms.CharField(label="Subscriber ID", max_length=12, help_text="For example M482913305.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_subscriber(self):
        value = normalize_subscriber_number(self.cleaned_data["subscriber"])
        if not is_subscriber_number(value):
            raise ValidationError("Enter a subscriber ID: M and 9 digits.", code="subscriber_number_format")
        return value


class InvoiceSearchForm(forms.Form):
    """Search invoices by the date they were issued and by subgroup."""

    issued_from = forms.DateField(label="Issued from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issued_to = forms.DateField(label="Issued to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    subgroup = forms.ModelChoiceField(label="Subgroup", queryset=None, required=False, empty_label="All subgroups")

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subgroup"].queryset = Subgroup.objects.for_membership(membership)
        style_fields(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("issued_from"), data.get("issued_to")
        if start and end and start > end:
            self.add_error("issued_to", ValidationError("The end of the range comes before its start.", code="range_reversed"))
        return data


class AdjustStartForm(forms.Form):
    """Adjust Invoice: which subscriber on the invoice, and what changed."""

    subscriber = forms.CharField(label="Subscriber ID", max_length=12, help_text="A subscriber on this invoice, for example M482913305.")
    change = forms.ChoiceField(label="What changed", widget=forms.RadioSelect)

    def __init__(self, *args, changes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = list(changes.items())
        style_fields(self)
        self.fields["change"].widget.attrs["class"] = "form-check-input"

    clean_subscriber = ContractLookupForm.clean_subscriber
