"""Every page of a group is behind group_view, and another group's admin gets 404 on all of them."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories


def walk(resolver=None, prefix=""):
    """Yield (route, pattern) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def group_routes():
    return [(route, pattern) for route, pattern in walk() if "<group:group_number>" in route]


def fill(route: str, group_id: str) -> str:
    """Turn a route into a concrete path: the group given, any other parameter a plausible value."""
    path = route.replace("<group:group_number>", group_id)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str|slug):\w+>", "ABCDE23456", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<path:\w+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


def test_there_are_group_pages_to_sweep():
    assert len(group_routes()) >= 3


@pytest.mark.parametrize("route", [route for route, _ in group_routes()])
def test_every_group_page_is_wrapped_in_group_view(route):
    pattern = dict(group_routes())[route]
    callback = pattern.callback
    view = getattr(callback, "view_class", None)
    assert hasattr(callback, "group_view_allow") or (view and hasattr(view, "group_view_allow")), (
        "%s (%s) is not wrapped in accounts.access.group_view" % (route, callback.__module__)
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_admin_of_another_group_gets_404_on_every_group_page(client, group, alice, charlie, method):
    # Give alice's group real rows, so ids in the URLs may even point at them.
    factories.CoverageFactory(subscriber=factories.SubscriberFactory(group=group))
    client.force_login(charlie)
    failures = []
    for route, _ in group_routes():
        path = fill(route, group.group_number)
        response = getattr(client, method)(path)
        if response.status_code != 404:
            failures.append("%s %s -> %s" % (method.upper(), path, response.status_code))
    assert not failures, "charlie reached alice's group:\n" + "\n".join(failures)


def test_an_unknown_group_id_is_404_not_403(client, charlie):
    client.force_login(charlie)
    assert client.get("/groups/999999/").status_code == 404


def test_a_signed_out_visitor_is_sent_to_log_in(client, group):
    response = client.get("/groups/%s/" % group.group_number)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_switch_group_shows_only_to_someone_with_more_than_one_active_group(client, group, other_group, alice):
    client.force_login(alice)
    assert b"Switch group" not in client.get("/groups/%s/" % group.group_number).content
    second = factories.MembershipFactory(user=alice, group=other_group, role="read_only")
    assert b"Switch group" in client.get("/groups/%s/" % group.group_number).content
    second.is_active = False
    second.save()
    assert b"Switch group" not in client.get("/groups/%s/" % group.group_number).content
