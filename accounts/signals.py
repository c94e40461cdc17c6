"""Audit of sign-in events, from Django's auth signals and django-axes' lockout signal.

The receivers only translate a signal into a call of accounts.audit.record_event.
"""

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import record_event
from accounts.models import AuditEvent


def client_ip(request) -> str | None:
    """Return the client's address as django-axes resolves it (the same one lockouts count)."""
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


@receiver(user_logged_in, dispatch_uid="accounts_audit_login")
def audit_login(sender, request, user, **kwargs):
    record_event(action=AuditEvent.Action.LOGIN, actor=user, ip_address=client_ip(request))


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Never the password: Django already replaced it with asterisks in `credentials`.
    record_event(
        action=AuditEvent.Action.LOGIN_FAILED, username=str(credentials.get("username", "")), ip_address=client_ip(request)
    )


@receiver(user_logged_out, dispatch_uid="accounts_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "logout_reason", "user")
        record_event(action=AuditEvent.Action.LOGOUT, actor=user, ip_address=client_ip(request), detail={"reason": reason})


@receiver(user_locked_out, dispatch_uid="accounts_audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    record_event(action=AuditEvent.Action.LOCKOUT, username=username or "", ip_address=ip_address)
