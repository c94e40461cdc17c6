"""The secrets a worker makes and emails at once, so that no broker message ever holds one."""

import datetime

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import rules
from accounts.models import User


@transaction.atomic
def issue_temporary_password(*, user_id: int) -> tuple[str, datetime.datetime]:
    """Give the user a new random temporary password, valid for 72 hours and to be changed at first use."""
    user = User.objects.select_for_update().get(pk=user_id)
    password = rules.random_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.temporary_password_expires_at = timezone.now() + datetime.timedelta(hours=rules.TEMPORARY_PASSWORD_HOURS)
    user.save(update_fields=["password", "must_change_password", "temporary_password_expires_at"])
    return password, user.temporary_password_expires_at


def password_reset_path(user: User) -> str:
    """Return the path of a self-service reset link for the user, with a fresh token."""
    return reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
