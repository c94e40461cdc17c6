"""The continuation pages through the client: the COBRA roster (status, deadlines, CSV, constant queries, limited admins),
a continuation's page, offering continuation after a termination, reporting an event, recording an election; roles and 404s."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from enrollment import rules
from enrollment.models import ChangeRequest, Continuation
from enrollment.tests.cobra_helpers import continuation_of, elect, notified, terminate
from enrollment.tests.maintenance_helpers import family
from tests import factories
from tests.queries import count_queries


def today():
    return timezone.localdate()


def laid_off(group, alice, plans, *, number="M100000001", first_name="Maria", subgroup="salaried", elect_all=False):
    """A family covered for six months whose employment ends today; the notice went out today."""
    subscriber, spouse, kids = family(group, plans, start=rules.add_months(rules.first_of_month(today()), -6), number=number, first_name=first_name,
                                      subgroup=subgroup)
    change = terminate(alice, group, subscriber, reason="end_of_employment", on=today(), today=today())
    continuation = notified(alice, group, change, today=today())
    if elect_all:
        elect(alice, group, continuation, keys=["S", "D%d" % spouse.pk] + ["D%d" % k.pk for k in kids], elected_on=today(), today=today())
        continuation.refresh_from_db()
    return continuation


def url(group, name, **kwargs):
    return reverse("enrollment:" + name, kwargs={"group_number": group.group_number, **kwargs})


def sign_in(client, group, role, **limits):
    user = factories.UserFactory()
    m = factories.MembershipFactory(user=user, group=group, role=role)
    if limits.get("subgroups"):
        m.subgroups.set(limits["subgroups"])
    client.force_login(user)
    return user


# --- The COBRA roster ------------------------------------------------------------------------------------------------


def test_the_roster_shows_each_continuation_s_status_event_deadline_and_maximum_end(client, group, alice, plans):
    pending = laid_off(group, alice, plans)
    continuing = laid_off(group, alice, plans, number="M100000002", first_name="Rosa", elect_all=True)
    sign_in(client, group, "read_only")
    page = client.get(url(group, "continuation_roster")).content.decode()
    end = rules.last_of_month(today())
    deadline = end + timedelta(days=60)
    assert "COBRA continuation" in page and "Continuing" in page and "Pending election" in page
    assert "Maria Lopez, Carlos Lopez, Lucia Lopez" in page
    assert "Rosa Lopez (continuing), Carlos Lopez (continuing), Lucia Lopez (continuing)" in page
    assert deadline.strftime("%b %-d, %Y") in page and pending.maximum_end.strftime("%b %-d, %Y") in page
    only = client.get(url(group, "continuation_roster") + "?status=continuing").content.decode()
    assert "Rosa Lopez" in only and "Maria Lopez" not in only
    found = client.get(url(group, "continuation_roster") + "?q=M100000001").content.decode()
    assert "Maria Lopez" in found and "Rosa Lopez" not in found
    assert continuing.status == "continuing"


def test_the_roster_link_names_the_group_s_law(client, group, alice):
    client.force_login(alice)
    assert "COBRA continuation</a>" in client.get(url(group, "roster")).content.decode()
    group.continuation, group.state_continuation_months = "state", 9
    group.save()
    page = client.get(url(group, "continuation_roster")).content.decode()
    assert "State continuation (OR): 9 months" in page and "<h1 class=\"h3\">State continuation</h1>" in page


def test_the_roster_makes_the_same_number_of_queries_for_2_and_8_continuations(client, group, alice, plans):
    for n in range(2):
        laid_off(group, alice, plans, number="M10000000%d" % n, first_name="A%d" % n, elect_all=n == 0)
    client.force_login(alice)
    with count_queries() as few:
        assert client.get(url(group, "continuation_roster")).status_code == 200
    for n in range(2, 8):
        laid_off(group, alice, plans, number="M10000000%d" % n, first_name="A%d" % n, elect_all=n % 2 == 0)
    with count_queries() as many:
        assert client.get(url(group, "continuation_roster")).status_code == 200
    assert len(few) == len(many)


def test_the_csv_lists_one_line_per_beneficiary_and_the_download_is_audited(client, group, alice, plans):
    c = laid_off(group, alice, plans, elect_all=True)
    client.force_login(alice)
    response = client.get(url(group, "continuation_roster_csv"))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == ["Subscriber ID", "Subscriber", "Subgroup", "Qualified beneficiary", "Member ID", "Relationship"]
    assert [r[3:7] for r in rows[1:]] == [
        ["Maria Lopez", "M100000001-00", "Subscriber", "End of employment"],
        ["Carlos Lopez", "M100000001-01", "Spouse", "End of employment"],
        ["Lucia Lopez", "M100000001-02", "Child", "End of employment"],
    ]
    assert rows[1][10] == "Continuing" and rows[1][13] == "Yes" and rows[1][14] == c.maximum_end.isoformat()
    assert rows[1][18] == c.request.display_number
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.actor) == ("continuation_roster", alice)


def test_a_limited_admin_sees_only_their_subgroup_s_continuations(client, group, alice, plans):
    salaried = laid_off(group, alice, plans)
    hourly = laid_off(group, alice, plans, number="M100000002", first_name="Rosa", subgroup="hourly")
    sign_in(client, group, "enrollment", subgroups=[plans["hourly"]])
    page = client.get(url(group, "continuation_roster")).content.decode()
    assert "Rosa Lopez" in page and "Maria Lopez" not in page
    assert client.get(url(group, "continuation_detail", continuation_id=salaried.pk)).status_code == 404
    assert client.get(url(group, "continuation_detail", continuation_id=hourly.pk)).status_code == 200
    assert "Maria" not in b"".join(client.get(url(group, "continuation_roster_csv")).streaming_content).decode()


# --- A continuation's page ------------------------------------------------------------------------------------------


def test_the_page_shows_the_premium_of_each_choice_and_what_an_enrollment_admin_may_do(client, group, alice, plans):
    c = laid_off(group, alice, plans)
    client.force_login(alice)
    page = client.get(url(group, "continuation_detail", continuation_id=c.pk)).content.decode()
    for expected in ("End of employment", "$612.00", "$1,224.00", "$1,101.60", "$1,836.00", "Download the election notice", "Record an election",
                     c.election_deadline.strftime("%b %-d, %Y"), c.maximum_end.strftime("%b %-d, %Y")):
        assert expected in page, expected


@pytest.mark.parametrize("role", ["read_only", "billing"])
def test_read_only_and_billing_admins_view_but_do_not_act(client, group, alice, plans, role):
    c = laid_off(group, alice, plans)
    sign_in(client, group, role)
    page = client.get(url(group, "continuation_detail", continuation_id=c.pk)).content.decode()
    assert "$1,836.00" in page and "Record an election" not in page and "Download the election notice" not in page
    for name in ("record_election", "end_continuation", "extend_continuation"):
        assert client.get(url(group, name, continuation_id=c.pk)).status_code == 403
    assert client.get(url(group, "offer_continuation", number=c.request.confirmation_number)).status_code == 403


def test_another_group_s_continuation_is_not_found(client, group, alice, plans, charlie, other_group):
    c = laid_off(group, alice, plans)
    client.force_login(charlie)
    for name in ("continuation_detail", "record_election", "election_notice"):
        assert client.get(reverse("enrollment:" + name, kwargs={"group_number": other_group.group_number, "continuation_id": c.pk})).status_code == 404


def test_the_page_makes_the_same_number_of_queries_with_1_and_3_beneficiaries(client, group, alice, plans):
    one = laid_off(group, alice, plans)
    client.force_login(alice)
    with count_queries() as three:
        client.get(url(group, "continuation_detail", continuation_id=one.pk))
    single, _, _ = family(group, plans, spouse=False, children=0, start=rules.add_months(rules.first_of_month(today()), -6), number="M100000002",
                          first_name="Rosa")
    alone = notified(alice, group, terminate(alice, group, single, reason="end_of_employment", on=today(), today=today()), today=today())
    with count_queries() as single_queries:
        client.get(url(group, "continuation_detail", continuation_id=alone.pk))
    assert len(three) == len(single_queries)


# --- Offering continuation after a termination; reporting an event; recording an election ------------------------------


def test_the_termination_s_confirmation_offers_continuation_and_confirm_records_the_event(client, group, alice, plans):
    maria, _, _ = family(group, plans, start=rules.add_months(rules.first_of_month(today()), -6))
    change = terminate(alice, group, maria, reason="end_of_employment", on=today(), today=today())
    client.force_login(alice)
    page = client.get(url(group, "change_confirmed", number=change.confirmation_number)).content.decode()
    assert "Offer continuation coverage?" in page
    summary = client.get(url(group, "offer_continuation", number=change.confirmation_number)).content.decode()
    assert "Qualified beneficiaries" in summary and "Maria Lopez, Carlos Lopez, Lucia Lopez" in summary and "18 months" in summary
    response = client.post(url(group, "offer_continuation", number=change.confirmation_number), {"confirm": "1"})
    event = ChangeRequest.objects.get(kind="qualifying_event")
    assert response.url == url(group, "change_confirmed", number=event.confirmation_number)
    confirmed = client.get(response.url).content.decode()
    assert "Open the continuation" in confirmed and "Offer continuation coverage?" not in confirmed


def test_a_voluntary_termination_asks_nothing(client, group, alice, plans):
    maria, _, _ = family(group, plans, start=rules.add_months(rules.first_of_month(today()), -6))
    change = terminate(alice, group, maria, reason="voluntary", on=today(), today=today())
    client.force_login(alice)
    assert "Offer continuation coverage" not in client.get(url(group, "change_confirmed", number=change.confirmation_number)).content.decode()
    response = client.get(url(group, "offer_continuation", number=change.confirmation_number))
    assert response.status_code == 302 and not Continuation.objects.exists()


def test_an_admin_reports_a_divorce_from_the_subscriber_page(client, group, alice, plans, django_capture_on_commit_callbacks):
    maria, carlos, _ = family(group, plans, start=rules.add_months(rules.first_of_month(today()), -6))
    terminate(alice, group, maria, dependent=carlos, reason="voluntary", on=today(), today=today())
    client.force_login(alice)
    assert "Report a qualifying event" in client.get(url(group, "subscriber_detail", subscriber_number="M100000001")).content.decode()
    form_url = url(group, "report_qualifying_event", subscriber_number="M100000001")
    response = client.post(form_url, {"kind": "divorce", "event_date": today().isoformat(), "members": ["S"]})
    assert response.status_code == 200
    assert "The subscriber does not continue coverage through this event" in response.content.decode()   # next to the members field
    response = client.post(form_url, {"kind": "divorce", "event_date": today().isoformat(), "members": ["D%d" % carlos.pk]})
    assert response.status_code == 302
    assert "36 months" in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):   # the worker takes the request once it is committed
        client.post(form_url, {"confirm": "1"})
    c = continuation_of(ChangeRequest.objects.get(kind="qualifying_event"))
    assert (c.event_kind, c.status) == ("divorce", "pending_election") and c.notice_file
    assert "Continuation coverage" in client.get(url(group, "subscriber_detail", subscriber_number="M100000001")).content.decode()


def test_an_election_recorded_through_the_form_continues_coverage(client, group, alice, plans, django_capture_on_commit_callbacks):
    c = laid_off(group, alice, plans)
    client.force_login(alice)
    form_url = url(group, "record_election", continuation_id=c.pk)
    maria = c.subscriber
    late = c.election_deadline + timedelta(days=1)
    page = client.post(form_url, {"elected_on": late.isoformat(), "beneficiaries": ["S"]}).content.decode()
    assert "The election date cannot be in the future." in page
    newborn = factories.DependentFactory(subscriber=maria, first_name="Ana", last_name="Lopez", member_suffix="03")
    page = client.post(form_url, {"elected_on": today().isoformat(), "beneficiaries": ["S", "D%d" % newborn.pk]}).content.decode()
    assert "Ana Lopez was not covered on" in page
    response = client.post(form_url, {"elected_on": today().isoformat(), "beneficiaries": ["S"]})
    assert response.status_code == 302
    summary = client.get(response.url).content.decode()
    assert "$612.00 (102% of the plan&#x27;s $600.00)" in summary and "Does not elect" in summary
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"confirm": "1"})
    request = ChangeRequest.objects.get(kind="continuation_election")
    assert request.status == "completed" and response.url == url(group, "change_confirmed", number=request.confirmation_number)
    c.refresh_from_db()
    assert c.status == "continuing"
    assert "Record an election" not in client.get(url(group, "continuation_detail", continuation_id=c.pk)).content.decode()
    assert client.post(form_url, {"confirm": "1"}).status_code == 302 and ChangeRequest.objects.filter(kind="continuation_election").count() == 1


def test_an_admin_ends_a_continuation_for_other_group_coverage(client, group, alice, plans, django_capture_on_commit_callbacks):
    c = laid_off(group, alice, plans, elect_all=True)
    client.force_login(alice)
    form_url = url(group, "end_continuation", continuation_id=c.pk)
    on = c.start + timedelta(days=5)
    response = client.post(form_url, {"reason": "other_coverage", "on": on.isoformat()})
    assert response.status_code == 302
    assert rules.last_of_month(on).strftime("%b %-d, %Y") in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, {"confirm": "1"})
    c.refresh_from_db()
    assert (c.status, c.ended_on, c.end_reason) == ("ended", rules.last_of_month(on), "other_coverage")


def test_the_csv_makes_the_same_number_of_queries_for_1_and_4_continuations(client, group, alice, plans):
    laid_off(group, alice, plans, elect_all=True)
    client.force_login(alice)

    def download():
        with count_queries() as queries:
            b"".join(client.get(url(group, "continuation_roster_csv")).streaming_content)
        return len(queries)

    one = download()
    for n in range(2, 5):
        laid_off(group, alice, plans, number="M10000000%d" % n, first_name="A%d" % n)
    assert download() == one


def test_a_rejected_event_s_page_says_so_and_the_roster_leaves_it_out(client, group, alice, plans):
    c = laid_off(group, alice, plans)
    Continuation.objects.filter(pk=c.pk).update(status="void")
    ChangeRequest.objects.filter(pk=c.request_id).update(reason="Maria Lopez is still covered after the end.")
    client.force_login(alice)
    page = client.get(url(group, "continuation_detail", continuation_id=c.pk)).content.decode()
    assert "The qualifying event was rejected (Maria Lopez is still covered after the end.)" in page and "Record an election" not in page
    assert "Maria Lopez" not in client.get(url(group, "continuation_roster")).content.decode()
