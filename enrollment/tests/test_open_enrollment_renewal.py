"""The renewal (run_renewals and its beat task) on a mixed group: the exact coverages after it, and again."""

import threading
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from enrollment import open_enrollment, renewals, services
from enrollment.models import ChangeRequest, Coverage, CoveredMember, OpenEnrollmentElection, Subscriber
from enrollment.tasks import run_due_renewals
from enrollment.tests.oe_helpers import LAST_DAY, RENEWAL, TODAY, coverages, election, noon, set_up, subscriber

SPOUSE = ("Robin", "spouse", date(1972, 8, 1))
KID = ("Ada", "child", date(2012, 4, 2))
AGEING_KID = ("Theo", "child", date(2000, 12, 10))  # eligible through 31 December 2026
DAC = ("Jordan", "disabled_adult_child", date(1995, 1, 5))
JAN = date(2026, 1, 1)


def mixed_group(group, alice, capture):
    """Kept, changed, declined, silent, a discontinued plan with a successor, a child ageing out, and the rest."""
    oe = set_up(group)
    people = {
        "kept": subscriber(group, oe.salaried, oe.gold, last_name="Kept", dependents=[SPOUSE]),
        "changed": subscriber(group, oe.salaried, oe.gold, last_name="Changed", dependents=[KID]),
        "declined": subscriber(group, oe.hourly, oe.gold, last_name="Declined", dependents=[SPOUSE, KID]),
        "silent": subscriber(group, oe.salaried, oe.silver, last_name="Silent", dependents=[SPOUSE, KID]),
        "silent_hourly": subscriber(group, oe.hourly, oe.gold, last_name="Quiet"),
        "discontinued": subscriber(group, oe.hourly, oe.bronze_old, last_name="Bronze", dependents=[KID]),
        "ageing": subscriber(group, oe.salaried, oe.gold, last_name="Ageing", dependents=[SPOUSE, AGEING_KID, KID]),
        "ageing_alone": subscriber(group, oe.salaried, oe.gold, last_name="Alone", dependents=[AGEING_KID, DAC]),
        "no_successor": subscriber(group, oe.salaried, oe.legacy, last_name="Legacy"),
        "terminated": subscriber(group, oe.salaried, oe.gold, last_name="Gone", end=date(2026, 6, 30), reason="end_of_employment"),
        "new_hire": subscriber(group, oe.salaried, oe.gold, last_name="Newhire", start=RENEWAL, plan_year=2027),
        "waiting": subscriber(group, oe.salaried, oe.gold, last_name="Waiting"),
    }
    with capture(execute=True):
        open_enrollment.keep_existing_coverage(group=group, subscriber_pk=people["kept"].pk, acting_user=alice, today=TODAY)
        open_enrollment.decline_coverage(group=group, subscriber_pk=people["declined"].pk, reason="other_group",
                                         alternate_plan_name="Aetna Choice", acting_user=alice, today=TODAY)
    changed_draft = open_enrollment.start_begin_enrollment(group=group, subscriber_pk=people["changed"].pk, acting_user=alice, today=TODAY)
    services.save_plan_step(draft=changed_draft, cleaned_data={"plan": oe.silver, "coverage_start": RENEWAL})
    saved = changed_draft.data["dependents"][0]
    services.save_dependents_step(draft=changed_draft, done=True, cleaned_forms=[{
        "key": saved["key"], "first_name": "Ada", "middle_initial": "", "last_name": "Changed", "gender": "M",
        "date_of_birth": date(2012, 4, 2), "relationship": "child", "elect_coverage": True, "ssn": "",
        "has_other_coverage": False, "other_carrier": "", "other_policy_number": "",
    }])
    with capture(execute=True):
        services.confirm_new_enrollment(group=group, draft_id=changed_draft.pk, acting_user=alice, today=TODAY)
    with capture(execute=False):  # confirmed, but the worker has not reached it
        open_enrollment.keep_existing_coverage(group=group, subscriber_pk=people["waiting"].pk, acting_user=alice, today=TODAY)
    return oe, people


EXPECTED = {
    "kept": [("GOLD", 2026, "ES", JAN, LAST_DAY, "active", "replaced", ["Robin"]), ("GOLD", 2027, "ES", RENEWAL, None, "active", "", ["Robin"])],
    "changed": [("GOLD", 2026, "EC", JAN, LAST_DAY, "active", "replaced", ["Ada"]), ("SILVER", 2027, "EC", RENEWAL, None, "active", "", ["Ada"])],
    "declined": [("GOLD", 2026, "FAM", JAN, LAST_DAY, "active", "declined", ["Ada", "Robin"])],
    "silent": [("SILVER", 2026, "FAM", JAN, LAST_DAY, "active", "replaced", ["Ada", "Robin"]),
               ("SILVER", 2027, "FAM", RENEWAL, None, "active", "", ["Ada", "Robin"])],
    "silent_hourly": [("GOLD", 2026, "EE", JAN, LAST_DAY, "active", "replaced", []), ("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])],
    "discontinued": [("BRONZE-OLD", 2026, "EC", JAN, LAST_DAY, "active", "replaced", ["Ada"]),
                     ("BRONZE-NEW", 2027, "EC", RENEWAL, None, "active", "", ["Ada"])],
    "ageing": [("GOLD", 2026, "FAM", JAN, LAST_DAY, "active", "replaced", ["Ada", "Robin", "Theo"]),
               ("GOLD", 2027, "FAM", RENEWAL, None, "active", "", ["Ada", "Robin"])],
    "ageing_alone": [("GOLD", 2026, "EC", JAN, LAST_DAY, "active", "replaced", ["Jordan", "Theo"]),
                     ("GOLD", 2027, "EC", RENEWAL, None, "active", "", ["Jordan"])],
    "no_successor": [("LEGACY", 2026, "EE", JAN, None, "active", "", [])],  # flagged, left to a specialist
    "terminated": [("GOLD", 2026, "EE", JAN, date(2026, 6, 30), "active", "end_of_employment", [])],
    "new_hire": [("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])],
    "waiting": [("GOLD", 2026, "EE", JAN, None, "active", "", [])],  # its Keep waits for the worker
}


@pytest.mark.django_db
def test_the_renewal_of_a_mixed_group_writes_exactly_these_coverages(group, alice, django_capture_on_commit_callbacks):
    oe, people = mixed_group(group, alice, django_capture_on_commit_callbacks)
    summary = renewals.run_renewal(group, RENEWAL, batch_size=3)  # several batches
    assert {name: coverages(sub) for name, sub in people.items()} == EXPECTED
    assert (summary.kept, summary.changed, summary.declined, summary.carried_over, summary.carried_over_now) == (1, 1, 1, 5, 5)
    assert (summary.flagged, summary.children_left_out, summary.waiting) == (1, 2, 1)
    auto = election(people["ageing"])
    assert (auto.choice, auto.plan, auto.request) == ("auto", oe.gold, None)
    assert auto.flags == ["Theo Ageing: past the end of the month they turn 26 (eligible through Dec 31, 2026); left out, the tier follows."]
    assert election(people["discontinued"]).flags == ["BRONZE-OLD is not offered in plan year 2027: carried over to the successor plan BRONZE-NEW."]
    flagged = election(people["no_successor"])
    assert (flagged.choice, flagged.plan, flagged.coverage) == ("auto", None, None)
    assert "LEGACY is not offered to this subscriber's subgroup for plan year 2027 and has no successor offered" in flagged.flags[0]
    assert election(people["terminated"]) is None and election(people["new_hire"]) is None and election(people["waiting"]) is None


def everything():
    return {
        "coverages": sorted(Coverage.objects.values_list("pk", "subscriber_id", "plan_id", "plan_year", "tier", "start", "end", "status",
                                                         "termination_reason")),
        "members": sorted(CoveredMember.objects.values_list("coverage_id", "dependent_id")),
        "elections": sorted(OpenEnrollmentElection.objects.values_list("pk", "subscriber_id", "choice", "plan_id", "coverage_id",
                                                                       "ended_coverage_id", "flags", "created_at")),
    }


@pytest.mark.django_db
def test_running_the_renewal_again_writes_nothing_new(group, alice, django_capture_on_commit_callbacks):
    mixed_group(group, alice, django_capture_on_commit_callbacks)
    renewals.run_renewal(group, RENEWAL)
    first = everything()
    again = renewals.run_renewal(group, RENEWAL)
    assert everything() == first
    assert (again.carried_over, again.carried_over_now, again.flagged) == (5, 0, 1)


@pytest.mark.django_db(transaction=True)
def test_two_renewals_at_once_do_not_double_anything(group, alice, django_capture_on_commit_callbacks):
    oe = set_up(group)
    people = [subscriber(group, oe.salaried, oe.gold, last_name="Same%02d" % n, dependents=[KID]) for n in range(40)]
    errors = []

    def renew():
        try:
            renewals.run_renewal(group, RENEWAL, batch_size=7)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=renew) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Coverage.objects.filter(start=RENEWAL).count() == 40
    assert OpenEnrollmentElection.objects.count() == 40
    assert coverages(people[0]) == [("GOLD", 2026, "EC", JAN, LAST_DAY, "active", "replaced", ["Ada"]),
                                    ("GOLD", 2027, "EC", RENEWAL, None, "active", "", ["Ada"])]


@pytest.mark.django_db
def test_a_flagged_subscriber_carries_over_once_the_carrier_offers_a_plan(group, alice, django_capture_on_commit_callbacks):
    oe = set_up(group)
    sub = subscriber(group, oe.salaried, oe.legacy, last_name="Legacy")
    assert renewals.run_renewal(group, RENEWAL).flagged == 1
    oe.legacy.successor = oe.gold
    oe.legacy.save()
    summary = renewals.run_renewal(group, RENEWAL)
    assert (summary.flagged, summary.carried_over_now) == (0, 1)
    assert coverages(sub) == [("LEGACY", 2026, "EE", JAN, LAST_DAY, "active", "replaced", []), ("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])]
    assert election(sub).flags == ["LEGACY is not offered in plan year 2027: carried over to the successor plan GOLD."]


@pytest.mark.django_db
def test_the_command_runs_the_groups_renewing_on_the_date_and_prints_the_summary(group, alice, django_capture_on_commit_callbacks):
    oe = set_up(group)
    subscriber(group, oe.salaried, oe.gold, last_name="Silent")
    out, err = StringIO(), StringIO()
    call_command("run_renewals", "--date", "2027-01-01", "--group", group.group_number, stdout=out, stderr=err)
    assert "104522 renewal 2027-01-01 (plan year 2027): kept 0, changed 0, declined 0, carried over 1 (1 by this run), flagged 0" in out.getvalue()
    assert "104522: 1 / 1 subscribers renewed" in err.getvalue()
    out = StringIO()
    call_command("run_renewals", "--date", "2027-01-01", stdout=out, stderr=StringIO())
    assert "carried over 1 (0 by this run)" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["--date", "2027-01-02"], "A renewal date is the first of a month"),
    (["--date", "2027-02-01", "--group", "104522"], "Group 104522 does not renew on 2027-02-01."),
    (["--group", "999999"], "No active group 999999."),
])
def test_the_command_refuses_what_is_not_a_renewal(group, args, message):
    set_up(group)
    with pytest.raises(CommandError, match=message):
        call_command("run_renewals", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_without_a_date_the_command_renews_the_groups_whose_renewal_is_today_in_their_time_zone(group):
    oe = set_up(group)
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Silent")
    out = StringIO()
    with time_machine.travel(noon(LAST_DAY), tick=False):
        call_command("run_renewals", stdout=out, stderr=StringIO())
    assert "No group renews today." in out.getvalue()
    with time_machine.travel(noon(RENEWAL), tick=False):
        call_command("run_renewals", stdout=out, stderr=StringIO())
    assert coverages(sub)[-1] == ("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])


@pytest.mark.django_db
def test_the_renewal_waits_for_midnight_in_the_groups_time_zone(group):
    oe = set_up(group)
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Eastern")
    # 11:30 p.m. on 31 December in Los Angeles is already 1 January in New York.
    with time_machine.travel("2027-01-01 07:30:00+00:00", tick=False):
        assert run_due_renewals.delay().get() == []  # the group is in Los Angeles (the default)
        group.time_zone = "America/New_York"
        group.save()
        assert [line.startswith("104522 renewal 2027-01-01") for line in run_due_renewals.delay().get()] == [True]
    assert coverages(sub)[-1][3] == RENEWAL


@pytest.mark.worker
def test_a_real_worker_runs_the_daily_renewal_task(celery_worker_redis, wait, group):
    oe = set_up(group)
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Worker")
    with time_machine.travel(noon(RENEWAL), tick=True):
        run_due_renewals.delay()
        assert wait(lambda: Coverage.objects.filter(subscriber=sub, start=RENEWAL).exists())
    assert coverages(sub) == [("GOLD", 2026, "EE", JAN, LAST_DAY, "active", "replaced", []), ("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])]
    assert ChangeRequest.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_the_worker_holds_is_left_for_the_next_run(group):
    oe = set_up(group)
    held = subscriber(group, oe.salaried, oe.gold, last_name="Held")
    other = subscriber(group, oe.salaried, oe.gold, last_name="Free")
    locked, release = threading.Event(), threading.Event()

    def hold():  # what the worker does while it applies an option: the subscriber row locked
        with transaction.atomic():
            Subscriber.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    locked.wait(10)
    summary = renewals.run_renewal(group, RENEWAL)
    release.set()
    thread.join()
    assert (summary.carried_over_now, summary.left) == (1, 1)
    assert coverages(held) == [("GOLD", 2026, "EE", JAN, None, "active", "", [])]
    assert coverages(other)[-1][3] == RENEWAL
    again = renewals.run_renewal(group, RENEWAL)
    assert (again.carried_over_now, again.left) == (1, 0)
    assert coverages(held)[-1] == ("GOLD", 2027, "EE", RENEWAL, None, "active", "", [])
