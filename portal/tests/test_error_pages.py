"""400, 403, 404, 429 and 500 answer in the portal's layout with a plain sentence and a way back;
a 403 names the role the page needs and writes one line, without a traceback, to the log."""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.views.defaults import server_error

from accounts.access import roles_needed_message
from accounts.models import ENROLLMENT_ROLES
from tests import factories


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("", include("portal.urls"))]


def layout_of(response):
    html = response.content.decode()
    assert "Online Billing and Enrollment" in html and 'id="main"' in html, "not the portal's layout"
    assert "vendor/bootstrap/css/bootstrap.min.css" in html
    return html


def test_a_404_has_the_layout_a_sentence_and_a_way_back_to_group_home(alice_client):
    response = alice_client.get("/groups/999999/")
    assert response.status_code == 404
    html = layout_of(response)
    assert "<h1 class=\"h3\">Page not found</h1>" in html
    assert 'href="%s">Go to Group Home</a>' % reverse("accounts:home") in html


def test_a_404_signed_out_leads_to_the_login_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'href="%s">Go to the login page</a>' % reverse("accounts:login") in layout_of(response)


def test_a_403_names_the_role_the_page_needs_and_keeps_the_groups_navigation(client, bob, alice):
    client.force_login(bob)
    response = client.get(reverse("accounts:manage_users", kwargs={"group_number": "104522"}))
    assert response.status_code == 403
    html = layout_of(response)
    assert "You do not have access to this page" in html
    assert "This page needs the Primary role; your role in Acme Manufacturing Co. is Read-only." in html
    assert 'href="/groups/104522/">Go to Group Home</a>' in html
    assert 'aria-label="Enrollment"' in html  # the group's left navigation, as on every group page


def test_a_403_on_an_enrollment_page_names_both_roles_that_may_use_it(client, bob, group):
    client.force_login(bob)
    response = client.get(reverse("enrollment:new_enrollment", kwargs={"group_number": "104522"}))
    assert "This page needs the Primary or Enrollment role; your role in Acme Manufacturing Co. is Read-only." in response.content.decode()


def test_the_role_message_lists_the_roles_in_their_usual_order():
    membership = factories.MembershipFactory.build(role="billing", group=factories.GroupFactory.build(legal_name="Acme"))
    assert roles_needed_message(ENROLLMENT_ROLES, membership) == (
        "This page needs the Primary or Enrollment role; your role in Acme is Billing."
    )


def test_a_403_writes_one_log_line_and_no_traceback(client, bob, alice, caplog):
    client.force_login(bob)
    with caplog.at_level(logging.INFO):
        client.get(reverse("accounts:manage_users", kwargs={"group_number": "104522"}))
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert [(r.name, r.levelname, r.getMessage()) for r in records] == [
        ("django.request", "WARNING", "Forbidden (Permission denied): /groups/104522/users/")
    ]
    assert records[0].exc_info is None and records[0].exc_text is None
    assert "Traceback" not in caplog.text


@override_settings(DEBUG=True)
def test_a_django_request_record_reaches_one_handler_even_with_debug_on():
    """Django's own "django" logger had a console handler too: every 403 was printed twice."""
    logger = logging.getLogger("django.request")
    record = logger.makeRecord("django.request", logging.WARNING, __file__, 1, "Forbidden", (), None)
    emitting = []
    while logger is not None:
        emitting += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest") and h.filter(record)]
        logger = logger.parent if logger.propagate else None
    assert len(emitting) == 1, emitting


def test_a_400_has_the_layout(client, db):
    response = client.post(reverse("accounts:login"), {"f%d" % n: "x" for n in range(1001)})  # too many fields
    assert response.status_code == 400
    assert "The request could not be read" in layout_of(response)


def test_the_500_page_renders_without_a_request_context_and_without_the_database(rf):
    # No `db` fixture: pytest-django fails any database access here.
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = layout_of(response)
    assert "Something went wrong on our side" in html
    assert "503-574-5791 or 888-816-1300" in html
    assert 'href="/">Go to Group Home</a>' in html


@pytest.mark.urls("portal.tests.test_error_pages")
def test_an_unexpected_error_answers_the_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in layout_of(response)


def test_a_form_sent_without_its_csrf_token_gets_the_layout_and_a_way_back(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("accounts:request_user", kwargs={"group_number": "104522"}), {"first_name": "Kim"})
    assert response.status_code == 403
    html = layout_of(response)
    assert "This form expired" in html and "Go to Group Home</a>" in html
