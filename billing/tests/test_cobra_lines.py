"""COBRA on the invoice: the month at 102% as a line of its own, the months an election reaches back to as
adjustment lines linked to the election, and never the continuation row billed again as an employee's premium."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing import selectors
from billing.tests import helpers as billing_helpers
from billing.tests.cobra_fixtures import plans, private_files  # noqa: F401 (fixtures)
from enrollment.tests.cobra_helpers import elect, notified, terminate
from enrollment.tests.maintenance_helpers import family

MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)


def cobra_lines(invoice):
    return [
        (line.kind, line.service_month.isoformat(), line.tier, line.amount, line.change_request.confirmation_number if line.change_request_id else "")
        for line in invoice.lines.filter(coverage__continuation__isnull=False).select_related("change_request").order_by("kind", "service_month")
    ]


def test_an_election_bills_the_month_at_102_percent_and_the_months_it_reaches_back_to_as_adjustments(group, alice, plans):
    maria, carlos, (lucia,) = family(group, plans, start=date(2026, 1, 1))
    march = billing_helpers.issue(group, date(2026, 3, 1))
    assert march.lines.filter(subscriber=maria).values_list("kind", "amount").get() == ("premium", D("1487.35"))
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)  # coverage ends Mar 31
    continuation = notified(alice, group, change, today=MARCH_12)
    april = billing_helpers.issue(group, date(2026, 4, 1))
    may = billing_helpers.issue(group, date(2026, 5, 1))
    june = billing_helpers.issue(group, date(2026, 6, 1))
    for invoice in (april, may, june):
        assert not invoice.lines.filter(subscriber=maria).exists(), "nothing to bill before the election"
    election = elect(alice, group, continuation, keys=["S", "D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 5, 20), today=date(2026, 5, 20))
    assert election.status == "completed", election.reason

    july = billing_helpers.issue(group, date(2026, 7, 1))

    number = election.confirmation_number
    assert cobra_lines(july) == [
        ("adjustment", "2026-04-01", "FAM", D("1517.10"), number),  # 1,487.35 x 1.02 = 1,517.097, half-up once
        ("adjustment", "2026-05-01", "FAM", D("1517.10"), number),
        ("adjustment", "2026-06-01", "FAM", D("1517.10"), number),
        ("cobra", "2026-07-01", "FAM", D("1517.10"), number),
    ]
    assert not july.lines.filter(subscriber=maria, kind="premium").exists(), "the continuation row is not an employee's premium"
    assert july.current_premium == sum(july.lines.filter(kind__in=["premium", "cobra"]).values_list("amount", flat=True))
    assert july.adjustments_total == D("4551.30")

    august = billing_helpers.issue(group, date(2026, 8, 1))
    assert cobra_lines(august) == [("cobra", "2026-08-01", "FAM", D("1517.10"), number)], "the months reached back to are billed once"


def test_an_issued_continuation_is_priced_on_the_next_invoice_preview(group, alice, plans):
    maria, carlos, (lucia,) = family(group, plans, start=date(2026, 1, 1))
    billing_helpers.issue(group, date(2026, 3, 1))
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    billing_helpers.issue(group, date(2026, 4, 1))  # Mar 15, before the election
    elect(alice, group, continuation, keys=["S"], elected_on=date(2026, 3, 20), today=date(2026, 3, 20))
    # The preview of May shows the month the election reaches back to (April) and May's own.
    preview = selectors.next_invoice_preview(alice.memberships.get(group=group), date(2026, 4, 2))
    assert (preview.premium, preview.adjustments) == (D("612.00"), D("612.00"))  # Gold EE 600.00 x 1.02
