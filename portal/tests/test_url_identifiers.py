"""Identifiers in URLs are typed by path converters: anything else is a 404 before a view or the database sees it."""

import pytest

from enrollment.models import ChangeRequest
from tests import factories


@pytest.mark.parametrize(
    "path",
    [
        "/groups/%00/", "/groups/10452%00/", "/groups/104522%00/", "/groups/10452/", "/groups/1045222/", "/groups/abcdef/",
        "/groups/%EF%BC%91%EF%BC%90%EF%BC%94%EF%BC%95%EF%BC%92%EF%BC%92/",  # full-width digits
        "/groups/104522/requests/%00/", "/groups/104522/requests/ABCDE2345/", "/groups/104522/requests/ABCDE-234567/",
        "/groups/104522/requests/ABCDE0OIL1/", "/groups/104522/enrollment/new/%00/plan/", "/groups/104522/users/x/deactivate/",
    ],
)
def test_a_malformed_identifier_in_a_url_is_404(alice_client, path):
    assert alice_client.get(path).status_code == 404
    assert alice_client.post(path).status_code == 404


def test_a_confirmation_number_in_a_url_may_be_typed_as_shown(alice_client, group, alice):
    factories.ChangeRequestFactory(group=group, submitted_by=alice, confirmation_number="ABCDE23456", kind=ChangeRequest.Kind.ID_CARD_ORDER)
    for typed in ("ABCDE23456", "ABCDE-23456", "abcde-23456"):
        assert alice_client.get("/groups/104522/requests/%s/" % typed).status_code == 200, typed
