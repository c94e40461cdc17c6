"""Implausible people and dates are refused by every form that takes such a field (the wizard
and Django admin), and again by the worker. The rules themselves, at their exact edges, are
tested without a database in test_plausibility_rules.py."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import processors, services
from enrollment.models import ChangeRequest, Dependent, EnrollmentDraft, Subscriber
from enrollment.tests import helpers
from tests import factories


# --- The wizard's forms --------------------------------------------------------------------------


@pytest.mark.parametrize("field,value,message", [
    ("hire_date", "2999-01-01", "at most 6 months ahead"),
    ("hire_date", "1900-01-01", "cannot be before Jan 1, 1950"),
    ("zip_code", "00000", "not a real ZIP code"),
    ("zip_code", "97301-0000", "not a real ZIP code"),
    ("middle_initial", "1", "one letter"),
    ("middle_initial", "ß", "one letter"),
])
def test_the_subscriber_step_refuses_an_implausible_value_next_to_its_field(alice_client, url, plans, field, value, message):
    response = alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], **{field: value}))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors.get(field, [])), response.context["form"].errors
    assert not EnrollmentDraft.objects.exists()


def test_the_subscriber_step_refuses_an_employee_one_day_old_at_hire(alice_client, url, plans):
    hire = helpers.recent_hire_date()
    post = helpers.subscriber_post(plans["salaried"], date_of_birth=(hire - timedelta(days=1)).isoformat())
    response = alice_client.post(url("new_enrollment"), post)
    assert "under 14 on the hire date" in response.context["form"].errors["hire_date"][0]
    assert not EnrollmentDraft.objects.exists()


def test_a_lower_case_middle_initial_is_saved_upper_case(alice_client, url, plans):
    alice_client.post(url("new_enrollment"), helpers.subscriber_post(plans["salaried"], middle_initial="j"))
    assert EnrollmentDraft.objects.get().data["subscriber"]["middle_initial"] == "J"


def test_the_dependents_step_refuses_a_middle_initial_that_is_not_a_letter(alice_client, url, enroll):
    draft = enroll(until="plan")
    response = alice_client.post(url("enrollment_dependents", draft_id=draft.pk),
                                 helpers.dependents_post([{**helpers.CHILD, "middle_initial": "4"}]))
    assert "one letter" in response.context["formset"].forms[0].errors["middle_initial"][0]
    draft.refresh_from_db()
    assert "dependents" not in draft.data


def test_the_worker_rejects_an_enrollment_whose_rows_break_a_plausibility_rule(group, alice, enroll):
    request = services.confirm_new_enrollment(group=group, draft_id=enroll().pk, acting_user=alice, today=timezone.localdate())
    # Changed after confirm (in Django admin, an import...): the worker checks the rows as they are now.
    Subscriber.objects.update(zip_code="00000", date_of_birth=helpers.recent_hire_date() - timedelta(days=1))
    processors.process(request.pk, today=timezone.localdate())
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.REJECTED
    assert "00000 is not a real ZIP code." in request.reason and "under 14 on the hire date" in request.reason


# --- Django admin (billing specialists) ----------------------------------------------------------


def test_a_specialist_cannot_save_an_implausible_subscriber_in_admin(client, group, plans, specialist):
    client.force_login(specialist)
    subscriber = factories.SubscriberFactory(group=group, subgroup=plans["salaried"])
    page = reverse("admin:enrollment_subscriber_change", args=[subscriber.pk])
    data = {
        "group": group.pk, "subgroup": plans["salaried"].pk, "subscriber_number": subscriber.subscriber_number,
        "first_name": "Sam", "middle_initial": "7", "last_name": "Rivera", "date_of_birth": "1985-04-12", "gender": "F",
        "marital_status": "single", "address_line1": "12 Oak Ave", "city": "Salem", "state": "OR", "zip_code": "00000",
        "hire_date": "2999-01-01", "created_at_0": "2026-01-01", "created_at_1": "00:00:00",
        "dependents-TOTAL_FORMS": "0", "dependents-INITIAL_FORMS": "0",
    }
    response = client.post(page, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"middle_initial", "zip_code", "hire_date"}, errors
    subscriber.refresh_from_db()
    assert (subscriber.zip_code, subscriber.hire_date) == ("97301", date(2024, 3, 4))
    assert not Dependent.objects.exists()
