"""What a billing specialist may do in Django admin: the "Billing specialists" group's permissions.

The group itself is made by a data migration (accounts 0005). After every `migrate` its
permissions are set to exactly these (post_migrate, see portal.apps), so a model added
later gets view permission at once and a write only when it is listed here:

- view every model of the portal's apps (history included);
- add and change what a specialist sets up or corrects: groups, subgroups, memberships,
  plans, offerings and rates, manual adjustments, registrations (approve, reject),
  and requests that need review (decided through the request pipeline's admin actions);
- refund a payment through Stripe (the payment's own permission, billing.refund_payment);
- delete nothing: history is never overwritten. Audit events, issued invoices, their
  lines and recorded payments are view-only.
"""

from django.contrib.auth.models import Group, Permission

SPECIALISTS_GROUP = "Billing specialists"
PORTAL_APPS = ("accounts", "enrollment", "billing")

# "app_label.model": the writes allowed besides viewing.
WRITES = {
    "accounts.user": {"change"},  # reset a password, unlock, deactivate
    "accounts.registrationrequest": {"change"},  # approve or reject
    "accounts.registrationuser": {"change"},  # limit an asked user to subgroups before approving
    "accounts.employergroup": {"add", "change"},
    "accounts.subgroup": {"add", "change"},
    "accounts.membership": {"add", "change"},  # e.g. a broker's second group
    "enrollment.plan": {"add", "change"},
    "enrollment.planoffering": {"add", "change"},
    "enrollment.planrate": {"add", "change"},
    "enrollment.planagerate": {"add", "change"},
    "enrollment.subscriber": {"change"},  # corrections a reviewed request asks for
    "enrollment.dependent": {"change"},
    "enrollment.changerequest": {"change"},  # "Approve and apply" / "Reject with a reason"
    "enrollment.idcardorder": {"change"},
    "billing.adjustment": {"add", "change"},  # manual adjustments, through the billing service
    "billing.payment": {"refund"},  # "Refund through Stripe…", through billing.payments.refund_payment
}


def specialist_permissions():
    """Return the queryset of exactly the permissions the specialists' group carries."""
    wanted = [p for p in Permission.objects.filter(content_type__app_label__in=PORTAL_APPS).select_related("content_type")]
    keep = []
    for permission in wanted:
        action, _, _ = permission.codename.partition("_")
        label = "%s.%s" % (permission.content_type.app_label, permission.content_type.model)
        if action == "view" or action in WRITES.get(label, ()):
            keep.append(permission.pk)
    return Permission.objects.filter(pk__in=keep)


def sync_specialist_permissions(**kwargs) -> None:
    """Give the specialists' group exactly its permissions (after every migrate; idempotent).

    The group is made again if missing: a test database flushed between transactional
    tests loses what the data migration made, and Django sends post_migrate after a flush.
    """
    group, _ = Group.objects.get_or_create(name=SPECIALISTS_GROUP)
    group.permissions.set(specialist_permissions())
