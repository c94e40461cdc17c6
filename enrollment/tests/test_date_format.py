"""One date format wherever a person reads a date: "Feb 14, 1988" (summary, request page, print
view, tables, emails); form inputs keep ISO dates for `type=date`."""

import re
from datetime import datetime
from datetime import timezone as dt_timezone

from django.utils import timezone

from enrollment import services
from enrollment.models import ChangeRequest
from enrollment.tests import helpers
from tests import factories

OTHER_FORMS = [re.compile(r"\b1988-02-14\b"), re.compile(r"\b02/14/1988\b"), re.compile(r"February 14, 1988"), re.compile(r"Feb\. 14, 1988")]


def assert_one_format(html, expected="Feb 14, 1988"):
    assert expected in html
    for pattern in OTHER_FORMS:
        assert not pattern.search(html), "%s found" % pattern.pattern


def test_the_summary_shows_dates_as_month_day_year(alice_client, url, enroll):
    draft = enroll(dependents=[helpers.CHILD])
    html = alice_client.get(url("enrollment_summary", draft_id=draft.pk)).content.decode()
    assert_one_format(html)
    assert "Mar 9, 2015" in html  # the child's date of birth


def test_the_request_page_and_its_print_view_show_the_same_format(alice_client, url, enroll, group, alice):
    draft = enroll(dependents=[helpers.CHILD])
    request = services.confirm_new_enrollment(group=group, draft_id=draft.pk, acting_user=alice, today=timezone.localdate())
    start = helpers.proposed_start(group)
    readable_start = "%s %d, %d" % (start.strftime("%b"), start.day, start.year)
    for name in ("request_detail", "request_print"):
        html = alice_client.get(url(name, number=request.confirmation_number)).content.decode()
        assert_one_format(html)
        assert readable_start in html and start.isoformat() not in html


def test_the_print_view_names_the_portal_the_request_and_when_it_was_printed(alice_client, url, group, alice):
    request = factories.ChangeRequestFactory(group=group, submitted_by=alice, kind="id_card_order", snapshot={"quantity": 1})
    ChangeRequest.objects.filter(pk=request.pk).update(submitted_at=datetime(2026, 4, 12, 22, 4, tzinfo=dt_timezone.utc))
    html = alice_client.get(url("request_print", number=request.confirmation_number)).content.decode()
    assert "Group Benefits Portal · Online Billing and Enrollment" in html
    assert "<h1 class=\"h3\">Request %s: ID card order</h1>" % request.display_number in html
    assert "Submitted Apr 12, 2026 3:04 PM" in html  # in the carrier's zone (Pacific)
    printed = re.search(r"Printed ([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M)", html)
    assert printed, "no printed date"


def test_tables_show_dates_in_the_same_format(alice_client, url, group, alice):
    factories.SubscriberFactory(group=group)  # hired 2024-03-04
    html = alice_client.get(url("roster")).content.decode()
    assert "Mar 4, 2024" in html and "03/04/2024" not in html
    request = factories.ChangeRequestFactory(group=group, submitted_by=alice)
    ChangeRequest.objects.filter(pk=request.pk).update(submitted_at=datetime(2026, 4, 12, 22, 4, tzinfo=dt_timezone.utc))
    html = alice_client.get(url("track_requests")).content.decode()
    assert "Apr 12, 2026 3:04 PM" in html and "04/12/2026" not in html


def test_the_plan_step_offers_start_dates_in_the_same_format_and_marks_the_proposal(alice_client, url, enroll, group):
    draft = enroll(until="subscriber")
    html = alice_client.get(url("enrollment_plan", draft_id=draft.pk)).content.decode()
    start = helpers.proposed_start(group)
    label = "%s %d, %d (earliest, proposed)" % (start.strftime("%b"), start.day, start.year)
    assert '<option value="%s" selected>%s</option>' % (start.isoformat(), label) in html


def test_date_inputs_stay_iso_for_the_browser(alice_client, url, enroll):
    draft = enroll(until="plan")
    html = alice_client.get(url("enrollment_subscriber", draft_id=draft.pk)).content.decode()
    assert 'type="date" name="date_of_birth" value="1988-02-14"' in html
