"""Every carrier identifier, in one place: generate, validate, normalise and display each.

| identifier           | stored form            | shown as          |
|----------------------|------------------------|-------------------|
| group number         | 104522                 | Group ID 104522   |
| subscriber number    | M482913305             | M482913305        |
| member ID            | subscriber + suffix    | M482913305-01     |
| confirmation number  | 7KQ2MXP4RT             | 7KQ2M-XP4RT       |
| invoice number       | INV-104522-202701[-2]  | the same          |

The regular expressions are shared by the database's check constraints, the forms'
validators and the URL converters (core.converters), so the three never disagree.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.core.validators import RegexValidator

# --- Group numbers ("Group ID": 6 digits, assigned by the carrier) -----------------------------

GROUP_NUMBER_PATTERN = r"\d{6}"
GROUP_NUMBER_REGEX = r"^%s$" % GROUP_NUMBER_PATTERN
group_number_validator = RegexValidator(GROUP_NUMBER_REGEX, "A group ID is 6 digits, e.g. 104522.", code="group_number_format")


def normalize_group_number(text: str) -> str:
    """Return a typed group ID without surrounding or inner spaces."""
    return "".join((text or "").split())


def is_group_number(text: str) -> bool:
    return bool(re.fullmatch(GROUP_NUMBER_PATTERN, text or "", flags=re.ASCII))


# --- Subscriber numbers ("Subscriber ID": M + 9 digits, random, never reused) ------------------

SUBSCRIBER_NUMBER_PATTERN = r"M\d{9}"
SUBSCRIBER_NUMBER_REGEX = r"^%s$" % SUBSCRIBER_NUMBER_PATTERN
SUBSCRIBER_SUFFIX = "00"
DEPENDENT_SUFFIX_REGEX = r"^(0[1-9]|[1-9]\d)$"  # 01..99: 00 is the subscriber's own


def generate_subscriber_number() -> str:
    """Return a random subscriber number (the caller retries on a collision)."""
    return "M%09d" % secrets.randbelow(10**9)


def normalize_subscriber_number(text: str) -> str:
    """Return a typed subscriber number in stored form: upper case, no spaces."""
    return "".join((text or "").split()).upper()


def is_subscriber_number(text: str) -> bool:
    return bool(re.fullmatch(SUBSCRIBER_NUMBER_PATTERN, text or "", flags=re.ASCII))


def looks_like_subscriber_number(text: str) -> bool:
    """Return whether a search text is (the start of) a subscriber number rather than a name: M and digits."""
    text = normalize_subscriber_number(text)
    return len(text) > 1 and text[0] == "M" and text[1:].isascii() and text[1:].isdigit()


def member_id(subscriber_number: str | None, suffix: str = SUBSCRIBER_SUFFIX) -> str:
    """Return a member's ID as printed on the ID card (M482913305-01), or "" before a number is assigned."""
    return "%s-%s" % (subscriber_number, suffix) if subscriber_number and suffix else ""


def next_member_suffix(taken) -> str:
    """Return the suffix after the highest one taken (01 for the first dependent); suffixes are never reused."""
    highest = max((int(s) for s in taken if s), default=0)
    if highest >= 99:
        raise ValueError("A subscriber has at most 99 dependents' suffixes.")
    return "%02d" % (highest + 1)


# --- Confirmation numbers (10 characters of an unambiguous alphabet, shown XXXXX-XXXXX) ----------

CONFIRMATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0, O, 1, I, L
CONFIRMATION_LENGTH = 10
CONFIRMATION_PATTERN = "[%s]{%d}" % (CONFIRMATION_ALPHABET, CONFIRMATION_LENGTH)
CONFIRMATION_REGEX = r"^%s$" % CONFIRMATION_PATTERN


def generate_confirmation_number() -> str:
    """Return 10 random characters of the confirmation alphabet (the caller retries on a collision)."""
    return "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(CONFIRMATION_LENGTH))


def normalize_confirmation_number(text: str) -> str:
    """Return a typed confirmation number in stored form: upper case, no dashes or spaces."""
    return "".join(ch for ch in (text or "").upper() if ch.isascii() and ch.isalnum())


def is_confirmation_number(text: str) -> bool:
    return bool(re.fullmatch(CONFIRMATION_PATTERN, text or ""))


def display_confirmation_number(number: str) -> str:
    """Return a stored confirmation number as XXXXX-XXXXX (anything else unchanged)."""
    number = str(number or "")
    half = CONFIRMATION_LENGTH // 2
    return "%s-%s" % (number[:half], number[half:]) if len(number) == CONFIRMATION_LENGTH else number


# --- Invoice numbers (INV-<group>-<YYYYMM>, -2, -3 for a supplemental invoice of the month) ---------

INVOICE_NUMBER_PATTERN = r"INV-\d{6}-\d{6}(?:-[2-9]|-[1-9]\d+)?"
INVOICE_NUMBER_REGEX = r"^%s$" % INVOICE_NUMBER_PATTERN


def invoice_number(group_number: str, period: date, sequence: int = 1) -> str:
    """Return the number of a group's invoice for the month `period` (sequence 2, 3... for supplements)."""
    if sequence < 1:
        raise ValueError("An invoice's sequence starts at 1.")
    base = "INV-%s-%04d%02d" % (group_number, period.year, period.month)
    return base if sequence == 1 else "%s-%d" % (base, sequence)


def normalize_invoice_number(text: str) -> str:
    """Return a typed invoice number in stored form: upper case, no spaces."""
    return "".join((text or "").split()).upper()


def is_invoice_number(text: str) -> bool:
    return bool(re.fullmatch(INVOICE_NUMBER_PATTERN, text or "", flags=re.ASCII))
