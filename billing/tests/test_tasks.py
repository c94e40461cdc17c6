"""Billing's Celery tasks, each run once by a real worker on Redis: issuing on the invoice day (with its
emails), marking invoices past due (with theirs), and rendering a big invoice's PDF."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Membership
from billing import documents, rules, services, tasks
from billing.models import Invoice, InvoiceDocument
from billing.tests import helpers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def covered(group, alice):
    setup = helpers.set_up_group(group, years=range(2024, timezone.localdate().year + 3))
    helpers.cover(helpers.subscriber(group, setup["salaried"], "Ryan"), setup["gold"], datetime.date(2024, 1, 1))
    return setup


def test_the_daily_task_issues_each_due_groups_invoice_and_emails_its_admins(celery_worker_redis, wait, group, alice, covered):
    period = rules.last_invoiced_month(timezone.localdate(), group.invoice_day)

    tasks.issue_due_invoices.delay()

    assert wait(lambda: Invoice.objects.filter(group=group, period=period).exists()), "the worker issued nothing"
    subject = "Invoice %s for %s is ready" % (Invoice.objects.get().number, period.strftime("%B %Y"))
    # (The shared Redis queue may still deliver another test's email: count only this one.)
    assert wait(lambda: [m.to for m in mail.outbox if m.subject == subject] == [["alice@example.com"]]), "no invoice-issued email"
    # The next day's run finds nothing to issue.
    assert tasks.issue_due_invoices.apply().get() == 0


def test_the_daily_task_marks_an_unpaid_invoice_past_due_and_emails_its_admins(celery_worker_redis, wait, group, alice, covered):
    old = rules.add_months(rules.last_invoiced_month(timezone.localdate(), group.invoice_day), -3)
    services.issue_invoice(group=group, period=old, today=rules.invoice_issue_date(old, group.invoice_day), notify=False)

    tasks.mark_past_due_invoices.delay()

    assert wait(lambda: Invoice.objects.get().status == "past_due"), "the worker marked nothing"
    subject = "Invoice %s is past due" % Invoice.objects.get().number
    assert wait(lambda: [m.to for m in mail.outbox if m.subject == subject] == [["alice@example.com"]]), "no past-due email"


def test_the_worker_renders_a_big_invoices_pdf(celery_worker_redis, wait, group, alice, covered, settings):
    settings.BILLING_PDF_INLINE_MAX_LINES = 0
    period = rules.last_invoiced_month(timezone.localdate(), group.invoice_day)
    invoice = services.issue_invoice(group=group, period=period, today=timezone.localdate(), notify=False).invoice

    document = documents.request_invoice_document(invoice=invoice, membership=Membership.objects.get(user=alice))

    assert wait(lambda: InvoiceDocument.objects.get(pk=document.pk).status == "ready"), "the worker rendered nothing"
    assert bytes(InvoiceDocument.objects.get(pk=document.pk).content).startswith(b"%PDF")
