"""Update personal information and the primary care provider; the History tab lists each change with its old value."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import processors
from enrollment.maintenance import history, services
from enrollment.models import Dependent, Subscriber
from enrollment.tests.maintenance_helpers import family, membership, offer, process

TODAY = date(2026, 3, 10)


@pytest.fixture
def plans(group):
    return offer(group)


def update(alice, group, subscriber, values, reason="", dependent=None):
    return services.submit_demographic_update(membership=membership(alice, group), subscriber=subscriber, dependent=dependent, values=values,
                                              name_change_reason=reason, acting_user=alice, today=TODAY)


def test_an_address_change_is_applied_by_the_worker_and_kept_in_history(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    request = update(alice, group, subscriber, {"address_line1": "48 Cedar Ln", "city": "Eugene", "zip_code": "97401", "state": "OR"})
    assert [c["label"] for c in request.snapshot["changes"]] == ["Home address", "City", "ZIP code"]
    assert process(request, TODAY).status == "completed"
    subscriber.refresh_from_db()
    assert (subscriber.address_line1, subscriber.city, subscriber.zip_code) == ("48 Cedar Ln", "Eugene", "97401")
    changes = {(c.field, c.old, c.new, c.who, c.confirmation_number) for c in history.subscriber_history(subscriber) if c.what == "Subscriber"}
    assert ("Home address", "12 Oak Ave", "48 Cedar Ln", "Alice Adams", request.confirmation_number) in changes
    assert ("City", "Salem", "Eugene", "Alice Adams", request.confirmation_number) in changes


def test_a_name_change_needs_a_reason(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError) as error:
        update(alice, group, subscriber, {"last_name": "Garcia"})
    assert "name_change_reason" in error.value.message_dict
    request = update(alice, group, subscriber, {"last_name": "Garcia"}, reason="marriage")
    assert process(request, TODAY).status == "completed"
    assert Subscriber.objects.get(pk=subscriber.pk).last_name == "Garcia"


def test_a_dependent_s_name_changes_and_only_names_can(group, alice, plans):
    subscriber, spouse, _ = family(group, plans)
    request = update(alice, group, subscriber, {"first_name": "Carla", "city": "Nowhere"}, reason="court_order", dependent=spouse)
    assert request.snapshot["values"] == {"first_name": "Carla"}
    process(request, TODAY)
    assert Dependent.objects.get(pk=spouse.pk).first_name == "Carla"
    assert Subscriber.objects.get(pk=subscriber.pk).city == "Salem"


def test_nothing_changed_is_refused(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError) as error:
        update(alice, group, subscriber, {"city": "Salem"})
    assert error.value.code == "no_change"


def test_a_pcp_is_set_for_a_dependent(group, alice, plans):
    subscriber, _, (child,) = family(group, plans)
    request = services.submit_pcp_change(membership=membership(alice, group), subscriber=subscriber, dependent=child,
                                         pcp_name="Dr. Samuel Park", pcp_id="PCP118302", acting_user=alice, today=TODAY)
    assert process(request, TODAY).status == "completed"
    child.refresh_from_db()
    assert (child.pcp_name, child.pcp_id) == ("Dr. Samuel Park", "PCP118302")
    with pytest.raises(ValidationError):
        services.submit_pcp_change(membership=membership(alice, group), subscriber=subscriber, dependent=child,
                                   pcp_name="Dr. Samuel Park", pcp_id="PCP118302", acting_user=alice, today=TODAY)


def test_history_never_shows_an_ssn_but_its_masked_last_four(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    subscriber.set_ssn("123-45-6789")
    subscriber.save()
    subscriber.set_ssn("987-65-4321")
    subscriber.save()
    changes = [c for c in history.subscriber_history(subscriber) if c.field == "SSN"]
    assert [(c.old, c.new) for c in changes] == [("***-**-6789", "***-**-4321"), ("—", "***-**-6789")]
    text = repr(history.subscriber_history(subscriber))
    assert "123-45" not in text and "987654321" not in text and subscriber.ssn_encrypted not in text


def test_history_lists_coverage_changes_with_who_and_the_confirmation_number(group, alice, plans, specialist):


    subscriber, spouse, _ = family(group, plans)
    removal = services.submit_termination(membership=membership(alice, group), subscriber=subscriber, dependent=spouse, reason="divorce",
                                          termination_date=date(2026, 1, 5), acting_user=alice, today=date(2026, 3, 31))
    assert process(removal, date(2026, 4, 2)).status == "needs_review"  # ends 31 Jan: 61 days back
    processors.approve(removal, actor=specialist)
    rows = [(c.what, c.field, c.old, c.new, c.who) for c in history.subscriber_history(subscriber) if c.confirmation_number == removal.confirmation_number]
    who = "Alice Adams (approved by Sam Specialist)"
    assert ("Coverage from Jan 1, 2026", "End", "—", "Jan 31, 2026", who) in rows
    assert ("Coverage from Jan 1, 2026", "Termination reason", "—", "Replaced by a later coverage", who) in rows
    assert ("Dependent Carlos Lopez", "Removed on", "—", "Jan 5, 2026", who) in rows
    assert ("Coverage from Feb 1, 2026", "", "", "Gold PPO, EC, Feb 1, 2026 to no end date (Active); covers subscriber, Lucia Lopez", who) in rows
