"""Private files: life-event proof documents and rendered ID cards.

Stored in settings.PRIVATE_FILES_DIR (never under STATIC or MEDIA: nothing serves it) under a
random name. A proof document's type is read from its first bytes with `filetype` (the name and
the browser's content type are never trusted); only PDF, PNG and JPEG up to 10 MB are kept.
Pages hand a file out only after reading its row through for_membership, and audit each read.
"""

from __future__ import annotations

import hashlib
import os
import secrets

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from accounts.audit import record_event
from accounts.models import AuditEvent
from enrollment.models import ProofDocument

ALLOWED_TYPES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
SNIFF_BYTES = 8192


def private_storage() -> FileSystemStorage:
    """Return the storage of private files (read at call time, so tests can point it elsewhere)."""
    return FileSystemStorage(location=str(settings.PRIVATE_FILES_DIR), base_url=None, file_permissions_mode=0o600)


def detected_type(uploaded) -> str:
    """Return the content type read from the file's first bytes, or raise ValidationError."""
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError("The file must be a PDF, PNG or JPEG document.", code="document_type")
    return kind.mime


def check_upload(uploaded) -> str:
    """Check size (10 MB at most, not empty) and type; return the content type."""
    if uploaded.size == 0:
        raise ValidationError("The file is empty.", code="document_empty")
    if uploaded.size > settings.PROOF_DOCUMENT_MAX_BYTES:
        raise ValidationError("The file is larger than 10 MB.", code="document_too_large")
    return detected_type(uploaded)


def _random_name(folder: str, extension: str) -> str:
    return "%s/%s.%s" % (folder, secrets.token_hex(16), extension)


def store_proof_document(*, group, subscriber, kind: str, uploaded, uploaded_by) -> ProofDocument:
    """Check and store an uploaded proof document; return its row (not yet tied to a request)."""
    content_type = check_upload(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stored = private_storage().save(_random_name("documents", ALLOWED_TYPES[content_type]), uploaded)
    return ProofDocument.objects.create(
        group=group, subscriber=subscriber, kind=kind, stored_name=stored,
        original_name=os.path.basename(uploaded.name or "")[:120], content_type=content_type, size=uploaded.size,
        sha256=digest.hexdigest(), uploaded_by=uploaded_by,
    )


def store_private_file(folder: str, extension: str, content: bytes) -> str:
    """Store bytes privately under a random name; return the name."""
    return private_storage().save(_random_name(folder, extension), ContentFile(content))


def open_private_file(name: str):
    return private_storage().open(name, "rb")


def audit_download(*, actor, group, object_type: str, object_id: str, ip_address=None) -> None:
    """Record that someone read a private file (an export of member data out of the portal)."""
    record_event(
        action=AuditEvent.Action.EXPORT, actor=actor, group=group, ip_address=ip_address,
        object_type=object_type, object_id=object_id, detail={"download": object_type},
    )
