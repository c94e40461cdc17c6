"""Email is sent by Celery tasks, queued on commit, never inside a web request."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def send_templated_email(self, *, template: str, to: list[str], context: dict) -> None:
    """Render templates/emails/<template>_subject.txt and _body.txt with `context` and send it.

    A failed send (SMTP down, refused) retries with exponential backoff.
    """
    subject = " ".join(render_to_string("emails/%s_subject.txt" % template, context).split())
    body = render_to_string("emails/%s_body.txt" % template, context)
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    message.send()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=5, retry_backoff_max=600, max_retries=8)
def email_temporary_password(self, *, user_id: int, template: str, context: dict) -> None:
    """Issue a temporary password and email it: made here, in the worker, so no broker message holds it.

    A retry issues a fresh password; only the one in the email that arrived works.
    """
    from django.utils import formats, timezone

    from accounts import rules, services
    from accounts.models import User

    password, expires_at = services.issue_temporary_password(user_id=user_id)
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
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    send_templated_email.run(
        template="password_reset_link",
        to=[user.email],
        context={"name": user.get_full_name() or user.get_username(), "username": user.get_username(), "reset_url": site + path},
    )
