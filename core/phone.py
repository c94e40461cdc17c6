"""US phone numbers: one normaliser and one form field for every form that takes a phone."""

import re

from django import forms
from django.core.exceptions import ValidationError


def normalize_us_phone(value: str) -> str | None:
    """Return a US phone number as 503-574-5791, or None when it is not one.

    Accepts (503) 574-5791, 503.574.5791, +1 503 574 5791 and the like; the area code and the
    exchange cannot start with 0 or 1.
    """
    if re.search(r"[^\d\s().+-]", value):
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "%s-%s-%s" % (digits[:3], digits[3:6], digits[6:])


class PhoneField(forms.CharField):
    """A US phone number, stored as 503-574-5791."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        kwargs.setdefault("help_text", "A US number, e.g. 503-574-5791.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        normalized = normalize_us_phone(value)
        if normalized is None:
            raise ValidationError("Enter a 10-digit US phone number, e.g. 503-574-5791.", code="phone_format")
        return normalized
