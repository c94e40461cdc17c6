"""Open-enrollment reminders: on the window's first day and seven days before it closes, the group's
primary and enrollment admins are emailed the last day and how many subscribers are not acted on yet.

Each reminder is recorded (OpenEnrollmentReminder, unique on group, renewal date and kind)
before its emails are queued, in one transaction: a second run, even at the same time,
fails on the unique key and sends nothing. A day the task did not run is caught up the next.
"""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import ENROLLMENT_ROLES, EmployerGroup, Membership
from core.tasks import send_templated_email
from enrollment import oe_selectors, rules
from enrollment.models import OpenEnrollmentReminder


def send_due_reminders(*, today_of=lambda group: group.today()) -> list[OpenEnrollmentReminder]:
    """Send every reminder due today (each group's own date), once; return those sent by this call."""
    sent = []
    for group in EmployerGroup.objects.filter(status=EmployerGroup.Status.ACTIVE).order_by("pk"):
        today = today_of(group)
        kind = rules.reminder_due(group.renewal_month, today)
        if kind is not None:
            reminder = send_reminder(group=group, kind=kind, today=today)
            if reminder is not None:
                sent.append(reminder)
    return sent


@transaction.atomic
def send_reminder(*, group, kind: str, today) -> OpenEnrollmentReminder | None:
    """Record the group's reminder and queue its emails on commit; None when it was sent already."""
    window = oe_selectors.window_for(group, today)
    try:
        with transaction.atomic():
            reminder = OpenEnrollmentReminder.objects.create(group=group, renewal_date=window.renewal_date, kind=kind)
    except IntegrityError:
        return None
    not_acted = {sg: counts[oe_selectors.NOT_YET] for sg, counts in oe_selectors.outcome_counts(group, window).items()}
    admins = (
        Membership.objects.for_group(group)
        .filter(is_active=True, user__is_active=True, role__in=ENROLLMENT_ROLES)
        .exclude(user__email="")
        .select_related("user")
        .annotate(subgroup_ids=ArrayAgg("subgroups", filter=Q(subgroups__isnull=False), default=[]))
        .order_by("pk")
    )
    recipients = 0
    for membership in admins:
        limited = membership.limited_subgroup_ids
        count = sum(n for subgroup_id, n in not_acted.items() if limited is None or subgroup_id in limited)
        context = {
            "kind": kind, "first_name": membership.user.first_name, "group_number": group.group_number, "group_name": group.legal_name,
            "plan_year": window.plan_year, "renewal_date": _shown(window.renewal_date), "last_day": _shown(window.closes),
            "days_left": window.days_left, "not_acted": count, "limited": limited is not None,
        }
        email = membership.user.email
        transaction.on_commit(lambda email=email, context=context: send_templated_email.delay(template="oe_reminder", to=[email], context=context))
        recipients += 1
    reminder.recipients = recipients
    reminder.save(update_fields=["recipients"])
    return reminder


def _shown(day) -> str:
    return day.strftime("%b %-d, %Y")
