"""Every process logs in UTC and says so: Django's (and Celery's) formatter, and gunicorn's logger."""

import logging
import re
import time

from django.conf import settings

from portal.gunicorn_logging import UTCLogger
from portal.logs import UTCFormatter

APRIL_12_2026_22_04_05_UTC = 1776031445.0


def test_log_times_are_utc_and_say_so_whatever_the_process_zone():
    # Django set this process's zone to TIME_ZONE (America/Los_Angeles): the formatter must not follow it.
    assert time.strftime("%z", time.localtime(APRIL_12_2026_22_04_05_UTC)) in ("-0700", "-0800")
    record = logging.LogRecord("portal", logging.INFO, __file__, 1, "hello", (), None)
    record.created = APRIL_12_2026_22_04_05_UTC
    formatter = UTCFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    assert formatter.format(record) == "2026-04-12 22:04:05 UTC INFO portal: hello"


def test_the_settings_log_through_the_utc_formatter():
    assert settings.LOGGING["formatters"]["utc"]["()"] == "portal.logs.UTCFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "utc"


def test_gunicorns_access_and_error_logs_are_utc_too():
    assert re.fullmatch(r"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\]", UTCLogger.now(None))
    formatter = logging.Formatter("%(asctime)s %(message)s", UTCLogger.datefmt)
    logger = UTCLogger.__new__(UTCLogger)
    logger.cfg = None
    target = logging.getLogger("test.gunicorn.utc")
    logger._set_handler(target, "-", formatter)
    record = target.makeRecord("test.gunicorn.utc", logging.INFO, __file__, 1, "Booting worker", (), None)
    record.created = APRIL_12_2026_22_04_05_UTC
    assert target.handlers[-1].format(record) == "[2026-04-12 22:04:05 UTC] Booting worker"
    target.handlers.clear()


def test_the_procfile_runs_each_process_itself_and_gunicorn_with_the_utc_logger():
    procfile = (settings.BASE_DIR / "Procfile").read_text().splitlines()
    assert all(": exec " in line for line in procfile), "without exec, SIGTERM reaches the shell, not the process"
    assert "--logger-class portal.gunicorn_logging.UTCLogger" in procfile[0]
    assert all("--quiet" in line for line in procfile if "celery" in line)  # banners print local times
