"""Path converters for the carrier identifiers: anything else in the URL is a 404 before a view runs.

Registered by core.apps.CoreConfig.ready(), so every app's urls.py may name them:
<group:group_number>, <subscriber:subscriber_number>, <confirmation:number>, <invoice:invoice_number>.
"""

from django.urls import register_converter

from core import identifiers


class GroupNumberConverter:
    regex = identifiers.GROUP_NUMBER_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class SubscriberNumberConverter(GroupNumberConverter):
    regex = identifiers.SUBSCRIBER_NUMBER_PATTERN


class ConfirmationNumberConverter:
    """Accept a confirmation number typed as shown (XXXXX-XXXXX, any case); the view gets the stored form."""

    regex = r"[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}"

    def to_python(self, value: str) -> str:
        number = identifiers.normalize_confirmation_number(value)
        if not identifiers.is_confirmation_number(number):
            raise ValueError("not a confirmation number")  # Django answers 404
        return number

    def to_url(self, value) -> str:
        return str(value)


class InvoiceNumberConverter(GroupNumberConverter):
    regex = identifiers.INVOICE_NUMBER_PATTERN


register_converter(GroupNumberConverter, "group")
register_converter(SubscriberNumberConverter, "subscriber")
register_converter(ConfirmationNumberConverter, "confirmation")
register_converter(InvoiceNumberConverter, "invoice")
