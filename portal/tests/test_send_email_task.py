import pytest
from django.core import mail

from accounts.tasks import send_templated_email


def test_the_email_task_renders_and_sends(db, mailoutbox):
    send_templated_email.delay(template="ping", to=["pat@example.com"], context={"name": "Pat"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Test message from the Group Benefits Portal"
    assert "Hello Pat" in mailoutbox[0].body


@pytest.mark.worker
def test_a_real_worker_on_redis_sends_the_email(celery_worker_redis, wait, settings):
    send_templated_email.delay(template="ping", to=["pat@example.com"], context={"name": "Pat"})
    assert wait(lambda: len(mail.outbox) == 1), "the worker did not send the email"
    assert mail.outbox[0].to == ["pat@example.com"]
