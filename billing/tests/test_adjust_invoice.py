"""Adjust Invoice: report changes on the current invoice, see the reconciled amount line by line, confirm them as requests.

The `billed` fixture (conftest.py): April 2026 (issued Mar 15) is the current invoice, 7,850.00 due; rates EE 500.00,
ES 1,000.00, EC 925.00, FAM 1,450.00; Adams EE, Baker ES (spouse), Clark EC, Davis ended Feb 28, Evans EE, Fox ES.
The clock stands at Mar 20, 2026, in the month April's invoice covers the day before.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from billing.models import InvoiceLine
from billing.tests import helpers
from billing.tests.helpers import D
from billing.tests.test_invoice_pages import table_rows, text, url
from billing.tests.test_query_counts import add_subscribers
from enrollment.maintenance import services
from enrollment.models import ChangeRequest
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

d = datetime.date
APRIL = "INV-104522-202604"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2026, 3, 20, 18, tzinfo=datetime.timezone.utc), tick=False):
        yield


def number(billed, name):
    return billed["people"][name].subscriber_number


def report(client, group, subscriber_number, change, **fields):
    """Report one change through the two forms; return the second form's response."""
    start = client.post(url("adjust_invoice", group, invoice_number=APRIL), {"report": "1", "subscriber": subscriber_number, "change": change})
    assert start.status_code == 302, text(start)
    return client.post(start["Location"], fields)


def terminate(client, group, subscriber_number, *, member="S", reason="end_of_employment", on="2026-03-20"):
    return report(client, group, subscriber_number, "terminate", member=member, reason=reason, termination_date=on)


def spouse_key(billed, name):
    spouse = billed["people"][name].dependents.get(relationship="spouse")
    return "D%d" % spouse.pk


# --- Where it is offered -------------------------------------------------------------------------------------------


def test_adjust_invoice_is_at_the_bottom_of_the_current_invoice_only(alice_client, group, billed):
    april = alice_client.get(url("invoice", group, invoice_number=APRIL)).content.decode()
    link = 'href="%s">Adjust Invoice</a>' % url("adjust_invoice", group, invoice_number=APRIL)
    assert link in april
    assert april.index(link) > april.index('data-testid="subscriber-list"')
    assert "Adjust Invoice" not in alice_client.get(url("invoice", group, invoice_number="INV-104522-202603")).content.decode()


def test_an_older_invoice_is_not_adjusted(alice_client, group, billed):
    response = alice_client.get(url("adjust_invoice", group, invoice_number="INV-104522-202603"), follow=True)
    assert response.redirect_chain[-1][0] == url("invoice", group, invoice_number="INV-104522-202603")
    assert "Only the current invoice is adjusted" in text(response)


def test_a_read_only_admin_is_neither_offered_adjust_invoice_nor_let_in(client, bob, group, billed):
    client.force_login(bob)
    assert "Adjust Invoice" not in client.get(url("invoice", group, invoice_number=APRIL)).content.decode()
    assert client.get(url("adjust_invoice", group, invoice_number=APRIL)).status_code == 403


def test_a_billing_admin_adjusts_the_invoice(client, group, billed):
    user = factories.UserFactory(username="betty")
    factories.MembershipFactory(user=user, group=group, role="billing")
    client.force_login(user)
    assert client.get(url("adjust_invoice", group, invoice_number=APRIL)).status_code == 200
    assert terminate(client, group, number(billed, "Adams")).status_code == 302


def test_another_groups_admin_gets_404(client, charlie, group, billed):
    client.force_login(charlie)
    assert client.get(url("adjust_invoice", group, invoice_number=APRIL)).status_code == 404
    adams = number(billed, "Adams")
    assert client.get(url("adjust_terminate", group, invoice_number=APRIL, subscriber_number=adams)).status_code == 404


def test_an_admin_limited_to_hourly_reports_only_hourly_subscribers(hana_client, group, billed):
    adams, evans = number(billed, "Adams"), number(billed, "Evans")
    response = hana_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"report": "1", "subscriber": adams, "change": "terminate"})
    assert response.status_code == 200
    assert "No subscriber with this ID is on this invoice." in text(response)
    assert hana_client.get(url("adjust_terminate", group, invoice_number=APRIL, subscriber_number=adams)).status_code == 404
    assert terminate(hana_client, group, evans).status_code == 302


# --- What a change does to the invoice -------------------------------------------------------------------------------


def test_a_termination_shows_the_reconciled_amount_line_by_line_and_submits_nothing_yet(alice_client, group, billed):
    adams = number(billed, "Adams")
    response = terminate(alice_client, group, adams.lower())
    assert response.status_code == 302 and response["Location"].endswith("/adjust/#reported")

    page = alice_client.get(url("adjust_invoice", group, invoice_number=APRIL))
    assert table_rows(page, "reported-changes") == [[
        adams, "Adams, Pat", "Terminate Pat Adams and every dependent (End of employment)", "Coverage ends Mar 31, 2026", "—",
        "$500.00", "$0.00", "-$500.00", "$0.00", "Remove the change of Pat Adams",
    ]]
    assert table_rows(page, "reconciled") == [
        ["Amount due on this invoice", "$7,850.00"], ["Changes reported for April 2026", "-$500.00"], ["Reconciled amount", "$7,350.00"],
    ]
    assert not ChangeRequest.objects.filter(subscriber=billed["people"]["Adams"]).exists()


def test_a_termination_two_months_back_credits_march_on_the_next_invoice(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Baker"), on="2026-02-10")
    row = table_rows(alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)), "reported-changes")[0]
    assert row[3:9] == ["Coverage ends Feb 28, 2026", "—", "$1,000.00", "$0.00", "-$1,000.00", "-$1,000.00"]


def test_removing_the_spouse_changes_the_tier_from_the_next_month(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Baker"), member=spouse_key(billed, "Baker"), reason="dependent:divorce", on="2026-03-10")
    row = table_rows(alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)), "reported-changes")[0]
    assert row[2].startswith("Remove dependent SpouseBaker")
    assert row[3:9] == ["Coverage ends Mar 31, 2026", "ES → EE", "$1,000.00", "$500.00", "-$500.00", "$0.00"]


def test_a_newborn_raises_april_and_march_by_the_mid_month_rule(alice_client, group, billed):
    response = report(alice_client, group, number(billed, "Adams"), "add_dependent", event="birth", event_date="2026-03-05",
                      first_name="Nora", last_name="Adams", date_of_birth="2026-03-05", gender="F", relationship="child")
    assert response.status_code == 302, text(response)
    row = table_rows(alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)), "reported-changes")[0]
    assert row[3:9] == ["Coverage starts Mar 5, 2026", "EE → EC", "$500.00", "$925.00", "$425.00", "$425.00"]  # covered on Mar 15


def test_a_newborn_after_the_15th_leaves_march_alone(alice_client, group, billed):
    report(alice_client, group, number(billed, "Adams"), "add_dependent", event="birth", event_date="2026-03-18",
           first_name="Nora", last_name="Adams", date_of_birth="2026-03-18", gender="F", relationship="child")
    row = table_rows(alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)), "reported-changes")[0]
    assert row[5:9] == ["$500.00", "$925.00", "$425.00", "$0.00"]


def test_changes_add_up_to_the_reconciled_amount_and_one_can_be_removed(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Adams"))
    terminate(alice_client, group, number(billed, "Fox"), member=spouse_key(billed, "Fox"), reason="dependent:death", on="2026-03-01")
    page = alice_client.get(url("adjust_invoice", group, invoice_number=APRIL))
    assert table_rows(page, "reconciled")[1:] == [["Changes reported for April 2026", "-$1,000.00"], ["Reconciled amount", "$6,850.00"]]

    adams_entry = alice_client.session["adjust_invoice:%s" % APRIL][0]["id"]
    alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"remove": adams_entry})
    page = alice_client.get(url("adjust_invoice", group, invoice_number=APRIL))
    assert [row[1] for row in table_rows(page, "reported-changes")] == ["Fox, Pat"]
    assert table_rows(page, "reconciled")[2] == ["Reconciled amount", "$7,350.00"]


def test_a_second_change_of_the_same_subscriber_replaces_the_first(alice_client, group, billed):
    adams = number(billed, "Adams")
    terminate(alice_client, group, adams, on="2026-03-20")
    terminate(alice_client, group, adams, on="2026-04-20")
    rows = table_rows(alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)), "reported-changes")
    assert [row[3] for row in rows] == ["Coverage ends Apr 30, 2026"]


# --- Bad input: a clear message next to the field, nothing saved ----------------------------------------------------------


def test_a_subscriber_not_on_the_invoice_or_a_malformed_id_is_refused_next_to_the_field(alice_client, group, billed):
    stranger = helpers.subscriber(group, billed["salaried"], "Stranger", subscriber_number="M999999999")
    for value, message in ((stranger.subscriber_number, "No subscriber with this ID is on this invoice."),
                           ("12345", "Enter a subscriber ID: M and 9 digits.")):
        response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"report": "1", "subscriber": value, "change": "terminate"})
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html and html.index(message) > html.index('id="id_subscriber"')
    response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"report": "1", "subscriber": number(billed, "Adams")})
    assert "This field is required." in text(response)
    assert not alice_client.session.get("adjust_invoice:%s" % APRIL)


def test_the_change_form_shows_each_rule_next_to_its_field(alice_client, group, billed):
    davis = number(billed, "Davis")  # on April's invoice by March's credit; his coverage ended Feb 28
    response = terminate(alice_client, group, davis, on="2026-02-10")
    assert response.status_code == 200
    assert "The coverage already ends on or before Feb 28, 2026." in text(response)
    response = terminate(alice_client, group, number(billed, "Adams"), reason="")
    assert response.status_code == 200 and "This field is required." in text(response)
    response = report(alice_client, group, number(billed, "Adams"), "add_dependent", event="birth", event_date="2026-03-05",
                      first_name="Nora", last_name="Adams", date_of_birth="2026-03-04", gender="F", relationship="child")
    assert "For a birth, the event date is the date of birth." in text(response)
    assert not alice_client.session.get("adjust_invoice:%s" % APRIL)


def test_an_open_request_for_the_member_is_named_on_the_form(alice_client, alice, group, billed):
    adams = billed["people"]["Adams"]
    membership = alice.memberships.get()
    open_one = services.submit_termination(membership=membership, subscriber=adams, reason="end_of_employment",
                                           termination_date=d(2026, 3, 20), acting_user=alice, today=d(2026, 3, 20))
    response = terminate(alice_client, group, adams.subscriber_number)
    assert response.status_code == 200
    assert "A termination for this member is already open (%s)" % open_one.display_number in text(response)


# --- Confirm: every change a request, all or none -------------------------------------------------------------------


def test_confirm_submits_each_change_as_a_request_and_offers_the_reconciled_amount_to_pay(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Adams"))
    terminate(alice_client, group, number(billed, "Baker"), member=spouse_key(billed, "Baker"), reason="dependent:divorce", on="2026-03-10")

    response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == url("adjust_confirmed", group, invoice_number=APRIL)
    submitted = list(ChangeRequest.objects.filter(group=group, kind__in=["termination", "dependent_removed"]).exclude(
        pk=billed["request"].pk).order_by("pk"))
    assert [(r.kind, r.subscriber.last_name, r.snapshot["reported_on_invoice"]) for r in submitted] == [
        ("termination", "Adams", APRIL), ("dependent_removed", "Baker", APRIL)]
    rows = table_rows(response, "adjust-confirmed")
    assert [row[0] for row in rows] == [r.display_number for r in submitted]
    assert "$6,850.00" in response.content.decode()
    pay = url("make_payment", group, invoice_number=APRIL) + "?amount=6850.00"
    assert 'href="%s"' % pay in response.content.decode()
    assert alice_client.get(url("adjust_invoice", group, invoice_number=APRIL)).content.decode().count('data-testid="no-changes"') == 1


def test_track_requests_names_the_invoice_a_change_was_reported_on(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Adams"))
    alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"confirm": "1"})
    request = ChangeRequest.objects.get(subscriber=billed["people"]["Adams"])
    page = alice_client.get(reverse("enrollment:request_detail", kwargs={"group_number": "104522", "number": request.confirmation_number}))
    assert "Reported on invoice %s (Adjust Invoice)" % APRIL in text(page)
    assert 'href="%s"' % url("invoice", group, invoice_number=APRIL) in page.content.decode()


def test_one_change_failing_at_confirm_submits_none_and_is_marked(alice_client, alice, group, billed):
    adams, fox = billed["people"]["Adams"], billed["people"]["Fox"]
    terminate(alice_client, group, fox.subscriber_number)
    terminate(alice_client, group, adams.subscriber_number)
    # Meanwhile another admin terminates Adams from his page.
    services.submit_termination(membership=alice.memberships.get(), subscriber=adams, reason="end_of_employment",
                                termination_date=d(2026, 3, 20), acting_user=alice, today=d(2026, 3, 20))
    before = ChangeRequest.objects.count()

    response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"confirm": "1"}, follow=True)
    assert ChangeRequest.objects.count() == before
    assert "Nothing was submitted" in text(response)
    rows = table_rows(response, "reported-changes")
    assert "already open" in rows[1][2] and "already open" not in rows[0][2]


def test_confirm_with_nothing_reported_says_so(alice_client, group, billed):
    response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"confirm": "1"}, follow=True)
    assert "Report at least one change before confirming." in text(response)


def test_cancel_forgets_the_changes(alice_client, group, billed):
    terminate(alice_client, group, number(billed, "Adams"))
    response = alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"cancel": "1"}, follow=True)
    assert "nothing was submitted" in text(response)
    assert not alice_client.session.get("adjust_invoice:%s" % APRIL)
    assert not ChangeRequest.objects.filter(subscriber=billed["people"]["Adams"]).exists()


def test_the_adjustment_lands_on_the_next_invoice_linked_to_its_request(alice_client, group, billed, django_capture_on_commit_callbacks):
    terminate(alice_client, group, number(billed, "Adams"))
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url("adjust_invoice", group, invoice_number=APRIL), {"confirm": "1"})
    request = ChangeRequest.objects.get(subscriber=billed["people"]["Adams"])
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.COMPLETED
    may = helpers.issue(group, d(2026, 5, 1))
    line = InvoiceLine.objects.get(invoice=may, subscriber=billed["people"]["Adams"])
    assert (line.kind, line.service_month, line.amount, line.change_request_id) == ("adjustment", d(2026, 4, 1), D("-500.00"), request.pk)


def test_the_adjust_page_does_not_grow_with_the_invoice(alice_client, group, billed):
    def queries(invoice_number):
        start = alice_client.post(url("adjust_invoice", group, invoice_number=invoice_number),
                                  {"report": "1", "subscriber": number(billed, "Adams"), "change": "terminate"})
        alice_client.post(start["Location"], {"member": "S", "reason": "end_of_employment", "termination_date": "2026-03-20"})
        path = url("adjust_invoice", group, invoice_number=invoice_number)
        alice_client.get(path)
        with count_queries() as ctx:
            assert alice_client.get(path).status_code == 200
        return len(ctx)

    small = queries(APRIL)  # 6 lines
    add_subscribers(group, billed, 40)
    assert helpers.issue(group, d(2026, 5, 1)).lines.count() > 40
    assert queries("INV-104522-202605") == small
