"""manage.py generate_invoices --period YYYY-MM [--group ID]: idempotent, one group's failure never stops another's."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from billing.models import Invoice
from billing.tests import helpers

pytestmark = pytest.mark.django_db

d = datetime.date


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("generate_invoices", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def two_groups(group, other_group):
    for employer in (group, other_group):
        setup = helpers.set_up_group(employer)
        helpers.cover(helpers.subscriber(employer, setup["salaried"], "Ryan"), setup["gold"], d(2026, 1, 1))


def test_it_issues_every_active_groups_invoice_with_a_progress_bar_and_then_nothing(two_groups):
    code, out, _ = run("--period", "2026-03", "--today", "2026-02-15")
    again_code, again, _ = run("--period", "2026-03", "--today", "2026-02-20")

    assert code == 0 and again_code == 0
    assert "[###############...............] 1/2 104522 INV-104522-202603 1 lines, $500.00 due" in out
    assert "[##############################] 2/2 207731 INV-207731-202603 1 lines, $500.00 due" in out
    assert "March 2026: 2 issued, 0 already issued, 0 failed" in out
    assert "March 2026: 0 issued, 2 already issued, 0 failed" in again
    assert Invoice.objects.count() == 2


def test_it_issues_one_group_when_asked(two_groups):
    run("--period", "2026-03", "--group", "207731", "--today", "2026-02-15")
    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV-207731-202603"]


def test_a_group_missing_a_rate_fails_alone_and_the_command_says_so(two_groups, group):
    silver = helpers.factories.PlanFactory(code="SILVER")
    helpers.cover(helpers.subscriber(group, group.subgroups.first(), "Nora"), silver, d(2026, 1, 1))

    code, out, err = run("--period", "2026-03", "--today", "2026-02-15")

    assert code == 1
    assert "104522: Group 104522, 2026-03: no rate for SILVER 2026 EE." in err
    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV-207731-202603"]


@pytest.mark.parametrize("args, message", [
    (("--period", "2026-13"), "--period is a month written YYYY-MM"),
    (("--period", "2026-03", "--group", "999999"), "No group 999999."),
])
def test_it_refuses_a_bad_period_or_an_unknown_group(two_groups, args, message):
    with pytest.raises(Exception, match=message):
        call_command("generate_invoices", *args, stdout=StringIO())


def test_it_refuses_to_issue_before_the_invoice_day(two_groups):
    code, _, err = run("--period", "2026-03", "--today", "2026-02-14")
    assert code == 1 and "is issued on Feb 15, 2026, not before" in err
    assert not Invoice.objects.exists()
