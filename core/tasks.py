"""Email is sent by this Celery task, queued on commit, never inside a web request."""

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
