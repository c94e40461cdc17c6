"""Each open-enrollment option end to end at the service level: confirm, the worker, the exact coverage rows after it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import open_enrollment, processors, renewals, services
from enrollment.models import ChangeRequest, Coverage, CoveredMember, Dependent, EnrollmentDraft, PlanOffering, Subscriber
from enrollment.tests.oe_helpers import LAST_DAY, RENEWAL, TODAY, coverages, election, set_up, subscriber
from tests import factories

pytestmark = pytest.mark.django_db

SPOUSE = ("Robin", "spouse", date(1972, 8, 1))
KID = ("Ada", "child", date(2012, 4, 2))
AGEING_KID = ("Theo", "child", date(2000, 12, 10))  # turns 26 on 10 December 2026: eligible through 31 December


@pytest.fixture
def oe(group):
    return set_up(group)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and let the worker process what it submitted (Celery runs eagerly on commit)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**kwargs)
        if isinstance(result, ChangeRequest):
            result.refresh_from_db()
        return result

    return call


def keep(run, group, alice, sub, today=TODAY):
    return run(open_enrollment.keep_existing_coverage, group=group, subscriber_pk=sub.pk, acting_user=alice, today=today)


def decline(run, group, alice, sub, reason="spouse_plan", name="Kaiser Silver", today=TODAY):
    return run(open_enrollment.decline_coverage, group=group, subscriber_pk=sub.pk, reason=reason, alternate_plan_name=name,
               acting_user=alice, today=today)


# --- Keep Existing Coverage ----------------------------------------------------------------------------


def test_keep_ends_this_years_coverage_the_day_before_renewal_and_starts_the_same_plan_on_it(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Keeper", dependents=[SPOUSE])
    request = keep(run, group, alice, sub)
    assert request.status == "completed" and request.kind == "oe_keep"
    assert list(request.events.values_list("status", flat=True)) == ["received", "processing", "completed"]
    assert coverages(sub) == [
        ("GOLD", 2026, "ES", date(2026, 1, 1), LAST_DAY, "active", "replaced", ["Robin"]),
        ("GOLD", 2027, "ES", RENEWAL, None, "active", "", ["Robin"]),
    ]
    snap = request.snapshot
    assert (snap["plan_year"], snap["renewal_date"], snap["tier"]) == (2027, "2027-01-01", "ES")
    assert (snap["current"]["monthly_premium"], snap["monthly_premium"], snap["difference"]) == ("1000.00", "1060.00", "60.00")
    made = election(sub)
    assert (made.choice, made.plan, made.request) == ("keep", oe.gold, request)
    assert made.coverage == Coverage.objects.get(subscriber=sub, start=RENEWAL)
    assert made.ended_coverage == Coverage.objects.get(subscriber=sub, plan_year=2026)
    assert request.coverage == made.coverage


def test_keep_moves_a_discontinued_plan_to_the_carriers_successor_at_the_new_years_rate(group, alice, oe, run):
    sub = subscriber(group, oe.hourly, oe.bronze_old, last_name="Successor", dependents=[KID])
    request = keep(run, group, alice, sub)
    assert coverages(sub) == [
        ("BRONZE-OLD", 2026, "EC", date(2026, 1, 1), LAST_DAY, "active", "replaced", ["Ada"]),
        ("BRONZE-NEW", 2027, "EC", RENEWAL, None, "active", "", ["Ada"]),
    ]
    assert request.snapshot["plan"]["via_successor"] is True
    assert (request.snapshot["current"]["monthly_premium"], request.snapshot["monthly_premium"]) == ("540.00", "576.00")
    assert request.snapshot["flags"] == ["Bronze Old HMO is not offered in plan year 2027: the carrier's successor plan Bronze New HMO takes its place."]


def test_keep_leaves_out_a_child_ageing_out_at_renewal_and_the_tier_follows(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Ageing", dependents=[SPOUSE, AGEING_KID])
    request = keep(run, group, alice, sub)
    assert coverages(sub) == [
        ("GOLD", 2026, "FAM", date(2026, 1, 1), LAST_DAY, "active", "replaced", ["Robin", "Theo"]),
        ("GOLD", 2027, "ES", RENEWAL, None, "active", "", ["Robin"]),
    ]
    assert request.snapshot["left_out"][0]["name"] == "Theo Ageing"
    assert "Turns 26 on Dec 10, 2026: eligible as a child only through Dec 31, 2026" in request.snapshot["flags"][0]
    assert request.snapshot["difference"] == "-440.00"  # FAM 1,500.00 this year, ES 1,060.00 next


def test_keep_is_refused_when_the_plan_has_no_successor_offered_and_saves_nothing(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.legacy, last_name="Legacy")
    with pytest.raises(ValidationError) as error:
        keep(run, group, alice, sub)
    assert error.value.code == "cannot_carry_over"
    assert "Legacy EPO is not offered to Salaried for plan year 2027" in error.value.messages[0]
    assert not ChangeRequest.objects.exists()
    assert coverages(sub) == [("LEGACY", 2026, "EE", date(2026, 1, 1), None, "active", "", [])]


# --- Decline Coverage -------------------------------------------------------------------------------


def test_decline_ends_coverage_the_day_before_renewal_and_writes_nothing_after(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Decliner", dependents=[SPOUSE, KID])
    request = decline(run, group, alice, sub, reason="other_group", name="Aetna Choice POS")
    assert request.status == "completed" and request.kind == "oe_decline"
    assert coverages(sub) == [("GOLD", 2026, "FAM", date(2026, 1, 1), LAST_DAY, "active", "declined", ["Ada", "Robin"])]
    made = election(sub)
    assert (made.choice, made.plan, made.decline_reason, made.alternate_plan_name, made.coverage) == (
        "decline", None, "other_group", "Aetna Choice POS", None)
    assert (request.snapshot["reason_label"], request.snapshot["coverage_ends"]) == ("Other group coverage", "2026-12-31")


@pytest.mark.parametrize("reason, name, field", [("", "", "reason"), ("spouse_plan", "", "alternate_plan_name"), ("nonsense", "", "reason")])
def test_decline_without_what_the_reason_needs_is_refused_next_to_the_field(group, alice, oe, run, reason, name, field):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Decliner")
    with pytest.raises(ValidationError) as error:
        decline(run, group, alice, sub, reason=reason, name=name)
    assert list(error.value.error_dict) == [field]
    assert not ChangeRequest.objects.exists()


def test_decline_for_medicare_needs_no_plan_name(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Senior")
    assert decline(run, group, alice, sub, reason="medicare", name="").status == "completed"


# --- Begin Enrollment ---------------------------------------------------------------------------------


def test_begin_enrollment_prefills_the_wizard_with_the_subscriber_and_the_dependents_still_eligible(group, alice, oe):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Beginner", dependents=[SPOUSE, KID, AGEING_KID], covered={"Robin", "Theo"})
    draft = open_enrollment.start_begin_enrollment(group=group, subscriber_pk=sub.pk, acting_user=alice, today=TODAY)
    data = draft.data
    assert (data["mode"], data["subscriber_pk"], data["plan_year"], data["renewal_date"]) == ("oe_begin", sub.pk, 2027, "2027-01-01")
    assert [(d["first_name"], d["elect_coverage"]) for d in data["dependents"]] == [("Robin", True), ("Ada", False)]
    assert data["flags"] == ["Theo Beginner: Turns 26 on Dec 10, 2026: eligible as a child only through Dec 31, 2026, "
                             "so not carried over into the new plan year."]
    assert data["subscriber"]["subgroup_id"] == oe.salaried.pk and "plan" not in data
    again = open_enrollment.start_begin_enrollment(group=group, subscriber_pk=sub.pk, acting_user=alice, today=TODAY)
    assert again == draft  # the admin's unconfirmed draft is continued


def walk_begin(group, alice, sub, plan, dependents):
    """Begin Enrollment through the wizard's own steps (the services behind its forms)."""
    draft = open_enrollment.start_begin_enrollment(group=group, subscriber_pk=sub.pk, acting_user=alice, today=TODAY)
    services.save_plan_step(draft=draft, cleaned_data={"plan": plan, "coverage_start": RENEWAL})
    services.save_dependents_step(draft=draft, cleaned_forms=dependents(draft.data["dependents"]), done=True)
    return draft


def form_data(saved, **changes):
    """A dependent's cleaned data as the dependents step posts it back."""
    data = {k: saved[k] for k in ("key", "first_name", "middle_initial", "last_name", "gender", "relationship")}
    data.update(date_of_birth=date.fromisoformat(saved["date_of_birth"]), elect_coverage=saved["elect_coverage"], ssn="",
                has_other_coverage=False, other_carrier="", other_policy_number="")
    data.update(changes)
    return data


NEWBORN = {"key": "", "first_name": "Nova", "middle_initial": "", "last_name": "Beginner", "gender": "F",
           "date_of_birth": date(2026, 11, 20), "relationship": "child", "elect_coverage": True, "ssn": "",
           "has_other_coverage": False, "other_carrier": "", "other_policy_number": ""}


def test_begin_enrollment_to_another_plan_keeps_one_subscriber_and_adds_the_new_dependent(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Beginner", dependents=[SPOUSE, KID])
    draft = walk_begin(group, alice, sub, oe.silver, lambda saved: [
        form_data(saved[0]),
        form_data(saved[1], elect_coverage=False, has_other_coverage=True, other_carrier="Kaiser", other_policy_number="KP-1"),
        NEWBORN,
    ])
    request = run(services.confirm_new_enrollment, group=group, draft_id=draft.pk, acting_user=alice, today=TODAY)
    assert (request.kind, request.status) == ("oe_begin", "completed")
    assert Subscriber.objects.count() == 1
    assert coverages(sub) == [
        ("GOLD", 2026, "FAM", date(2026, 1, 1), LAST_DAY, "active", "replaced", ["Ada", "Robin"]),
        ("SILVER", 2027, "FAM", RENEWAL, None, "active", "", ["Nova", "Robin"]),
    ]
    assert list(Dependent.objects.filter(subscriber=sub).order_by("member_suffix").values_list("first_name", "member_suffix")) == [
        ("Robin", "01"), ("Ada", "02"), ("Nova", "03"),
    ]
    ada = Dependent.objects.get(first_name="Ada")
    assert (ada.has_other_coverage, ada.other_carrier, ada.other_policy_number) == (True, "Kaiser", "KP-1")
    assert (request.snapshot["monthly_premium"], request.snapshot["current"]["monthly_premium"]) == ("1260.00", "1500.00")
    assert (election(sub).choice, election(sub).plan) == ("begin", oe.silver)
    draft.refresh_from_db()
    assert draft.request == request


def test_begin_enrollment_offers_only_the_new_years_plans_of_the_subgroup(group, alice, oe, run):
    sub = subscriber(group, oe.hourly, oe.gold, last_name="Hourly")
    draft = walk_begin(group, alice, sub, oe.silver, lambda saved: [])  # Silver is the Salaried subgroup's only
    with pytest.raises(ValidationError) as error:
        run(services.confirm_new_enrollment, group=group, draft_id=draft.pk, acting_user=alice, today=TODAY)
    assert "The chosen plan is not offered to Hourly for plan year 2027." in error.value.messages
    assert not ChangeRequest.objects.exists()


# --- Superseding ---------------------------------------------------------------------------------------


def test_a_second_option_supersedes_the_first_and_only_the_latest_takes_effect(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Changer", dependents=[SPOUSE])
    first = keep(run, group, alice, sub)
    second = decline(run, group, alice, sub, reason="medicare", name="")
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "completed")
    assert list(first.events.values_list("status", flat=True)) == ["received", "processing", "completed", "superseded"]
    assert first.events.last().note == "Superseded by %s." % second.display_number
    assert coverages(sub) == [
        ("GOLD", 2026, "ES", date(2026, 1, 1), LAST_DAY, "active", "declined", ["Robin"]),
        ("GOLD", 2027, "ES", RENEWAL, None, "void", "", ["Robin"]),
    ]
    made = election(sub)
    assert (made.choice, made.request, made.coverage) == ("decline", second, None)
    third = keep(run, group, alice, sub)
    second.refresh_from_db()
    assert (second.status, third.status) == ("superseded", "completed")
    assert coverages(sub) == [
        ("GOLD", 2026, "ES", date(2026, 1, 1), LAST_DAY, "active", "replaced", ["Robin"]),
        ("GOLD", 2027, "ES", RENEWAL, None, "void", "", ["Robin"]),
        ("GOLD", 2027, "ES", RENEWAL, None, "active", "", ["Robin"]),
    ]
    assert ChangeRequest.objects.filter(subscriber=sub).count() == 3  # every request is kept


def test_an_earlier_option_not_yet_processed_is_superseded_and_never_applied(group, alice, oe, run, django_capture_on_commit_callbacks):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Waiting")
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not reached it
        first = open_enrollment.keep_existing_coverage(group=group, subscriber_pk=sub.pk, acting_user=alice, today=TODAY)
    second = decline(run, group, alice, sub, reason="medicaid", name="")
    processors.process(first.pk, today=TODAY)  # its turn comes at last
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "completed")
    assert list(first.events.values_list("status", flat=True)) == ["received", "superseded"]
    assert coverages(sub) == [("GOLD", 2026, "EE", date(2026, 1, 1), LAST_DAY, "active", "declined", [])]


def test_an_option_supersedes_an_early_automatic_carry_over(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Early")
    renewals.run_renewal(group, RENEWAL)  # operations ran the renewal before the window closed
    request = keep(run, group, alice, sub)
    assert request.status == "completed"
    assert coverages(sub) == [
        ("GOLD", 2026, "EE", date(2026, 1, 1), LAST_DAY, "active", "replaced", []),
        ("GOLD", 2027, "EE", RENEWAL, None, "void", "", []),
        ("GOLD", 2027, "EE", RENEWAL, None, "active", "", []),
    ]
    assert election(sub).choice == "keep"


# --- What the service refuses ------------------------------------------------------------------------


@pytest.mark.parametrize("today", [date(2026, 11, 30), RENEWAL, date(2027, 3, 1)])
def test_no_option_outside_the_window_and_nothing_is_saved(group, alice, oe, run, today):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Late")
    for call in (
        lambda: keep(run, group, alice, sub, today=today),
        lambda: decline(run, group, alice, sub, today=today),
        lambda: open_enrollment.start_begin_enrollment(group=group, subscriber_pk=sub.pk, acting_user=alice, today=today),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.code == "outside_open_enrollment"
    assert not ChangeRequest.objects.exists() and not EnrollmentDraft.objects.exists()
    assert coverages(sub) == [("GOLD", 2026, "EE", date(2026, 1, 1), None, "active", "", [])]


def test_confirming_a_begin_enrollment_after_the_window_closed_is_refused(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Slow")
    draft = walk_begin(group, alice, sub, oe.gold, lambda saved: [])
    with pytest.raises(ValidationError) as error:
        run(services.confirm_new_enrollment, group=group, draft_id=draft.pk, acting_user=alice, today=RENEWAL)
    assert error.value.code == "outside_open_enrollment"
    assert not ChangeRequest.objects.exists()


def test_a_subscriber_whose_coverage_ends_is_not_renewed(group, alice, oe, run):
    gone = subscriber(group, oe.salaried, oe.gold, last_name="Gone", end=date(2026, 11, 30), reason="end_of_employment")
    leaving = subscriber(group, oe.salaried, oe.gold, last_name="Leaving", end=date(2027, 1, 31), reason="end_of_employment")
    with pytest.raises(ValidationError) as error:
        keep(run, group, alice, gone)
    assert error.value.code == "no_coverage"
    with pytest.raises(ValidationError) as error:
        keep(run, group, alice, leaving)
    assert error.value.code == "coverage_ending"


def test_another_groups_subscriber_cannot_be_acted_on(group, other_group, alice, oe, run):
    theirs = factories.SubscriberFactory(group=other_group)
    with pytest.raises(ValidationError) as error:
        keep(run, group, alice, theirs)
    assert error.value.code == "no_subscriber"


# --- The worker checks again ---------------------------------------------------------------------------


def test_the_worker_rejects_an_option_whose_plan_is_no_longer_offered(group, alice, oe, run, django_capture_on_commit_callbacks):
    sub = subscriber(group, oe.salaried, oe.silver, last_name="Withdrawn")
    with django_capture_on_commit_callbacks(execute=False):
        request = open_enrollment.keep_existing_coverage(group=group, subscriber_pk=sub.pk, acting_user=alice, today=TODAY)
    PlanOffering.objects.filter(plan=oe.silver, plan_year=2027).delete()  # the carrier withdrew it meanwhile
    processors.process(request.pk, today=TODAY)
    request.refresh_from_db()
    assert request.status == "rejected" and "Silver HMO is not offered to Salaried for plan year 2027." in request.reason
    assert coverages(sub) == [("SILVER", 2026, "EE", date(2026, 1, 1), None, "active", "", [])]
    assert election(sub) is None


def test_an_option_meeting_coverage_changed_since_waits_for_a_specialist_who_applies_it(group, alice, oe, run, specialist):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Changed", dependents=[SPOUSE])
    keep(run, group, alice, sub)
    # The roster changed the new year's coverage meanwhile: the spouse dropped from February.
    kept_row = Coverage.objects.get(subscriber=sub, start=RENEWAL)
    Coverage.objects.filter(pk=kept_row.pk).update(end=date(2027, 1, 31), termination_reason="other")
    february = Coverage.objects.create(group=group, subscriber=sub, plan=oe.gold, plan_year=2027, tier="EE", start=date(2027, 2, 1),
                                       status="active")
    request = decline(run, group, alice, sub, reason="medicare", name="")
    assert request.status == "needs_review" and "did not write" in request.reason
    processors.approve(request, actor=specialist)
    request.refresh_from_db()
    assert request.status == "completed"
    assert coverages(sub) == [
        ("GOLD", 2026, "ES", date(2026, 1, 1), LAST_DAY, "active", "declined", ["Robin"]),
        ("GOLD", 2027, "ES", RENEWAL, date(2027, 1, 31), "void", "other", ["Robin"]),
        ("GOLD", 2027, "EE", date(2027, 2, 1), None, "void", "", []),
    ]
    assert february.pk in Coverage.objects.filter(status="void").values_list("pk", flat=True)


def test_processing_an_option_twice_changes_nothing(group, alice, oe, run):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Twice")
    request = keep(run, group, alice, sub)
    rows = coverages(sub)
    processors.process(request.pk, today=TODAY)
    assert coverages(sub) == rows and request.events.count() == 3
    assert CoveredMember.objects.filter(coverage__subscriber=sub).count() == 0
