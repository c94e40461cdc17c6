"""A group admin keeps the roster current: terminate a subscriber from the roster and reinstate them, add a newborn
with a birth certificate, order ID cards and print the temporary card. Every page is checked with axe-core."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment import rules
from enrollment.models import ChangeRequest, Coverage, IDCardOrder, ProofDocument
from enrollment.tests.maintenance_helpers import family, offer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}$")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def maria(group, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    plans = offer(group)
    today = timezone.localdate()
    return family(group, plans, start=rules.add_months(today.replace(day=1), -6))


def confirm_and_read_number(page, axe_check, what):
    page.wait_for_url("**?step=summary")
    axe_check(page, "%s summary" % what)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/confirmed/")
    axe_check(page, "%s confirmation" % what)
    number = page.get_by_test_id("confirmation-number").inner_text().strip()
    assert NUMBER.match(number)
    assert page.get_by_test_id("request-status").inner_text() == "Completed"
    return number


def test_an_admin_terminates_a_subscriber_from_the_roster_then_reinstates_them(page, live_server, alice, group, maria, browser_login, axe_check):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Roster").click()
    page.wait_for_url("**/roster/")
    page.get_by_role("link", name="Lopez, Maria").click()
    page.wait_for_url("**/subscribers/M100000001/")
    axe_check(page, "subscriber page")
    page.get_by_role("link", name="Terminate coverage").click()
    axe_check(page, "terminate form")
    page.get_by_label("Reason").select_option("end_of_employment")
    page.get_by_label("Termination date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Continue to summary").click()
    page.wait_for_url("**?step=summary")
    end = rules.last_of_month(timezone.localdate())
    assert end.strftime("%b %-d, %Y") in page.get_by_test_id("change-summary").inner_text()
    number = confirm_and_read_number(page, axe_check, "termination")
    assert Coverage.objects.get(subscriber=maria[0]).end == end

    page.get_by_role("link", name="Back to Maria Lopez").click()
    assert "to %s" % end.strftime("%b %-d, %Y") in page.get_by_test_id("current-coverage").inner_text()
    page.get_by_role("link", name="Reinstate coverage").click()
    page.wait_for_url("**/reinstate/")
    axe_check(page, "reinstate summary")
    assert (end + timedelta(days=1)).strftime("%b %-d, %Y") in page.get_by_test_id("change-summary").inner_text()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/confirmed/")
    axe_check(page, "reinstatement confirmation")
    assert page.get_by_test_id("request-status").inner_text() == "Completed"
    ended, continued = Coverage.objects.filter(subscriber=maria[0]).order_by("start")
    assert (continued.start - ended.end).days == 1 and continued.end is None

    page.get_by_role("link", name="Back to Maria Lopez").click()
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/history/")
    axe_check(page, "history")
    assert number in page.get_by_test_id("history-table").inner_text()

    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Track Requests").click()
    page.locator("#id_number").fill(number)
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**/requests/%s/" % number.replace("-", ""))
    assert page.get_by_test_id("request-status").inner_text() == "Completed"


def test_an_admin_adds_a_newborn_with_a_birth_certificate(page, live_server, alice, group, maria, browser_login, axe_check, tmp_path):
    certificate = tmp_path / "birth-certificate.pdf"
    certificate.write_bytes(PDF)
    born = timezone.localdate() - timedelta(days=3)
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_label("Find a subscriber by subscriber ID or name").fill("M100000001")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/subscribers/M100000001/")
    page.get_by_role("link", name="Add New Dependent").click()
    axe_check(page, "add dependent form")
    page.get_by_label("Life event").select_option("birth")
    page.get_by_label("Event date").fill(born.isoformat())
    page.get_by_label("First name").fill("Elena")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Date of birth").fill(born.isoformat())
    page.get_by_label("Gender").select_option("F")
    page.get_by_label("Relationship").select_option("child")
    page.get_by_label("Proof document (optional)").set_input_files(str(certificate))
    page.get_by_role("button", name="Continue to summary").click()
    page.wait_for_url("**?step=summary")
    assert "Birth certificate (birth-certificate.pdf)" in page.get_by_test_id("change-summary").inner_text()
    confirm_and_read_number(page, axe_check, "newborn")
    document = ProofDocument.objects.get()
    assert document.request.kind == "dependent_added" and document.request.status == "completed"
    row = Coverage.objects.filter(subscriber=maria[0], status="active").order_by("start").last()
    assert row.start == born and sorted(row.dependents.values_list("first_name", flat=True)) == ["Carlos", "Elena", "Lucia"]


def test_an_admin_orders_id_cards_and_downloads_the_temporary_card(page, live_server, alice, group, maria, browser_login, axe_check):
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="ID Cards").click()
    page.wait_for_url("**/id-cards/")
    axe_check(page, "ID Cards")
    page.get_by_label("Order member ID cards for subscriber ID").fill("M100000001")
    page.get_by_role("button", name="Order member ID cards").click()
    page.wait_for_url("**/subscribers/M100000001/id-cards/")
    axe_check(page, "order form")
    page.get_by_label("Lost or stolen").check()
    page.get_by_role("button", name="Continue to summary").click()
    confirm_and_read_number(page, axe_check, "ID card order")
    page.get_by_role("link", name="The ID card order").click()
    axe_check(page, "order page")
    assert page.get_by_test_id("order-status").inner_text().startswith("Shipped")
    with page.expect_download() as download:
        page.get_by_role("link", name="Print a temporary card").click()
    content = open(download.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    assert IDCardOrder.objects.get().status == "shipped"
    assert ChangeRequest.objects.get().status == "completed"
