import pytest

from portal import factories


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Rate limits live in the cache: give each test its own, never the shared file cache."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "accounts-tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def specialist(db):
    """A billing specialist: staff, with every permission in Django admin."""
    return factories.UserFactory(username="specialist", first_name="Sam", last_name="Specialist", is_staff=True, is_superuser=True)


@pytest.fixture
def specialist_client(client, specialist):
    client.force_login(specialist)
    return client
