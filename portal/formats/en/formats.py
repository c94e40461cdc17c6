"""The one date format a person reads everywhere (pages, tables, print views, emails, admin): "Apr 12, 1985".

Django's `date` filter, `formats.date_format` and django-tables2's date columns all read these
(settings.FORMAT_MODULE_PATH). Form inputs keep ISO dates: `type=date` needs them.
"""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "M j, Y g:i A"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
