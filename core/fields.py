"""Encrypted storage for SSNs: Fernet with FIELD_ENCRYPTION_KEY, plus a keyed hash to find duplicates."""

import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings


def _fernet() -> Fernet:
    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def fingerprint(value: str) -> str:
    """Return a keyed hash of a normalized SSN, so equal SSNs can be found without decrypting."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        return ""
    return hmac.new(settings.FIELD_ENCRYPTION_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()


def mask_ssn(last4: str) -> str:
    return "***-**-%s" % last4 if last4 else ""


def ssn_fields(ssn: str) -> dict:
    """Return the stored form of an SSN: the Fernet token, the last four digits and the keyed hash."""
    digits = "".join(ch for ch in (ssn or "") if ch.isdigit())
    return {"ssn_encrypted": encrypt(digits), "ssn_last4": digits[-4:], "ssn_hash": fingerprint(digits)}


class SSNMixin:
    """For a model with ssn_encrypted, ssn_last4 and ssn_hash fields."""

    def set_ssn(self, ssn: str) -> None:
        for name, value in ssn_fields(ssn).items():
            setattr(self, name, value)

    @property
    def masked_ssn(self) -> str:
        return mask_ssn(self.ssn_last4)
