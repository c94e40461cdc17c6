"""Forms of Make a Payment and Recurring Payment: amounts, frequency, method; never card or bank numbers."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from billing import rules
from billing.payments import FREQUENCIES, ONE_TIME, RECURRING
from billing.stripe_gateway import CARD, US_BANK_ACCOUNT

METHODS = ((CARD, "Card"), (US_BANK_ACCOUNT, "US bank account (ACH)"))
SETUP_INTENT_ID = r"^seti_[A-Za-z0-9_]{1,60}$"


def parse_amount(text) -> Decimal | None:
    """Return a typed dollar amount ("$1,234.50" or "1234.5") as a Decimal, or None when it is not a number."""
    cleaned = str(text or "").strip().replace("$", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


class AmountField(forms.CharField):
    """A dollar amount as people type it ($ and thousands commas accepted), checked by billing.rules."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        amount = parse_amount(text)
        if amount is None:
            raise ValidationError("Enter an amount in dollars and cents, e.g. 1,250.00.", code="payment_not_a_number")
        rules.check_payment_amount(amount)
        return amount


class MakePaymentForm(forms.Form):
    """Make a Payment: Payment Information. `setup_intent` is filled by Stripe.js once the card or account is confirmed."""

    amount = AmountField(label="Payment amount", help_text="The amount due is filled in; you may pay another amount.")
    frequency = forms.ChoiceField(
        label="Frequency", choices=FREQUENCIES, initial=ONE_TIME,
        help_text="Recurring Payment also charges each new invoice's amount due on its due date.",
    )
    maximum_amount = AmountField(
        label="Maximum amount (optional)", required=False,
        help_text="Recurring Payment never charges more: an invoice above it is not charged, and you are told.",
    )
    method = forms.ChoiceField(label="Payment method", choices=METHODS, initial=CARD, widget=forms.RadioSelect)
    setup_intent = forms.RegexField(regex=SETUP_INTENT_ID, required=False, widget=forms.HiddenInput)
    attempts_seen = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, require_method=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_method = require_method

    def clean(self):
        data = super().clean()
        if data.get("frequency") != RECURRING:
            data["maximum_amount"] = None
        if self.require_method and not data.get("setup_intent") and "method" not in self.errors:
            self.add_error("method", ValidationError("Enter your card or bank account details.", code="method_required"))
        return data


class AutopayForm(forms.Form):
    """Recurring Payment on the Payments page: a new card or bank account (or the current one) and a maximum."""

    KEEP = "keep"

    method = forms.ChoiceField(label="Payment method", choices=METHODS, initial=CARD, widget=forms.RadioSelect)
    maximum_amount = AmountField(
        label="Maximum amount (optional)", required=False,
        help_text="Recurring Payment never charges more: an invoice above it is not charged, and you are told.",
    )
    setup_intent = forms.RegexField(regex=SETUP_INTENT_ID, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, current_method=None, require_method=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_method = require_method
        if current_method is not None:
            self.fields["method"].choices = [(self.KEEP, "Keep %s" % current_method), *METHODS]
            self.fields["method"].initial = self.KEEP

    def clean(self):
        data = super().clean()
        needs_new = data.get("method") not in (None, self.KEEP)
        if not needs_new:
            data["setup_intent"] = ""
        elif self.require_method and not data.get("setup_intent") and "method" not in self.errors:
            self.add_error("method", ValidationError("Enter your card or bank account details.", code="method_required"))
        return data
