"""Issue the invoices of a month: every active group's, or one group's.

    manage.py generate_invoices --period 2027-01
    manage.py generate_invoices --period 2027-01 --group 104522
    manage.py generate_invoices --period 2027-01 --today 2026-12-15   # as if today were the invoice day

Idempotent: a group whose invoice of the month exists is counted as already issued. Each group
is issued in its own transaction, so one group's missing rate never stops the others; the
command exits with status 1 when any group failed.
"""

import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import EmployerGroup
from billing import services


def month(text: str) -> date:
    try:
        return date.fromisoformat(text + "-01")
    except ValueError:
        raise CommandError("--period is a month written YYYY-MM, not %r." % text) from None


class ProgressBar:
    """A one-line progress bar on a terminal (redrawn with \\r), one line per step elsewhere (logs)."""

    WIDTH = 30

    def __init__(self, stream, total: int):
        self.stream, self.total, self.done = stream, total, 0  # stream: the command's OutputWrapper
        self.live = stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        filled = self.WIDTH * self.done // max(self.total, 1)
        line = "[%s%s] %d/%d %s" % ("#" * filled, "." * (self.WIDTH - filled), self.done, self.total, label)
        if self.live:
            self.stream.write("\r\033[K" + line, ending="\n" if self.done == self.total else "")
        else:
            self.stream.write(line)
        self.stream.flush()


class Command(BaseCommand):
    help = "Issue the month's invoices (idempotent), with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=month, help="The covered month, YYYY-MM.")
        parser.add_argument("--group", help="Only this group ID (6 digits).")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Issue as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, period, group, today, **options):
        today = today or timezone.localdate()
        groups = EmployerGroup.objects.filter(status=EmployerGroup.Status.ACTIVE).order_by("group_number")
        if group:
            groups = EmployerGroup.objects.filter(group_number=group)
            if not groups.exists():
                raise CommandError("No group %s." % group)
        groups = list(groups)
        bar = ProgressBar(self.stdout, len(groups))
        issued = existing = 0
        failed = []
        started = time.monotonic()
        for employer in groups:
            began = time.monotonic()
            try:
                result = services.issue_invoice(group=employer, period=period, today=today)
            except (services.InvoiceNotDue, services.InvoiceOutOfOrder, services.MissingRates) as error:
                failed.append("%s: %s" % (employer.group_number, error.message))
                bar.step("%s failed" % employer.group_number)
                continue
            if result.created:
                issued += 1
                invoice = result.invoice
                bar.step("%s %s %d lines, %s due (%.1f s)" % (
                    employer.group_number, invoice.number, invoice.lines.count(), "${:,.2f}".format(invoice.amount_due), time.monotonic() - began
                ))
            else:
                existing += 1
                bar.step("%s %s already issued" % (employer.group_number, result.invoice.number))
        self.stdout.write(self.style.SUCCESS(
            "%s: %d issued, %d already issued, %d failed, in %.1f s." % (period.strftime("%B %Y"), issued, existing, len(failed), time.monotonic() - started)
        ))
        for message in failed:
            self.stderr.write(message)
        if failed:
            sys.exit(1)
