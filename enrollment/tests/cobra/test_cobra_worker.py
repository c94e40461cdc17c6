"""Each new kind of work on a real Celery worker (Redis): a qualifying event's notice, an election, the daily end task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment import continuation_tasks, rules
from enrollment.continuation import services
from enrollment.maintenance import services as maintenance_services
from enrollment.models import ChangeRequest, Continuation, Coverage
from enrollment.tests.cobra_helpers import continuation_of
from enrollment.tests.maintenance_helpers import family, membership
from enrollment.tests.maintenance_helpers import offer as offer_plans
from tests import factories

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maria(group):
    plans = offer_plans(group)
    return family(group, plans, start=rules.add_months(timezone.localdate().replace(day=1), -6))


def test_a_real_worker_issues_the_notice_then_applies_the_election(celery_worker_redis, wait, group, alice, maria, mailoutbox, tmp_path):
    subscriber, carlos, (lucia,) = maria
    today = timezone.localdate()
    termination = maintenance_services.submit_termination(membership=membership(alice, group), subscriber=subscriber, reason="end_of_employment",
                                                          termination_date=today, acting_user=alice, today=today)
    assert wait(lambda: ChangeRequest.objects.get(pk=termination.pk).status == "completed"), "the worker did not terminate"
    event = services.submit_qualifying_event(membership=membership(alice, group), subscriber=subscriber, kind="end_of_employment", event_date=today,
                                             people=[None, carlos, lucia], acting_user=alice, today=today)
    assert wait(lambda: ChangeRequest.objects.get(pk=event.pk).status == "completed"), "the worker did not issue the notice"
    continuation = continuation_of(event)
    assert continuation.notice_on == today and (tmp_path / "private" / continuation.notice_file).read_bytes().startswith(b"%PDF")
    assert wait(lambda: any("ready to print and mail" in m.subject for m in mailoutbox))

    election = services.submit_election(membership=membership(alice, group), continuation=continuation, elected_on=today,
                                        electing=["D%d" % carlos.pk, "D%d" % lucia.pk], acting_user=alice, today=today)
    assert wait(lambda: ChangeRequest.objects.get(pk=election.pk).status == "completed"), "the worker did not apply the election"
    row = Coverage.objects.get(continuation=continuation)
    assert (row.start, row.end, row.tier, row.covers_subscriber) == (rules.last_of_month(today) + timedelta(days=1), None, "EC", False)


def test_a_real_worker_runs_the_end_task_and_the_end_it_submits_once(celery_worker_redis, wait, group, alice, maria):
    """A continuation whose 18 months ended last month (written directly: the worker would judge a past event by today's date)."""
    subscriber, _, _ = maria
    start = rules.add_months(timezone.localdate().replace(day=1), -19)
    plan = Coverage.objects.get(subscriber=subscriber).plan
    request = factories.ChangeRequestFactory(group=group, subscriber=subscriber, kind="qualifying_event", status="completed", submitted_by=alice)
    continuation = Continuation.objects.create(
        group=group, subscriber=subscriber, law="cobra", event_kind="end_of_employment", event_date=start - timedelta(days=20),
        coverage_lost_on=start - timedelta(days=1), plan=plan, plan_year=start.year, tier="FAM", maximum_months=18,
        maximum_end=rules.add_months(start, 18) - timedelta(days=1), status="continuing", request=request, elected_on=start,
    )
    Coverage.objects.filter(subscriber=subscriber).update(start=rules.add_months(start, -12), end=start - timedelta(days=1))
    Coverage.objects.create(group=group, subscriber=subscriber, plan=plan, plan_year=start.year, tier="EE", start=start, status="active",
                            continuation=continuation)
    continuation_tasks.end_continuations.delay()
    assert wait(lambda: Continuation.objects.get(pk=continuation.pk).status == "ended"), "the end was not applied"
    assert Coverage.objects.get(continuation=continuation).end == continuation.maximum_end
    continuation_tasks.end_continuations.delay()
    # A second run submits nothing: give the worker time to take it, then count.
    assert not wait(lambda: ChangeRequest.objects.filter(kind="continuation_end").count() > 1, timeout=3)
