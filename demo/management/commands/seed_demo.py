"""Build the demo carrier: plans and rates, three employer groups with ~150 subscribers, six months
of invoices and payments, and the demo logins. Safe to run again: a rerun changes nothing.

    manage.py seed_demo
    manage.py seed_demo --groups 20 --subscribers 100000   # plus large groups 900001… (bulk inserts)

It lives in the demo app, above every app it seeds (accounts, enrollment, billing).
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from accounts.models import EmployerGroup
from demo import accounts as accounts_demo
from demo import billing as billing_demo
from demo import continuation as continuation_demo
from demo import enrollment as enrollment_demo
from demo import maintenance as maintenance_demo


class Command(BaseCommand):
    help = "Seed the demo carrier, groups, members, invoices and logins (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=0, help="Also create this many large groups (900001…).")
        parser.add_argument("--subscribers", type=int, default=0, help="Subscribers shared by the large groups.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per bulk insert for large groups.")
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="Seed as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, groups, subscribers, batch_size, today, verbosity, **options):
        if bool(groups) != bool(subscribers):
            raise CommandError("Give --groups and --subscribers together.")
        if groups and not 1 <= groups <= enrollment_demo.LARGE_MAX_GROUPS:
            raise CommandError("--groups must be between 1 and %d." % enrollment_demo.LARGE_MAX_GROUPS)
        today = today or date.today()
        started = time.monotonic()
        with transaction.atomic():
            plans = enrollment_demo.seed_plans(today)
            demo_groups = accounts_demo.seed_groups(today)
            enrollment_demo.seed_offerings(demo_groups, plans, today)
            users = accounts_demo.seed_users(demo_groups)
            people = enrollment_demo.plan_demo(today)
            subscribers_by_id = enrollment_demo.seed_people(demo_groups, people)
            rebuilt = not billing_demo.is_current(today)
            if rebuilt:
                # A new month: coverages and invoices are derived from it, so rebuild them.
                billing_demo.clear_billing(demo_groups.values())
                enrollment_demo.clear_coverages(demo_groups.values())
                enrollment_demo.seed_coverages(demo_groups, people, subscribers_by_id, plans, today)
                billing_demo.seed_billing(demo_groups, users, today)
            maintenance_demo.seed_maintenance(demo_groups, today)  # after billing: its own coverages are not invoiced
            continuation_demo.seed_continuation(demo_groups, today)  # COBRA: one family continuing, one election pending
        large = {}
        if groups:
            log = self.stdout.write if verbosity > 1 else None
            with transaction.atomic():
                large = enrollment_demo.seed_large(groups, subscribers, today, plans, batch_size=batch_size, log=log)
                large["invoices"] = billing_demo.seed_large_billing(groups, today)
        self._summary(demo_groups, users, rebuilt, large, time.monotonic() - started)

    def _summary(self, groups, users, rebuilt, large, seconds):
        w = self.stdout.write
        w(self.style.SUCCESS("Demo data ready in %.1f s%s." % (seconds, "" if rebuilt else " (already seeded this month: nothing rebuilt)")))
        w("Groups:")
        rows = EmployerGroup.objects.filter(pk__in=[g.pk for g in groups.values()]).annotate(
            n=Count("subscribers", distinct=True), inv=Count("invoices", distinct=True)
        ).order_by("group_number")
        for g in rows:
            w("  %s %-28s %-10s renews month %2d  %3d subscribers  %d invoices" % (g.group_number, g.legal_name, g.rating_method, g.renewal_month, g.n, g.inv))
        if large:
            w("Large groups: %(groups)d new, %(subscribers)d subscribers, %(dependents)d dependents, %(coverages)d coverages, %(invoices)d invoices issued." % {
                "groups": 0, "subscribers": 0, "dependents": 0, "coverages": 0, "invoices": 0, **large})
        w("Logins (password %s):" % accounts_demo.DEMO_PASSWORD)
        for username, _, _, title, memberships in accounts_demo.DEMO_USERS:
            w("  %-10s %s: %s" % (username, title, ", ".join(
                "%s %s%s" % (number, role, " (subgroups %s only)" % "/".join(codes) if codes else "") for number, role, codes in memberships
            )))
        w("  %-10s billing specialist (Django admin, /admin/)" % "specialist")
        w("  %-10s superuser" % "admin")
