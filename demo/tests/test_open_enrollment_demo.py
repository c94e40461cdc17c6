"""The demo's open enrollment: Acme inside its window with a discontinued plan and a child ageing out; run_renewals carries the rest over."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import EmployerGroup, Membership
from enrollment import oe_selectors
from enrollment.models import ChangeRequest, Coverage, EnrollmentDraft, OpenEnrollmentElection

pytestmark = pytest.mark.django_db


def oe_url(name, subscriber):
    return reverse("enrollment:" + name, kwargs={"group_number": "104522", "subscriber_number": subscriber.subscriber_number})


def dependents_kept(draft):
    """The dependents step's POST keeping every dependent on file as prefilled (their locked fields come from the draft)."""
    data = {"dep-TOTAL_FORMS": str(len(draft.data["dependents"])), "dep-INITIAL_FORMS": str(len(draft.data["dependents"])),
            "dep-MIN_NUM_FORMS": "0", "dep-MAX_NUM_FORMS": "1000", "action": "continue"}
    for i, dependent in enumerate(draft.data["dependents"]):
        data["dep-%d-elect_coverage" % i] = "yes" if dependent["elect_coverage"] else "no"
        data["dep-%d-has_other_coverage" % i] = "" if dependent["elect_coverage"] else ("yes" if dependent["has_other_coverage"] else "no")
        data["dep-%d-other_carrier" % i] = dependent["other_carrier"]
        data["dep-%d-other_policy_number" % i] = dependent["other_policy_number"]
    return data


def test_acme_is_in_its_window_and_an_admin_keeps_changes_and_declines_and_renewal_carries_the_rest_over(
    client, django_capture_on_commit_callbacks
):
    call_command("seed_demo", stdout=StringIO())
    acme = EmployerGroup.objects.get(group_number="104522")
    alice = Membership.objects.get(user__username="alice", group=acme)
    window = oe_selectors.window_for(acme, acme.today())
    assert window.is_open
    children = oe_selectors.aged_out_children(alice, window)
    assert [child.dependent.first_name for child in children] == ["Mason"]
    assert [(m.plan.code, m.to_plan.code) for m in oe_selectors.plan_changes(alice, window)] == [
        ("SUM-PPO-S2500", "SUM-PPO-S3000"), ("SUM-PPO-S2500", "SUM-PPO-S3000")]  # Hourly and Union Local 48
    taking_part = oe_selectors.population(alice, window).count()
    assert taking_part > 50

    # An admin keeps one subscriber, changes another's plan and declines a third; the progress page moves.
    client.force_login(alice.user)
    people = list(oe_selectors.population(alice, window).order_by("subscriber_number")[:3])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(oe_url("oe_keep", people[0])).status_code == 302
        assert client.post(oe_url("oe_decline", people[2]), {"reason": "medicare"}).status_code == 302
        draft_url = client.post(oe_url("oe_begin", people[1]))["Location"]
        plan = oe_selectors.offered_plan_ids(acme, window.plan_year)[None].pop()
        client.post(draft_url, {"plan": plan, "coverage_start": window.renewal_date.isoformat()})
        draft = EnrollmentDraft.objects.get()
        client.post(reverse("enrollment:enrollment_dependents", kwargs={"group_number": "104522", "draft_id": draft.pk}), {
            "dep-TOTAL_FORMS": "0", "dep-INITIAL_FORMS": "0", "dep-MIN_NUM_FORMS": "0", "dep-MAX_NUM_FORMS": "1000", "action": "continue",
        } if not draft.data["dependents"] else dependents_kept(draft))
        client.post(reverse("enrollment:enrollment_confirm", kwargs={"group_number": "104522", "draft_id": draft.pk}))
    assert sorted(ChangeRequest.objects.filter(group=acme, kind__startswith="oe_").values_list("kind", "status")) == [
        ("oe_begin", "completed"), ("oe_decline", "completed"), ("oe_keep", "completed")]
    totals = oe_selectors.totals(client.get(reverse("enrollment:oe_progress", kwargs={"group_number": "104522"})).context["rows"])
    assert (totals["kept"], totals["changed"], totals["declined"], totals["not_yet"]) == (1, 1, 1, taking_part - 3)

    out = StringIO()
    call_command("run_renewals", "--date", window.renewal_date.isoformat(), "--group", "104522", stdout=out, stderr=StringIO())
    silent = taking_part - 3
    assert "kept 1, changed 1, declined 1, carried over %d (%d by this run), flagged 0" % (silent, silent) in out.getvalue()
    assert OpenEnrollmentElection.objects.filter(group=acme, plan_year=window.plan_year, choice="auto").count() == silent
    new_rows = Coverage.objects.filter(group=acme, start=window.renewal_date, plan_year=window.plan_year).exclude(status="void")
    assert not new_rows.filter(plan__code="SUM-PPO-S2500").exists() and new_rows.filter(plan__code="SUM-PPO-S3000").exists()
    mason = children[0].dependent
    assert not new_rows.filter(covered_members__dependent=mason).exists()
    again = StringIO()
    call_command("run_renewals", "--date", window.renewal_date.isoformat(), "--group", "104522", stdout=again, stderr=StringIO())
    assert "(0 by this run)" in again.getvalue()
