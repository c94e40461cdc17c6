"""The whole path of a new group's admins: Need to Register -> a billing specialist approves
in Django admin -> two emails each -> first login with the temporary password -> forced
change -> Group Home. Plus the same emails through a real SMTP server on localhost."""

import os
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, RegistrationRequest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Blue-Harbor-Lantern-2026"


def credentials_for(email):
    """Return (username, temporary password) from the two emails sent to `email`, in order."""
    sent = [m for m in mail.outbox if m.to == [email] and "(1 of 2)" in m.subject or m.to == [email] and "(2 of 2)" in m.subject]
    assert [("1 of 2" in m.subject) for m in sent] == [True, False], "expected the username email, then the password email"
    username = re.search(r"Your username: (\S+)", sent[0].body).group(1)
    password = re.search(r"Your temporary password: (\S+)", sent[1].body).group(1)
    return username, password


def test_a_new_group_registers_is_approved_in_admin_and_its_registrant_logs_in(
    page, live_server, group, specialist, axe_check, mailoutbox
):
    # The login page and its blue "Need to Register" link.
    page.goto(live_server.url + "/login/")
    axe_check(page, "login")
    page.get_by_role("link", name="Need to Register").click()
    page.wait_for_url("**/register/")
    axe_check(page, "registration form")

    page.get_by_label("Company name").fill("Acme Manufacturing Co.")
    page.get_by_label("Group ID").fill("104522")
    page.locator("#id_first_name").fill("Jane")
    page.locator("#id_last_name").fill("Smith")
    page.locator("#id_title").fill("HR Director")
    page.locator("#id_email").fill("jane@acme.example")
    page.locator("#id_phone").fill("(503) 555-0142")
    additional = [("Raj", "Patel", "Benefits Analyst", "raj@acme.example", "enrollment"),
                  ("Lee", "Wong", "Accounts Payable", "lee@acme.example", "billing")]
    page.evaluate("() => { window.sameDocument = true; }")  # "Add another user" is handled in the page (static/js/formset.js)
    for i, (first, last, title, email, role) in enumerate(additional):
        page.get_by_role("button", name="Add another user").click()
        page.locator("#id_users-%d-first_name" % i).fill(first)
        page.locator("#id_users-%d-last_name" % i).fill(last)
        page.locator("#id_users-%d-title" % i).fill(title)
        page.locator("#id_users-%d-email" % i).fill(email)
        page.locator("#id_users-%d-role" % i).select_option(role)
    assert page.get_by_role("group", name="Additional user 2").is_visible()
    assert page.evaluate("() => window.sameDocument === true")
    axe_check(page, "registration form with two additional users")
    page.get_by_role("button", name="Submit registration").click()
    page.wait_for_url("**/register/submitted/")
    assert ("You will have access within two business days. We will send you two emails: the first with your "
            "username, the second with your password.") in page.get_by_test_id("registration-submitted").inner_text()
    axe_check(page, "registration submitted")
    assert RegistrationRequest.objects.get().people.count() == 3

    # The billing specialist approves it in Django admin.
    page.goto(live_server.url + "/admin/")
    page.wait_for_url("**/admin/login/**")
    axe_check(page, "admin login")
    page.locator("#id_username").fill("specialist")
    page.locator("#id_password").fill("correct horse battery staple")  # the factories' password
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")
    axe_check(page, "admin index")
    page.goto(live_server.url + reverse("admin:accounts_registrationrequest_changelist"))
    axe_check(page, "registration queue")
    row = page.locator("#result_list tbody tr", has_text="Acme Manufacturing Co.")
    assert "Yes" in row.locator("td.field-group_check").inner_text()
    assert "Yes" in row.locator("td.field-name_check").inner_text()
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("approve_registrations")
    page.get_by_role("button", name="Run").click()
    page.wait_for_load_state()
    assert "approved" in page.locator("ul.messagelist").inner_text()
    axe_check(page, "registration queue after approval")
    page.context.clear_cookies()

    # Two emails each: the username, then the temporary password.
    assert len([m for m in mail.outbox if "of 2)" in m.subject]) == 6
    for email in ("raj@acme.example", "lee@acme.example"):
        credentials_for(email)
    username, temporary = credentials_for("jane@acme.example")
    assert Membership.objects.get(user__username=username).role == "primary"

    # First login: the temporary password works once, and must be changed before anything else.
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(temporary)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/account/password/")
    assert page.get_by_role("heading", name="Choose your own password").is_visible()
    axe_check(page, "forced password change")
    page.goto(live_server.url + "/groups/104522/")
    page.wait_for_url("**/account/password/")  # nothing else until it is changed
    page.locator("#id_old_password").fill(temporary)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/groups/104522/")
    assert page.get_by_role("heading", name="Group Home").is_visible()
    assert page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Manage Users").is_visible()
    axe_check(page, "group home")


# --- A real SMTP server on localhost ------------------------------------------------------------------


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", errors="replace")))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    """Run aiosmtpd on a free localhost port and point the portal's mailer at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10}}}
    try:
        yield inbox
    finally:
        controller.stop()


def test_the_registration_emails_go_through_a_real_smtp_server(client, group, specialist, smtp_server):
    form = {
        "company_name": "Acme Manufacturing Co.", "group_number": "104522", "first_name": "Jane", "last_name": "Smith",
        "title": "HR Director", "email": "jane@acme.example", "phone": "503-555-0142",
        "users-TOTAL_FORMS": "0", "users-INITIAL_FORMS": "0", "users-MIN_NUM_FORMS": "0", "users-MAX_NUM_FORMS": "20",
    }
    assert client.post(reverse("accounts:register"), form).status_code == 302
    client.force_login(specialist)
    registration = RegistrationRequest.objects.get()
    client.post(reverse("admin:accounts_registrationrequest_changelist"),
                {"action": "approve_registrations", "_selected_action": [registration.pk]})
    subjects = [re.search(r"^Subject: (.*?)\r?$", content, re.M).group(1) for _, content in smtp_server.messages]
    assert [to for to, _ in smtp_server.messages] == [["jane@acme.example"]] * 3
    assert subjects == [
        "We received your registration for Acme Manufacturing Co.",
        "Your username for the Group Benefits Portal (1 of 2)",
        "Your temporary password for the Group Benefits Portal (2 of 2)",
    ]
    username = re.search(r"Your username: (\S+)", smtp_server.messages[1][1]).group(1)
    password = re.search(r"Your temporary password: (\S+)", smtp_server.messages[2][1]).group(1)
    client.logout()
    assert client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code == 302
    assert mail.outbox == []  # nothing went to the test outbox: it all went through SMTP
