"""Account rules as pure functions: they take dates and values and read no clock."""

import datetime
import re
import secrets
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError

BUSINESS_DAYS_TO_GRANT_ACCESS = 2  # "You will have access within two business days."
TEMPORARY_PASSWORD_HOURS = 72

PRIMARY_ROLE = "primary"

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
    """Return whether a temporary password set to expire at `expires_at` is no longer accepted at `now`."""
    return expires_at is not None and now >= expires_at


def names_match(typed: str, legal_name: str) -> bool:
    """Return whether a company name typed at registration matches the group's legal name.

    Case, punctuation and the usual suffixes (Inc, LLC, Co, Corp...) are ignored.
    """

    def key(value: str) -> str:
        words = re.sub(r"[^a-z0-9 ]", " ", value.lower()).split()
        suffixes = {"inc", "llc", "co", "corp", "corporation", "company", "ltd", "the", "pc", "llp", "lp"}
        return " ".join(w for w in words if w not in suffixes)

    return bool(key(typed)) and key(typed) == key(legal_name)


def check_subgroup_limit(*, role: str, group_id: int, subgroup_group_ids: Iterable[int]) -> None:
    """Raise ValidationError when an admin of this role and group cannot be limited to these subgroups.

    `subgroup_group_ids` holds the group of each subgroup chosen; none chosen means all
    subgroups, which every admin may have. A primary admin manages the whole group (its
    users and their limits included), so a primary admin is never limited: otherwise a
    primary admin could limit themselves out of their own group, or hand another admin
    more than they see. A limit names only subgroups of the admin's own group.
    """
    subgroup_group_ids = list(subgroup_group_ids)
    if not subgroup_group_ids:
        return
    if role == PRIMARY_ROLE:
        raise ValidationError(
            "A primary admin manages the whole group, so their access cannot be limited to subgroups.",
            code="primary_not_limited",
        )
    if any(other != group_id for other in subgroup_group_ids):
        raise ValidationError("Choose only subgroups of the admin's own group.", code="subgroup_of_another_group")
