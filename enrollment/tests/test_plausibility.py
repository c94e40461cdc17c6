"""Implausible people and dates are refused: by the rules at their exact edges, by every form
that takes such a field (the wizard and Django admin), and again by the worker."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enrollment import processors, rules, services
from enrollment.models import ChangeRequest, Dependent, EnrollmentDraft, Subscriber
from enrollment.tests import helpers
from tests import factories

TODAY = date(2026, 11, 27)


def code_of(check, *args):
    with pytest.raises(ValidationError) as info:
        check(*args)
    return info.value.code


# --- Minimum working age at hire: 14 ----------------------------------------------------------


def test_it_accepts_a_hire_on_the_14th_birthday():
    rules.check_hire_date(date(2014, 3, 15), date(2000, 3, 15))


def test_it_refuses_a_hire_the_day_before_the_14th_birthday():
    assert code_of(rules.check_hire_date, date(2014, 3, 14), date(2000, 3, 15)) == "too_young_at_hire"


def test_it_refuses_an_employee_one_day_old_at_hire():
    assert code_of(rules.check_hire_date, date(2026, 1, 2), date(2026, 1, 1)) == "too_young_at_hire"


def test_a_29_february_child_turns_14_on_1_march_in_a_common_year():
    assert code_of(rules.check_hire_date, date(2022, 2, 28), date(2008, 2, 29)) == "too_young_at_hire"
    rules.check_hire_date(date(2022, 3, 1), date(2008, 2, 29))


# --- Hire date between 1 January 1950 and 183 days ahead --------------------------------------


def test_it_accepts_a_hire_date_of_1_january_1950_and_refuses_the_day_before():
    rules.check_hire_date_in_range(date(1950, 1, 1), TODAY)
    assert code_of(rules.check_hire_date_in_range, date(1949, 12, 31), TODAY) == "hire_too_early"


def test_it_accepts_a_hire_date_183_days_ahead_and_refuses_184():
    rules.check_hire_date_in_range(TODAY + timedelta(days=183), TODAY)
    assert code_of(rules.check_hire_date_in_range, TODAY + timedelta(days=184), TODAY) == "hire_too_far_ahead"


def test_it_refuses_hire_dates_in_2999_and_in_1900():
    assert code_of(rules.check_hire_date_in_range, date(2999, 1, 1), TODAY) == "hire_too_far_ahead"
    assert code_of(rules.check_hire_date_in_range, date(1900, 1, 1), TODAY) == "hire_too_early"


def test_the_far_ahead_message_names_the_last_hire_date_allowed():
    with pytest.raises(ValidationError) as info:
        rules.check_hire_date_in_range(date(2999, 1, 1), TODAY)
    assert info.value.messages == ["A hire date can be at most 6 months ahead (May 29, 2027 at the latest)."]


# --- ZIP codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("zip_code", ["97301", "97301-1234", "00501", "99950", "00001", "97301-0001"])
def test_it_accepts_five_digit_and_zip_plus_4_codes(zip_code):
    rules.check_zip_code(zip_code)


@pytest.mark.parametrize("zip_code", ["00000", "00000-1234", "97301-0000"])
def test_it_refuses_zip_00000_and_a_plus_4_of_0000(zip_code):
    assert code_of(rules.check_zip_code, zip_code) == "zip_not_real"


@pytest.mark.parametrize("zip_code", ["9730", "973011", "97301-123", "97301-12345", "97301 1234", "973011234", "ABCDE", "٩٧٣٠١", ""])
def test_it_refuses_what_is_not_a_zip_code(zip_code):
    assert code_of(rules.check_zip_code, zip_code) == "zip_format"


# --- Middle initial -----------------------------------------------------------------------------


@pytest.mark.parametrize("initial", ["", "A", "z", "m"])
def test_a_middle_initial_is_empty_or_one_letter(initial):
    rules.check_middle_initial(initial)


@pytest.mark.parametrize("initial", ["1", "-", ".", " ", "É", "ß", "ﬁ", "AB", "Ω"])
def test_it_refuses_a_middle_initial_that_is_not_one_letter_a_to_z(initial):
    assert code_of(rules.check_middle_initial, initial) == "middle_initial_not_a_letter"


# --- The worker's re-check ------------------------------------------------------------------------


def test_enrollment_problems_name_each_implausible_value():
    ok = dict(subscriber_date_of_birth=date(1980, 1, 1), hire_date=date(2026, 11, 10), waiting_days=0,
              coverage_start=date(2026, 12, 1), dependents=[("child", date(2015, 1, 1))], today=TODAY,
              zip_code="97301", middle_initials=["J", "", "k"])
    assert rules.enrollment_problems(**ok) == []
    assert rules.enrollment_problems(**{**ok, "zip_code": "00000", "middle_initials": ["J", "7"]}) == [
        "00000 is not a real ZIP code.", "A middle initial is one letter, A to Z.",
    ]
    assert rules.enrollment_problems(**{**ok, "subscriber_date_of_birth": date(2026, 11, 9), "dependents": []}) == [
        "The subscriber was under 14 on the hire date: check the date of birth and the hire date.",
    ]
    assert rules.enrollment_problems(**{**ok, "hire_date": date(2999, 1, 1)}) == [
        "A hire date can be at most 6 months ahead (May 29, 2027 at the latest).",
    ]


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
