import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from core.phone import PhoneField, normalize_us_phone


@pytest.mark.parametrize(
    "typed, normalized",
    [("503-574-5791", "503-574-5791"), ("(503) 574-5791", "503-574-5791"), ("+1 888 816 1300", "888-816-1300"), ("5035745791", "503-574-5791"),
     ("574-5791", None), ("103-574-5791", None), ("503-174-5791", None), ("503-574-579x", None), ("1234567890123", None),
     ("503.574.5791", "503-574-5791"), ("1-503-574-5791", "503-574-5791"), ("15035745791", "503-574-5791"),
     ("2 503 574 5791", None),  # eleven digits not led by the country code 1
     ("1 103 574 5791", None), ("003-574-5791", None), ("503-074-5791", None), ("503-574-5791 ext", None), ("503/574/5791", None),
     ("", None)],
)
def test_a_phone_must_be_a_us_number(typed, normalized):
    assert normalize_us_phone(typed) == normalized


# --- PhoneField: the form field every form uses (database-free: mutation testing runs these without pytest-django) ---

if "DJANGO_SETTINGS_MODULE" not in os.environ:  # run outside pytest-django (make mutation): Django's defaults will do
    settings.configure()


@pytest.mark.parametrize("typed, cleaned", [
    ("(503) 574-5791", "503-574-5791"), ("  +1 888 816 1300 ", "888-816-1300"), ("", ""), (None, ""), ("   ", ""),
])
def test_the_phone_field_cleans_to_one_form(typed, cleaned):
    assert PhoneField(required=False).clean(typed) == cleaned


@pytest.mark.parametrize("typed", ["574-5791", "503-574-579x", "1234567890123"])
def test_the_phone_field_refuses_what_is_not_a_us_number_with_its_message(typed):
    with pytest.raises(ValidationError) as error:
        PhoneField(required=False).clean(typed)
    assert error.value.code == "phone_format"
    assert error.value.messages == ["Enter a 10-digit US phone number, e.g. 503-574-5791."]


def test_a_required_phone_field_refuses_nothing_typed():
    with pytest.raises(ValidationError) as error:
        PhoneField().clean("")
    assert error.value.code == "required"


def test_the_phone_field_is_at_most_20_characters_and_asks_the_browser_for_a_phone():
    field = PhoneField()
    assert field.max_length == 20
    assert field.widget.attrs == {"autocomplete": "tel", "inputmode": "tel", "maxlength": "20"}
    assert field.help_text == "A US number, e.g. 503-574-5791."
    assert PhoneField(max_length=14, help_text="").max_length == 14
    with pytest.raises(ValidationError) as error:
        field.clean("503 574 5791 0000000000")
    assert [e.code for e in error.value.error_list] == ["max_length"]
