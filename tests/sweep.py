"""The object-level tenant sweep: every group page, every method, with objects the admin must not reach.

How it works
------------
`run_sweep(scene)` signs in as each admin of group A (`ADMINS`: primary, enrollment, billing,
read-only, and an enrollment admin limited to A's Hourly subgroup) and requests every URL pattern
of the portal under ``groups/`` that names an object (it walks Django's resolver). The group
number in the URL is A's own, so `group_view` lets the request through to the view body; every
other URL keyword is filled by a *filler* with an object of group B, and for the limited admin also
with one of A's other subgroup (Salaried). A pattern with two or more keywords is also tried with
one keyword foreign and the others the admin's own (a dependent of another group under one's own
subscriber). Each is requested with GET, HEAD, POST (an empty body, and a plausible form when
`BODIES` has one for the URL's name), PUT, PATCH and DELETE.

Every answer must be 404, or 403 when `group_view(allow=...)` refuses the admin's role; a 405 means
the view does not accept the method and is recorded as such. After each pattern, the row count and
an md5 of every table of the database must be what they were before (`table_fingerprints`;
django_session and the axes_* tables are left out: signing in writes them).

Adding a filler (a new URL keyword)
-----------------------------------
A URL pattern with a keyword that no filler fills fails the sweep before any request. Add one
small function to this module, returning the objects to put in the URL (made once per sweep):

    @filler("invoice_number", converter="invoice", attr="number")
    def invoice(scene):
        return {OTHER_GROUP: make_invoice(scene.other_group), OWN: make_invoice(scene.group)}

- the keys: `OTHER_GROUP` (required): an object of `scene.other_group`; `OTHER_SUBGROUP` when the
  object belongs to one subgroup (a subscriber and what hangs off them): one of `scene.salaried`,
  which the limited admin (`scene.limited`, limited to `scene.hourly`) must not reach; `OWN`
  (optional): one every admin of A reaches, used with a foreign object in the pattern's other keyword.
- `attr` is the attribute that goes in the URL (default "pk"); `converter` (optional) also makes
  the filler fill any keyword typed with that converter of core.converters (<invoice:...>).
- when the view acts only on a posted form, add plausible data to `BODIES` under the URL's name,
  so that a view that forgot its scoping would change a table and be caught.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django.urls.converters import get_converters
from django.utils import timezone

from accounts.models import Membership
from billing.models import Invoice, Payment
from enrollment import services as enrollment_services
from enrollment.forms import SubscriberForm
from enrollment.models import Continuation, IDCardOrder, ProofDocument, QualifiedBeneficiary
from enrollment.tests import helpers
from tests import factories

OTHER_GROUP = "of another group"
OTHER_SUBGROUP = "of another subgroup"
OWN = "of the admin's own"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Signing in writes these; nothing else may change.
UNWATCHED_TABLES = re.compile(r"^(django_session|axes_\w+)$")
# The user property under which the sweep's test leaves its one-line summary (printed by the root conftest).
SUMMARY_PROPERTY = "object-level tenant sweep"


# --- The scene: group A and its admins, group B ---------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Admin:
    label: str
    role: str
    limited: bool = False


ADMINS = (
    Admin("primary admin", "primary"),
    Admin("enrollment admin", "enrollment"),
    Admin("billing admin", "billing"),
    Admin("read-only admin", "read_only"),
    Admin("enrollment admin limited to Hourly", "enrollment", limited=True),
)


class Scene:
    """Group A (Hourly and Salaried subgroups, plans, an admin per entry of ADMINS) and group B with its primary admin.

    Fillers make their objects on first use, once per scene.
    """

    def __init__(self, group, other_group):
        self.group, self.other_group = group, other_group
        self.plans = helpers.offer_plans(group)
        self.hourly, self.salaried = self.plans["hourly"], self.plans["salaried"]
        self.other_subgroup = factories.SubgroupFactory(group=other_group, code="HRLY", name="Hourly")
        today = timezone.localdate()
        for year in (today.year - 1, today.year, today.year + 1):
            factories.PlanOfferingFactory(plan=self.plans["gold"], group=other_group, subgroup=None, plan_year=year)
        self.users = {}
        for admin in ADMINS:
            user = factories.UserFactory(first_name=admin.role.title(), last_name="Sweep")
            membership = factories.MembershipFactory(user=user, group=group, role=admin.role)
            if admin.limited:
                membership.subgroups.set([self.hourly])
            self.users[admin] = user
        self.primary = self.users[ADMINS[0]]
        self.limited = next(user for admin, user in self.users.items() if admin.limited)
        self.other_admin = factories.UserFactory(first_name="Other", last_name="Primary")
        factories.MembershipFactory(user=self.other_admin, group=other_group, role="primary")
        self._made: dict[str, dict] = {}

    def membership(self, user) -> Membership:
        return Membership.objects.get(user=user, group__in=[self.group, self.other_group])

    def objects(self, filler: Filler) -> dict:
        """Return the filler's {variant: object}, made on first use."""
        if filler.name not in self._made:
            made = filler.make(self)
            assert OTHER_GROUP in made, "the filler %s must return an object of another group (OTHER_GROUP)" % filler.name
            self._made[filler.name] = made
        return self._made[filler.name]


# --- Fillers --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Filler:
    name: str
    make: Callable[[Scene], dict]
    attr: str

    def value(self, obj) -> str:
        return str(getattr(obj, self.attr))


FILLERS: dict[str, Filler] = {}  # by URL keyword
CONVERTER_FILLERS: dict[str, Filler] = {}  # by converter name, for a keyword no filler names


def filler(keyword: str, *, converter: str | None = None, attr: str = "pk"):
    """Register the decorated function as the filler of URL `keyword` (and of keywords typed with `converter`)."""

    def register(make):
        entry = Filler(make.__name__, make, attr)
        FILLERS[keyword] = entry
        if converter:
            CONVERTER_FILLERS[converter] = entry
        return make

    return register


@filler("subscriber_number", converter="subscriber", attr="subscriber_number")
def subscriber(scene):
    return {
        OTHER_GROUP: factories.SubscriberFactory(group=scene.other_group, subgroup=scene.other_subgroup),
        OTHER_SUBGROUP: factories.SubscriberFactory(group=scene.group, subgroup=scene.salaried),
        OWN: factories.SubscriberFactory(group=scene.group, subgroup=scene.hourly),
    }


@filler("number", converter="confirmation", attr="confirmation_number")
def change_request(scene):
    people = scene.objects(FILLERS["subscriber_number"])
    return {
        OTHER_GROUP: factories.ChangeRequestFactory(group=scene.other_group, subscriber=people[OTHER_GROUP], submitted_by=scene.other_admin),
        OTHER_SUBGROUP: factories.ChangeRequestFactory(group=scene.group, subscriber=people[OTHER_SUBGROUP], submitted_by=scene.primary),
        OWN: factories.ChangeRequestFactory(group=scene.group, subscriber=people[OWN], submitted_by=scene.primary),
    }


@filler("draft_id")
def enrollment_draft(scene):
    """Complete drafts (a confirm would create the request): B's by its admin; a Salaried one by the limited admin.

    A draft belongs to the admin who started it, so the limited admin's own draft of another
    subgroup (saved before she was limited) is the one that tests the subgroup scoping. Drafts
    have no OWN variant: each admin reaches only their own.
    """
    return {
        OTHER_GROUP: complete_draft(scene, scene.other_subgroup, created_by=scene.other_admin, checked_as=scene.membership(scene.other_admin)),
        OTHER_SUBGROUP: complete_draft(scene, scene.salaried, created_by=scene.limited, checked_as=scene.membership(scene.primary)),
    }


@filler("membership_pk")
def membership(scene):
    return {OTHER_GROUP: scene.membership(scene.other_admin), OWN: scene.membership(scene.limited)}


@filler("invoice_number", converter="invoice", attr="number")
def invoice(scene):
    return {OTHER_GROUP: make_invoice(scene.other_group), OWN: make_invoice(scene.group)}


@filler("dependent_id")
def dependent(scene):
    people = scene.objects(FILLERS["subscriber_number"])
    return {variant: factories.DependentFactory(subscriber=person, group=person.group) for variant, person in people.items()}


@filler("order_id")
def id_card_order(scene):
    people = scene.objects(FILLERS["subscriber_number"])
    return {variant: IDCardOrder.objects.create(group=person.group, subscriber=person) for variant, person in people.items()}


@filler("document_id")
def proof_document(scene):
    people = scene.objects(FILLERS["subscriber_number"])
    return {
        variant: ProofDocument.objects.create(
            group=person.group, subscriber=person, kind=ProofDocument.Kind.BIRTH_CERTIFICATE, stored_name="sweep-%s-%d" % (person.pk, i),
            original_name="certificate.pdf", content_type="application/pdf", size=4, sha256="0" * 64,
            uploaded_by=scene.primary if person.group_id == scene.group.pk else scene.other_admin,
        )
        for i, (variant, person) in enumerate(people.items())
    }
@filler("payment_reference", attr="reference")
def payment(scene):
    """A payment belongs to the whole group (no subgroup): one on group B's invoice, and one on A's own."""
    invoices = scene.objects(FILLERS["invoice_number"])
    return {OTHER_GROUP: make_payment(invoices[OTHER_GROUP]), OWN: make_payment(invoices[OWN])}


@filler("continuation_id")
def continuation(scene):
    """A continuation (pending election, with its election notice) of each variant's subscriber, with its qualifying event's request."""
    people = scene.objects(FILLERS["subscriber_number"])
    made = {}
    for variant, person in people.items():
        admin = scene.primary if person.group_id == scene.group.pk else scene.other_admin
        request = factories.ChangeRequestFactory(group=person.group, subscriber=person, submitted_by=admin, kind="qualifying_event")
        made[variant] = Continuation.objects.create(
            group=person.group, subscriber=person, law="cobra", event_kind="end_of_employment", event_date=timezone.localdate(),
            coverage_lost_on=timezone.localdate(), plan=scene.plans["gold"], plan_year=timezone.localdate().year, tier="EE", maximum_months=18,
            maximum_end=timezone.localdate() + timedelta(days=540), request=request, notice_on=timezone.localdate(),
            notice_file="notices/sweep-%d.pdf" % person.pk, election_deadline=timezone.localdate() + timedelta(days=60),
        )
        QualifiedBeneficiary.objects.create(continuation=made[variant], relationship="subscriber")
        request.snapshot = {"continuation_id": made[variant].pk}
        request.save(update_fields=["snapshot"])
    return made


def complete_draft(scene, subgroup, *, created_by, checked_as):
    """Return a New Enrollment draft of `subgroup` with every step done, as the wizard's forms would save it.

    `checked_as` is a membership whose subgroups include `subgroup`: the subscriber form is
    validated as that admin would see it.
    """
    group = subgroup.group
    form = SubscriberForm(helpers.subscriber_post(subgroup), membership=checked_as, today=timezone.localdate())
    assert form.is_valid(), form.errors
    draft = enrollment_services.save_subscriber_step(group=group, acting_user=created_by, draft=None, cleaned_data=form.cleaned_data)
    plan_step = {"plan": scene.plans["gold"], "coverage_start": helpers.proposed_start(group)}
    enrollment_services.save_plan_step(draft=draft, cleaned_data=plan_step)
    return enrollment_services.save_dependents_step(draft=draft, cleaned_forms=[], done=True)


def make_invoice(group):
    period = timezone.localdate().replace(day=1)
    return Invoice.objects.create(
        group=group, number="INV-%s-%s" % (group.group_number, period.strftime("%Y%m")), period=period,
        issued_on=period - timedelta(days=15), due_on=period, current_premium=Decimal("100.00"), amount_due=Decimal("100.00"),
    )


def make_payment(invoice):
    return Payment.objects.create(
        group=invoice.group, invoice=invoice, amount=Decimal("100.00"), status=Payment.Status.SUCCEEDED,
        idempotency_key="sweep-%s" % invoice.number, stripe_payment_intent_id="pi_sweep_%s" % invoice.group.group_number,
    )


# --- Plausible forms ----------------------------------------------------------------------------------------

# By URL name: the form a view needs before it acts (an empty POST is always tried too).
BODIES: dict[str, Callable[[Scene], dict]] = {
    "enrollment:enrollment_subscriber": lambda scene: helpers.subscriber_post(scene.hourly, first_name="Forged", ssn=""),
    "enrollment:enrollment_plan": lambda scene: {
        "plan": str(scene.plans["gold"].pk), "coverage_start": helpers.proposed_start(scene.group).isoformat(),
    },
    "enrollment:enrollment_dependents": lambda scene: helpers.dependents_post([helpers.CHILD]),
    "accounts:membership_subgroups": lambda scene: {"access": "only", "subgroups": [str(scene.hourly.pk)]},
    # Roster maintenance: a change confirmed at once (reinstatement has no form), or a form that would be kept.
    "enrollment:reinstate": lambda scene: {"confirm": "1"},
    "enrollment:terminate": lambda scene: {"scope": "subscriber", "reason": "end_of_employment", "termination_date": timezone.localdate().isoformat()},
    # A complete Make a Payment form: a view that forgot its scoping would record an attempt on B's invoice.
    "billing:make_payment": lambda scene: {
        "amount": "100.00", "frequency": "one_time", "method": "card", "setup_intent": "seti_sweep", "attempts_seen": "0",
    },
    "billing:make_payment_method": lambda scene: {"amount": "100.00", "frequency": "one_time", "method": "card", "attempts_seen": "0"},
    # Continuation: offering it acts on Confirm alone; the flows keep a form in the session until Confirm.
    "enrollment:offer_continuation": lambda scene: {"confirm": "1"},
    "enrollment:record_election": lambda scene: {"elected_on": timezone.localdate().isoformat(), "beneficiaries": ["S"], "confirm": "1"},
    "enrollment:end_continuation": lambda scene: {"reason": "non_payment", "on": timezone.localdate().isoformat(), "confirm": "1"},
    "enrollment:report_qualifying_event": lambda scene: {"kind": "end_of_employment", "event_date": timezone.localdate().isoformat(), "members": ["S"]},
    # deactivate_user, enrollment_confirm and enrollment_discard act on an empty POST.
}


# --- Walking the URL patterns -------------------------------------------------------------------------------


@dataclasses.dataclass
class Route:
    route: str  # e.g. "groups/<group:group_number>/requests/<confirmation:number>/"
    name: str  # "enrollment:request_detail"
    callback: Callable
    converters: dict  # keyword -> converter instance
    regex: bool = False  # written with re_path(): its keywords cannot be filled

    @property
    def keywords(self) -> list[str]:
        return [k for k in self.converters if k != "group_number"]

    @property
    def allow(self) -> frozenset:
        return getattr(self.callback, "group_view_allow", None) or getattr(getattr(self.callback, "view_class", None), "group_view_allow", frozenset())

    def path(self, values: dict) -> str:
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], self.route)


def group_routes(resolver=None, prefix="", namespace="", converters=None, regex=False) -> list[Route]:
    """Return every URL pattern of the project under groups/, with its full route, name and converters."""
    resolver = resolver or get_resolver()
    converters = converters or {}
    routes = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        is_regex = regex or isinstance(entry.pattern, RegexPattern)
        if isinstance(entry, URLResolver):
            space = ":".join(filter(None, [namespace, entry.namespace]))
            routes += group_routes(entry, route, space, found, is_regex)
        elif isinstance(entry, URLPattern) and route.lstrip("^").startswith("groups/"):
            routes.append(Route(route, ":".join(filter(None, [namespace, entry.name])), entry.callback, found, is_regex))
    return routes


def converter_name(converter) -> str | None:
    names = {type(instance): name for name, instance in get_converters().items()}
    return names.get(type(converter))


def filler_for(route: Route, keyword: str) -> Filler | None:
    return FILLERS.get(keyword) or CONVERTER_FILLERS.get(converter_name(route.converters[keyword]) or "")


def unfillable(routes) -> list[str]:
    """Return, for each keyword no filler fills, the message saying how to add one."""
    problems = []
    for route in routes:
        if route.regex:
            problems.append(
                "URL pattern %s (%s) is a regular expression (re_path): write it with path() and a typed converter "
                "(<int:xxx_id>, <subscriber:subscriber_number>, ...) so the tenant sweep can fill it." % (route.route, route.name)
            )
            continue
        for keyword in route.keywords:
            if filler_for(route, keyword) is None:
                converter = converter_name(route.converters[keyword]) or type(route.converters[keyword]).__name__
                problems.append(
                    "URL pattern %s (%s) has the keyword %r (converter %s) that the tenant sweep cannot fill, so the sweep "
                    "cannot prove the page refuses another group's object. Add a filler to tests/sweep.py:\n\n"
                    "    @filler(\"%s\")\n"
                    "    def my_object(scene):\n"
                    "        return {OTHER_GROUP: <one of scene.other_group>, OTHER_SUBGROUP: <one of scene.salaried, if it belongs to a subgroup>}\n\n"
                    "(attr=... names the attribute that goes in the URL, default pk; see the top of tests/sweep.py.)"
                    % (route.route, route.name, keyword, converter, keyword)
                )
    return problems


# --- Fingerprints of every table ---------------------------------------------------------------------------


def watched_tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not UNWATCHED_TABLES.match(t))


def table_fingerprints(tables) -> dict[str, tuple[int, str]]:
    """Return {table: (row count, md5 of all its rows in order)} in one query."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        "SELECT %%s, count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM %s t" % quote(table) for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return {name: (count, digest) for name, count, digest in cursor.fetchall()}


def changed_tables(before, after) -> list[str]:
    return ["%s (%d -> %d rows)" % (t, before[t][0], after[t][0]) for t in before if before[t] != after[t]]


# --- The sweep ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Failure:
    admin: str
    name: str  # the URL's name, e.g. "enrollment:request_detail"
    what: str  # the request and its answer, or the tables changed

    def __str__(self):
        return "%s, %s: %s" % (self.admin, self.name, self.what)


@dataclasses.dataclass
class SweepResult:
    patterns: int = 0
    skipped: int = 0  # group pages that name no object (the group-level sweep covers them)
    admins: int = 0
    requests: int = 0
    objects: set = dataclasses.field(default_factory=set)
    methods: set = dataclasses.field(default_factory=set)
    accepted: dict = dataclasses.field(default_factory=dict)  # URL name -> methods not answered 405
    tables: int = 0
    seconds: float = 0.0
    failures: list = dataclasses.field(default_factory=list)
    unfillable: list = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.unfillable

    def report(self) -> str:
        if self.unfillable:
            return "The tenant sweep cannot fill every URL keyword:\n\n" + "\n\n".join(self.unfillable)
        return "The object-level tenant sweep found %d problems:\n  %s" % (len(self.failures), "\n  ".join(map(str, self.failures)))

    def summary(self) -> str:
        return (
            "object-level tenant sweep: %d URL patterns x %d admins, methods %s, %d objects of another group or subgroup, "
            "%d requests, %d tables unchanged, %.1f s (%d group pages name no object)"
            % (self.patterns, self.admins, "/".join(m for m in METHODS if m in self.methods), len(self.objects),
               self.requests, self.tables, self.seconds, self.skipped)
        )


def attempts(scene: Scene, route: Route, admin: Admin):
    """Yield (how, URL values, [(keyword, foreign object)]) for every way of filling the route with objects this admin must not reach."""
    fillers = {k: filler_for(route, k) for k in route.keywords}
    made = {k: scene.objects(f) for k, f in fillers.items()}
    variants = (OTHER_GROUP, OTHER_SUBGROUP) if admin.limited else (OTHER_GROUP,)
    base = {"group_number": scene.group.group_number}
    for variant in variants:
        if all(variant in made[k] for k in route.keywords):
            values = {k: fillers[k].value(made[k][variant]) for k in route.keywords}
            yield "every object %s" % variant, {**base, **values}, [(k, made[k][variant]) for k in route.keywords]
        if len(route.keywords) > 1:
            for foreign in route.keywords:
                others = [k for k in route.keywords if k != foreign]
                if variant in made[foreign] and all(OWN in made[k] for k in others):
                    values = {k: fillers[k].value(made[k][OWN]) for k in others}
                    values[foreign] = fillers[foreign].value(made[foreign][variant])
                    yield "%s %s, the rest the admin's own" % (foreign, variant), {**base, **values}, [(foreign, made[foreign][variant])]


def request(client, method: str, path: str, body: dict | None):
    """Send one request in a savepoint; return its status, or the exception's name when the view raised."""
    try:
        with transaction.atomic():
            if method == "POST":
                return client.post(path, body or {}).status_code
            return getattr(client, method.lower())(path).status_code
    except Exception as error:  # a view that raises instead of answering 404 is a finding, not a crash
        return "raised %s: %s" % (type(error).__name__, error)


def run_sweep(scene: Scene, *, admins=ADMINS) -> SweepResult:
    """Request every object-level group URL as each admin of `admins`; return what was tried and what failed."""
    # Hundreds of expected 404s, 403s and 405s would each log a warning (a traceback for a 403).
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        return _sweep(scene, admins)
    finally:
        request_log.setLevel(level)


def _sweep(scene: Scene, admins) -> SweepResult:
    started = time.monotonic()
    result = SweepResult()
    routes = group_routes()
    object_routes = [r for r in routes if r.keywords or r.regex]
    result.skipped = len(routes) - len(object_routes)
    result.unfillable = unfillable(object_routes)
    if result.unfillable:
        return result
    clients = {}
    for admin in admins:  # sign every admin in before the first fingerprint: a sign-in writes last_login and an audit event
        clients[admin] = Client()
        clients[admin].force_login(scene.users[admin])
    for route in object_routes:  # make every object before the first fingerprint too
        for admin in admins:
            list(attempts(scene, route, admin))
    tables = watched_tables()
    before = table_fingerprints(tables)
    result.tables, result.patterns, result.admins = len(tables), len(object_routes), len(admins)
    for route in object_routes:
        for admin in admins:
            expected = 404 if admin.role in route.allow else 403
            for how, values, objects in attempts(scene, route, admin):
                path = route.path(values)
                result.objects.update((type(obj).__name__, obj.pk) for _, obj in objects)
                for method in METHODS:
                    bodies = [None]
                    if method == "POST" and route.name in BODIES:
                        bodies.append(BODIES[route.name](scene))
                    for body in bodies:
                        status = request(clients[admin], method, path, body)
                        result.requests += 1
                        result.methods.add(method)
                        if status == 405:
                            continue
                        if expected == 404:  # the role may use the page: what it answers is the view's own
                            result.accepted.setdefault(route.name, set()).add(method)
                        if status != expected:
                            form = ", with a plausible form" if body else ""
                            result.failures.append(
                                Failure(admin.label, route.name, "%s %s (%s%s) -> %s, expected %d" % (method, path, how, form, status, expected))
                            )
            after = table_fingerprints(tables)
            if after != before:
                changed = ", ".join(sorted(changed_tables(before, after)))
                result.failures.append(Failure(admin.label, route.name, "%s changed tables: %s" % (route.route, changed)))
                before = after
    result.seconds = time.monotonic() - started
    return result
