"""Housekeeping of New Enrollment drafts, for the worker (kept apart from services, which queue the worker)."""

from django.db import transaction

from enrollment import rules
from enrollment.models import EnrollmentDraft


@transaction.atomic
def expire_stale_drafts(*, now) -> int:
    """Delete every unconfirmed draft unchanged for DRAFT_KEPT_DAYS (member data kept no longer than needed).

    Return how many were deleted. A draft confirmed meanwhile is kept (its row is locked first).
    """
    stale = EnrollmentDraft.objects.filter(request__isnull=True, updated_at__lte=rules.stale_draft_cutoff(now))
    ids = list(stale.select_for_update(skip_locked=True).values_list("pk", flat=True))
    deleted, _ = EnrollmentDraft.objects.filter(pk__in=ids, request__isnull=True).delete()
    return deleted
