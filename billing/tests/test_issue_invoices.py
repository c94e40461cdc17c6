"""Issuing invoices: hand-worked scenarios, each written as the table of lines expected.

Rates (plan GOLD, every plan year unless said): EE 500.00, ES 1000.00, EC 925.00, FAM 1450.00.
The group's invoice day is the 15th of the month before; its retro window 60 days.
Line tuples: (kind, subscriber, month, plan, tier, amount, confirmation number of the cause).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from billing import services
from billing.models import Adjustment, Invoice, InvoiceBreakdownRow, InvoiceLine, InvoiceLineMember, Payment
from billing.tests import helpers
from billing.tests.helpers import D, at, cover, issue, lines
from enrollment.models import Coverage

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def setup(group):
    return helpers.set_up_group(group)


def test_a_new_hire_starting_on_or_before_the_15th_bills_that_month_and_after_it_from_the_next(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    cover(helpers.subscriber(group, salaried, "Early"), gold, d(2026, 3, 15))
    cover(helpers.subscriber(group, salaried, "Late"), gold, d(2026, 3, 16))

    march = issue(group, d(2026, 3, 1))
    april = issue(group, d(2026, 4, 1))

    assert lines(march) == [("premium", "Early", "2026-03", "GOLD", "EE", D("500.00"), "")]
    assert lines(april) == [
        ("premium", "Early", "2026-04", "GOLD", "EE", D("500.00"), ""),
        ("premium", "Late", "2026-04", "GOLD", "EE", D("500.00"), ""),
    ]
    assert (april.current_premium, april.adjustments_total, april.previous_balance, april.amount_due) == (
        D("1000.00"), D("0.00"), D("500.00"), D("1500.00"),
    )


def test_a_new_hire_entered_after_the_month_was_invoiced_is_charged_by_adjustment_only_when_the_month_bills(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    issue(group, d(2026, 3, 1))  # Feb 15: nobody yet
    early = helpers.subscriber(group, salaried, "Early")
    late = helpers.subscriber(group, salaried, "Late")
    cover(early, gold, d(2026, 3, 10))
    cover(late, gold, d(2026, 3, 20))
    helpers.completed_request(group, early, "new_enrollment", at(d(2026, 3, 2)), "ERRY234567")
    helpers.completed_request(group, late, "new_enrollment", at(d(2026, 3, 2)), "HAPPY23456")

    april = issue(group, d(2026, 4, 1))

    assert lines(april) == [
        ("adjustment", "Early", "2026-03", "GOLD", "EE", D("500.00"), "ERRY234567"),
        ("premium", "Early", "2026-04", "GOLD", "EE", D("500.00"), ""),
        ("premium", "Late", "2026-04", "GOLD", "EE", D("500.00"), ""),
    ]


def test_a_retro_termination_two_months_back_credits_each_month_billed_since(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    ryan = helpers.subscriber(group, salaried, "Ryan")
    coverage = cover(ryan, gold, d(2026, 1, 1))
    for month in (2, 3, 4, 5):  # issued Jan 15 .. Apr 15
        issue(group, d(2026, month, 1))
    # Apr 20: Ryan left on Mar 10; coverage ends Mar 31 (inside the 60-day window).
    helpers.end(coverage, d(2026, 3, 31))
    helpers.completed_request(group, ryan, "termination", at(d(2026, 4, 20)), "TERM234567")

    june = issue(group, d(2026, 6, 1))

    assert lines(june) == [
        ("adjustment", "Ryan", "2026-04", "GOLD", "EE", D("-500.00"), "TERM234567"),
        ("adjustment", "Ryan", "2026-05", "GOLD", "EE", D("-500.00"), "TERM234567"),
    ]
    assert (june.current_premium, june.adjustments_total) == (D("0.00"), D("-1000.00"))
    # The next invoice credits nothing twice.
    assert lines(issue(group, d(2026, 7, 1))) == []


def test_a_termination_beyond_the_retro_window_credits_only_the_months_inside_it(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    ryan = helpers.subscriber(group, salaried, "Ryan")
    coverage = cover(ryan, gold, d(2026, 1, 1))
    for month in (1, 2, 3, 4, 5):
        issue(group, d(2026, month, 1))
    helpers.end(coverage, d(2026, 1, 31))  # approved by a specialist from the review queue

    june = issue(group, d(2026, 6, 1))  # May 15 - 60 days = Mar 16: March, April, May are inside

    assert lines(june) == [
        ("adjustment", "Ryan", "2026-03", "GOLD", "EE", D("-500.00"), ""),
        ("adjustment", "Ryan", "2026-04", "GOLD", "EE", D("-500.00"), ""),
        ("adjustment", "Ryan", "2026-05", "GOLD", "EE", D("-500.00"), ""),
    ]


def test_a_tier_change_mid_year_bills_the_new_tier_and_charges_the_difference_for_the_month_invoiced(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    nora = helpers.subscriber(group, salaried, "Nora")
    ee = cover(nora, gold, d(2026, 1, 1))
    for month in (5, 6):  # issued Apr 15, May 15
        issue(group, d(2026, month, 1))
    # May 20: Nora married on May 9; the spouse is covered from June 1.
    spouse = helpers.dependent(nora, "spouse", d(1987, 2, 2), "Sam", "01")
    helpers.end(ee, d(2026, 5, 31))
    cover(nora, gold, d(2026, 6, 1), tier="ES", dependents=[spouse])
    helpers.completed_request(group, nora, "dependent_added", at(d(2026, 5, 20)), "TYER234567")

    july = issue(group, d(2026, 7, 1))

    assert lines(july) == [
        ("adjustment", "Nora", "2026-06", "GOLD", "ES", D("500.00"), "TYER234567"),
        ("premium", "Nora", "2026-07", "GOLD", "ES", D("1000.00"), ""),
    ]
    assert july.lines.get(kind="premium").members == 2


def test_daily_proration_of_a_newborn_bills_each_coverage_for_its_own_days(group):
    setup = helpers.set_up_group(group, policy="daily")
    gold, salaried = setup["gold"], setup["salaried"]
    lena = helpers.subscriber(group, salaried, "Lena")
    ee = cover(lena, gold, d(2026, 1, 1))
    for month in (4, 5):  # issued Mar 15, Apr 15
        issue(group, d(2026, month, 1))
    # Apr 20: a baby born Apr 10. EE Apr 1-9 (9 days), EC from Apr 10 (21 of April's 30 days).
    baby = helpers.dependent(lena, "child", d(2026, 4, 10), "Ada", "01")
    helpers.end(ee, d(2026, 4, 9))
    cover(lena, gold, d(2026, 4, 10), tier="EC", dependents=[baby])
    helpers.completed_request(group, lena, "dependent_added", at(d(2026, 4, 20)), "BABY234567")

    june = issue(group, d(2026, 6, 1))

    # April now costs 500.00 x 9/30 = 150.00 plus 925.00 x 21/30 = 647.50: 797.50, billed 500.00.
    # May costs 925.00, billed 500.00.
    assert lines(june) == [
        ("adjustment", "Lena", "2026-04", "GOLD", "EC", D("297.50"), "BABY234567"),
        ("adjustment", "Lena", "2026-05", "GOLD", "EC", D("425.00"), "BABY234567"),
        ("premium", "Lena", "2026-06", "GOLD", "EC", D("925.00"), ""),
    ]


def test_daily_proration_bills_a_newborn_known_before_the_invoice_in_two_lines(group):
    setup = helpers.set_up_group(group, policy="daily")
    gold, salaried = setup["gold"], setup["salaried"]
    lena = helpers.subscriber(group, salaried, "Lena")
    baby = helpers.dependent(lena, "child", d(2026, 7, 17), "Ada", "01")
    cover(lena, gold, d(2026, 1, 1), d(2026, 7, 16))
    cover(lena, gold, d(2026, 7, 17), tier="EC", dependents=[baby])

    july = issue(group, d(2026, 7, 1))

    # 500.00 x 16/31 = 258.064.. -> 258.06; 925.00 x 15/31 = 447.580.. -> 447.58
    assert lines(july) == [
        ("premium", "Lena", "2026-07", "GOLD", "EE", D("258.06"), ""),
        ("premium", "Lena", "2026-07", "GOLD", "EC", D("447.58"), ""),
    ]
    assert sorted(july.lines.values_list("covered_days", "monthly_premium")) == [(15, D("925.00")), (16, D("500.00"))]


def test_a_reinstatement_bills_again_as_if_the_coverage_never_ended(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    omar = helpers.subscriber(group, salaried, "Omar")
    coverage = cover(omar, gold, d(2026, 1, 1))
    issue(group, d(2026, 3, 1))  # Feb 15
    helpers.end(coverage, d(2026, 3, 31))  # Feb 20: terminated at the end of March
    helpers.completed_request(group, omar, "termination", at(d(2026, 2, 20)), "TERM234567")
    april = issue(group, d(2026, 4, 1))  # Mar 15: nothing for April
    # Apr 5: reinstated, with no gap.
    Coverage.objects.filter(pk=coverage.pk).update(end=None)
    helpers.completed_request(group, omar, "reinstatement", at(d(2026, 4, 5)), "BACK234567")

    may = issue(group, d(2026, 5, 1))  # Apr 15

    assert lines(april) == []
    assert lines(may) == [
        ("adjustment", "Omar", "2026-04", "GOLD", "EE", D("500.00"), "BACK234567"),
        ("premium", "Omar", "2026-05", "GOLD", "EE", D("500.00"), ""),
    ]


def test_an_open_enrollment_change_at_renewal_bills_the_new_plan_and_a_carried_over_coverage_its_successor(group):
    # Plan years start July 1. SILVER is sold until the 2025 plan year; its successor BRONZE from 2026.
    setup = helpers.set_up_group(group, renewal_month=7, years=(2025,))
    gold, salaried = setup["gold"], setup["salaried"]
    bronze = helpers.factories.PlanFactory(code="BRONZE", name="Bronze HMO")
    silver = helpers.factories.PlanFactory(code="SILVER", name="Silver HMO", successor=bronze)
    helpers.factories.PlanOfferingFactory(plan=silver, group=group, subgroup=None, plan_year=2025)
    helpers.factories.PlanOfferingFactory(plan=bronze, group=group, subgroup=None, plan_year=2026)
    helpers.factories.PlanOfferingFactory(plan=gold, group=group, subgroup=None, plan_year=2026)
    helpers.add_tier_rates(silver, 2025, D("0.8"))
    helpers.add_tier_rates(silver, 2026, D("0.9"))  # the carrier still has a rate, but SILVER is not offered
    helpers.add_tier_rates(bronze, 2026, D("0.7"))
    helpers.add_tier_rates(gold, 2026, D("1.1"))

    chosen = helpers.subscriber(group, salaried, "Chosen")  # elected GOLD at open enrollment
    old = cover(chosen, silver, d(2025, 7, 1), plan_year=2025)
    helpers.end(old, d(2026, 6, 30))
    cover(chosen, gold, d(2026, 7, 1), plan_year=2026)
    helpers.completed_request(group, chosen, "oe_begin", at(d(2026, 6, 2)), "PENN234567")
    kept = helpers.subscriber(group, salaried, "Kept")  # did nothing: renewal has not run yet
    kept_coverage = cover(kept, silver, d(2025, 7, 1), plan_year=2025)
    stays = helpers.subscriber(group, salaried, "Stays")  # on GOLD, still offered
    cover(stays, gold, d(2025, 7, 1), plan_year=2025)

    june = issue(group, d(2026, 6, 1))
    july = issue(group, d(2026, 7, 1))
    # Renewal runs on July 2: exactly what July was priced on, so August adjusts nothing.
    helpers.end(kept_coverage, d(2026, 6, 30))
    cover(kept, bronze, d(2026, 7, 1), plan_year=2026)
    august = issue(group, d(2026, 8, 1))

    assert lines(june) == [
        ("premium", "Chosen", "2026-06", "SILVER", "EE", D("400.00"), ""),
        ("premium", "Kept", "2026-06", "SILVER", "EE", D("400.00"), ""),
        ("premium", "Stays", "2026-06", "GOLD", "EE", D("500.00"), ""),
    ]
    assert lines(july) == [
        ("premium", "Chosen", "2026-07", "GOLD", "EE", D("550.00"), ""),
        ("premium", "Kept", "2026-07", "BRONZE", "EE", D("350.00"), ""),
        ("premium", "Stays", "2026-07", "GOLD", "EE", D("550.00"), ""),
    ]
    assert lines(august) == [
        ("premium", "Chosen", "2026-08", "GOLD", "EE", D("550.00"), ""),
        ("premium", "Kept", "2026-08", "BRONZE", "EE", D("350.00"), ""),
        ("premium", "Stays", "2026-08", "GOLD", "EE", D("550.00"), ""),
    ]


def test_an_age_banded_family_pays_for_the_adults_and_the_three_oldest_children_under_21(group):
    setup = helpers.set_up_group(group, rating="age_banded")
    gold, salaried = setup["gold"], setup["salaried"]
    helpers.add_age_rates(gold, 2026, {"40": D("400.00"), "38": D("380.00"), "16": D("200.00"), "0-14": D("180.00")})
    # Ages on Jan 1, 2026 (the plan year's first day): 40, 38, 16, 12, 9, 5.
    kim = helpers.subscriber(group, salaried, "Kim", date_of_birth=d(1985, 6, 1))
    family = [
        helpers.dependent(kim, "spouse", d(1987, 3, 3), "Lee", "01"),
        helpers.dependent(kim, "child", d(2009, 5, 5), "Ari", "02"),
        helpers.dependent(kim, "child", d(2013, 8, 8), "Bo", "03"),
        helpers.dependent(kim, "stepchild", d(2016, 9, 9), "Cy", "04"),
        helpers.dependent(kim, "child", d(2020, 10, 10), "Di", "05"),
    ]
    cover(kim, gold, d(2026, 1, 1), tier="FAM", dependents=family)

    march = issue(group, d(2026, 3, 1))

    assert lines(march) == [("premium", "Kim", "2026-03", "GOLD", "FAM", D("1340.00"), "")]
    members = InvoiceLineMember.objects.filter(line__invoice=march).select_related("dependent").order_by("id")
    assert [(m.dependent.first_name if m.dependent else "Kim", m.age, m.age_band, m.amount) for m in members] == [
        ("Kim", 40, "40", D("400.00")),
        ("Lee", 38, "38", D("380.00")),
        ("Ari", 16, "16", D("200.00")),
        ("Bo", 12, "0-14", D("180.00")),
        ("Cy", 9, "0-14", D("180.00")),
        ("Di", 5, "0-14", D("0.00")),
    ]
    assert march.lines.get().members == 6


def test_an_age_banded_prorated_line_is_shared_among_its_members_to_the_cent(group):
    setup = helpers.set_up_group(group, rating="age_banded", policy="daily")
    gold, salaried = setup["gold"], setup["salaried"]
    helpers.add_age_rates(gold, 2026, {"40": D("100.00"), "39": D("100.00"), "0-14": D("100.00")})
    kim = helpers.subscriber(group, salaried, "Kim", date_of_birth=d(1985, 6, 1))
    spouse = helpers.dependent(kim, "spouse", d(1987, 3, 3), "Lee", "01")
    child = helpers.dependent(kim, "child", d(2019, 5, 5), "Ari", "02")
    cover(kim, gold, d(2026, 4, 20), tier="FAM", dependents=[spouse, child])

    april = issue(group, d(2026, 4, 1))

    # Ages on Apr 20 (the coverage start, later than the plan year's): 40, 39, 6.
    # 300.00 x 11/30 = 110.00; shared 36.67, 36.67, 36.66 (the cent left over to the earlier members).
    assert lines(april) == [("premium", "Kim", "2026-04", "GOLD", "FAM", D("110.00"), "")]
    assert list(InvoiceLineMember.objects.filter(line__invoice=april).order_by("id").values_list("amount", flat=True)) == [
        D("36.67"), D("36.67"), D("36.66"),
    ]


def test_an_overpayment_is_carried_as_a_credit_on_the_next_invoice(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    cover(helpers.subscriber(group, salaried, "Ryan"), gold, d(2026, 1, 1))
    march = issue(group, d(2026, 3, 1))
    services.apply_payment(
        group=group, invoice=march, amount=D("600.00"), source=Payment.Source.CHECK, today=d(2026, 2, 25),
        received_at=at(d(2026, 2, 25)), idempotency_key="check-1001",
    )
    march.refresh_from_db()

    april = issue(group, d(2026, 4, 1))

    assert (march.amount_due, march.amount_paid, march.status) == (D("500.00"), D("600.00"), "paid")
    assert (april.previous_balance, april.payments_received, april.current_premium, april.amount_due) == (
        D("500.00"), D("600.00"), D("500.00"), D("400.00"),
    )
    assert april.status == "open"


def test_a_credit_larger_than_the_new_premium_leaves_an_invoice_paid_with_a_negative_amount_due(group, setup):
    gold, salaried = setup["gold"], setup["salaried"]
    cover(helpers.subscriber(group, salaried, "Ryan"), gold, d(2026, 1, 1), d(2026, 3, 31))
    march = issue(group, d(2026, 3, 1))
    services.apply_payment(
        group=group, invoice=march, amount=D("1500.00"), source=Payment.Source.CHECK, today=d(2026, 2, 25),
        received_at=at(d(2026, 2, 25)), idempotency_key="check-1002",
    )

    april = issue(group, d(2026, 4, 1))
    may = issue(group, d(2026, 5, 1))

    assert (april.amount_due, april.status) == (D("-1000.00"), "paid")
    assert (may.previous_balance, may.payments_received, may.amount_due, may.status) == (
        D("-1000.00"), D("0.00"), D("-1000.00"), "paid",
    )


def test_manual_adjustments_land_on_the_next_invoice_once(group, setup, specialist):
    gold, salaried = setup["gold"], setup["salaried"]
    ryan = helpers.subscriber(group, salaried, "Ryan")
    cover(ryan, gold, d(2026, 1, 1))
    issue(group, d(2026, 3, 1))
    credit = services.post_manual_adjustment(
        group=group, subscriber=ryan, service_month=d(2026, 3, 1), amount=D("-75.00"), memo="Courtesy credit",
        acting_user=specialist,
    )
    fee = services.post_manual_adjustment(
        group=group, service_month=d(2026, 3, 1), amount=D("25.00"), memo="Paper invoice fee", acting_user=specialist,
    )

    april = issue(group, d(2026, 4, 1))
    may = issue(group, d(2026, 5, 1))

    assert lines(april) == [
        ("manual", "Ryan", "2026-03", "", "", D("-75.00"), ""),
        ("manual", "", "2026-03", "", "", D("25.00"), ""),
        ("premium", "Ryan", "2026-04", "GOLD", "EE", D("500.00"), ""),
    ]
    assert april.adjustments_total == D("-50.00")
    credit.refresh_from_db()
    fee.refresh_from_db()
    assert credit.invoice_line.invoice == april and fee.invoice_line.invoice == april
    # A courtesy credit is not charged back by the next retro computation.
    assert lines(may) == [("premium", "Ryan", "2026-05", "GOLD", "EE", D("500.00"), "")]


def test_issuing_again_issues_nothing_new(group, setup):
    cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))
    first = services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 2, 15))
    again = services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 2, 16))

    assert first.created and not again.created
    assert again.invoice == first.invoice
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 1


def test_an_invoice_is_not_issued_before_its_invoice_day(group, setup):
    with pytest.raises(services.InvoiceNotDue):
        services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 2, 14))
    assert not Invoice.objects.exists()


def test_an_earlier_month_is_refused_once_a_later_one_is_issued(group, setup):
    issue(group, d(2026, 4, 1))
    with pytest.raises(services.InvoiceOutOfOrder):
        services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 3, 20))


def test_a_missing_rate_issues_nothing_and_names_the_rate(group, setup):
    silver = helpers.factories.PlanFactory(code="SILVER")
    cover(helpers.subscriber(group, setup["salaried"], "Ryan"), silver, d(2026, 1, 1), tier="ES")

    with pytest.raises(services.MissingRates, match="SILVER 2026 ES"):
        services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 2, 15))
    assert not Invoice.objects.exists()


def test_the_invoice_number_dates_and_status_follow_the_rules(group, setup):
    group.invoice_day = 20
    group.save()
    cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))

    invoice = services.issue_invoice(group=group, period=d(2026, 3, 1), today=d(2026, 2, 20)).invoice

    assert (invoice.number, invoice.issued_on, invoice.due_on, invoice.status) == (
        "INV-104522-202603", d(2026, 2, 20), d(2026, 3, 1), "open",
    )


def test_pending_coverages_and_other_groups_are_not_billed(group, other_group, setup):
    cover(helpers.subscriber(group, setup["salaried"], "Waiting"), setup["gold"], d(2026, 1, 1), status=Coverage.Status.PENDING)
    other = helpers.factories.SubgroupFactory(group=other_group)
    cover(helpers.subscriber(other_group, other, "Elsewhere"), setup["gold"], d(2026, 1, 1))

    assert lines(issue(group, d(2026, 3, 1))) == []


# --- An issued invoice never changes ---------------------------------------------------------------


def test_the_database_refuses_to_change_an_issued_invoice_or_its_lines(group, setup):
    cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))
    invoice = issue(group, d(2026, 3, 1))
    line = invoice.lines.get()

    for attempt in (
        lambda: Invoice.objects.filter(pk=invoice.pk).update(current_premium=D("1.00"), amount_due=D("1.00")),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(issued_on=d(2026, 2, 1)),
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(amount=D("1.00")),
        lambda: InvoiceLine.objects.filter(pk=line.pk).delete(),
        lambda: InvoiceBreakdownRow.objects.filter(invoice=invoice).update(premium=D("1.00")),
        lambda: connection.cursor().execute("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk]),
    ):
        with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
            attempt()
    # Payments may move its amount paid and status.
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=D("500.00"), status="paid")


def test_an_adjustment_on_an_invoice_can_no_longer_change(group, setup, specialist):
    issue(group, d(2026, 3, 1))
    adjustment = services.post_manual_adjustment(
        group=group, service_month=d(2026, 3, 1), amount=D("10.00"), memo="Fee", acting_user=specialist
    )
    Adjustment.objects.filter(pk=adjustment.pk).update(memo="Fee (paper)")  # not on an invoice yet: allowed
    issue(group, d(2026, 4, 1))

    with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
        Adjustment.objects.filter(pk=adjustment.pk).update(amount=Decimal("20.00"))


def test_the_demo_purge_may_delete_billing_history_and_nothing_else_may(group, setup):
    cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))
    issue(group, d(2026, 3, 1))

    services.purge_billing_history(groups=[group])

    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
