"""Guards the root conftest puts around every test."""

from contextlib import contextmanager

from django.contrib.auth.signals import user_logged_in


@contextmanager
def superuser_sign_ins():
    """Yield the list of superusers' usernames that sign in (a client's force_login included) inside the block."""
    seen = []

    def record(sender, user, **kwargs):
        if user.is_superuser:
            seen.append(user.get_username())

    uid = ("tests_superuser_sign_ins", id(seen))  # one receiver per block, so blocks may nest
    user_logged_in.connect(record, dispatch_uid=uid, weak=False)
    try:
        yield seen
    finally:
        user_logged_in.disconnect(dispatch_uid=uid)
