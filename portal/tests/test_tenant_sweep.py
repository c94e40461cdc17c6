"""Tenant sweeps: every group page is wrapped in group_view, refuses another group's admin, and refuses
another group's (or subgroup's) objects to an admin of the group in the URL (the object-level sweep, tests/sweep.py).
"""

import re

import pytest
from django.utils import timezone

from accounts import views as accounts_views
from core.identifiers import normalize_confirmation_number
from enrollment import selectors, services
from enrollment.models import ChangeRequest
from tests import factories, sweep


def group_routes():
    return [(r.route, r) for r in sweep.group_routes()]


def fill(route: str, group_id: str) -> str:
    """Turn a route into a concrete path: the group given, any other parameter a plausible value."""
    path = route.replace("<group:group_number>", group_id)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str|slug|confirmation):\w+>", "ABCDE23456", path)
    path = re.sub(r"<subscriber:\w+>", "M123456789", path)
    path = re.sub(r"<invoice:\w+>", "INV-104522-202601", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<path:\w+>", "x", path)
    return "/" + path


def test_there_are_group_pages_to_sweep():
    assert len(group_routes()) >= 3


@pytest.mark.parametrize("route", [route for route, _ in group_routes()])
def test_every_group_page_is_wrapped_in_group_view(route):
    callback = dict(group_routes())[route].callback
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


# --- The object-level sweep --------------------------------------------------------------------------------


@pytest.fixture
def scene(group, other_group):
    return sweep.Scene(group, other_group)


def test_no_admin_reaches_an_object_of_another_group_or_subgroup_through_any_page_or_method(scene, request):
    result = sweep.run_sweep(scene)
    request.node.user_properties.append((sweep.SUMMARY_PROPERTY, result.summary()))
    assert result.ok, result.report()
    # What the sweep tried today (new pages only add to it): 11 object pages, as 5 admins, every method.
    assert result.patterns >= 11 and result.admins == 5 and result.methods == set(sweep.METHODS)
    assert {"enrollment:request_detail", "enrollment:enrollment_confirm", "accounts:deactivate_user"} <= set(result.accepted)
    # Views limited to some methods answered 405 to the rest (deactivating asks first on a GET page);
    # the others answered every method.
    assert result.accepted["accounts:deactivate_user"] == {"GET", "POST"}
    assert result.accepted["enrollment:enrollment_confirm"] == {"POST"}
    assert result.accepted["enrollment:request_detail"] == {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}


def test_the_sweep_reports_a_view_that_forgets_its_scoping(scene, monkeypatch):
    def find_request_in_every_group(membership, number):
        return ChangeRequest.objects.filter(confirmation_number=normalize_confirmation_number(number)).first()

    monkeypatch.setattr(selectors, "find_request", find_request_in_every_group)
    result = sweep.run_sweep(scene, admins=sweep.ADMINS[3:])  # the read-only admin and the limited one, to stay quick
    assert not result.ok
    assert {f.name for f in result.failures} == {
        "enrollment:request_detail", "enrollment:request_print", "enrollment:change_confirmed", "enrollment:offer_continuation",
    }
    reached = {(f.admin, f.name) for f in result.failures}
    assert ("read-only admin", "enrollment:request_detail") in reached and ("read-only admin", "enrollment:request_print") in reached
    limited = [f.what for f in result.failures if f.admin == "enrollment admin limited to Hourly"]
    assert any("every object of another subgroup" in what for what in limited)
    assert "GET /groups/104522/requests/" in result.report() and "-> 200, expected 404" in result.report()


def test_the_sweep_reports_the_tables_a_view_changed_on_another_groups_object(scene, monkeypatch):
    def unscoped_get_object_or_404(queryset, **lookup):
        return queryset.model.objects.select_related("user").get(**lookup)

    monkeypatch.setattr(accounts_views, "get_object_or_404", unscoped_get_object_or_404)
    result = sweep.run_sweep(scene, admins=sweep.ADMINS[:1])
    (changed,) = [f for f in result.failures if "changed tables" in f.what]
    # The other group's admin was deactivated and signed out: their membership, their user, an audit event
    # (the one already there is the sweeping admin's sign-in; 5 admins of A and 1 of B).
    assert changed.name == "accounts:deactivate_user" and changed.admin == "primary admin"
    assert changed.what == (
        "groups/<group:group_number>/users/<int:membership_pk>/deactivate/ changed tables: "
        "accounts_auditevent (1 -> 2 rows), accounts_membership (6 -> 6 rows), accounts_user (6 -> 6 rows)"
    )
    assert "POST /groups/104522/users/%d/deactivate/ (every object of another group) -> 302, expected 404" % (
        scene.membership(scene.other_admin).pk
    ) in result.report()


@pytest.mark.urls("portal.tests.sweep_urls")
def test_a_url_keyword_no_filler_fills_fails_the_sweep_saying_how_to_add_one(scene):
    result = sweep.run_sweep(scene)
    assert not result.ok and result.requests == 0
    assert len(result.unfillable) == 2  # the <confirmation:original> keyword is filled by the converter's filler
    message = result.report()
    assert "URL pattern ^groups/(?P<group_number>[0-9]{6})/gadgets/(?P<gadget>[0-9]+)/$ (gadget) is a regular expression" in message
    assert "URL pattern groups/<group:group_number>/widgets/<int:widget_id>/ (widget) has the keyword 'widget_id' (converter int)" in message
    assert 'Add a filler to tests/sweep.py:\n\n    @filler("widget_id")\n    def my_object(scene):\n' in message


def test_every_filler_makes_objects_the_admins_must_not_reach(scene):
    primary, limited = scene.membership(scene.primary), scene.membership(scene.limited)
    fillers = set(sweep.FILLERS.values()) | set(sweep.CONVERTER_FILLERS.values())
    assert {f.name for f in fillers} == {
        "subscriber", "change_request", "enrollment_draft", "membership", "invoice", "dependent", "id_card_order", "proof_document",
        "payment",
        "continuation",
    }

    def reaches(membership, obj):
        return type(obj).objects.for_membership(membership).filter(pk=obj.pk).exists()

    for filler in fillers:
        made = scene.objects(filler)
        assert made[sweep.OTHER_GROUP].group == scene.other_group and not reaches(primary, made[sweep.OTHER_GROUP]), filler.name
        if sweep.OTHER_SUBGROUP in made:
            assert reaches(primary, made[sweep.OTHER_SUBGROUP]) and not reaches(limited, made[sweep.OTHER_SUBGROUP]), filler.name
        if sweep.OWN in made:
            assert reaches(limited, made[sweep.OWN]), filler.name


def test_the_drafts_the_sweep_uses_are_complete_so_a_confirm_would_change_tables(scene):
    draft = scene.objects(sweep.FILLERS["draft_id"])[sweep.OTHER_GROUP]
    request = services.confirm_new_enrollment(
        group=scene.other_group, draft_id=draft.pk, acting_user=scene.other_admin, today=timezone.localdate()
    )
    assert request.subscriber.first_name == "Maria" and request.group == scene.other_group
