"""Celery beat's schedule names tasks that exist, at the hours docs/payments.md gives."""

from billing import tasks
from portal.beat import BEAT_SCHEDULE
from portal.celery import app


def test_beat_runs_recurring_payment_every_morning_and_the_reconciliation_every_night():
    autopay, reconcile = BEAT_SCHEDULE["billing-autopay-daily"], BEAT_SCHEDULE["billing-reconcile-nightly"]
    assert autopay["task"] == tasks.run_autopay.name == "billing.tasks.run_autopay"
    assert reconcile["task"] == tasks.reconcile_payments.name == "billing.tasks.reconcile_payments"
    assert (autopay["schedule"].hour, autopay["schedule"].minute) == ({14}, {0})  # 6 or 7 a.m. Pacific
    assert (reconcile["schedule"].hour, reconcile["schedule"].minute) == ({10}, {30})  # 2:30 or 3:30 a.m. Pacific


def test_every_task_beat_names_is_registered_with_the_worker():
    app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(app.tasks)
