"""manage.py run_renewals [--date D] [--group ID]: carry over the subscribers nobody acted on at renewal.

Without --date, each active group whose renewal date is today in its own time zone (or was,
within the catch-up days) renews; with --date, the groups renewing on that date. Idempotent:
running it again writes nothing new. Prints a progress line per batch and a summary per group.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import EmployerGroup
from enrollment import renewals


class Command(BaseCommand):
    help = "Carry over into the new plan year every subscriber with no open-enrollment election (on each group's renewal date)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help="The renewal date to run (YYYY-MM-DD, a first of month).")
        parser.add_argument("--group", help="Only this group ID.")
        parser.add_argument("--batch-size", type=int, default=renewals.BATCH_SIZE)

    def handle(self, *args, **options):
        groups = EmployerGroup.objects.filter(status=EmployerGroup.Status.ACTIVE).order_by("group_number")
        if options["group"]:
            groups = groups.filter(group_number=options["group"])
            if not groups:
                raise CommandError("No active group %s." % options["group"])
        day = options["date"]
        if day is not None:
            if day.day != 1:
                raise CommandError("A renewal date is the first of a month: %s is not." % day.isoformat())
            due = [(group, day) for group in groups if group.renewal_month == day.month]
            if options["group"] and not due:
                raise CommandError("Group %s does not renew on %s." % (options["group"], day.isoformat()))
        else:
            due = renewals.groups_due(groups, lambda group: group.today())
        if not due:
            self.stdout.write("No group renews %s." % ("on %s" % day.isoformat() if day else "today"))
        for group, renewal in due:
            drawn = []
            summary = renewals.run_renewal(group, renewal, batch_size=options["batch_size"], progress=self._progress(group, drawn))
            if drawn:
                self.stderr.write("")  # end the progress line
            self.stdout.write(summary.line())
            for flag in summary.flags[:20]:
                self.stdout.write("  flagged: %s" % flag)
            if len(summary.flags) > 20:
                self.stdout.write("  ... and %d more flagged" % (len(summary.flags) - 20))

    def _progress(self, group, drawn):
        def show(done, total):
            self.stderr.write("\r%s: %s / %s subscribers renewed" % (group.group_number, format(done, ","), format(total, ",")), ending="")
            self.stderr.flush()
            drawn.append(done)

        return show
