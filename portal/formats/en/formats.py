"""The one date format a person reads everywhere (pages, tables, print views, emails, admin): "Apr 12, 1985".

Django's `date` filter, `formats.date_format` and django-tables2's date columns all read these
(settings.FORMAT_MODULE_PATH); the pure rules use core.dates.display_date, the same format.
Form inputs keep ISO dates: `type=date` needs them.
"""

from core.dates import DATE_FORMAT, DATETIME_FORMAT

SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
__all__ = ["DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT"]
