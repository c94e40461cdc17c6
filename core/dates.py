"""The one date format a person reads: "Apr 12, 1985".

Templates and forms get it from Django's formats (portal/formats/en/formats.py reads
DATE_FORMAT from here); pure rules, which must not depend on Django's settings, format a
date in their messages with `display_date`.
"""

from datetime import date

DATE_FORMAT = "M j, Y"  # Django's date-format letters
DATETIME_FORMAT = "M j, Y g:i A"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def display_date(day: date) -> str:
    """Return a date as people read it in the portal: "Apr 12, 1985" (DATE_FORMAT, whatever the locale)."""
    return "%s %d, %d" % (_MONTHS[day.month - 1], day.day, day.year)
