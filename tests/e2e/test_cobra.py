"""A group admin offers COBRA: terminate a subscriber for end of employment, offer continuation, download the election
notice, record the election, see the member continuing on the COBRA roster. Every page is checked with axe-core."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment import rules
from enrollment.models import Continuation, Coverage
from enrollment.tests.maintenance_helpers import family, offer

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.django_db(transaction=True)
NUMBER = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}$")


@pytest.fixture
def maria(group, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    plans = offer(group)
    return family(group, plans, start=rules.add_months(timezone.localdate().replace(day=1), -6))


def confirm(page, axe_check, what):
    page.wait_for_url("**?step=summary")
    axe_check(page, "%s summary" % what)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/confirmed/")
    axe_check(page, "%s confirmation" % what)
    assert NUMBER.match(page.get_by_test_id("confirmation-number").inner_text().strip())
    assert page.get_by_test_id("request-status").inner_text() == "Completed"


def test_an_admin_terminates_for_end_of_employment_offers_cobra_and_records_the_election(page, live_server, alice, group, maria, browser_login,
                                                                                         axe_check):
    today = timezone.localdate()
    browser_login(page, "alice")
    page.wait_for_url("**/groups/104522/")
    page.get_by_role("navigation", name="Enrollment").get_by_role("link", name="Roster").click()
    page.get_by_role("link", name="Lopez, Maria").click()
    page.wait_for_url("**/subscribers/M100000001/")
    page.get_by_role("link", name="Terminate coverage").click()
    page.get_by_label("Reason").select_option("end_of_employment")
    page.get_by_label("Termination date").fill(today.isoformat())
    page.get_by_role("button", name="Continue to summary").click()
    confirm(page, axe_check, "termination")

    # The confirmation asks whether to offer continuation.
    assert "Offer continuation coverage?" in page.get_by_test_id("offer-continuation").inner_text()
    page.get_by_role("link", name="Offer continuation coverage").click()
    page.wait_for_url("**/offer-continuation/")
    axe_check(page, "offer summary")
    summary = page.get_by_test_id("change-summary").inner_text()
    assert "Maria Lopez, Carlos Lopez, Lucia Lopez" in summary and "18 months" in summary
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/confirmed/")
    axe_check(page, "qualifying event confirmation")
    assert page.get_by_test_id("request-status").inner_text() == "Completed"

    page.get_by_role("link", name="Open the continuation").click()
    page.wait_for_url("**/continuation/*/")
    axe_check(page, "continuation page")
    assert page.get_by_test_id("continuation-status").inner_text() == "Pending election"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the election notice").click()
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")

    page.get_by_role("link", name="Record an election").click()
    page.wait_for_url("**/elect/")
    axe_check(page, "election form")
    page.get_by_label("Election date").fill(today.isoformat())
    page.get_by_role("button", name="Continue to summary").click()
    page.wait_for_url("**?step=summary")
    assert "$1,836.00 (102% of the plan's $1,800.00)" in page.get_by_test_id("change-summary").inner_text()
    confirm(page, axe_check, "election")

    page.get_by_role("link", name="Open the continuation").click()
    assert page.get_by_test_id("continuation-status").inner_text() == "Continuing"
    page.get_by_role("link", name="Back to COBRA continuation").click()
    page.wait_for_url("**/continuation/")
    axe_check(page, "COBRA roster")
    roster = page.get_by_test_id("continuation-roster").inner_text()
    assert "Maria Lopez (continuing), Carlos Lopez (continuing), Lucia Lopez (continuing)" in roster and "Continuing" in roster

    continuation = Continuation.objects.get()
    row = Coverage.objects.get(continuation=continuation)
    assert (row.start, row.end, row.tier, continuation.status) == (rules.last_of_month(today) + timedelta(days=1), None, "FAM", "continuing")
