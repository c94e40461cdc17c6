"""The demo's open enrollment: Acme inside its window with a discontinued plan and a child ageing out; run_renewals carries the rest over."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import EmployerGroup, Membership
from enrollment import oe_selectors
from enrollment.models import Coverage, OpenEnrollmentElection

pytestmark = pytest.mark.django_db


def test_acme_is_in_its_window_with_a_successor_plan_and_a_child_ageing_out_and_renewal_carries_everyone_over():
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

    out = StringIO()
    call_command("run_renewals", "--date", window.renewal_date.isoformat(), "--group", "104522", stdout=out, stderr=StringIO())
    assert "carried over %d (%d by this run), flagged 0, children left out 1" % (taking_part, taking_part) in out.getvalue()
    assert OpenEnrollmentElection.objects.filter(group=acme, plan_year=window.plan_year, choice="auto").count() == taking_part
    new_rows = Coverage.objects.filter(group=acme, start=window.renewal_date, plan_year=window.plan_year).exclude(status="void")
    assert not new_rows.filter(plan__code="SUM-PPO-S2500").exists() and new_rows.filter(plan__code="SUM-PPO-S3000").exists()
    mason = children[0].dependent
    assert not new_rows.filter(covered_members__dependent=mason).exists()
    again = StringIO()
    call_command("run_renewals", "--date", window.renewal_date.isoformat(), "--group", "104522", stdout=again, stderr=StringIO())
    assert "(0 by this run)" in again.getvalue()
