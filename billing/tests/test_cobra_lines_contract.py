"""What the invoice generator reads for COBRA lines: enrollment.continuation.selectors.continuation_periods (docs/cobra.md,
"For billing"), priced with billing.rules.cobra_premium: the worked example's premiums at 102% and 150%, to the cent."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing import rules
from billing.tests.cobra_fixtures import plans, private_files  # noqa: F401 (fixtures)
from enrollment import continuation_rules
from enrollment.continuation import selectors, services
from enrollment.selectors import RateTable
from enrollment.tests.cobra_helpers import elect, notified, terminate
from enrollment.tests.maintenance_helpers import family, membership, process
from tests.queries import count_queries

MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)


@pytest.fixture
def lopez(group, plans):
    return family(group, plans, start=date(2026, 1, 1))


@pytest.fixture
def extended(group, alice, lopez):
    """The Lopez family continues from Apr 1, 2026 (elected May 20); a disability extends it to 29 months (through Aug 31, 2028)."""
    maria, carlos, (lucia,) = lopez
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    election = elect(alice, group, continuation, keys=["S", "D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 5, 20), today=date(2026, 5, 20))
    continuation.refresh_from_db()
    extension = services.submit_extension(membership=membership(alice, group), continuation=continuation, extension="disability",
                                          on=date(2026, 4, 20), acting_user=alice, today=date(2026, 6, 1))
    assert process(extension, date(2026, 6, 1)).status == "completed"
    continuation.refresh_from_db()
    return continuation, election


def premium(period, group, month):
    """What the generator is expected to do for one month of a period."""
    rate = RateTable(plan_ids=[period.plan_id], plan_year=period.plan_year).premium(
        group, plan_id=period.plan_id, plan_year=period.plan_year, tier=period.tier, members=period.rating_members, coverage_start=period.coverage_start,
    )[0]
    number = rules.cobra_month_number(period.first_month, month)
    return rules.cobra_premium(rate, number, extension=period.extension, months=period.maximum_months)


def test_the_worked_example_bills_102_percent_then_150_in_months_19_to_29(group, lopez, extended):
    continuation, election = extended
    maria, carlos, (lucia,) = lopez
    (period,) = selectors.continuation_periods(group, date(2026, 4, 1), date(2028, 12, 1))
    assert (period.subscriber_id, period.covers_subscriber, period.plan_year, period.tier, period.start, period.end, period.first_month,
            period.extension, period.maximum_months, period.law, period.election_request_id, period.end_request_id) == (
        maria.pk, True, 2026, "FAM", date(2026, 4, 1), date(2028, 8, 31), date(2026, 4, 1), "disability", 29, "cobra", election.pk, None)
    assert [(m.dependent_id, m.relationship) for m in period.members] == [(None, "subscriber"), (carlos.pk, "spouse"), (lucia.pk, "child")]
    assert period.continuation_id == continuation.pk and period.subgroup_id == maria.subgroup_id
    assert premium(period, group, date(2026, 4, 1)) == D("1517.10")     # month 1: 1,487.35 x 1.02 = 1,517.097
    assert premium(period, group, date(2027, 9, 1)) == D("1517.10")     # month 18
    assert premium(period, group, date(2027, 10, 1)) == D("2231.03")    # month 19: 1,487.35 x 1.50 = 2,231.025, half-up
    assert premium(period, group, date(2028, 8, 1)) == D("2231.03")     # month 29, the last
    assert selectors.monthly_premium(period, D("1487.35"), date(2027, 10, 1)) == D("2231.03")


def test_a_divorced_spouse_alone_is_a_period_without_the_subscriber_at_the_ee_rate(group, alice, lopez):
    maria, carlos, _ = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    elect(alice, group, continuation, keys=["D%d" % carlos.pk], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    (period,) = selectors.continuation_periods(group, date(2026, 4, 1), date(2026, 4, 1))
    assert (period.covers_subscriber, period.tier, period.end, period.maximum_months, period.extension) == (False, "EE", date(2029, 3, 31), 36, None)
    assert period.rating_members == [(carlos.pk, "spouse", date(1986, 7, 1))]
    assert premium(period, group, date(2026, 4, 1)) == D("612.00")      # Gold PPO EE 600.00 x 1.02
    assert premium(period, group, date(2029, 3, 1)) == D("612.00")      # month 36


def test_an_early_end_ends_the_period_and_names_its_request(group, alice, extended):
    continuation, _ = extended
    end = services.submit_continuation_end(membership=membership(alice, group), continuation=continuation, reason="other_coverage",
                                           on=date(2026, 6, 10), acting_user=alice, today=date(2026, 6, 12))
    process(end, date(2026, 6, 12))
    (period,) = selectors.continuation_periods(group, date(2026, 4, 1), date(2026, 12, 1))
    assert (period.end, period.end_request_id) == (date(2026, 6, 30), end.pk)
    assert selectors.continuation_periods(group, date(2026, 7, 1), date(2026, 12, 1)) == []


def test_months_before_continuation_or_after_its_maximum_bill_nothing(group, extended):
    assert selectors.continuation_periods(group, date(2026, 1, 1), date(2026, 3, 1)) == []
    assert selectors.continuation_periods(group, date(2028, 9, 1), date(2028, 12, 1)) == []
    with pytest.raises(ValueError, match="A month is given by its first day, not 2026-04-02."):
        selectors.continuation_periods(group, date(2026, 4, 2), date(2026, 5, 1))


def test_a_cancelled_continuation_and_a_pending_election_bill_nothing(group, alice, lopez, plans, extended):
    continuation, _ = extended
    process(services.submit_continuation_end(membership=membership(alice, group), continuation=continuation, reason="non_payment",
                                             on=date(2026, 3, 31), acting_user=alice, today=date(2026, 6, 12)), date(2026, 6, 12))
    rosa, _, _ = family(group, plans, start=date(2026, 1, 1), number="M100000002", first_name="Rosa")
    notified(alice, group, terminate(alice, group, rosa, reason="end_of_employment", on=MARCH_10, today=MARCH_10), today=MARCH_12)
    assert selectors.continuation_periods(group, date(2026, 4, 1), date(2026, 12, 1)) == []


def test_the_periods_are_read_in_two_queries_however_many(group, alice, plans, extended):
    with count_queries() as one:
        assert len(selectors.continuation_periods(group, date(2026, 4, 1), date(2026, 12, 1))) == 1
    for n in range(2, 5):
        subscriber, _, _ = family(group, plans, start=date(2026, 1, 1), number="M10000000%d" % n, first_name="Rosa%d" % n)
        change = terminate(alice, group, subscriber, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
        c = notified(alice, group, change, today=MARCH_12)
        elect(alice, group, c, keys=["S"], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    with count_queries() as four:
        assert len(selectors.continuation_periods(group, date(2026, 4, 1), date(2026, 12, 1))) == 4
    assert len(one) == len(four) == 2


def test_billing_s_cobra_functions_are_enrollment_s_one_implementation():
    assert rules.cobra_premium is continuation_rules.cobra_premium
    assert rules.cobra_month_number is continuation_rules.cobra_month_number
    assert rules.COBRA_MONTHS is continuation_rules.COBRA_MONTHS
