"""The demo's continuation: each group's law, and in Acme one family continuing under COBRA and one election pending."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import EmployerGroup
from enrollment.models import ChangeRequest, Continuation, Coverage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


def seed(*args):
    call_command("seed_demo", *args, stdout=StringIO())


def test_acme_has_a_family_continuing_and_an_election_pending_and_bluebird_has_state_continuation():
    seed("--today", "2026-11-27")
    laws = dict(EmployerGroup.objects.values_list("group_number", "continuation"))
    assert laws == {"104522": "cobra", "238811": "state", "310475": "cobra"}
    assert EmployerGroup.objects.get(group_number="238811").state_continuation_months == 9
    continuing = Continuation.objects.get(subscriber__subscriber_number="M555000201")
    pending = Continuation.objects.get(subscriber__subscriber_number="M555000202")
    assert (continuing.status, continuing.event_kind, continuing.coverage_lost_on, continuing.notice_on, continuing.elected_on, continuing.maximum_end) == (
        "continuing", "end_of_employment", date(2026, 8, 31), date(2026, 8, 12), date(2026, 9, 2), date(2028, 2, 29))
    row = Coverage.objects.get(continuation=continuing)
    assert (row.start, row.end, row.tier, row.covers_subscriber) == (date(2026, 9, 1), None, "FAM", True)
    assert (pending.status, pending.coverage_lost_on, pending.notice_on, pending.election_deadline) == (
        "pending_election", date(2026, 11, 30), date(2026, 11, 9), date(2027, 1, 29))
    assert continuing.notice_file and pending.notice_file
    kinds = set(ChangeRequest.objects.filter(subscriber__subscriber_number__in=["M555000201", "M555000202"]).values_list("kind", "status"))
    assert kinds == {("termination", "completed"), ("qualifying_event", "completed"), ("continuation_election", "completed")}


def test_a_new_month_rebuilds_the_scenario_once():
    seed("--today", "2026-11-27")
    seed("--today", "2027-03-10")
    assert Continuation.objects.filter(subscriber__subscriber_number__in=["M555000201", "M555000202"]).count() == 2
    assert Continuation.objects.get(subscriber__subscriber_number="M555000201").start == date(2027, 1, 1)   # ended Dec 10, 2026
