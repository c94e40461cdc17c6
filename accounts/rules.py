"""Account rules as pure functions: they take dates and values and read no clock."""

import datetime
import re
import secrets
import unicodedata

BUSINESS_DAYS_TO_GRANT_ACCESS = 2  # "You will have access within two business days."
TEMPORARY_PASSWORD_HOURS = 72

# Unambiguous letters and digits (no 0/O, 1/l/I) for passwords read from an email.
_PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    """Return the date `days` business days after `start`, skipping Saturdays and Sundays.

    A start on a weekend counts from the next Monday: submitted Saturday, due Tuesday.
    Public holidays are not skipped (the carrier has no holiday calendar in the portal yet).
    """
    day = start
    added = 0
    while added < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return day


def username_stem(first_name: str, last_name: str) -> str:
    """Return the letters a generated username starts with: first initial + last name, lowercase ASCII."""

    def ascii_letters(value: str) -> str:
        folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z]", "", folded.lower())

    stem = (ascii_letters(first_name)[:1] + ascii_letters(last_name))[:12]
    return stem or "user"


def random_username(first_name: str, last_name: str) -> str:
    """Return a candidate username, e.g. "jsmith4821" (the caller retries on collision)."""
    return "%s%04d" % (username_stem(first_name, last_name), secrets.randbelow(10000))


def random_temporary_password() -> str:
    """Return a random temporary password, e.g. "h7Kq-9xPm-Ta3W-e8Rv" (about 91 bits)."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def temporary_password_expired(expires_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Whether a temporary password set to expire at `expires_at` is no longer accepted at `now`."""
    return expires_at is not None and now >= expires_at


def names_match(typed: str, legal_name: str) -> bool:
    """Whether a company name typed at registration matches the group's legal name.

    Case, punctuation and the usual suffixes (Inc, LLC, Co, Corp...) are ignored.
    """

    def key(value: str) -> str:
        words = re.sub(r"[^a-z0-9 ]", " ", value.lower()).split()
        suffixes = {"inc", "llc", "co", "corp", "corporation", "company", "ltd", "the", "pc", "llp", "lp"}
        return " ".join(w for w in words if w not in suffixes)

    return bool(key(typed)) and key(typed) == key(legal_name)
