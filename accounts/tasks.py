"""Emails that carry a credential: the worker makes the secret itself, so no broker message holds it."""

from celery import shared_task
from django.utils import formats, timezone

from accounts import credentials, rules
from accounts.models import User
from core.tasks import send_templated_email


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def email_temporary_password(self, *, user_id: int, template: str, context: dict) -> None:
    """Issue a temporary password and email it: made here, in the worker, so no broker message holds it.

    A retry issues a fresh password; only the one in the email that arrived works.
    """
    password, expires_at = credentials.issue_temporary_password(user_id=user_id)
    email = User.objects.values_list("email", flat=True).get(pk=user_id)
    send_templated_email.run(
        template=template,
        to=[email],
        context={
            **context,
            "password": password,
            "hours": rules.TEMPORARY_PASSWORD_HOURS,
            "expires": "%s %s" % (formats.date_format(timezone.localtime(expires_at), "DATETIME_FORMAT"), timezone.localtime(expires_at).tzname()),
        },
    )


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def email_password_reset_link(self, *, user_id: int, site: str) -> None:
    """Email a self-service reset link whose token is made here, so no broker message holds a usable link."""
    user = User.objects.get(pk=user_id)
    send_templated_email.run(
        template="password_reset_link",
        to=[user.email],
        context={
            "name": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
            "reset_url": site + credentials.password_reset_path(user),
        },
    )
