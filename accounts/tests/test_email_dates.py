"""Dates in emails read like dates on the pages: "Apr 12, 2026 3:04 PM PDT"."""

import re

from accounts import services as account_services
from accounts.tests.test_admin_registrations import submit


def test_the_temporary_password_email_gives_its_expiry_in_the_same_format(group, specialist, mailoutbox, django_capture_on_commit_callbacks):
    registration = submit(extra_people=0)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.approve_registration(registration=registration, acting_user=specialist, ip_address=None, login_url="http://x/")
    body = mailoutbox[-1].body
    assert re.search(r"\(until [A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M P[SD]T\)", body), body
