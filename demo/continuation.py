"""Demo continuation coverage: each group's law, and in Acme one family continuing under COBRA and one pending election.

Acme and Cedar Valley are COBRA groups (20 or more employees); Bluebird (18 subscribers) has Oregon's
state continuation, 9 months. Two Acme subscribers of their own (not in the planned roster, so
seed_people never resets them): Dana Morales (Salaried), whose employment ended three months ago and
whose family elected COBRA (continuing, with the notice to download); Elliot Park (Hourly, so the
limited admin `hana` sees him), whose employment ended this month or last, the notice issued, the
election still open. Every step goes through the services and the worker's processors, as a request
with a confirmation number. The scenario runs once a month, like the coverages it builds on: a second
run in the same month writes nothing; a new month rebuilds it.
"""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import EmployerGroup, Membership, User
from demo import maintenance
from demo.accounts import ACME, BLUEBIRD, CEDAR, history_start
from enrollment import documents, rules
from enrollment.continuation import services
from enrollment.maintenance import services as maintenance_services
from enrollment.models import ChangeRequest, Continuation, Coverage, Dependent, Plan, Subscriber

PLAN = "SUM-PPO-G1000"
LAWS = {ACME.group_number: ("cobra", None), CEDAR.group_number: ("cobra", None), BLUEBIRD.group_number: ("state", 9)}
PEOPLE = {
    # subscriber ID: (first, last, date of birth, gender, subgroup code)
    "M555000201": ("Dana", "Morales", date(1979, 5, 17), "F", "SAL"),
    "M555000202": ("Elliot", "Park", date(1990, 10, 2), "M", "HRLY"),
}
FAMILY = {
    # subscriber ID: [(first, date of birth, gender, relationship, suffix)]
    "M555000201": [("Rafael", date(1977, 8, 30), "M", "spouse", "01"), ("Sofia", date(2011, 2, 14), "F", "child", "02")],
    "M555000202": [],
}


def seed_laws(groups) -> None:
    """Set each demo group's continuation law (only where it differs, so a rerun writes nothing)."""
    for number, (law, months) in LAWS.items():
        EmployerGroup.objects.filter(pk=groups[number].pk).exclude(continuation=law, state_continuation_months=months).update(
            continuation=law, state_continuation_months=months
        )
        groups[number].refresh_from_db()


def _planned(group, number) -> dict:
    first, last, born, gender, subgroup = PEOPLE[number]
    return dict(
        group=group, subgroup=group.subgroups.get(code=subgroup), first_name=first, last_name=last, date_of_birth=born, gender=gender,
        marital_status="married" if FAMILY[number] else "single", address_line1="%d Birch St" % (200 + int(number[-2:])), address_line2="",
        city="Tigard", state="OR", zip_code="97223", phone="503-555-02%s" % number[-2:], email="%s.%s@example.com" % (first.lower(), last.lower()),
        hire_date=date(2015, 9, 8), pcp_name="", pcp_id="",
    )


def _people(group) -> dict[str, Subscriber]:
    return {number: Subscriber.objects.get_or_create(subscriber_number=number, defaults=_planned(group, number))[0] for number in PEOPLE}


def _is_current(people) -> bool:
    """Whether this month's scenario is in place: both continuations exist and the coverages they build on too."""
    return (
        Continuation.objects.filter(subscriber__in=people.values()).count() == len(PEOPLE)
        and Coverage.objects.filter(subscriber__in=people.values(), continuation__isnull=True).exists()
    )


def _reset(people) -> None:
    """Remove last month's scenario: coverages, continuations and their notices, requests, dependents."""
    subs = list(people.values())
    Coverage.objects.filter(subscriber__in=subs).delete()
    for continuation in Continuation.objects.filter(subscriber__in=subs):
        if continuation.notice_file:
            documents.private_storage().delete(continuation.notice_file)
        continuation.delete()
    ChangeRequest.objects.filter(subscriber__in=subs).delete()
    Dependent.objects.filter(subscriber__in=subs).delete()
    for subscriber in subs:
        Subscriber.objects.filter(pk=subscriber.pk).update(**_planned(subscriber.group, subscriber.subscriber_number))
        subscriber.refresh_from_db()


def _cover(subscriber, plan, start) -> list[Dependent]:
    """Cover the subscriber and their family from `start` (the demo's history start)."""
    dependents = [
        Dependent.objects.create(group=subscriber.group, subscriber=subscriber, first_name=first, last_name=subscriber.last_name, date_of_birth=born,
                                 gender=gender, relationship=relationship, member_suffix=suffix)
        for first, born, gender, relationship, suffix in FAMILY[subscriber.subscriber_number]
    ]
    maintenance.cover(subscriber, plan, start, dependents)
    return dependents


def _laid_off(membership, erin, subscriber, *, on: date, noticed: date) -> Continuation:
    """End the subscriber's employment on `on`, offer continuation, issue the notice on `noticed`; return the continuation."""
    termination = maintenance.processed(maintenance_services.submit_termination(
        membership=membership, subscriber=subscriber, reason="end_of_employment", termination_date=on, acting_user=erin, today=on), on)
    _, kind, event_date, people = services.offer_from_request(membership, termination)
    event = services.submit_qualifying_event(membership=membership, subscriber=subscriber, kind=kind, event_date=event_date, people=people,
                                             acting_user=erin, today=noticed, source_request=termination)
    maintenance.processed(event, noticed)
    return Continuation.objects.get(pk=event.snapshot["continuation_id"])


def seed_continuation(groups, today: date) -> int:
    """Set the groups' laws and write this month's scenario in Acme (see the module's docstring); return how many requests it made."""
    seed_laws(groups)
    group = groups[ACME.group_number]
    people = _people(group)
    if _is_current(people):
        return 0
    _reset(people)
    erin = User.objects.get(username="erin")
    membership = Membership.objects.get(user=erin, group=group)
    plan = Plan.objects.get(code=PLAN)
    start = history_start(today)
    dana, elliot = people["M555000201"], people["M555000202"]
    family = _cover(dana, plan, start)
    _cover(elliot, plan, start)

    # Dana: employment ended on the 10th three months ago; her family elected three weeks after the notice.
    month = rules.first_of_month(today)
    ended = rules.add_months(month, -3) + timedelta(days=9)
    continuing = _laid_off(membership, erin, dana, on=ended, noticed=ended + timedelta(days=2))
    elected_on = continuing.notice_on + timedelta(days=21)
    maintenance.processed(services.submit_election(membership=membership, continuation=continuing, elected_on=elected_on,
                                   electing=["S"] + ["D%d" % d.pk for d in family], acting_user=erin, today=elected_on), elected_on)

    # Elliot: employment ended 20 days ago; the notice went out two days later; the election is still open.
    ended = today - timedelta(days=20)
    _laid_off(membership, erin, elliot, on=ended, noticed=ended + timedelta(days=2))
    return ChangeRequest.objects.filter(subscriber__in=people.values()).count()
