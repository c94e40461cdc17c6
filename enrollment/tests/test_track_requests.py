"""Track Requests: the table, its filters, finding by confirmation number, and a request's page."""

import datetime

from django.utils import timezone

from enrollment import change_requests, request_status
from enrollment.models import ChangeRequest
from enrollment.tests import helpers
from tests import factories
from tests.queries import count_queries


def make_requests(group, user, n, **kwargs):
    return [
        change_requests.submit(group=group, kind=kwargs.get("kind", "id_card_order"), acting_user=user, snapshot={}, process=False,
                               subscriber=kwargs.get("subscriber"))
        for _ in range(n)
    ]


def numbers_in(response):
    return [row.record.confirmation_number for row in response.context["table"].paginated_rows]


def test_the_table_lists_only_the_groups_requests_newest_first(alice_client, url, group, other_group, alice, charlie):
    mine = make_requests(group, alice, 3)
    make_requests(other_group, charlie, 2)
    response = alice_client.get(url("track_requests"))
    assert numbers_in(response) == [r.confirmation_number for r in reversed(mine)]
    html = response.content.decode()
    assert mine[0].display_number in html and "Alice Adams" in html and "ID card order" in html


def test_it_filters_by_status_kind_subscriber_and_date(alice_client, url, group, alice):
    maria = factories.SubscriberFactory(group=group, first_name="Maria", last_name="Lopez", subscriber_number="M111222333")
    enrollment = make_requests(group, alice, 1, kind="new_enrollment", subscriber=maria)[0]
    card = make_requests(group, alice, 1)[0]
    old = make_requests(group, alice, 1)[0]
    ChangeRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    request_status.complete(card)
    assert numbers_in(alice_client.get(url("track_requests"), {"status": "completed"})) == [card.confirmation_number]
    assert numbers_in(alice_client.get(url("track_requests"), {"kind": "new_enrollment"})) == [enrollment.confirmation_number]
    assert numbers_in(alice_client.get(url("track_requests"), {"subscriber": "maria lop"})) == [enrollment.confirmation_number]
    assert numbers_in(alice_client.get(url("track_requests"), {"subscriber": "M111222"})) == [enrollment.confirmation_number]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert set(numbers_in(alice_client.get(url("track_requests"), {"submitted_from": since}))) == {enrollment.confirmation_number, card.confirmation_number}
    assert numbers_in(alice_client.get(url("track_requests"), {"submitted_to": since})) == [old.confirmation_number]


def test_it_sorts_and_paginates(alice_client, url, group, alice):
    make_requests(group, alice, 30)
    response = alice_client.get(url("track_requests"), {"sort": "submitted_at", "page": 2})
    assert len(numbers_in(response)) == 5
    first_page = numbers_in(alice_client.get(url("track_requests"), {"sort": "submitted_at"}))
    assert first_page[0] == ChangeRequest.objects.order_by("submitted_at").first().confirmation_number


def test_finding_by_confirmation_number_ignores_case_and_dashes(alice_client, url, group, alice):
    request = make_requests(group, alice, 1)[0]
    typed = request.display_number.lower()
    response = alice_client.get(url("track_requests"), {"number": typed})
    assert response.url == url("request_detail", number=request.confirmation_number)
    response = alice_client.get(url("track_requests"), {"number": " " + request.confirmation_number[:5] + " " + request.confirmation_number[5:]})
    assert response.status_code == 302


def test_another_groups_confirmation_number_is_not_found(alice_client, url, other_group, charlie):
    theirs = make_requests(other_group, charlie, 1)[0]
    response = alice_client.get(url("track_requests"), {"number": theirs.display_number})
    assert response.status_code == 200 and "No request of this group" in response.content.decode()
    assert alice_client.get(url("request_detail", number=theirs.confirmation_number)).status_code == 404


def test_a_requests_page_shows_what_was_asked_and_its_status_timeline(alice_client, url, enroll, group, django_capture_on_commit_callbacks):
    draft = enroll(dependents=[helpers.SPOUSE, helpers.CHILD_WITH_OTHER_COVERAGE])
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url("enrollment_confirm", draft_id=draft.pk))
    request = ChangeRequest.objects.get()
    response = alice_client.get(url("request_detail", number=request.display_number))
    html = response.content.decode()
    assert "Maria J. Lopez" in html and "Gold PPO" in html and "Kaiser" in html and "***-**-6789" in html
    assert [e.status for e in response.context["events"]] == ["received", "processing", "completed"]
    assert request.subscriber.subscriber_number in html
    assert alice_client.get(url("request_print", number=request.confirmation_number)).status_code == 200


def test_track_requests_issues_the_same_number_of_queries_for_5_and_50_requests(alice_client, url, group, alice):
    def add(n):
        for _ in range(n):
            subscriber = factories.SubscriberFactory(group=group, subgroup=factories.SubgroupFactory(group=group))
            make_requests(group, factories.UserFactory(), 1, subscriber=subscriber)

    def queries():
        with count_queries() as ctx:
            response = alice_client.get(url("track_requests"), {"sort": "subscriber", "per_page": 100})
        assert response.status_code == 200
        return len(ctx), len(numbers_in(response))

    add(5)
    alice_client.get(url("track_requests"))
    with_5, rows_5 = queries()
    add(45)
    with_50, rows_50 = queries()
    assert (rows_5, rows_50) == (5, 50)
    assert with_5 == with_50
