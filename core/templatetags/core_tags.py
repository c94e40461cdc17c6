"""Template filters for money, dates and identifiers: the only place they are formatted for people."""

import datetime
from decimal import Decimal

from django import template
from django.conf import settings

from core.fields import mask_ssn
from core.identifiers import display_confirmation_number

register = template.Library()


@register.filter
def usd(value):
    """Format a Decimal amount as $1,234.56 (negative as -$1,234.56)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    return "%s$%s" % (sign, "{:,.2f}".format(abs(amount)))


@register.filter
def confirmation(value):
    """Show a confirmation number as XXXXX-XXXXX."""
    return display_confirmation_number(value)


@register.filter
def isodate(value):
    """Read an ISO date kept as text (a request's snapshot) as a date, for `|date`; anything else as it is."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def masked_ssn(last4):
    """Show an SSN only as ***-**-1234 (from its last four digits); nothing when there is none."""
    return mask_ssn(last4 or "")


@register.simple_tag
def support_phone_numbers():
    """The billing specialists' numbers, "503-574-5791 or 888-816-1300" (settings only: the 500 page has no context)."""
    return " or ".join(settings.SUPPORT_PHONES)
