"""Open Enrollment's pages: search, the options, Keep's Summary, Decline, Begin through the wizard, progress, roles."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from enrollment import open_enrollment
from enrollment.models import ChangeRequest, EnrollmentDraft, Subscriber
from enrollment.tests.oe_helpers import NEXT_YEAR, RENEWAL, TODAY, bulk_population, coverages, noon, set_up, subscriber
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

SPOUSE = ("Robin", "spouse", date(1972, 8, 1))
KID = ("Ada", "child", date(2012, 4, 2))
AGEING_KID = ("Theo", "child", date(2000, 12, 10))


@pytest.fixture(autouse=True)
def in_window():
    with time_machine.travel(noon(TODAY), tick=False):
        yield


@pytest.fixture
def oe(group):
    return set_up(group)


def url(group, name, **kwargs):
    return reverse("enrollment:" + name, kwargs={"group_number": group.group_number, **kwargs})


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def member(group, username, role, subgroups=()):
    user = factories.UserFactory(username=username)
    factories.MembershipFactory(user=user, group=group, role=role).subgroups.set(subgroups)
    return user


# --- Search ----------------------------------------------------------------------------------------


def test_the_search_finds_a_subscriber_by_the_start_of_their_id_or_last_name_in_any_case(alice_client, group, oe):
    subscriber(group, oe.salaried, oe.gold, last_name="Rivera", number="M123456789", dependents=[SPOUSE])
    subscriber(group, oe.hourly, oe.gold, last_name="Rivers", number="M555000111")
    subscriber(group, oe.salaried, oe.silver, last_name="Lopez", number="M987654321")

    def found(q):
        return [row.subscriber.last_name for row in alice_client.get(url(group, "open_enrollment"), {"q": q}).context["rows"]]

    assert found("riv") == ["Rivera", "Rivers"]
    assert found("RIVERS") == ["Rivers"]
    assert found("M1234") == ["Rivera"]
    assert found("m987654321") == ["Lopez"]
    assert found("") == ["Lopez", "Rivera", "Rivers"]
    html = page(alice_client.get(url(group, "open_enrollment"), {"q": "Rivera"}))
    assert "Gold PPO" in html and "$1,000.00" in html and ">ES<" in html and "Nothing yet" in html
    assert url(group, "oe_subscriber", subscriber_number="M123456789") in html


def test_the_search_shows_what_was_done_with_its_confirmation_number(alice_client, group, alice, oe, django_capture_on_commit_callbacks):
    kept = subscriber(group, oe.salaried, oe.gold, last_name="Kept")
    waiting = subscriber(group, oe.salaried, oe.gold, last_name="Waiting")
    with django_capture_on_commit_callbacks(execute=True):
        done = open_enrollment.keep_existing_coverage(group=group, subscriber_pk=kept.pk, acting_user=alice, today=TODAY)
    with django_capture_on_commit_callbacks(execute=False):
        queued = open_enrollment.decline_coverage(group=group, subscriber_pk=waiting.pk, reason="medicare", alternate_plan_name="",
                                                  acting_user=alice, today=TODAY)
    statuses = {row.subscriber.last_name: row.status for row in alice_client.get(url(group, "open_enrollment")).context["rows"]}
    assert (statuses["Kept"].label, statuses["Kept"].request) == ("Kept", done)
    assert (statuses["Waiting"].label, statuses["Waiting"].waiting) == ("Declined", True)
    html = page(alice_client.get(url(group, "open_enrollment")))
    assert "Kept · <a" in html and done.display_number in html and queued.display_number + "</a> (received)" in html


def test_the_search_lists_only_subscribers_with_coverage_to_renew_25_a_page(alice_client, group, oe):
    subscriber(group, oe.salaried, oe.gold, last_name="Gone", end=date(2026, 6, 30), reason="end_of_employment")
    bulk_population(group, oe, 30)
    response = alice_client.get(url(group, "open_enrollment"))
    assert response.context["page"].paginator.count == 30 and len(response.context["rows"]) == 25
    assert "Page 1 of 2" in page(response)
    assert len(alice_client.get(url(group, "open_enrollment"), {"page": 2}).context["rows"]) == 5


@pytest.mark.parametrize("name", ["open_enrollment", "oe_progress"])
def test_the_search_and_progress_pages_make_the_same_number_of_queries_for_5_and_500_subscribers(alice_client, group, oe, name):
    subscriber(group, oe.salaried, oe.gold, last_name="Ageing", dependents=[AGEING_KID])
    subscriber(group, oe.hourly, oe.bronze_old, last_name="Bronze")
    bulk_population(group, oe, 3)

    def queries():
        alice_client.get(url(group, name))  # warm caches (session, content types) out of the count
        with count_queries() as ctx:
            assert alice_client.get(url(group, name)).status_code == 200
        return len(ctx)

    few = queries()
    bulk_population(group, oe, 495, start_index=3)
    assert Subscriber.objects.count() == 500
    many = queries()
    assert few == many, "%s: %d queries with 5 subscribers, %d with 500" % (name, few, many)


def test_group_home_shows_the_banner_with_the_last_day_days_left_and_how_many_are_not_acted_on(alice_client, group, oe):
    bulk_population(group, oe, 15)  # 5 kept, 2 declined (every fifth not kept): 8 not acted on
    html = page(alice_client.get(reverse("group_home", kwargs={"group_number": group.group_number})))
    assert 'data-testid="oe-banner"' in html
    assert "Dec 31, 2026</strong> (22 days left)" in html
    assert '<strong data-testid="oe-not-acted">8</strong> subscribers not acted on yet' in html
    assert url(group, "oe_progress") in html


# --- Keep, Decline, Begin ----------------------------------------------------------------------------


def test_keep_shows_the_summary_of_both_years_and_confirm_gives_a_confirmation_number(alice_client, group, oe):
    sub = subscriber(group, oe.hourly, oe.bronze_old, last_name="Keeper", dependents=[SPOUSE, AGEING_KID])
    html = page(alice_client.get(url(group, "oe_keep", subscriber_number=sub.subscriber_number)))
    assert "Bronze Old HMO" in html and "Bronze New HMO (successor plan)" in html
    assert "$900.00" in html and "$640.00" in html and "-$260.00" in html  # FAM this year, ES next year
    assert "Theo Keeper: Turns 26 on Dec 10, 2026" in html
    assert 'href="/groups/104522/">Cancel</a>' in html and ">Confirm</button>" in html
    response = alice_client.post(url(group, "oe_keep", subscriber_number=sub.subscriber_number))
    request = ChangeRequest.objects.get()
    assert response["Location"] == url(group, "oe_confirmation", number=request.confirmation_number)
    html = page(alice_client.get(response["Location"]))
    assert request.display_number in html and "Open enrollment: keep existing coverage: confirmed" in html


def test_decline_asks_the_alternate_plan_name_next_to_the_field_and_saves_nothing_until_given(
    alice_client, group, oe, django_capture_on_commit_callbacks
):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Decliner")
    decline_url = url(group, "oe_decline", subscriber_number=sub.subscriber_number)
    html = page(alice_client.get(decline_url))
    for label in ("Covered by a spouse&#x27;s or partner&#x27;s plan", "Other group coverage", "Medicare", "Medicaid or CHIP",
                  "Individual coverage", "Other", "Alternate health plan name", ">Back</a>", ">Confirm</button>"):
        assert label in html, label
    response = alice_client.post(decline_url, {"reason": "spouse_plan", "alternate_plan_name": ""})
    assert response.context["form"].errors == {"alternate_plan_name": ["Enter the alternate health plan name."]}
    assert not ChangeRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the worker processes it on commit
        response = alice_client.post(decline_url, {"reason": "spouse_plan", "alternate_plan_name": "Kaiser Silver 70"})
    request = ChangeRequest.objects.get()
    assert response.status_code == 302 and request.snapshot["alternate_plan_name"] == "Kaiser Silver 70"
    assert coverages(sub)[0][4:7] == (date(2026, 12, 31), "active", "declined")


def test_begin_enrollment_walks_the_new_enrollment_wizard_for_the_new_plan_year(alice_client, group, oe, django_capture_on_commit_callbacks):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Beginner", dependents=[SPOUSE, KID])
    response = alice_client.post(url(group, "oe_begin", subscriber_number=sub.subscriber_number))
    draft = EnrollmentDraft.objects.get()
    assert response["Location"] == url(group, "enrollment_plan", draft_id=draft.pk)
    html = page(alice_client.get(url(group, "enrollment_subscriber", draft_id=draft.pk)))
    assert "Begin Enrollment keeps the subscriber" in html and 'name="first_name"' not in html
    html = page(alice_client.get(response["Location"]))
    assert "plan year 2027" in html and "$1,590.00" in html and "$1,260.00" in html  # Gold and Silver FAM in 2027
    assert 'type="hidden" name="coverage_start" value="2027-01-01"' in html
    refused = alice_client.post(response["Location"], {"plan": oe.silver.pk, "coverage_start": "2027-02-01"})
    assert refused.context["form"].errors["coverage_start"] == ["Open enrollment coverage starts on the renewal date."]
    alice_client.post(response["Location"], {"plan": oe.silver.pk, "coverage_start": "2027-01-01"})
    dependents_url = url(group, "enrollment_dependents", draft_id=draft.pk)
    html = page(alice_client.get(dependents_url))
    assert 'name="dep-0-first_name" value="Robin"' in html and "disabled" in html and "dep-0-DELETE" not in html
    saved = EnrollmentDraft.objects.get().data["dependents"]
    post = {"dep-TOTAL_FORMS": "2", "dep-INITIAL_FORMS": "2", "dep-MIN_NUM_FORMS": "0", "dep-MAX_NUM_FORMS": "1000", "action": "continue",
            "dep-0-first_name": "Forged", "dep-0-elect_coverage": "yes", "dep-1-elect_coverage": "no", "dep-1-has_other_coverage": "no",
            "dep-0-key": saved[1]["key"]}
    response = alice_client.post(dependents_url, post)
    assert response.status_code == 302, response.context["formset"].errors
    data = EnrollmentDraft.objects.get().data["dependents"]
    assert [(d["first_name"], d["elect_coverage"], d["dependent_pk"]) for d in data] == [
        ("Robin", True, saved[0]["dependent_pk"]), ("Ada", False, saved[1]["dependent_pk"])]  # locked fields keep their values
    html = page(alice_client.get(url(group, "enrollment_summary", draft_id=draft.pk)))
    assert "Silver HMO" in html and "$840.00" in html  # ES in 2027
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url(group, "enrollment_confirm", draft_id=draft.pk))
    request = ChangeRequest.objects.get()
    assert (request.kind, request.status) == ("oe_begin", "completed")
    assert "Back to Open Enrollment" in page(alice_client.get(response["Location"]))
    assert coverages(sub)[-1] == ("SILVER", 2027, "ES", RENEWAL, None, "active", "", ["Robin"])
    assert Subscriber.objects.count() == 1


def test_a_forged_post_outside_the_window_is_refused_with_a_message_and_saves_nothing(alice_client, group, alice, oe):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Forger")
    with time_machine.travel(noon(RENEWAL), tick=False):
        alice_client.force_login(alice)  # weeks later: a new session
        for name, data in (("oe_keep", {}), ("oe_decline", {"reason": "medicare"}), ("oe_begin", {})):
            response = alice_client.post(url(group, name, subscriber_number=sub.subscriber_number), data, follow=True)
            assert response.redirect_chain[-1][0] == url(group, "open_enrollment")
            assert "Open enrollment is not open today" in response.content.decode()
    assert not ChangeRequest.objects.exists() and not EnrollmentDraft.objects.exists()


# --- Progress ------------------------------------------------------------------------------------------


def test_progress_counts_by_subgroup_with_a_chart_and_a_csv_of_those_not_acted_on(alice_client, group, oe):
    bulk_population(group, oe, 10)  # hourly: 0 2 4 6 8 / salaried: 1 3 5 7 9
    subscriber(group, oe.salaried, oe.gold, last_name="Ageing", dependents=[AGEING_KID])
    subscriber(group, oe.hourly, oe.legacy, last_name="Legacy")
    response = alice_client.get(url(group, "oe_progress"))
    rows = {row.subgroup.name: row.counts for row in response.context["rows"]}
    assert rows == {
        "Hourly": {"kept": 2, "changed": 0, "declined": 0, "carried_over": 0, "not_yet": 4},  # kept 0 6, not yet 2 4 8 + Legacy
        "Salaried": {"kept": 2, "changed": 0, "declined": 1, "carried_over": 0, "not_yet": 3},  # kept 3 9, declined 5, not yet 1 7 + Ageing
    }
    html = page(response)
    assert '<svg class="oe-chart"' in html and 'role="img"' in html and "<title id=\"oe-chart-title\">" in html
    assert "Hourly: 2 of 6 acted on, kept 2, nothing yet 4." in html
    assert "Theo Ageing" in html and "Turns 26 on Dec 10, 2026" in html
    assert "No successor offered" in html and "Legacy EPO" in html
    csv_response = alice_client.get(url(group, "oe_not_acted_on_csv"))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert lines[0] == ["Subscriber ID", "Last name", "First name", "Subgroup", "Plan code", "Plan", "Tier"]
    assert [line[1] for line in lines[1:]] == ["Ageing", "Bulkley0001", "Bulkley0002", "Bulkley0004", "Bulkley0007", "Bulkley0008", "Legacy"]
    assert lines[1][3:] == ["Salaried", "GOLD", "Gold PPO", "EC"]


def test_a_coverage_ended_before_renewal_for_another_reason_takes_no_part(alice_client, group, oe):
    subscriber(group, oe.salaried, oe.gold, last_name="Staying")
    subscriber(group, oe.salaried, oe.gold, last_name="Leaving", end=RENEWAL - timedelta(days=1), reason="end_of_employment")
    married = subscriber(group, oe.salaried, oe.gold, last_name="Married", end=RENEWAL - timedelta(days=1), reason="replaced")
    factories.CoverageFactory(subscriber=married, group=group, plan=oe.gold, plan_year=NEXT_YEAR, tier="ES", start=RENEWAL)
    rows = {row.subgroup.name: row.counts for row in alice_client.get(url(group, "oe_progress")).context["rows"]}
    assert rows["Salaried"]["not_yet"] == 1
    found = [row.subscriber.last_name for row in alice_client.get(url(group, "open_enrollment")).context["rows"]]
    assert found == ["Staying"]
    csv_response = alice_client.get(url(group, "oe_not_acted_on_csv"))
    lines = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert [line[1] for line in lines[1:]] == ["Staying"]


# --- Roles and subgroups -------------------------------------------------------------------------------


def test_read_only_and_billing_admins_see_search_and_progress_but_cannot_act(client, group, bob, oe):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Watched")
    bill = member(group, "bill", "billing")
    for user in (bob, bill):
        client.force_login(user)
        html = page(client.get(url(group, "open_enrollment")))
        assert "Watched" in html and url(group, "oe_subscriber", subscriber_number=sub.subscriber_number) not in html
        assert client.get(url(group, "oe_progress")).status_code == 200
        assert client.get(url(group, "oe_not_acted_on_csv")).status_code == 200
        for name in ("oe_subscriber", "oe_keep", "oe_decline"):
            assert client.get(url(group, name, subscriber_number=sub.subscriber_number)).status_code == 403
        for name in ("oe_keep", "oe_decline", "oe_begin"):
            assert client.post(url(group, name, subscriber_number=sub.subscriber_number), {"reason": "medicare"}).status_code == 403
        assert "Open Enrollment</a>" in page(client.get(reverse("group_home", kwargs={"group_number": group.group_number})))
    assert not ChangeRequest.objects.exists()


def test_an_admin_limited_to_a_subgroup_sees_and_acts_only_on_its_subscribers(client, group, oe):
    hourly = subscriber(group, oe.hourly, oe.gold, last_name="Hourly")
    salaried = subscriber(group, oe.salaried, oe.gold, last_name="Salaried")
    client.force_login(member(group, "hana", "enrollment", [oe.hourly]))
    assert [row.subscriber for row in client.get(url(group, "open_enrollment")).context["rows"]] == [hourly]
    assert [row.subgroup.name for row in client.get(url(group, "oe_progress")).context["rows"]] == ["Hourly"]
    for name in ("oe_subscriber", "oe_keep", "oe_decline"):
        assert client.get(url(group, name, subscriber_number=salaried.subscriber_number)).status_code == 404
    for name in ("oe_keep", "oe_decline", "oe_begin"):
        assert client.post(url(group, name, subscriber_number=salaried.subscriber_number), {"reason": "medicare"}).status_code == 404
    assert client.post(url(group, "oe_keep", subscriber_number=hourly.subscriber_number)).status_code == 302
    assert list(ChangeRequest.objects.values_list("subscriber", flat=True)) == [hourly.pk]
    csv_text = b"".join(client.get(url(group, "oe_not_acted_on_csv")).streaming_content).decode()
    assert "Salaried" not in csv_text


def test_another_groups_request_number_is_not_found_on_the_confirmation_page(client, group, other_group, charlie, alice, oe):
    request = factories.ChangeRequestFactory(group=group, kind="oe_keep", submitted_by=alice)
    client.force_login(charlie)
    assert client.get(reverse("enrollment:oe_confirmation", kwargs={"group_number": other_group.group_number,
                                                                   "number": request.confirmation_number})).status_code == 404


def test_track_requests_shows_what_an_open_enrollment_request_asked(alice_client, group, alice, oe, django_capture_on_commit_callbacks):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Tracked", dependents=[SPOUSE])
    with django_capture_on_commit_callbacks(execute=True):
        request = open_enrollment.decline_coverage(group=group, subscriber_pk=sub.pk, reason="spouse_plan",
                                                   alternate_plan_name="Kaiser Gold", acting_user=alice, today=TODAY)
    html = page(alice_client.get(reverse("enrollment:request_detail", kwargs={"group_number": group.group_number,
                                                                             "number": request.confirmation_number})))
    assert "Coverage ends on 2026-12-31" in html and "Covered by a spouse&#x27;s or partner&#x27;s plan · alternate health plan: Kaiser Gold" in html


def test_an_admin_of_another_group_gets_404_for_this_groups_subscribers_through_their_own_urls(client, group, other_group, charlie, oe):
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Elsewhere")
    client.force_login(charlie)
    for name in ("oe_subscriber", "oe_keep", "oe_decline", "oe_begin"):
        path = reverse("enrollment:" + name, kwargs={"group_number": other_group.group_number, "subscriber_number": sub.subscriber_number})
        assert client.post(path, {"reason": "medicare"}).status_code == 404, name
        if name != "oe_begin":
            assert client.get(path).status_code == 404, name
    assert not ChangeRequest.objects.exists() and not EnrollmentDraft.objects.exists()
