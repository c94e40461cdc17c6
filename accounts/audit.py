"""The one writer of audit events: who did what, when, from where. Never member health data."""

from accounts.models import AuditEvent

Action = AuditEvent.Action


def record_event(
    *, action, actor=None, username: str = "", group=None, ip_address=None, obj=None, object_type: str = "", object_id: str = "", detail=None
) -> AuditEvent:
    """Write one audit event in the caller's transaction.

    `actor` is the signed-in user (or None for the worker or a failed login, then `username`
    as typed); `obj` names the object acted on (its model and key), or `object_type` and
    `object_id` name it by a carrier identifier such as a confirmation number.
    """
    if actor is not None and not username:
        username = actor.get_username()
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        username=(username or "")[:150],
        group=group,
        ip_address=ip_address or None,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        detail=detail or {},
    )
