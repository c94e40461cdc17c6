"""Log lines every process shares: UTC times with the zone shown, and one line (no traceback) per 4xx.

Django's LOGGING (portal/settings.py) uses these; Celery's worker and beat take the same
configuration (portal/celery.py), and gunicorn logs the same way (portal/gunicorn_logging.py),
so `make run` shows one time zone: 2026-04-12 22:04:05 UTC.
"""

import logging
import time

TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


class UTCFormatter(logging.Formatter):
    """Format record times in UTC and say so: "2026-04-12 22:04:05 UTC".

    Django sets the process's local zone to TIME_ZONE (America/Los_Angeles), which every
    formatter would otherwise use.
    """

    converter = time.gmtime

    def formatTime(self, record, datefmt=None):
        return time.strftime(datefmt or TIME_FORMAT, self.converter(record.created))


class NoClientErrorTracebacks(logging.Filter):
    """Drop the traceback of a 4xx response's log record (a 403, a 404): an expected answer, not a fault.

    Django's django.request logs a 403 with the PermissionDenied traceback attached; the one
    line "Forbidden (Permission denied): /path" says all there is to say.
    """

    def filter(self, record):
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
