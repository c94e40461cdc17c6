"""The window's edges, with the clock moved: the day before it, its first day, the day before renewal, the renewal date."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import open_enrollment
from enrollment.models import ChangeRequest
from enrollment.tests.oe_helpers import noon, set_up, subscriber

pytestmark = pytest.mark.django_db

EDGES = [
    (date(2026, 11, 30), False),  # the day before the window
    (date(2026, 12, 1), True),  # its first day
    (date(2026, 12, 31), True),  # the day before the renewal date
    (date(2027, 1, 1), False),  # the renewal date
]


def group_home(client, group, user, day):
    with time_machine.travel(noon(day), tick=False):
        client.force_login(user)
        return client.get(reverse("group_home", kwargs={"group_number": group.group_number})).content.decode()


@pytest.mark.parametrize("day, shown", EDGES)
def test_the_link_and_the_banner_show_from_the_first_day_of_the_window_to_the_day_before_renewal(client, group, alice, day, shown):
    set_up(group)
    html = group_home(client, group, alice, day)
    assert ('href="/groups/104522/open-enrollment/">Open Enrollment</a>' in html) is shown
    assert ('data-testid="oe-banner"' in html) is shown


@pytest.mark.parametrize("day, accepted", EDGES)
def test_an_option_is_accepted_from_the_first_day_of_the_window_to_the_day_before_renewal(group, alice, day, accepted):
    oe = set_up(group)
    sub = subscriber(group, oe.salaried, oe.gold, last_name="Edge")
    try:
        open_enrollment.keep_existing_coverage(group=group, subscriber_pk=sub.pk, acting_user=alice, today=day)
    except ValidationError as error:
        assert error.code == "outside_open_enrollment"
    assert ChangeRequest.objects.exists() is accepted


@pytest.mark.parametrize("time_zone, shown", [("America/Los_Angeles", False), ("America/New_York", True)])
def test_the_window_opens_at_midnight_in_the_groups_time_zone(client, group, alice, time_zone, shown):
    set_up(group)
    group.time_zone = time_zone
    group.save()
    # 07:30 UTC on 1 December: still 30 November in Los Angeles, already 1 December in New York.
    with time_machine.travel("2026-12-01 07:30:00+00:00", tick=False):
        client.force_login(alice)
        html = client.get(reverse("group_home", kwargs={"group_number": group.group_number})).content.decode()
        assert ("Open Enrollment</a>" in html) is shown
        assert group.today() == (date(2026, 12, 1) if shown else date(2026, 11, 30))
