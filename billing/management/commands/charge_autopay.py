"""manage.py charge_autopay [--date YYYY-MM-DD]: Recurring Payment's daily run, as Celery beat does it."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing import tasks


class Command(BaseCommand):
    help = "Email the notices of charges three days ahead, then charge every Recurring Payment invoice due on the date (default today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run as, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must be a date written YYYY-MM-DD, e.g. 2027-03-01.")
        result = tasks.run_autopay(today=day.isoformat())
        self.stdout.write(
            "Recurring Payment on %s: %d notices sent, %d charges sent to Stripe." % (result["date"], result["notices"], result["charges"])
        )
