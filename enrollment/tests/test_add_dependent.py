"""Add New Dependent through a life event: effective dates, windows at their edges, the rows and tier afterwards."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import processors
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, Dependent
from enrollment.tests.maintenance_helpers import family, membership, offer, process, rows

TODAY = date(2026, 3, 10)


@pytest.fixture
def plans(group):
    return offer(group)


def person(first_name, relationship, date_of_birth, gender="F"):
    return {"first_name": first_name, "middle_initial": "", "last_name": "Lopez", "date_of_birth": date_of_birth, "gender": gender,
            "relationship": relationship}


def add(alice, group, subscriber, event, event_date, who, today=TODAY, document=None):
    return services.submit_dependent_added(membership=membership(alice, group), subscriber=subscriber, event=event, event_date=event_date,
                                           person=who, document=document, acting_user=alice, today=today)


def test_a_spouse_added_after_a_marriage_is_covered_from_the_first_of_the_next_month(group, alice, plans):
    subscriber, _, _ = family(group, plans, spouse=False, children=1)
    request = add(alice, group, subscriber, "marriage", date(2026, 2, 20), person("Sofia", "spouse", date(1989, 5, 5)))
    assert (request.snapshot["premium_from"], request.snapshot["premium_to"], request.snapshot["premium_on"]) == ("1080.00", "1800.00", "2026-03-01")
    assert process(request, TODAY).status == "completed"
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 2, 28), "EC", "active", ("Lucia",)),
        (date(2026, 3, 1), None, "FAM", "active", ("Lucia", "Sofia")),
    ]
    sofia = Dependent.objects.get(first_name="Sofia")
    assert (sofia.member_suffix, sofia.member_id) == ("02", "M100000001-02")


def test_a_newborn_is_covered_from_the_date_of_birth_mid_month(group, alice, plans):
    subscriber, _, _ = family(group, plans, spouse=True, children=0)
    request = add(alice, group, subscriber, "birth", date(2026, 3, 4), person("Elena", "child", date(2026, 3, 4)))
    assert (request.snapshot["tier_from"], request.snapshot["tier_to"]) == ("ES", "FAM")
    assert process(request, TODAY).status == "completed"
    assert rows(subscriber) == [
        (date(2026, 1, 1), date(2026, 3, 3), "ES", "active", ("Carlos",)),
        (date(2026, 3, 4), None, "FAM", "active", ("Carlos", "Elena")),
    ]


@pytest.mark.parametrize("born, status", [(date(2026, 2, 8), "completed"), (date(2026, 2, 7), "needs_review")])
def test_a_birth_reported_on_day_30_applies_and_on_day_31_needs_review(group, alice, plans, born, status):
    subscriber, _, _ = family(group, plans, spouse=False, children=0)
    request = process(add(alice, group, subscriber, "birth", born, person("Elena", "child", born)), TODAY)
    assert request.status == status
    assert len(rows(subscriber)) == (2 if status == "completed" else 1)


@pytest.mark.parametrize("lost, status", [(date(2026, 1, 9), "completed"), (date(2026, 1, 8), "needs_review")])
def test_loss_of_medicaid_has_60_days(group, alice, plans, lost, status):
    subscriber, _, _ = family(group, plans, spouse=False, children=0)
    request = process(add(alice, group, subscriber, "loss_of_medicaid", lost, person("Lucia", "child", date(2015, 3, 9))), TODAY)
    assert request.status == status


def test_a_late_marriage_needs_review_and_a_specialist_s_approval_adds_the_spouse(group, alice, plans, specialist):
    subscriber, _, _ = family(group, plans, spouse=False, children=0)
    request = process(add(alice, group, subscriber, "marriage", date(2026, 2, 1), person("Sofia", "spouse", date(1989, 5, 5))), TODAY)
    assert request.status == "needs_review" and "30 days" in request.reason
    processors.approve(request, actor=specialist)
    assert rows(subscriber)[-1] == (date(2026, 3, 1), None, "ES", "active", ("Sofia",))


def test_a_second_spouse_is_refused(group, alice, plans):
    subscriber, _, _ = family(group, plans, spouse=True, children=0)
    with pytest.raises(ValidationError) as error:
        add(alice, group, subscriber, "marriage", date(2026, 3, 1), person("Sofia", "spouse", date(1989, 5, 5)))
    assert "relationship" in error.value.message_dict


def test_a_birth_s_event_date_is_the_date_of_birth(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError) as error:
        add(alice, group, subscriber, "birth", date(2026, 3, 5), person("Elena", "child", date(2026, 3, 4)))
    assert "event_date" in error.value.message_dict


def test_a_child_over_26_is_refused_and_a_future_event_too(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError) as error:
        add(alice, group, subscriber, "loss_of_coverage", date(2026, 3, 1), person("Ana", "stepchild", date(1999, 1, 1)))
    assert "date_of_birth" in error.value.message_dict
    with pytest.raises(ValidationError):
        add(alice, group, subscriber, "loss_of_coverage", date(2026, 3, 11), person("Ana", "child", date(2010, 1, 1)))
    assert not ChangeRequest.objects.exists()


def test_the_same_newborn_twice_is_refused_while_the_first_is_open(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    first = add(alice, group, subscriber, "birth", date(2026, 3, 4), person("Elena", "child", date(2026, 3, 4)))
    with pytest.raises(ValidationError) as error:
        add(alice, group, subscriber, "birth", date(2026, 3, 4), person("Elena", "child", date(2026, 3, 4)))
    assert error.value.params["number"] == first.display_number
    twin = add(alice, group, subscriber, "birth", date(2026, 3, 4), person("Marco", "child", date(2026, 3, 4), gender="M"))
    assert process(first, TODAY).status == "completed" and process(twin, TODAY).status == "completed"
    assert rows(subscriber)[-1] == (date(2026, 3, 4), None, "FAM", "active", ("Carlos", "Elena", "Lucia", "Marco"))
    assert sorted(Dependent.objects.filter(subscriber=subscriber).values_list("member_suffix", flat=True)) == ["01", "02", "03", "04"]


def test_no_dependent_can_be_added_before_the_coverage_starts(group, alice, plans):
    subscriber, _, _ = family(group, plans, start=date(2026, 4, 1), spouse=False, children=0)
    with pytest.raises(ValidationError):
        add(alice, group, subscriber, "birth", date(2026, 3, 4), person("Elena", "child", date(2026, 3, 4)))
