"""Demo employer groups, their subgroups, and the demo logins.

Everything the demo derives depends on the month it runs in (`anchor_month`), so a second
run in the same month writes nothing new: rows are upserted on their natural keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group as AuthGroup

from accounts.models import EmployerGroup, Membership, Subgroup, User
from enrollment import rules

SEED = 2026
DEMO_PASSWORD = "demo-password-2026"
SPECIALISTS_GROUP = "Billing specialists"  # made by accounts' data migration, with its permissions
HISTORY_MONTHS = 6  # months of invoices, and so of coverage history, the demo shows


@dataclass(frozen=True)
class GroupSpec:
    group_number: str
    legal_name: str
    address: tuple[str, str, str, str]
    rating_method: str
    waiting_period_days: int
    subgroups: tuple[tuple[str, str], ...]  # (code, name)
    billing_policy: str = EmployerGroup.BillingPolicy.MID_MONTH


ACME = GroupSpec(
    "104522", "Acme Manufacturing Co.", ("4200 SW Industrial Way", "Tualatin", "OR", "97062"),
    EmployerGroup.RatingMethod.TIERED, 30,
    (("SAL", "Salaried"), ("HRLY", "Hourly"), ("U48", "Union Local 48")),
)
BLUEBIRD = GroupSpec(
    "238811", "Bluebird Dental Partners", ("915 NW Wall St Suite 200", "Bend", "OR", "97703"),
    EmployerGroup.RatingMethod.AGE_BANDED, 0,
    (("ALL", "All employees"),),
)
CEDAR = GroupSpec(
    "310475", "Cedar Valley Schools", ("3350 Cedar Valley Rd", "Eugene", "OR", "97405"),
    EmployerGroup.RatingMethod.TIERED, 60,
    (("CERT", "Certified staff"), ("CLASS", "Classified staff")),
)
DEMO_GROUPS = (ACME, BLUEBIRD, CEDAR)
DEMO_GROUP_NUMBERS = tuple(spec.group_number for spec in DEMO_GROUPS)


def renewal_months(today: date) -> dict[str, int]:
    """Put Acme inside its open-enrollment window today, and the other two groups outside theirs.

    The window is the whole month before the renewal month, so a renewal next month is always
    inside it; Bluebird renews in January and Cedar Valley (a school district) in July unless
    that is next month.
    """
    in_window = today.month % 12 + 1
    return {
        ACME.group_number: in_window,
        BLUEBIRD.group_number: 1 if in_window != 1 else 4,
        CEDAR.group_number: 7 if in_window != 7 else 9,
    }


def anchor_month(today: date) -> date:
    """Return the month the demo is built around: every date the demo derives depends on it alone."""
    return today.replace(day=1)


def history_start(today: date) -> date:
    """Return the first month of the demo's coverage and invoice history."""
    return rules.add_months(anchor_month(today), -(HISTORY_MONTHS - 1))


def seed_groups(today: date) -> dict[str, EmployerGroup]:
    """Upsert the three demo groups and their subgroups (each group's `subgroup_map` is {code: Subgroup})."""
    months = renewal_months(today)
    groups = {}
    for spec in DEMO_GROUPS:
        line1, city, state, zip_code = spec.address
        group, _ = EmployerGroup.objects.update_or_create(
            group_number=spec.group_number,
            defaults=dict(
                legal_name=spec.legal_name, address_line1=line1, city=city, state=state, zip_code=zip_code,
                status=EmployerGroup.Status.ACTIVE, renewal_month=months[spec.group_number],
                waiting_period_days=spec.waiting_period_days, rating_method=spec.rating_method,
                billing_policy=spec.billing_policy,
            ),
        )
        group.subgroup_map = {
            code: Subgroup.objects.update_or_create(group=group, code=code, defaults={"name": name})[0]
            for code, name in spec.subgroups
        }
        groups[spec.group_number] = group
    return groups


DEMO_USERS = [
    # username, first, last, title, [(group number, role, subgroup codes it is limited to)]
    ("alice", "Alice", "Adams", "HR Director", [(ACME.group_number, Membership.Role.PRIMARY, ())]),
    ("erin", "Erin", "Estrada", "Benefits Coordinator", [(ACME.group_number, Membership.Role.ENROLLMENT, ())]),
    ("bill", "Bill", "Becker", "Accounts Payable Manager", [(ACME.group_number, Membership.Role.BILLING, ())]),
    ("bob", "Bob", "Brown", "Payroll Analyst", [(ACME.group_number, Membership.Role.READ_ONLY, ())]),
    ("hana", "Hana", "Hughes", "Plant HR Coordinator", [(ACME.group_number, Membership.Role.ENROLLMENT, ("HRLY",))]),
    (
        "brock", "Brock", "Baxter", "Benefits Broker",
        [(ACME.group_number, Membership.Role.PRIMARY, ()), (CEDAR.group_number, Membership.Role.PRIMARY, ())],
    ),
    ("charlie", "Charlie", "Chen", "Office Manager", [(BLUEBIRD.group_number, Membership.Role.PRIMARY, ())]),
]


def _user(username, *, first, last, title="", email_domain="example.com", **flags) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults=dict(first_name=first, last_name=last, title=title, email="%s@%s" % (username, email_domain), is_active=True, **flags),
    )
    # Only re-hash when needed: a salted hash differs on every call, and a rerun must change nothing.
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    return user


def seed_users(groups: dict[str, EmployerGroup]) -> dict[str, User]:
    """Upsert the demo logins: group admins of every role (one limited to a subgroup), a specialist, a superuser."""
    users = {}
    for username, first, last, title, memberships in DEMO_USERS:
        user = _user(username, first=first, last=last, title=title, is_staff=False, is_superuser=False)
        for group_number, role, subgroup_codes in memberships:
            group = groups[group_number]
            membership, _ = Membership.objects.update_or_create(user=user, group=group, defaults={"role": role, "is_active": True})
            membership.subgroups.set([group.subgroup_map[code] for code in subgroup_codes])
        users[username] = user
    specialist = _user("specialist", first="Sofia", last="Spencer", title="Billing Specialist", is_staff=True, is_superuser=False)
    specialist.groups.add(AuthGroup.objects.get(name=SPECIALISTS_GROUP))
    users["specialist"] = specialist
    users["admin"] = _user("admin", first="Ada", last="Admin", title="Portal administrator", is_staff=True, is_superuser=True)
    return users
