"""Demo roster maintenance: copays on the plans, and a few processed changes in Acme so the subscriber
page's History tab, Track Requests and the ID Cards page have something to show.

Three Acme subscribers of their own (not in the planned roster, so seed_people never resets them):
an address update, a PCP change and an ID card order (shipped, with a temporary card to print) for
Jordan Reyes, whose daughter turns 26 in about six weeks (Group Home lists her); a spouse added after
a marriage, with a certificate, for Priya Natarajan; a termination and its reinstatement for Sam
Whitaker. The scenario runs once a month, like the coverages it changes: a second run in the same
month writes nothing, and a new month rebuilds it from scratch (the coverages were rebuilt too).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership, User
from demo.accounts import ACME, history_start
from enrollment import documents, processors, rules
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, Coverage, Dependent, IDCardOrder, Plan, ProofDocument, Subscriber

# Printed on the ID card: primary care, specialist, urgent care, emergency room (an HDHP: the deductible first).
COPAYS = {
    "CAS-HMO-G500": ("20.00", "40.00", "50.00", "250.00"),
    "CAS-HMO-S2000": ("30.00", "60.00", "75.00", "350.00"),
    "SUM-PPO-P250": ("15.00", "30.00", "40.00", "200.00"),
    "SUM-PPO-G1000": ("25.00", "50.00", "60.00", "300.00"),
    "SUM-PPO-S2500": ("35.00", "70.00", "85.00", "400.00"),
    "SUM-PPO-S3000": ("35.00", "70.00", "85.00", "400.00"),
    "WIL-EPO-G750": ("25.00", "45.00", "60.00", "300.00"),
    "RID-HDHP-B7000": ("0.00", "0.00", "0.00", "0.00"),
}
PLAN = "SUM-PPO-G1000"
PEOPLE = {
    # subscriber ID: (first, last, date of birth, gender, subgroup code)
    "M555000101": ("Jordan", "Reyes", date(1972, 9, 14), "M", "SAL"),
    "M555000102": ("Priya", "Natarajan", date(1991, 1, 22), "F", "HRLY"),
    "M555000103": ("Sam", "Whitaker", date(1984, 6, 3), "M", "SAL"),
}
KINDS = (
    ChangeRequest.Kind.DEMOGRAPHIC_UPDATE, ChangeRequest.Kind.PCP_CHANGE, ChangeRequest.Kind.DEPENDENT_ADDED,
    ChangeRequest.Kind.DEPENDENT_REMOVED, ChangeRequest.Kind.TERMINATION, ChangeRequest.Kind.REINSTATEMENT, ChangeRequest.Kind.ID_CARD_ORDER,
)
# A one-page PDF standing in for a scanned marriage certificate.
CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_copays() -> None:
    """Set each demo plan's copays (only where they differ, so a rerun writes nothing)."""
    for code, amounts in COPAYS.items():
        values = dict(zip(("copay_primary_care", "copay_specialist", "copay_urgent_care", "copay_emergency"), map(Decimal, amounts)))
        Plan.objects.filter(code=code).exclude(**values).update(**values)


def _is_current(subscribers: dict[str, Subscriber]) -> bool:
    """Whether this month's scenario is in place: its requests exist and the coverages they changed are still there."""
    return (
        ChangeRequest.objects.filter(subscriber__in=subscribers.values(), kind__in=KINDS).exists()
        and Coverage.objects.filter(subscriber__in=subscribers.values()).exists()
    )


def _reset(subscribers: dict[str, Subscriber]) -> None:
    """Remove last month's scenario: its requests, orders, documents, coverages and the dependents it added."""
    subs = list(subscribers.values())
    for document in ProofDocument.objects.filter(subscriber__in=subs):
        documents.private_storage().delete(document.stored_name)
        document.delete()
    for order in IDCardOrder.objects.filter(subscriber__in=subs).exclude(card_file=""):
        documents.private_storage().delete(order.card_file)
    IDCardOrder.objects.filter(subscriber__in=subs).delete()
    ChangeRequest.objects.filter(subscriber__in=subs).delete()
    Coverage.objects.filter(subscriber__in=subs).delete()
    Dependent.objects.filter(subscriber__in=subs).delete()
    for subscriber in subs:
        Subscriber.objects.filter(pk=subscriber.pk).update(**_planned(subscriber.group, subscriber.subscriber_number))
        subscriber.refresh_from_db()


def _planned(group, number) -> dict:
    """The subscriber as the scenario starts (before this month's changes)."""
    first, last, born, gender, subgroup = PEOPLE[number]
    return dict(
        group=group, subgroup=group.subgroups.get(code=subgroup), first_name=first, last_name=last, date_of_birth=born, gender=gender,
        marital_status="single", address_line1="%d Alder St" % (100 + int(number[-2:])), address_line2="", city="Portland", state="OR",
        zip_code="97202", phone="503-555-01%s" % number[-2:], email="%s.%s@example.com" % (first.lower(), last.lower()),
        hire_date=date(2018, 4, 2), pcp_name="", pcp_id="",
    )


def _people(group) -> dict[str, Subscriber]:
    return {number: Subscriber.objects.get_or_create(subscriber_number=number, defaults=_planned(group, number))[0] for number in PEOPLE}


def cover(subscriber, plan, start, dependents=()) -> Coverage:
    """Cover the subscriber (and `dependents`) from `start` on `plan`, in the books."""
    coverage = Coverage.objects.create(
        group=subscriber.group, subscriber=subscriber, plan=plan, plan_year=rules.plan_year_of(subscriber.group.renewal_month, start),
        tier=rules.coverage_tier(d.relationship for d in dependents), start=start, status=Coverage.Status.ACTIVE,
    )
    coverage.dependents.set(dependents)
    return coverage


def processed(request, today) -> ChangeRequest:
    """Process the request now, as the worker would (the worker's own run later finds it decided and leaves it)."""
    return processors.process(request.pk, today=today)


def seed_maintenance(groups, today: date) -> int:
    """Write this month's scenario in Acme (see the module's docstring); return how many requests it made."""
    seed_copays()
    group = groups[ACME.group_number]
    people = _people(group)
    if _is_current(people):
        return 0
    _reset(people)
    erin = User.objects.get(username="erin")
    membership = Membership.objects.get(user=erin, group=group)
    plan = Plan.objects.get(code=PLAN)
    start = history_start(today)
    jordan, priya, sam = people["M555000101"], people["M555000102"], people["M555000103"]
    # Avery turns 26 about six weeks from now: Group Home lists her, and the beat task removes her that month.
    born = rules.add_months(today + timedelta(days=42), -12 * rules.CHILD_AGE_LIMIT)
    avery = Dependent.objects.create(group=group, subscriber=jordan, first_name="Avery", last_name="Reyes", date_of_birth=born, gender="F",
                                     relationship="child", member_suffix="01")
    for subscriber, dependents in ((jordan, [avery]), (priya, []), (sam, [])):
        cover(subscriber, plan, start, dependents)

    made = []
    made.append(processed(services.submit_demographic_update(
        membership=membership, subscriber=jordan, values={"address_line1": "2715 SE Belmont St", "city": "Portland", "zip_code": "97214"},
        acting_user=erin, today=today), today))
    made.append(processed(services.submit_pcp_change(
        membership=membership, subscriber=jordan, dependent=avery, pcp_name="Dr. Hannah Reyes", pcp_id="PCP120945",
        acting_user=erin, today=today), today))
    made.append(processed(services.submit_id_card_order(
        membership=membership, subscriber=jordan, include_subscriber=True, dependents=[avery], reason="lost", ship_to="subscriber",
        acting_user=erin, today=today), today))

    married = today - timedelta(days=12)
    certificate = documents.store_proof_document(
        group=group, subscriber=priya, kind=ProofDocument.Kind.MARRIAGE_CERTIFICATE, uploaded_by=erin,
        uploaded=SimpleUploadedFile("marriage-certificate.pdf", CERTIFICATE, content_type="application/pdf"),
    )
    made.append(processed(services.submit_demographic_update(
        membership=membership, subscriber=priya, values={"marital_status": "married"}, acting_user=erin, today=today), today))
    made.append(processed(services.submit_dependent_added(
        membership=membership, subscriber=priya, event=rules.MARRIAGE, event_date=married, document=certificate,
        person={"first_name": "Arjun", "middle_initial": "", "last_name": "Natarajan", "date_of_birth": date(1989, 11, 2),
                "gender": "M", "relationship": "spouse"},
        acting_user=erin, today=today), today))

    made.append(processed(services.submit_termination(
        membership=membership, subscriber=sam, reason="voluntary", termination_date=rules.add_months(today, -1), acting_user=erin,
        today=today), today))
    made.append(processed(services.submit_reinstatement(membership=membership, subscriber=sam, acting_user=erin, today=today), today))
    return len(made)
