"""Recording an election: the window at its edges, coverage continued retroactively with no gap and no overlap, each
beneficiary electing independently (a continuation without the subscriber), and bad input refused next to its field."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enrollment.continuation import services
from enrollment.maintenance import services as maintenance_services
from enrollment.maintenance.history import subscriber_history
from enrollment.models import ChangeRequest, Coverage, CoveredMember
from enrollment.tests.cobra_helpers import beneficiaries, continuation_of, continuation_rows, elect, notified, offer, terminate
from enrollment.tests.maintenance_helpers import membership, process
from tests import factories

MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)
DEADLINE = date(2026, 5, 30)  # 60 days after Mar 31, the last day of group coverage (the notice came before it)


@pytest.fixture
def laid_off(group, alice, lopez):
    """Maria's employment ended on Mar 10 (coverage through Mar 31); the notice went out on Mar 12."""
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    return notified(alice, group, change, today=MARCH_12)


def field_error(error) -> tuple[str, str]:
    (name, messages), = error.value.message_dict.items()
    return name, messages[0]


def test_every_member_elects_and_coverage_continues_from_the_day_after_the_loss_with_no_gap(group, alice, lopez, laid_off):
    maria, carlos, (lucia,) = lopez
    request = elect(alice, group, laid_off, keys=["S", "D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 5, 20), today=date(2026, 5, 21))
    assert request.status == "completed", request.reason
    assert continuation_rows(maria) == [
        (date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", True, False, ("Carlos", "Lucia")),
        (date(2026, 4, 1), None, "FAM", "active", True, True, ("Carlos", "Lucia")),   # retroactive: elected on May 20
    ]
    laid_off.refresh_from_db()
    assert (laid_off.status, laid_off.elected_on, laid_off.election_request_id) == ("continuing", date(2026, 5, 20), request.pk)
    assert beneficiaries(laid_off) == [("Maria", "subscriber", True), ("Carlos", "spouse", True), ("Lucia", "child", True)]
    assert request.coverage.continuation_id == laid_off.pk
    assert request.snapshot["premium"] == "1836.00" and request.snapshot["first_payment_due"] == "2026-07-04"   # 102% of 1,800.00; May 20 + 45


@pytest.mark.parametrize("elected_on, today, accepted", [
    (DEADLINE, date(2026, 6, 2), True),                         # the last day, recorded later: accepted (the form's date counts)
    (DEADLINE + timedelta(days=1), date(2026, 6, 2), False),    # the day after: refused
    (MARCH_10, MARCH_12, True),                                  # the event day itself
])
def test_the_election_window_at_its_edges(group, alice, lopez, laid_off, elected_on, today, accepted):
    keys = ["S"]
    if accepted:
        assert elect(alice, group, laid_off, keys=keys, elected_on=elected_on, today=today).status == "completed"
        return
    with pytest.raises(ValidationError) as error:
        services.submit_election(membership=membership(alice, group), continuation=laid_off, elected_on=elected_on, electing=keys,
                                 acting_user=alice, today=today)
    assert field_error(error) == ("elected_on", "The election period closed on May 30, 2026: an election made after it cannot be accepted.")
    assert not ChangeRequest.objects.filter(kind="continuation_election").exists() and not Coverage.objects.filter(continuation__isnull=False).exists()


def test_each_beneficiary_elects_independently_and_a_family_without_the_subscriber_pays_ec(group, alice, lopez, laid_off):
    maria, carlos, (lucia,) = lopez
    request = elect(alice, group, laid_off, keys=["D%d" % carlos.pk, "D%d" % lucia.pk], elected_on=date(2026, 4, 20), today=date(2026, 4, 20))
    assert request.status == "completed"
    assert continuation_rows(maria)[1] == (date(2026, 4, 1), None, "EC", "active", False, True, ("Carlos", "Lucia"))
    assert beneficiaries(laid_off) == [("Maria", "subscriber", False), ("Carlos", "spouse", True), ("Lucia", "child", True)]
    assert request.snapshot["tier"] == "EC" and request.snapshot["premium"] == "1101.60"   # 102% of 1,080.00


def test_a_divorced_spouse_continues_beside_the_subscriber_s_own_coverage(group, alice, lopez):
    maria, carlos, (lucia,) = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    assert elect(alice, group, continuation, keys=["D%d" % carlos.pk], elected_on=date(2026, 4, 2), today=date(2026, 4, 2)).status == "completed"
    assert continuation_rows(maria) == [
        (date(2026, 1, 1), date(2026, 3, 31), "FAM", "active", True, False, ("Carlos", "Lucia")),
        (date(2026, 4, 1), None, "EC", "active", True, False, ("Lucia",)),         # Maria's own coverage goes on
        (date(2026, 4, 1), None, "EE", "active", False, True, ("Carlos",)),         # Carlos alone, from the day after: EE
    ]


def test_the_database_refuses_a_subscriber_covered_twice_on_one_day(group, alice, lopez, laid_off):
    maria, carlos, (lucia,) = lopez
    elect(alice, group, laid_off, keys=["S"], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(group=group, subscriber=maria, plan=laid_off.plan, plan_year=2026, tier="EE", start=date(2026, 5, 1),
                                status="active")
    with pytest.raises(IntegrityError), transaction.atomic():   # nor two rows of one continuation at once
        Coverage.objects.create(group=group, subscriber=maria, plan=laid_off.plan, plan_year=2026, tier="EE", start=date(2026, 6, 1),
                                status="active", continuation=laid_off, covers_subscriber=False)
    with pytest.raises(IntegrityError), transaction.atomic():   # only a continuation may leave the subscriber out
        Coverage.objects.create(group=group, subscriber=maria, plan=laid_off.plan, plan_year=2026, tier="EE", start=date(2026, 6, 1),
                                status="active", covers_subscriber=False)


def test_a_reinstatement_is_refused_while_the_subscriber_continues_under_cobra(group, alice, lopez, laid_off):
    elect(alice, group, laid_off, keys=["S"], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    with pytest.raises(ValidationError, match="continues coverage under COBRA"):
        maintenance_services.submit_reinstatement(membership=membership(alice, group), subscriber=lopez[0], acting_user=alice, today=date(2026, 4, 2))


# --- Bad input: a clear message next to the field, nothing saved ---------------------------------------------------


def refused(alice, group, continuation, keys, elected_on=date(2026, 4, 20), today=date(2026, 4, 20)):
    before = (ChangeRequest.objects.count(), Coverage.objects.count(), CoveredMember.objects.count())
    with pytest.raises(ValidationError) as error:
        services.submit_election(membership=membership(alice, group), continuation=continuation, elected_on=elected_on, electing=keys,
                                 acting_user=alice, today=today)
    assert (ChangeRequest.objects.count(), Coverage.objects.count(), CoveredMember.objects.count()) == before
    return error


def test_a_member_not_covered_the_day_before_the_event_cannot_elect(group, alice, lopez, laid_off):
    newborn = factories.DependentFactory(subscriber=lopez[0], first_name="Ana", last_name="Lopez", date_of_birth=date(2026, 4, 3), member_suffix="03")
    error = refused(alice, group, laid_off, ["S", "D%d" % newborn.pk])
    assert field_error(error) == ("beneficiaries", "Ana Lopez was not covered on Mar 9, 2026, the day before the qualifying event: only a qualified "
                                                   "beneficiary may elect.")


def test_a_member_who_kept_the_group_coverage_cannot_elect(group, alice, lopez):
    maria, carlos, (lucia,) = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    error = refused(alice, group, continuation, ["D%d" % carlos.pk, "D%d" % lucia.pk])
    assert field_error(error) == ("beneficiaries", "Lucia Lopez did not lose coverage through this qualifying event: only a qualified beneficiary may elect.")


def test_a_second_election_is_refused(group, alice, lopez, laid_off):
    elect(alice, group, laid_off, keys=["S"], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    laid_off.refresh_from_db()
    error = refused(alice, group, laid_off, ["D%d" % lopez[1].pk])
    assert field_error(error) == ("beneficiaries", "An election was already recorded for this qualifying event on Apr 2, 2026: a second one cannot be.")


def test_a_second_election_is_refused_while_the_first_waits_for_the_worker(group, alice, lopez, laid_off):
    first = services.submit_election(membership=membership(alice, group), continuation=laid_off, elected_on=date(2026, 4, 2), electing=["S"],
                                     acting_user=alice, today=date(2026, 4, 2))
    error = refused(alice, group, laid_off, ["S"])
    assert field_error(error) == ("beneficiaries", "An election for this qualifying event is already open (%s): a second one cannot be." % first.display_number)


def test_an_election_needs_someone_and_the_notice(group, alice, lopez):
    assert field_error(refused(alice, group, notified_later(group, alice, lopez), [])) == ("beneficiaries", "Choose who elects continuation coverage.")


def notified_later(group, alice, lopez):
    """A continuation whose notice was issued (the fixture's path), for the empty-choice case."""
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    return notified(alice, group, change, today=MARCH_12)


def test_an_election_before_the_notice_is_issued_is_refused(group, alice, lopez):
    change = terminate(alice, group, lopez[0], reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = continuation_of(offer(alice, group, change, today=MARCH_12))   # not processed: no notice yet
    error = refused(alice, group, continuation, ["S"])
    assert error.value.messages == ["The election notice has not been issued yet: record the election once it is."]


def test_the_worker_rejects_an_election_whose_member_is_covered_again(group, alice, lopez, laid_off):
    request = services.submit_election(membership=membership(alice, group), continuation=laid_off, elected_on=date(2026, 4, 2), electing=["S"],
                                       acting_user=alice, today=date(2026, 4, 2))
    # Meanwhile a specialist gave Maria her group coverage back (a row from Apr 1).
    Coverage.objects.create(group=group, subscriber=lopez[0], plan=laid_off.plan, plan_year=2026, tier="EE", start=date(2026, 4, 1), status="active")
    request = process(request, date(2026, 4, 2))
    assert request.status == "rejected" and request.reason == "Maria Lopez is covered by the group coverage after Mar 31, 2026."
    laid_off.refresh_from_db()
    assert laid_off.status == "pending_election" and not Coverage.objects.filter(continuation=laid_off).exists()


def test_history_names_the_continuation_coverage_and_who_it_covers(group, alice, lopez):
    maria, carlos, _ = lopez
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    request = elect(alice, group, continuation, keys=["D%d" % carlos.pk], elected_on=date(2026, 4, 2), today=date(2026, 4, 2))
    (added,) = [c for c in subscriber_history(maria) if c.new.startswith("Continuation coverage")]
    assert added.new == "Continuation coverage: Gold PPO, EE, Apr 1, 2026 to no end date (Active); covers Carlos Lopez"
    assert added.confirmation_number == request.confirmation_number
