"""Test helpers shared by every app's tests (fixtures live in conftest.py)."""

from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def count_queries():
    """Yield a context whose len() is the number of SQL queries run inside it."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
