"""Each new kind of work on a real Celery worker (Redis): a termination, an ID card order, the age-out beat task."""

from datetime import date

import pytest
from django.utils import timezone

from enrollment import maintenance_tasks, rules
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, CoverageEvent, Dependent, IDCardOrder
from enrollment.tests.maintenance_helpers import family, membership, offer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maria(group):
    plans = offer(group)
    today = timezone.localdate()
    return family(group, plans, start=rules.add_months(today.replace(day=1), -12))


def test_a_real_worker_terminates_a_subscriber_and_history_names_the_request(celery_worker_redis, wait, group, alice, maria):
    subscriber, _, _ = maria
    request = services.submit_termination(membership=membership(alice, group), subscriber=subscriber, reason="voluntary",
                                          termination_date=timezone.localdate(), acting_user=alice, today=timezone.localdate())
    assert wait(lambda: ChangeRequest.objects.get(pk=request.pk).status == "completed"), "the worker did not complete it"
    event = CoverageEvent.objects.filter(pgh_obj__subscriber=subscriber, pgh_label="update").select_related("pgh_context").last()
    assert event.pgh_context.metadata["confirmation_number"] == request.confirmation_number
    assert event.pgh_context.metadata["user"] == alice.pk


def test_a_real_worker_prints_and_ships_an_id_card_order(celery_worker_redis, wait, group, alice, maria, mailoutbox, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path
    subscriber, _, _ = maria
    request = services.submit_id_card_order(membership=membership(alice, group), subscriber=subscriber, include_subscriber=True,
                                            dependents=[], reason="new", ship_to="subscriber", acting_user=alice, today=timezone.localdate())
    assert wait(lambda: IDCardOrder.objects.get(request=request).status == "shipped"), "the worker did not ship it"
    order = IDCardOrder.objects.get(request=request)
    assert (tmp_path / order.card_file).read_bytes().startswith(b"%PDF")
    assert wait(lambda: any("ID card order shipped" in m.subject for m in mailoutbox))


def test_a_real_worker_runs_the_age_out_task_and_the_removal_it_submits(celery_worker_redis, wait, group, maria):
    subscriber, _, (child,) = maria
    today = timezone.localdate()
    Dependent.objects.filter(pk=child.pk).update(date_of_birth=date(today.year - 26, today.month, 1))
    maintenance_tasks.age_out_dependents.delay()
    assert wait(lambda: ChangeRequest.objects.filter(kind="dependent_removed", status="completed").exists()), "no removal completed"
    assert Dependent.objects.get(pk=child.pk).removed_on == rules.last_of_month(today)
    maintenance_tasks.age_out_dependents.delay()
    # A second run submits nothing: wait for the worker to take it, then count.
    assert not wait(lambda: ChangeRequest.objects.count() > 1, timeout=3)
