import pytest

from portal import factories


@pytest.fixture
def specialist(db):
    """A billing specialist: staff, with every permission in Django admin."""
    return factories.UserFactory(username="specialist", first_name="Sam", last_name="Specialist", is_staff=True, is_superuser=True)


@pytest.fixture
def specialist_client(client, specialist):
    client.force_login(specialist)
    return client
