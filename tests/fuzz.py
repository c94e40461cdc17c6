"""What the hypothesis tests of every form share: hostile or mistaken input, and one example at a time.

Each example runs in a savepoint rolled back at its end, with the cache (rate limits) emptied,
so examples never see each other's rows.
"""

from contextlib import contextmanager
from datetime import date

from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Modest: the whole suite must stay fast. deadline=None: a request's time varies on a shared machine.
FORM_SETTINGS = settings(
    max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Inputs people and tools really send: empty, blank, very long, NUL, markup, SQL, other scripts, emoji.
NASTY = [
    "", " ", "\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --", "é", "ß", "Ω", "١٢٣", "🙂",
    "x" * 300, "\t\n", "null", "None", "-1", "0", "1e9", "９７３０１",
]


def text(*plausible: str, max_size: int = 40):
    """A value of a text field: one of the plausible ones, a known nasty one, or anything."""
    return st.one_of(st.sampled_from(list(plausible) or [""]), st.sampled_from(NASTY), st.text(max_size=max_size))


def dates(*plausible: str):
    """A value of a date field: plausible, any real date (years 1 to 9999), or something that is not a date."""
    return st.one_of(
        st.sampled_from(list(plausible) or [""]),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat),
        st.sampled_from(["2026-02-30", "1988-2-14", "02/14/1988", "10000-01-01", "0000-00-00", "yesterday", "\x00"]),
    )


def choice(*plausible: str):
    return st.one_of(st.sampled_from(list(plausible)), st.sampled_from(NASTY[:6]))


@st.composite
def mutated(draw, valid: dict, alternatives: dict, max_changes: int = 4):
    """A POST dict: a valid submission with up to `max_changes` fields replaced from `alternatives` ({name: strategy}).

    Mostly-valid input reaches the rules behind the first errors, and saves rows to check.
    """
    data = dict(valid)
    for name in draw(st.lists(st.sampled_from(sorted(alternatives)), max_size=max_changes, unique=True)):
        data[name] = draw(alternatives[name])
    return data


@contextmanager
def one_example():
    """Run one example's requests in a savepoint that is rolled back, with no rate limit left over."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_not_a_server_error(response, data):
    assert response.status_code < 500, "HTTP %s for %r" % (response.status_code, data)
