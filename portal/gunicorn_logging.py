"""Gunicorn's logger with UTC times shown as such, like every other process of the portal.

Used by the Procfile and docker-compose.yml: `gunicorn --logger-class portal.gunicorn_logging.UTCLogger`.
"""

import time

from gunicorn import glogging

from portal.logs import TIME_FORMAT


class UTCLogger(glogging.Logger):
    datefmt = "[%s]" % TIME_FORMAT  # the error log: "[2026-04-12 22:04:05 UTC] [123] [INFO] Booting worker"

    def now(self):
        """The access log's time (%(t)s), in UTC like the rest."""
        return time.strftime("[%s]" % TIME_FORMAT, time.gmtime())

    def _set_handler(self, log, output, fmt, stream=None):
        fmt.converter = time.gmtime  # gunicorn's formatters would use the local zone Django set (TIME_ZONE)
        super()._set_handler(log, output, fmt, stream=stream)
