"""The next-invoice preview (pending requests included, nothing written) and Group Home's billing dashboard."""

import datetime

import pytest
from django.urls import reverse

from billing import services
from billing.charts import axis_label, nice_top
from billing.models import Invoice, InvoiceLine, Payment
from billing.tests import helpers
from billing.tests.helpers import D
from billing.tests.test_invoice_pages import table_rows, text

pytestmark = pytest.mark.django_db

d = datetime.date


def on(monkeypatch, day):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)


def test_the_preview_shows_next_months_invoice_with_pending_requests_and_the_day_changes_turn_retro(alice_client, group, billed, specialist, monkeypatch):
    on(monkeypatch, d(2026, 4, 2))
    waiting = helpers.subscriber(group, billed["salaried"], "Waits")
    helpers.cover(waiting, billed["gold"], d(2026, 4, 1), status="pending")  # confirmed, the worker has not run yet
    services.post_manual_adjustment(group=group, service_month=d(2026, 4, 1), amount=D("-75.00"), memo="Courtesy", acting_user=specialist)

    response = alice_client.get(reverse("billing:next_invoice_preview", kwargs={"group_number": "104522"}))

    assert "Next invoice preview: May 2026" in text(response)
    assert "issued on Apr 15, 2026" in text(response)
    assert "Changes confirmed on or after Apr 15, 2026 reach May 2026 only as an adjustment on a later invoice." in text(response)
    assert table_rows(response, "preview-totals") == [
        ["Balance today", "$7,850.00"], ["Current premium", "$4,425.00"], ["Retroactive adjustments", "$500.00"],
        ["Manual adjustments waiting", "-$75.00"], ["Expected amount due", "$12,700.00"],
    ]
    assert [row[1:] for row in table_rows(response, "preview-adjustments")] == [["Waits, Pat", "Apr 2026", "", "$500.00"]]
    assert Invoice.objects.count() == 2 and InvoiceLine.objects.filter(invoice__period=d(2026, 5, 1)).count() == 0


def test_a_limited_admin_previews_their_subgroups_lines(hana_client, group, billed, monkeypatch):
    on(monkeypatch, d(2026, 4, 2))
    response = hana_client.get(reverse("billing:next_invoice_preview", kwargs={"group_number": "104522"}))
    assert [row[:3] for row in table_rows(response, "preview-breakdown")] == [["Gold PPO", "EE", "Hourly"], ["Gold PPO", "ES", "Hourly"]]
    assert "Their lines: premium $1,500.00, adjustments $0.00" in text(response)


def test_once_the_next_invoice_is_issued_the_preview_opens_it(alice_client, group, billed, monkeypatch):
    on(monkeypatch, d(2026, 4, 2))
    helpers.issue(group, d(2026, 5, 1))  # issued early by operations
    response = alice_client.get(reverse("billing:next_invoice_preview", kwargs={"group_number": "104522"}))
    assert response["Location"] == reverse("billing:invoice", kwargs={"group_number": "104522", "invoice_number": "INV-104522-202605"})


def test_group_home_charts_billed_and_paid_with_the_figures_in_a_table_and_the_balance(alice_client, alice, group, billed):
    services.apply_payment(
        group=group, invoice=billed["march"], amount=D("5375.00"), source=Payment.Source.ONLINE, today=d(2026, 2, 26),
        acting_user=alice, idempotency_key="home-1",
    )
    response = alice_client.get(reverse("group_home", kwargs={"group_number": "104522"}))
    page = response.content.decode()

    assert 'role="img" aria-labelledby="billing-chart-title billing-chart-desc"' in page
    assert "<title id=\"billing-chart-title\">Amount billed and paid, last 2 invoices</title>" in page
    assert page.count('class="bar-billed"') == 2 and page.count('class="bar-paid"') == 2
    assert table_rows(response, "billing-figures") == [
        ["Mar 2026", "INV-104522-202603", "$5,375.00", "$5,375.00"],
        ["Apr 2026", "INV-104522-202604", "$2,475.00", "$0.00"],
    ]
    assert "Balance today: $2,475.00" in text(response)
    assert "<script" not in page.split('data-testid="billing-dashboard"')[1].split("</section>")[0]


@pytest.mark.parametrize("value, top, label", [
    (D("0"), D("1"), "$1"), (D("940"), D("1000"), "$1,000"), (D("5375"), D("10000"), "$10k"),
    (D("2475"), D("2500"), "$2,500"), (D("1999999"), D("2000000"), "$2M"),
])
def test_the_chart_axis_tops_at_a_round_amount(value, top, label):
    assert nice_top(value) == top
    assert axis_label(top) == label
