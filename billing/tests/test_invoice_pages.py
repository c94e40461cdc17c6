"""Invoice Presentment and Payments: history and search, View Current Invoice, the invoice, the premium breakdown,
Contract Detail, CSV; what a read-only admin, an admin limited to a subgroup and another group's admin see.

The `billed` fixture (conftest.py): March 2026 bills 5,375.00; April 2026 has premium 3,925.00, a -1,450.00
adjustment (Davis, request DAVS2-34567) and 5,375.00 previous balance: 7,850.00 due.
"""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from billing import services
from billing.models import Payment
from billing.tests import helpers
from billing.tests.helpers import D

pytestmark = pytest.mark.django_db

d = datetime.date


def url(name, group, **kwargs):
    return reverse("billing:" + name, kwargs={"group_number": group.group_number, **kwargs})


def text(response) -> str:
    """The page's text, tags and extra spaces out."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def table_rows(response, testid) -> list[list[str]]:
    html = response.content.decode()
    table = html[html.index('data-testid="%s"' % testid):]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody"):] if "<tbody" in table else table
    body = body[: body.index("</tbody>")] if "</tbody>" in body else body
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)] for row in rows]


# --- Invoice Presentment and Payments -----------------------------------------------------------------


def test_the_history_lists_every_invoice_newest_first_with_status_amounts_and_dates(alice_client, group, billed):
    response = alice_client.get(url("invoices", group))

    assert response.status_code == 200
    pay = "Pay Online invoice %s (opens in a new window) ↗"  # a primary admin may pay: Pay Online on each unpaid invoice
    assert table_rows(response, "invoice-history") == [
        ["INV-104522-202604", "April 2026", "Mar 15, 2026", "Apr 1, 2026", "$7,850.00", "$0.00", "Open", pay % "INV-104522-202604"],
        ["INV-104522-202603", "March 2026", "Feb 15, 2026", "Mar 1, 2026", "$5,375.00", "$0.00", "Open", pay % "INV-104522-202603"],
    ]
    assert 'href="%s"' % url("current_invoice", group) in response.content.decode()


def test_the_history_sorts_by_amount_due(alice_client, group, billed):
    response = alice_client.get(url("invoices", group) + "?sort=amount_due")
    assert [row[0] for row in table_rows(response, "invoice-history")] == ["INV-104522-202603", "INV-104522-202604"]


def test_quick_search_opens_the_invoice_typed_in_any_case(alice_client, group, billed):
    response = alice_client.get(url("invoices", group), {"invoice_number": " inv-104522-202603 "})
    assert response.status_code == 302
    assert response["Location"] == url("invoice", group, invoice_number="INV-104522-202603")


@pytest.mark.parametrize("typed, message", [
    ("INV-104522-202601", "No invoice of this group has that number."),
    ("INV-207731-202603", "No invoice of this group has that number."),
    ("12345", "Enter an invoice number such as INV-104522-202701."),
])
def test_quick_search_says_why_it_found_nothing(alice_client, group, billed, typed, message):
    response = alice_client.get(url("invoices", group), {"invoice_number": typed})
    assert response.status_code == 200
    assert message in text(response)


def test_invoices_are_searched_by_date_issued_and_subgroup_with_the_subgroups_subtotal(alice_client, group, billed):
    response = alice_client.get(url("invoices", group), {"issued_from": "2026-03-01", "issued_to": "2026-03-31", "subgroup": billed["hourly"].pk})

    assert table_rows(response, "invoice-history") == [
        ["INV-104522-202604", "April 2026", "Mar 15, 2026", "Apr 1, 2026", "$7,850.00", "$0.00", "Open", "$1,500.00",
         "Pay Online invoice INV-104522-202604 (opens in a new window) ↗"],
    ]
    assert "Lines of Hourly" in text(response)


def test_a_reversed_date_range_is_refused_next_to_the_field(alice_client, group, billed):
    response = alice_client.get(url("invoices", group), {"issued_from": "2026-04-01", "issued_to": "2026-03-01"})
    assert "The end of the range comes before its start." in text(response)


# --- View Current Invoice, the invoice, the breakdown ----------------------------------------------------


def test_view_current_invoice_shows_the_latest_invoice_whose_number_opens_it(alice_client, group, billed):
    response = alice_client.get(url("current_invoice", group))

    assert table_rows(response, "current-invoice") == [
        ["Invoice Number", "INV-104522-202604"], ["Coverage month", "April 2026"], ["Issued", "Mar 15, 2026"],
        ["Due", "Apr 1, 2026"], ["Amount due", "$7,850.00"], ["Paid", "$0.00"], ["Status", "Open"], ["Balance today", "$7,850.00"],
    ]
    assert 'href="%s"' % url("invoice", group, invoice_number="INV-104522-202604") in response.content.decode()


def test_view_current_invoice_says_when_none_was_issued(alice_client, group):
    assert "No invoice has been issued yet." in text(alice_client.get(url("current_invoice", group)))


def test_the_invoice_shows_its_totals_and_subscriber_list_with_the_request_behind_an_adjustment(alice_client, group, billed):
    response = alice_client.get(url("invoice", group, invoice_number="INV-104522-202604"))

    assert table_rows(response, "invoice-totals") == [
        ["Previous balance", "$5,375.00"], ["Payments received since", "$0.00"], ["Current premium", "$3,925.00"],
        ["Adjustments", "-$1,450.00"], ["Amount due", "$7,850.00"], ["Paid", "$0.00"],
    ]
    adams, davis = billed["people"]["Adams"].subscriber_number, billed["people"]["Davis"].subscriber_number
    rows = table_rows(response, "subscriber-list")
    assert rows[0] == [adams, "Adams, Pat", "Salaried", "Gold PPO", "EE", "1", "Apr 2026", "Premium", "", "$500.00"]
    assert [davis, "Davis, Pat", "Salaried", "Gold PPO", "FAM", "", "Mar 2026", "Adjustment", "DAVS2-34567", "-$1,450.00"] in rows
    assert len(rows) == 6
    page = response.content.decode()
    assert 'href="%s"' % url("invoice_breakdown", group, invoice_number="INV-104522-202604") in page  # the Dollar Amount
    assert 'href="%s"' % reverse("enrollment:request_detail", kwargs={"group_number": "104522", "number": "DAVS234567"}) in page
    assert 'href="%s"' % url("adjust_invoice", group, invoice_number="INV-104522-202604") in page  # the current invoice


def test_the_subscriber_list_is_filtered_by_tier_and_kind(alice_client, group, billed):
    response = alice_client.get(url("invoice", group, invoice_number="INV-104522-202604"), {"tier": "ES", "kind": "premium"})
    assert [row[1] for row in table_rows(response, "subscriber-list")] == ["Baker, Pat", "Fox, Pat"]


def test_the_breakdown_sums_by_plan_tier_and_subgroup(alice_client, group, billed):
    response = alice_client.get(url("invoice_breakdown", group, invoice_number="INV-104522-202604"))

    assert table_rows(response, "breakdown") == [
        ["Gold PPO", "EE", "Hourly", "1", "1", "$500.00", "$0.00", "$500.00"],
        ["Gold PPO", "EE", "Salaried", "1", "1", "$500.00", "$0.00", "$500.00"],
        ["Gold PPO", "ES", "Hourly", "1", "2", "$1,000.00", "$0.00", "$1,000.00"],
        ["Gold PPO", "ES", "Salaried", "1", "2", "$1,000.00", "$0.00", "$1,000.00"],
        ["Gold PPO", "EC", "Salaried", "1", "2", "$925.00", "$0.00", "$925.00"],
        ["Gold PPO", "FAM", "Salaried", "0", "0", "$0.00", "-$1,450.00", "-$1,450.00"],
    ]
    assert "$2,475.00" in response.content.decode().split('data-testid="breakdown-total"')[1][:40]


def test_contract_detail_is_found_by_subscriber_id_from_the_breakdown(alice_client, group, billed):
    number = billed["people"]["Clark"].subscriber_number
    response = alice_client.get(url("invoice_breakdown", group, invoice_number="INV-104522-202604"), {"subscriber": number.lower()})
    assert response["Location"] == url("contract_detail", group, invoice_number="INV-104522-202604", subscriber_number=number)


def test_contract_detail_refuses_a_subscriber_not_on_the_invoice(alice_client, group, billed, other_group):
    stranger = helpers.subscriber(other_group, helpers.factories.SubgroupFactory(group=other_group), "Stranger", subscriber_number="M999999999")
    response = alice_client.get(url("invoice_breakdown", group, invoice_number="INV-104522-202604"), {"subscriber": stranger.subscriber_number})
    assert response.status_code == 200
    assert "No subscriber with this ID is on this invoice." in text(response)


def test_contract_detail_shows_the_members_coverage_rate_and_past_lines(alice_client, group, billed):
    clark = billed["people"]["Clark"]
    response = alice_client.get(url("contract_detail", group, invoice_number="INV-104522-202604", subscriber_number=clark.subscriber_number))

    page = text(response)
    assert "Pat" in page and "Rate applied $925.00 a month" in page
    assert table_rows(response, "contract-coverages") == [
        ["Gold PPO", "2026", "EC", "Jan 1, 2026", "(open)", "Pat Clark (%s-00); KidClark Rivera (Child, %s-01)" % (
            clark.subscriber_number, clark.subscriber_number)],
    ]
    assert [row[:3] + row[-1:] for row in table_rows(response, "contract-history")] == [
        ["INV-104522-202604", "Apr 2026", "Premium", "$925.00"],
        ["INV-104522-202603", "Mar 2026", "Premium", "$925.00"],
    ]


def test_contract_detail_of_a_subscriber_of_another_group_is_404(alice_client, group, billed, other_group):
    stranger = helpers.subscriber(other_group, helpers.factories.SubgroupFactory(group=other_group), "Stranger", subscriber_number="M999999999")
    response = alice_client.get(url("contract_detail", group, invoice_number="INV-104522-202604", subscriber_number=stranger.subscriber_number))
    assert response.status_code == 404


# --- CSV -------------------------------------------------------------------------------------------------


def test_the_csv_holds_every_line_with_its_request(alice_client, group, billed):
    response = alice_client.get(url("invoice_csv", group, invoice_number="INV-104522-202604"))

    assert response["Content-Type"] == "text/csv"
    assert 'filename="INV-104522-202604.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Invoice Number", "Coverage month", "Kind", "Subscriber ID"]
    assert [(r[2], r[4], r[9], r[12], r[15]) for r in rows[1:]] == [
        ("premium", "Adams", "EE", "500.00", ""), ("premium", "Baker", "ES", "1000.00", ""), ("premium", "Clark", "EC", "925.00", ""),
        ("premium", "Evans", "EE", "500.00", ""), ("premium", "Fox", "ES", "1000.00", ""),
        ("adjustment", "Davis", "FAM", "-1450.00", "DAVS2-34567"),
    ]


def test_the_csv_neutralises_a_name_a_spreadsheet_would_run(alice_client, group, billed):
    adams = billed["people"]["Adams"]
    adams.last_name = "=HYPERLINK(1)"
    adams.save()
    body = b"".join(alice_client.get(url("invoice_csv", group, invoice_number="INV-104522-202604")).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


# --- An admin limited to a subgroup ----------------------------------------------------------------------


def test_a_limited_admin_sees_only_their_subgroups_lines_with_a_note_and_their_subtotal(hana_client, group, billed):
    response = hana_client.get(url("invoice", group, invoice_number="INV-104522-202604"))

    assert [row[1] for row in table_rows(response, "subscriber-list")] == ["Evans, Pat", "Fox, Pat"]
    page = text(response)
    assert "Showing the subscribers of: Hourly" in page
    assert "subtotal $1,500.00 (2 lines)" in page
    assert "$7,850.00" in page  # the group's amount due: the invoice is the group's


def test_a_limited_admins_breakdown_and_csv_hold_only_their_subgroups(hana_client, group, billed):
    breakdown = hana_client.get(url("invoice_breakdown", group, invoice_number="INV-104522-202604"))
    body = b"".join(hana_client.get(url("invoice_csv", group, invoice_number="INV-104522-202604")).streaming_content).decode()

    assert [row[:3] for row in table_rows(breakdown, "breakdown")] == [["Gold PPO", "EE", "Hourly"], ["Gold PPO", "ES", "Hourly"]]
    assert "Evans" in body and "Fox" in body and "Adams" not in body and "Davis" not in body


def test_a_limited_admin_gets_404_for_the_contract_of_another_subgroup(hana_client, group, billed):
    adams = billed["people"]["Adams"]
    response = hana_client.get(url("contract_detail", group, invoice_number="INV-104522-202604", subscriber_number=adams.subscriber_number))
    assert response.status_code == 404


def test_a_limited_admins_history_shows_their_subgroups_part_of_each_invoice(hana_client, group, billed):
    rows = table_rows(hana_client.get(url("invoices", group)), "invoice-history")
    assert [(row[0], row[-1]) for row in rows] == [("INV-104522-202604", "$1,500.00"), ("INV-104522-202603", "$1,500.00")]


# --- Roles and other groups --------------------------------------------------------------------------------


def test_a_read_only_admin_views_every_billing_page(client, bob, group, billed):
    client.force_login(bob)
    number = "INV-104522-202604"
    for name, kwargs in (
        ("invoices", {}), ("current_invoice", {}), ("next_invoice_preview", {}), ("invoice", {"invoice_number": number}),
        ("invoice_breakdown", {"invoice_number": number}), ("invoice_csv", {"invoice_number": number}),
        ("contract_detail", {"invoice_number": number, "subscriber_number": billed["people"]["Fox"].subscriber_number}),
    ):
        assert client.get(url(name, group, **kwargs)).status_code == 200, name


def test_an_invoice_of_another_group_is_404_through_this_groups_urls(alice_client, group, billed, other_group):
    helpers.set_up_group(other_group)
    theirs = helpers.issue(other_group, d(2026, 3, 1))
    for name in ("invoice", "invoice_breakdown", "invoice_csv", "invoice_pdf", "invoice_pdf_status"):
        assert alice_client.get(url(name, group, invoice_number=theirs.number)).status_code == 404, name
    # and the other group's own URL is closed to alice
    assert alice_client.get(url("invoice", other_group, invoice_number=theirs.number)).status_code == 404


def test_an_admin_of_another_group_gets_404_on_this_groups_invoice_pages(client, charlie, group, billed):
    client.force_login(charlie)
    number = "INV-104522-202604"
    for name, kwargs in (
        ("invoices", {}), ("current_invoice", {}), ("next_invoice_preview", {}), ("invoice", {"invoice_number": number}),
        ("invoice_breakdown", {"invoice_number": number}), ("invoice_csv", {"invoice_number": number}), ("invoice_pdf", {"invoice_number": number}),
        ("contract_detail", {"invoice_number": number, "subscriber_number": billed["people"]["Fox"].subscriber_number}),
    ):
        assert client.get(url(name, group, **kwargs)).status_code == 404, name


# --- Payments and the balance ---------------------------------------------------------------------------------


def test_a_payment_shows_on_the_history_and_lowers_the_balance(alice_client, alice, group, billed):
    services.apply_payment(
        group=group, invoice=billed["april"], amount=D("2700.00"), source=Payment.Source.ONLINE, today=d(2026, 3, 20),
        acting_user=alice, idempotency_key="test-pay-1",
    )
    rows = table_rows(alice_client.get(url("invoices", group)), "invoice-history")
    current = table_rows(alice_client.get(url("current_invoice", group)), "current-invoice")

    assert rows[0][4:7] == ["$7,850.00", "$2,700.00", "Partially paid"]
    assert rows[1][4:7] == ["$5,375.00", "$2,700.00", "Partially paid"]
    assert current[-1] == ["Balance today", "$5,150.00"]


@pytest.mark.parametrize("number", ["INV-104522-2026", "inv-104522-202604", "INV-104522-202604-1", "INV-10452-202604"])
def test_a_malformed_invoice_number_in_a_url_is_404(alice_client, group, billed, number):
    assert alice_client.get("/groups/104522/billing/invoices/%s/" % number).status_code == 404
