"""Qualifying events: each kind with the qualified beneficiaries and the periods expected, offered after a termination or a
removal, or reported on their own; bad reports refused with a message next to the field and nothing saved; the worker's notice."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import processors
from enrollment.continuation import services
from enrollment.maintenance import services as maintenance_services
from enrollment.models import ChangeRequest, Continuation, QualifiedBeneficiary, Subscriber
from enrollment.tests.cobra_helpers import beneficiaries, continuation_of, offer, terminate
from enrollment.tests.maintenance_helpers import family, membership, process
from tests import factories

NUMBER = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$")
MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)


def facts(c: Continuation) -> tuple:
    return (c.law, c.event_kind, c.event_date, c.coverage_lost_on, c.start, c.maximum_months, c.maximum_end, c.status, c.plan.code, c.tier)


@pytest.mark.parametrize("reason, kind, expected, months, maximum_end", [
    ("end_of_employment", "end_of_employment", [("Maria", "subscriber"), ("Carlos", "spouse"), ("Lucia", "child")], 18, date(2027, 9, 30)),
    ("reduction_of_hours", "reduction_of_hours", [("Maria", "subscriber"), ("Carlos", "spouse"), ("Lucia", "child")], 18, date(2027, 9, 30)),
    ("death", "death", [("Carlos", "spouse"), ("Lucia", "child")], 36, date(2029, 3, 31)),
    ("medicare", "medicare", [("Carlos", "spouse"), ("Lucia", "child")], 36, date(2029, 3, 31)),
])
def test_a_subscriber_s_termination_offers_continuation_to_the_members_who_lost_coverage(group, alice, lopez, reason, kind, expected, months, maximum_end):
    maria, _, _ = lopez
    change = terminate(alice, group, maria, reason=reason, on=MARCH_10, today=MARCH_10)
    request = offer(alice, group, change, today=MARCH_12)
    assert (request.kind, request.status, request.subscriber_id) == ("qualifying_event", "received", maria.pk) and NUMBER.match(request.confirmation_number)
    c = continuation_of(request)
    assert facts(c) == ("cobra", kind, MARCH_10, date(2026, 3, 31), date(2026, 4, 1), months, maximum_end, "pending_election", "GOLDPPO", "FAM")
    assert beneficiaries(c) == [(name, relationship, None) for name, relationship in expected]
    assert request.snapshot["source"] == change.confirmation_number and c.request == request


@pytest.mark.parametrize("who, reason, kind, expected", [
    ("spouse", "divorce", "divorce", [("Carlos", "spouse")]),
    ("child", "ineligible", "dependent_child", [("Lucia", "child")]),
])
def test_a_dependent_s_removal_offers_36_months_to_that_dependent(group, alice, lopez, who, reason, kind, expected):
    maria, carlos, (lucia,) = lopez
    change = terminate(alice, group, maria, dependent=carlos if who == "spouse" else lucia, reason=reason, on=MARCH_10, today=MARCH_10)
    c = continuation_of(offer(alice, group, change, today=MARCH_12))
    assert facts(c) == ("cobra", kind, MARCH_10, date(2026, 3, 31), date(2026, 4, 1), 36, date(2029, 3, 31), "pending_election", "GOLDPPO", "FAM")
    assert beneficiaries(c) == [(name, relationship, None) for name, relationship in expected]


def test_a_child_ageing_out_at_26_is_offered_36_months(group, alice, plans):
    maria, _, (lucia,) = family(group, plans, spouse=False, start=date(2026, 1, 1))
    lucia.date_of_birth = date(2000, 3, 9)   # 26 on Mar 9, 2026: a dependent through Mar 31
    lucia.save()
    removal = process(maintenance_services.submit_age_out(dependent=lucia, today=MARCH_10), MARCH_10)
    assert removal.status == "completed"
    c = continuation_of(offer(alice, group, removal, today=MARCH_12))
    assert facts(c) == ("cobra", "dependent_child", date(2026, 3, 31), date(2026, 3, 31), date(2026, 4, 1), 36, date(2029, 3, 31),
                        "pending_election", "GOLDPPO", "EC")
    assert beneficiaries(c) == [("Lucia", "child", None)]


def test_state_continuation_gives_the_state_s_months_whatever_the_event(group, alice, lopez):
    group.continuation, group.state_continuation_months = "state", 9
    group.save()
    maria, carlos, _ = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    c = continuation_of(offer(alice, group, change, today=MARCH_12))
    assert facts(c) == ("state", "divorce", MARCH_10, date(2026, 3, 31), date(2026, 4, 1), 9, date(2026, 12, 31), "pending_election", "GOLDPPO", "FAM")


@pytest.mark.parametrize("reason", ["voluntary", "other"])
def test_a_voluntary_termination_is_no_qualifying_event(group, alice, lopez, reason):
    change = terminate(alice, group, lopez[0], reason=reason, on=MARCH_10, today=MARCH_10)
    with pytest.raises(ValidationError, match="is not a qualifying event: no continuation is offered"):
        offer(alice, group, change, today=MARCH_12)
    assert not Continuation.objects.exists()


def test_a_spouse_removed_as_no_longer_eligible_or_by_choice_is_no_qualifying_event(group, alice, lopez):
    maria, carlos, _ = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="ineligible", on=MARCH_10, today=MARCH_10)
    with pytest.raises(ValidationError, match="not a qualifying event"):
        offer(alice, group, change, today=MARCH_12)


def test_the_death_of_a_subscriber_covered_alone_leaves_nobody_to_continue(group, alice, plans):
    maria, _, _ = family(group, plans, spouse=False, children=0)
    change = terminate(alice, group, maria, reason="death", on=MARCH_10, today=MARCH_10)
    with pytest.raises(ValidationError, match="nobody may continue coverage"):
        offer(alice, group, change, today=MARCH_12)


def test_only_a_completed_termination_can_be_offered_continuation(group, alice, lopez):
    request = maintenance_services.submit_termination(membership=membership(alice, group), subscriber=lopez[0], reason="end_of_employment",
                                                      termination_date=MARCH_10, acting_user=alice, today=MARCH_10)
    with pytest.raises(ValidationError, match="Only a completed termination"):
        offer(alice, group, request, today=MARCH_12)


# --- Reported on its own, from the subscriber page ----------------------------------------------------------


def report(alice, group, subscriber, kind, event_date, people, today=MARCH_12):
    return services.submit_qualifying_event(membership=membership(alice, group), subscriber=subscriber, kind=kind, event_date=event_date,
                                            people=people, acting_user=alice, today=today)


def test_a_divorce_reported_on_its_own_names_the_spouse_who_lost_coverage(group, alice, lopez):
    maria, carlos, _ = lopez
    terminate(alice, group, maria, dependent=carlos, reason="voluntary", on=date(2026, 2, 20), today=date(2026, 2, 20))
    c = continuation_of(report(alice, group, maria, "divorce", date(2026, 2, 20), [carlos]))
    assert facts(c) == ("cobra", "divorce", date(2026, 2, 20), date(2026, 2, 28), date(2026, 3, 1), 36, date(2029, 2, 28), "pending_election",
                        "GOLDPPO", "FAM")
    assert beneficiaries(c) == [("Carlos", "spouse", None)]


def field_error(error) -> tuple[str, str]:
    """The one field an error is for, and its message."""
    (name, messages), = error.value.message_dict.items()
    return name, messages[0]


@pytest.mark.parametrize("case, field, message", [
    ("still_covered", "members", "Carlos Lopez is still covered: terminate the coverage (or remove the dependent) first, then report the qualifying event."),
    ("subscriber_in_divorce", "members", "The subscriber does not continue coverage through this event: choose only the dependents who lost coverage."),
    ("nobody", "members", "Choose the members who lost coverage."),
    ("unknown_kind", "kind", "Choose a qualifying event from the list."),
])
def test_a_bad_report_is_refused_next_to_its_field_and_saves_nothing(group, alice, lopez, case, field, message):
    maria, carlos, _ = lopez
    kind, event_date, people = {
        "still_covered": ("divorce", MARCH_10, [carlos]),
        "subscriber_in_divorce": ("divorce", MARCH_10, [None, carlos]),
        "nobody": ("divorce", MARCH_10, []),
        "unknown_kind": ("layoff", MARCH_10, [carlos]),
    }[case]
    if case == "subscriber_in_divorce":
        terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    with pytest.raises(ValidationError) as error:
        report(alice, group, maria, kind, event_date, people)
    assert field_error(error) == (field, message)
    assert not Continuation.objects.exists() and not ChangeRequest.objects.filter(kind="qualifying_event").exists()


def test_a_member_not_covered_the_day_before_the_event_is_no_beneficiary(group, alice, lopez):
    maria, _, _ = lopez
    terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    newcomer = factories.DependentFactory(subscriber=maria, first_name="Ana", last_name="Lopez", relationship="child", member_suffix="03")
    with pytest.raises(ValidationError) as error:
        report(alice, group, maria, "end_of_employment", MARCH_10, [None, newcomer])
    assert field_error(error) == ("members", "Ana Lopez was not covered on Mar 9, 2026, the day before the qualifying event: only a member covered then may "
                                              "continue coverage.")


def test_members_who_lost_coverage_on_different_days_are_reported_separately(group, alice, lopez):
    maria, carlos, (lucia,) = lopez
    terminate(alice, group, maria, dependent=lucia, reason="ineligible", on=date(2026, 2, 10), today=date(2026, 2, 10))
    terminate(alice, group, maria, reason="death", on=MARCH_10, today=MARCH_10)
    with pytest.raises(ValidationError) as error:
        report(alice, group, maria, "death", date(2026, 2, 10), [carlos, lucia])
    assert field_error(error) == ("members", "These members lost coverage on different days (Feb 28, 2026, Mar 31, 2026): report each loss of "
                                              "coverage on its own.")


def test_a_loss_of_coverage_is_reported_once(group, alice, lopez):
    maria, _, _ = lopez
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    first = offer(alice, group, change, today=MARCH_12)
    with pytest.raises(ValidationError) as error:
        offer(alice, group, change, today=MARCH_12)
    assert field_error(error) == ("members", "This loss of coverage was already reported (%s)." % first.display_number)
    assert Continuation.objects.count() == 1 and QualifiedBeneficiary.objects.count() == 3


def test_another_group_s_admin_cannot_report_for_this_group_s_subscriber(group, alice, charlie, other_group, lopez):
    with pytest.raises(Subscriber.DoesNotExist):
        services.submit_qualifying_event(membership=membership(charlie, other_group), subscriber=lopez[0], kind="divorce", event_date=MARCH_10,
                                         people=[lopez[1]], acting_user=charlie, today=MARCH_12)


# --- The worker: the election notice -------------------------------------------------------------------------


def test_the_worker_issues_the_notice_and_sets_the_election_deadline(group, alice, lopez, mailoutbox, django_capture_on_commit_callbacks):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    request = offer(alice, group, change, today=MARCH_12)
    with django_capture_on_commit_callbacks(execute=True):
        request = process(request, date(2026, 4, 2))   # the notice comes after the loss: the deadline counts from it
    c = continuation_of(request)
    assert request.status == "completed"
    assert (c.notice_on, c.election_deadline, c.status) == (date(2026, 4, 2), date(2026, 6, 1), "pending_election")
    assert c.notice_file.startswith("notices/") and c.notice_file.endswith(".pdf")
    ready = [m for m in mailoutbox if "ready to print and mail" in m.subject]
    assert len(ready) == 1 and ready[0].to == ["alice@example.com"] and request.display_number in ready[0].subject
    assert "Jun 1, 2026" in ready[0].body and "Carlos" not in ready[0].body  # no member names in email


def test_a_notice_before_the_loss_of_coverage_counts_the_deadline_from_the_loss(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    c = continuation_of(process(offer(alice, group, change, today=MARCH_12), MARCH_12))
    assert (c.notice_on, c.election_deadline) == (MARCH_12, date(2026, 5, 30))   # Mar 31 + 60 days


@pytest.mark.parametrize("reported_on, status", [
    (date(2026, 4, 30), "completed"),     # 30 days after the loss: the employer's last day
    (date(2026, 5, 1), "needs_review"),
])
def test_an_employer_event_reported_after_30_days_goes_to_a_specialist(group, alice, lopez, reported_on, status):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    request = process(offer(alice, group, change, today=reported_on), reported_on)
    assert request.status == status
    assert continuation_of(request).notice_on == (reported_on if status == "completed" else None)


def test_a_specialist_approves_a_late_report_and_the_notice_is_issued(group, alice, lopez, specialist):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    request = process(offer(alice, group, change, today=date(2026, 6, 1)), date(2026, 6, 1))
    assert request.status == "needs_review" and "after Apr 30, 2026" in request.reason
    processors.approve(request, actor=specialist)
    request.refresh_from_db()
    assert request.status == "completed" and continuation_of(request).notice_file


def test_the_worker_rejects_an_event_whose_members_are_covered_again(group, alice, lopez):
    maria = lopez[0]
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    request = offer(alice, group, change, today=MARCH_12)
    reinstated = maintenance_services.submit_reinstatement(membership=membership(alice, group), subscriber=maria, acting_user=alice, today=MARCH_12)
    assert process(reinstated, MARCH_12).status == "completed"
    request = process(request, MARCH_12)
    assert request.status == "rejected" and request.reason.startswith("Maria Lopez is still covered after Mar 31, 2026.")
    assert continuation_of(request).status == "void"
