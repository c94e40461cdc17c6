import pytest

from core.phone import normalize_us_phone


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
