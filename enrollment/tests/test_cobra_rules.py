"""Continuation's pure rules at their edges: periods by event, law and extension, deadlines, who may continue, tiers, premiums.

Database-free (mutation-tested by `make mutation`): every expected value is written out.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from enrollment import continuation_rules as rules


def raises(exception, message, function, *args, **kwargs):
    with pytest.raises(exception) as error:
        function(*args, **kwargs)
    text = error.value.messages[0] if isinstance(error.value, ValidationError) else str(error.value)
    assert text == message
    return error.value


# --- Maximum periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, extension, months", [
    ("end_of_employment", None, 18),
    ("reduction_of_hours", None, 18),
    ("end_of_employment", "disability", 29),
    ("reduction_of_hours", "disability", 29),
    ("end_of_employment", "second_event", 36),
    ("death", None, 36),
    ("divorce", None, 36),
    ("medicare", None, 36),
    ("dependent_child", None, 36),
])
def test_cobra_lasts_18_months_after_employment_events_36_after_the_others_and_29_or_36_extended(kind, extension, months):
    assert rules.maximum_months(kind, extension=extension) == months
    assert rules.maximum_months(kind, law="cobra", state_months=None, extension=extension) == months


@pytest.mark.parametrize("kind", ["end_of_employment", "reduction_of_hours", "death", "divorce", "medicare", "dependent_child"])
def test_state_continuation_lasts_the_state_s_months_whatever_the_event(kind):
    assert rules.maximum_months(kind, law="state", state_months=9) == 9
    assert rules.maximum_months(kind, law="state", state_months=1) == 1
    assert rules.maximum_months(kind, law="state", state_months=36) == 36


def test_the_maximum_period_refuses_what_no_law_gives():
    raises(ValueError, "Unknown qualifying event 'layoff'.", rules.maximum_months, "layoff")
    raises(ValueError, "Unknown continuation law 'federal'.", rules.maximum_months, "death", law="federal")
    raises(ValueError, "Unknown COBRA extension 'forever'.", rules.maximum_months, "end_of_employment", extension="forever")
    raises(ValueError, "Only an 18-month continuation can be extended.", rules.maximum_months, "divorce", extension="disability")
    raises(ValueError, "Only an 18-month continuation can be extended.", rules.maximum_months, "death", extension="second_event")
    raises(ValueError, "State continuation has no disability extension.", rules.maximum_months, "end_of_employment", law="state",
           state_months=9, extension="disability")
    raises(ValueError, "A state's continuation lasts 1 to 36 months, not None.", rules.maximum_months, "death", law="state")
    raises(ValueError, "A state's continuation lasts 1 to 36 months, not 0.", rules.maximum_months, "death", law="state", state_months=0)
    raises(ValueError, "A state's continuation lasts 1 to 36 months, not 37.", rules.maximum_months, "death", law="state", state_months=37)


@pytest.mark.parametrize("start, months, end", [
    (date(2026, 2, 1), 18, date(2027, 7, 31)),
    (date(2026, 2, 1), 29, date(2028, 6, 30)),
    (date(2026, 2, 1), 36, date(2029, 1, 31)),
    (date(2026, 1, 1), 9, date(2026, 9, 30)),
    (date(2026, 12, 1), 1, date(2026, 12, 31)),
    (date(2027, 9, 1), 18, date(2029, 2, 28)),
    (date(2026, 9, 1), 18, date(2028, 2, 29)),     # a leap year's February
])
def test_the_maximum_period_ends_the_day_before_the_same_day_months_later(start, months, end):
    assert rules.maximum_end(start, months) == end


def test_a_continuation_lasts_at_least_a_month():
    raises(ValueError, "A continuation lasts at least a month.", rules.maximum_end, date(2026, 2, 1), 0)


def test_continuation_starts_the_day_after_the_last_day_of_group_coverage():
    assert rules.continuation_start(date(2026, 1, 31)) == date(2026, 2, 1)
    assert rules.continuation_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert rules.continuation_start(date(2028, 2, 28)) == date(2028, 2, 29)


# --- Deadlines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("notice_on, lost_on, deadline", [
    (date(2026, 2, 10), date(2026, 1, 31), date(2026, 4, 11)),    # the notice is later: 60 days after it
    (date(2026, 1, 10), date(2026, 1, 31), date(2026, 4, 1)),     # the loss is later: 60 days after it
    (date(2026, 1, 31), date(2026, 1, 31), date(2026, 4, 1)),
])
def test_the_election_deadline_is_60_days_after_the_later_of_the_notice_and_the_loss(notice_on, lost_on, deadline):
    assert rules.election_deadline(notice_on, lost_on) == deadline


def test_the_election_window_at_its_edges():
    deadline = date(2026, 4, 11)
    check = lambda elected_on, today=date(2026, 6, 1): rules.check_election_date(  # noqa: E731
        elected_on, event_date=date(2026, 1, 15), deadline=deadline, today=today)
    check(date(2026, 4, 11))    # the last day: accepted
    check(date(2026, 1, 15))    # the event day: accepted
    check(date(2026, 3, 1), today=date(2026, 3, 1))    # today: accepted
    error = raises(ValidationError, "The election period closed on Apr 11, 2026: an election made after it cannot be accepted.", check, date(2026, 4, 12))
    assert error.code == "election_closed"
    error = raises(ValidationError, "The election date cannot be before the qualifying event (Jan 15, 2026).", check, date(2026, 1, 14))
    assert error.code == "election_before_event"
    error = raises(ValidationError, "The election date cannot be in the future.", check, date(2026, 3, 2), today=date(2026, 3, 1))
    assert error.code == "election_in_future"


def test_the_first_payment_is_due_45_days_after_the_election():
    assert rules.first_payment_due(date(2026, 3, 1)) == date(2026, 4, 15)
    assert rules.first_payment_due(date(2026, 12, 20)) == date(2027, 2, 3)


@pytest.mark.parametrize("kind, event_date, lost_on, due", [
    ("end_of_employment", date(2026, 1, 15), date(2026, 1, 31), date(2026, 3, 2)),   # employer: 30 days after the loss
    ("reduction_of_hours", date(2026, 1, 15), date(2026, 1, 31), date(2026, 3, 2)),
    ("death", date(2026, 1, 15), date(2026, 1, 31), date(2026, 3, 2)),
    ("medicare", date(2026, 2, 1), date(2026, 1, 31), date(2026, 3, 3)),             # the event is later
    ("divorce", date(2026, 1, 15), date(2026, 1, 31), date(2026, 4, 1)),             # the family: 60 days
    ("dependent_child", date(2026, 1, 15), date(2026, 1, 31), date(2026, 4, 1)),
])
def test_an_event_is_reported_within_30_days_by_the_employer_or_60_by_the_family(kind, event_date, lost_on, due):
    assert rules.report_due_by(kind, event_date, lost_on) == due


def test_the_notice_is_due_14_days_after_the_plan_is_told_and_an_unknown_event_has_no_deadline():
    assert rules.notice_due_by(date(2026, 2, 20)) == date(2026, 3, 6)
    raises(ValueError, "Unknown qualifying event 'layoff'.", rules.report_due_by, "layoff", date(2026, 1, 1), date(2026, 1, 31))


@pytest.mark.parametrize("disabled_on, allowed", [
    (date(2026, 1, 20), True),   # before continuation: disabled during its first 60 days too
    (date(2026, 3, 1), True),
    (date(2026, 4, 1), True),    # day 60 of continuation from Feb 1
    (date(2026, 4, 2), False),   # day 61
])
def test_a_disability_extends_continuation_when_it_starts_by_its_60th_day(disabled_on, allowed):
    assert rules.disability_extension_allowed(disabled_on, start=date(2026, 2, 1)) is allowed


# --- Who may continue ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, relationships", [
    ("end_of_employment", ["subscriber"]),
    ("end_of_employment", ["subscriber", "spouse", "child"]),
    ("reduction_of_hours", ["subscriber", "domestic_partner"]),
    ("death", ["spouse", "child", "child"]),
    ("death", ["child"]),
    ("medicare", ["spouse"]),
    ("divorce", ["spouse"]),
    ("divorce", ["domestic_partner", "stepchild"]),
    ("dependent_child", ["child"]),
    ("dependent_child", ["stepchild", "foster_child"]),
])
def test_the_qualified_beneficiaries_of_each_event(kind, relationships):
    rules.check_qualifying_members(kind, relationships)


@pytest.mark.parametrize("kind, relationships, code, message", [
    ("end_of_employment", ["spouse"], "subscriber_needed",
     "An end of employment or a reduction of hours is the subscriber's loss of coverage: include the subscriber."),
    ("reduction_of_hours", ["child"], "subscriber_needed",
     "An end of employment or a reduction of hours is the subscriber's loss of coverage: include the subscriber."),
    ("death", ["subscriber", "spouse"], "dependents_only",
     "The subscriber does not continue coverage through this event: choose only the dependents who lost coverage."),
    ("medicare", ["subscriber"], "dependents_only",
     "The subscriber does not continue coverage through this event: choose only the dependents who lost coverage."),
    ("divorce", ["child"], "spouse_needed", "A divorce or legal separation is the spouse's or partner's loss of coverage: include them."),
    ("dependent_child", ["child", "spouse"], "children_only", "Only a child stops being a dependent child."),
    ("death", [], "no_member", "Choose the members who lost coverage."),
])
def test_members_who_cannot_be_the_event_s_beneficiaries_are_refused(kind, relationships, code, message):
    assert raises(ValidationError, message, rules.check_qualifying_members, kind, relationships).code == code


def test_an_unknown_event_has_no_beneficiaries():
    raises(ValueError, "Unknown qualifying event 'layoff'.", rules.check_qualifying_members, "layoff", ["subscriber"])


@pytest.mark.parametrize("relationships, covers_subscriber, tier", [
    ([], True, "EE"),
    (["spouse"], True, "ES"),
    (["domestic_partner"], True, "ES"),
    (["child", "stepchild"], True, "EC"),
    (["spouse", "child"], True, "FAM"),
    (["spouse"], False, "EE"),               # a divorced spouse alone
    (["child"], False, "EE"),                # a child who aged out
    (["spouse", "child"], False, "EC"),      # the family of a subscriber who died
    (["child", "child"], False, "EC"),
    (["domestic_partner", "child", "child"], False, "EC"),
])
def test_a_continuation_s_tier_puts_the_first_person_in_the_subscriber_s_place(relationships, covers_subscriber, tier):
    assert rules.continuation_tier(relationships, covers_subscriber=covers_subscriber) == tier


def test_a_continuation_without_the_subscriber_covers_someone():
    raises(ValueError, "A continuation coverage covers someone.", rules.continuation_tier, [], covers_subscriber=False)


# --- Premiums (billing.rules re-exports these: one implementation) -----------------------------------------------


@pytest.mark.parametrize("rate, number, extension, months, premium", [
    ("487.35", 1, None, None, "497.10"),          # 497.097
    ("487.35", 18, None, None, "497.10"),
    ("487.35", 18, "disability", None, "497.10"),  # 102% through month 18
    ("487.35", 19, "disability", None, "731.03"),  # 731.025: half-up (half-even would give 731.02)
    ("487.35", 29, "disability", None, "731.03"),
    ("487.35", 36, "second_event", None, "497.10"),
    ("1800.00", 36, None, 36, "1836.00"),          # 36 months after a divorce
    ("600.00", 9, None, 9, "612.00"),              # a state's 9 months
    ("100.75", 1, None, None, "102.77"),           # 102.765
    ("0.00", 1, None, None, "0.00"),
])
def test_the_continuation_premium_is_102_percent_and_150_in_months_19_to_29_of_a_disability_extension(rate, number, extension, months, premium):
    assert rules.cobra_premium(D(rate), number, extension=extension, months=months) == D(premium)


@pytest.mark.parametrize("number, extension, months, message", [
    (0, None, None, "Month 0 is outside COBRA continuation (1 to 18)."),
    (19, None, None, "Month 19 is outside COBRA continuation (1 to 18)."),
    (30, "disability", None, "Month 30 is outside COBRA continuation (1 to 29)."),
    (37, "second_event", None, "Month 37 is outside COBRA continuation (1 to 36)."),
    (10, None, 9, "Month 10 is outside COBRA continuation (1 to 9)."),
    (37, None, 36, "Month 37 is outside COBRA continuation (1 to 36)."),
])
def test_the_premium_refuses_a_month_outside_continuation(number, extension, months, message):
    raises(ValueError, message, rules.cobra_premium, D("500.00"), number, extension=extension, months=months)


def test_the_premium_refuses_an_unknown_extension_and_a_negative_rate():
    raises(ValueError, "Unknown COBRA extension 'forever'.", rules.cobra_premium, D("500.00"), 1, extension="forever")
    raises(ValueError, "A monthly rate is never negative.", rules.cobra_premium, D("-0.01"), 1)


@pytest.mark.parametrize("first, month, number", [
    (date(2026, 2, 1), date(2026, 2, 1), 1),
    (date(2026, 11, 1), date(2027, 2, 1), 4),
    (date(2026, 2, 1), date(2027, 7, 1), 18),
    (date(2026, 2, 1), date(2027, 8, 1), 19),
])
def test_continuation_months_count_from_the_first_month(first, month, number):
    assert rules.cobra_month_number(first, month) == number


def test_a_month_is_its_first_day_and_not_before_continuation():
    raises(ValueError, "A month is given by its first day, not 2026-02-02.", rules.cobra_month_number, date(2026, 2, 2), date(2026, 3, 1))
    raises(ValueError, "A month is given by its first day, not 2026-03-02.", rules.cobra_month_number, date(2026, 2, 1), date(2026, 3, 2))
    raises(ValueError, "2026-01-01 is before continuation starts.", rules.cobra_month_number, date(2026, 2, 1), date(2026, 1, 1))

