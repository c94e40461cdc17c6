"""The end of continuation: at the end of the maximum period by the daily beat task (twice changes nothing), or earlier
for non-payment, other group coverage or Medicare; lapsed elections; extensions of the maximum period."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enrollment import continuation_tasks, processors, rules
from enrollment.continuation import services
from enrollment.models import ChangeRequest, Continuation
from enrollment.tests.cobra_helpers import continuation_rows, elect, notified, terminate
from enrollment.tests.maintenance_helpers import family, membership, process

MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)


@pytest.fixture
def continuing(group, alice, lopez):
    """Maria and her family continue from Apr 1, 2026 (18 months: through Sep 30, 2027)."""
    maria, carlos, (lucia,) = lopez
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    assert elect(alice, group, continuation, keys=["S", "D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 4, 6),
                 today=date(2026, 4, 6)).status == "completed"
    continuation.refresh_from_db()
    return continuation


def run(today):
    """What the beat task does on `today`: the ends it submitted."""
    services.close_lapsed_elections(today=today)
    submitted = [services.submit_maximum_period_end(continuation=c, today=today) for c in services.continuations_past_their_maximum(today=today)]
    return [request for request in submitted if request is not None]


def test_continuation_ends_at_the_end_of_the_maximum_period_and_a_second_run_submits_nothing(lopez, continuing):
    assert continuing.maximum_end == date(2027, 9, 30)
    assert run(date(2027, 9, 30)) == []   # its last day: still in force
    (request,) = run(date(2027, 10, 1))
    assert (request.kind, request.snapshot["reason"], request.snapshot["coverage_end"]) == ("continuation_end", "maximum_period", "2027-09-30")
    assert request.submitted_by.username == "portal-system"
    assert run(date(2027, 10, 1)) == []   # open: not submitted twice
    assert process(request, date(2027, 10, 1)).status == "completed"
    assert continuation_rows(lopez[0])[1] == (date(2026, 4, 1), date(2027, 9, 30), "FAM", "active", True, True, ("Carlos", "Lucia"))
    continuing.refresh_from_db()
    assert (continuing.status, continuing.ended_on, continuing.end_reason, continuing.end_request_id) == (
        "ended", date(2027, 9, 30), "maximum_period", request.pk)
    assert run(date(2027, 10, 2)) == [] and ChangeRequest.objects.filter(kind="continuation_end").count() == 1


def test_the_beat_task_run_twice_ends_each_continuation_once(group, alice, plans, django_capture_on_commit_callbacks):
    """The task itself, on today's date: a continuation whose 18 months ended last month."""
    today = timezone.localdate()
    month = rules.first_of_month(today)
    maria, _, _ = family(group, plans, spouse=False, children=0, start=rules.add_months(month, -24))
    event = rules.add_months(month, -22)
    change = terminate(alice, group, maria, reason="reduction_of_hours", on=event, today=event)
    continuation = notified(alice, group, change, today=event)
    elect(alice, group, continuation, keys=["S"], elected_on=event, today=event)
    with django_capture_on_commit_callbacks(execute=True):   # the worker takes the end as soon as it is committed
        assert continuation_tasks.end_continuations.apply().get() == 1
    assert continuation_tasks.end_continuations.apply().get() == 0
    continuation.refresh_from_db()
    assert (continuation.status, continuation.ended_on) == ("ended", rules.add_months(month, -3) - timedelta(days=1))   # 18 months from month -21
    assert ChangeRequest.objects.filter(kind="continuation_end", status="completed").count() == 1


# --- Ending earlier ---------------------------------------------------------------------------------------------


def end(alice, group, continuation, reason, on, today):
    return services.submit_continuation_end(membership=membership(alice, group), continuation=continuation, reason=reason, on=on, acting_user=alice,
                                            today=today)


@pytest.mark.parametrize("reason", ["other_coverage", "medicare"])
def test_other_group_coverage_or_medicare_ends_continuation_at_the_end_of_that_month(group, alice, lopez, continuing, reason):
    request = process(end(alice, group, continuing, reason, date(2026, 6, 10), date(2026, 6, 12)), date(2026, 6, 12))
    assert request.status == "completed" and request.snapshot["coverage_end"] == "2026-06-30"
    assert continuation_rows(lopez[0])[1][:4] == (date(2026, 4, 1), date(2026, 6, 30), "FAM", "active")
    continuing.refresh_from_db()
    assert (continuing.status, continuing.ended_on, continuing.end_reason) == ("ended", date(2026, 6, 30), reason)


def test_a_first_premium_never_paid_cancels_continuation_from_its_start(group, alice, lopez, continuing):
    request = process(end(alice, group, continuing, "non_payment", date(2026, 3, 31), date(2026, 5, 25)), date(2026, 5, 25))
    assert request.status == "completed" and request.decided_at
    assert continuation_rows(lopez[0])[1][:4] == (date(2026, 4, 1), None, "FAM", "void")
    continuing.refresh_from_db()
    assert (continuing.status, continuing.ended_on) == ("ended", date(2026, 3, 31))


def test_an_end_beyond_the_retro_window_goes_to_a_specialist_but_non_payment_does_not(group, alice, lopez, continuing, specialist):
    late = process(end(alice, group, continuing, "other_coverage", date(2026, 5, 2), date(2026, 8, 1)), date(2026, 8, 1))
    assert late.status == "needs_review" and "more than 60 days in the past" in late.reason
    processors.approve(late, actor=specialist)
    assert ChangeRequest.objects.get(pk=late.pk).status == "completed"
    assert continuation_rows(lopez[0])[1][1] == date(2026, 5, 31)


@pytest.mark.parametrize("reason, on, field, message", [
    ("other_coverage", date(2026, 3, 20), "on", "The continuation starts on Apr 1, 2026: choose a date from then on."),
    ("non_payment", date(2026, 2, 27), "on", "The continuation starts on Apr 1, 2026: a date before it cannot end it."),
    ("medicare", date(2027, 9, 10), "on", "The continuation ends on Sep 30, 2027 anyway, at the end of its maximum period."),
    ("maximum_period", date(2026, 6, 10), "reason", "Choose a reason from the list."),
])
def test_a_bad_end_is_refused_next_to_its_field(group, alice, continuing, reason, on, field, message):
    with pytest.raises(ValidationError) as error:
        end(alice, group, continuing, reason, on, date(2026, 6, 12))
    assert error.value.message_dict == {field: [message]}
    assert not ChangeRequest.objects.filter(kind="continuation_end").exists()


def test_only_a_continuation_in_force_ends_and_only_once(group, alice, continuing):
    first = end(alice, group, continuing, "other_coverage", date(2026, 6, 10), date(2026, 6, 12))
    with pytest.raises(ValidationError, match="An end of this continuation is already open \\(%s\\)" % first.display_number):
        end(alice, group, continuing, "medicare", date(2026, 6, 10), date(2026, 6, 12))
    process(first, date(2026, 6, 12))
    continuing.refresh_from_db()
    with pytest.raises(ValidationError, match="Only a continuation in force can end \\(this one is ended\\)"):
        end(alice, group, continuing, "medicare", date(2026, 6, 10), date(2026, 6, 12))


# --- Elections that lapse ---------------------------------------------------------------------------------------


def test_an_election_period_that_closes_with_no_election_ends_pending(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    assert continuation.election_deadline == date(2026, 5, 30)
    assert services.close_lapsed_elections(today=date(2026, 5, 30)) == 0
    assert services.close_lapsed_elections(today=date(2026, 5, 31)) == 1
    assert services.close_lapsed_elections(today=date(2026, 5, 31)) == 0
    assert Continuation.objects.get(pk=continuation.pk).status == "not_elected"


def test_an_election_still_waiting_for_the_worker_keeps_its_continuation_pending(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    services.submit_election(membership=membership(alice, group), continuation=continuation, elected_on=date(2026, 5, 30), electing=["S"],
                             acting_user=alice, today=date(2026, 5, 30))
    assert services.close_lapsed_elections(today=date(2026, 5, 31)) == 0


# --- Extensions -------------------------------------------------------------------------------------------------


def extend(alice, group, continuation, extension, on, today):
    return services.submit_extension(membership=membership(alice, group), continuation=continuation, extension=extension, on=on, acting_user=alice,
                                     today=today)


def test_a_disability_in_the_first_60_days_extends_continuation_to_29_months(group, alice, continuing):
    request = process(extend(alice, group, continuing, "disability", date(2026, 5, 30), date(2026, 9, 1)), date(2026, 9, 1))  # day 60
    assert request.status == "completed"
    continuing.refresh_from_db()
    assert (continuing.extension, continuing.maximum_months, continuing.maximum_end) == ("disability", 29, date(2028, 8, 31))


def test_a_disability_after_the_60th_day_does_not_extend(group, alice, continuing):
    with pytest.raises(ValidationError) as error:
        extend(alice, group, continuing, "disability", date(2026, 5, 31), date(2026, 9, 1))
    assert error.value.message_dict == {"on": ["The disability must start within the first 60 days of continuation (by May 30, 2026) to extend it."]}


def test_a_second_event_extends_a_dependent_s_continuation_but_not_the_subscriber_s(group, alice, plans, lopez, continuing):
    with pytest.raises(ValidationError) as error:
        extend(alice, group, continuing, "second_event", date(2026, 9, 1), date(2026, 9, 2))
    assert error.value.message_dict == {"extension": ["A second qualifying event extends a spouse's or child's continuation, not the subscriber's own."]}
    maria, carlos, (lucia,) = family(group, plans, start=date(2026, 1, 1), number="M100000002", first_name="Rosa")
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    dependents_only = notified(alice, group, change, today=MARCH_12)
    elect(alice, group, dependents_only, keys=["D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 4, 6), today=date(2026, 4, 6))
    dependents_only.refresh_from_db()
    assert process(extend(alice, group, dependents_only, "second_event", date(2026, 9, 1), date(2026, 9, 2)), date(2026, 9, 2)).status == "completed"
    dependents_only.refresh_from_db()
    assert (dependents_only.maximum_months, dependents_only.maximum_end) == (36, date(2029, 3, 31))


def test_only_an_18_month_cobra_continuation_is_extended(group, alice, lopez):
    maria, carlos, _ = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    elect(alice, group, continuation, keys=["D%d" % carlos.pk], elected_on=date(2026, 4, 6), today=date(2026, 4, 6))
    continuation.refresh_from_db()
    with pytest.raises(ValidationError, match="Only an 18-month COBRA continuation"):
        extend(alice, group, continuation, "disability", date(2026, 4, 10), date(2026, 4, 12))


def test_an_election_postmarked_by_the_deadline_is_recorded_after_the_period_was_closed(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    assert services.close_lapsed_elections(today=date(2026, 6, 1)) == 1
    continuation.refresh_from_db()
    assert elect(alice, group, continuation, keys=["S"], elected_on=date(2026, 5, 30), today=date(2026, 6, 3)).status == "completed"
    continuation.refresh_from_db()
    assert continuation.status == "continuing"


def test_an_election_after_a_closed_period_says_when_it_closed(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    services.close_lapsed_elections(today=date(2026, 6, 1))
    continuation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.submit_election(membership=membership(alice, group), continuation=continuation, elected_on=date(2026, 5, 31), electing=["S"],
                                 acting_user=alice, today=date(2026, 6, 3))
    assert error.value.message_dict == {"elected_on": ["The election period closed on May 30, 2026: an election made after it cannot be accepted."]}
