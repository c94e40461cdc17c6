"""Manual adjustments: posted by a billing specialist in Django admin, through billing.services."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from billing import services
from billing.models import Adjustment
from billing.tests import helpers
from billing.tests.helpers import D

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def ryan(group):
    setup = helpers.set_up_group(group)
    ryan = helpers.subscriber(group, setup["salaried"], "Ryan")
    helpers.cover(ryan, setup["gold"], d(2026, 1, 1))
    helpers.issue(group, d(2026, 3, 1))
    return ryan


def post(client, **data):
    return client.post(reverse("admin:billing_adjustment_add"), data)


def test_a_specialist_posts_a_credit_that_waits_for_the_next_invoice(specialist_client, specialist, group, ryan):
    response = post(
        specialist_client, group=group.pk, subscriber=ryan.pk, service_month="2026-03-01", amount="-75.00",
        memo="Courtesy credit: ID card shipping charged twice",
    )

    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert (adjustment.amount, adjustment.source, adjustment.created_by, adjustment.invoice_line) == (D("-75.00"), "manual", specialist, None)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADJUSTMENT_POSTED)
    assert (event.actor, event.group, event.detail) == (specialist, group, {"amount": "-75.00", "service_month": "2026-03-01"})
    assert [line[0] for line in helpers.lines(helpers.issue(group, d(2026, 4, 1)))] == ["manual", "premium"]


@pytest.mark.parametrize("data, field, message", [
    ({"amount": "0", "memo": "x"}, "amount", "An adjustment cannot be zero."),
    ({"amount": "1.005", "memo": "x"}, "amount", "Ensure that there are no more than 2 decimal places."),
    ({"amount": "10.00", "memo": "   "}, "memo", "This field is required."),
    ({"amount": "10.00", "memo": "x", "service_month": "2026-03-02"}, "service_month", "Give the first day of the month corrected."),
    ({"amount": "-500.01", "memo": "x"}, "amount", "A credit cannot exceed what was billed for this subscriber and month (500.00)."),
])
def test_a_refused_adjustment_says_why_next_to_its_field_and_saves_nothing(specialist_client, group, ryan, data, field, message):
    response = post(specialist_client, **{"group": group.pk, "subscriber": ryan.pk, "service_month": "2026-03-01", **data})

    assert response.status_code == 200
    assert any(message in error for error in response.context["adminform"].form.errors.get(field, [])), response.context["adminform"].form.errors
    assert not Adjustment.objects.exists()


def test_a_subscriber_of_another_group_is_refused(specialist_client, group, other_group, ryan):
    stranger = helpers.subscriber(other_group, helpers.factories.SubgroupFactory(group=other_group), "Stranger")
    response = post(specialist_client, group=group.pk, subscriber=stranger.pk, service_month="2026-03-01", amount="5.00", memo="x")
    assert "This subscriber is in another group." in response.context["adminform"].form.errors["subscriber"][0]


def test_a_posted_adjustment_is_shown_but_not_edited(specialist_client, specialist, group, ryan):
    adjustment = services.post_manual_adjustment(
        group=group, subscriber=ryan, service_month=d(2026, 3, 1), amount=D("5.00"), memo="Fee", acting_user=specialist
    )
    url = reverse("admin:billing_adjustment_change", args=[adjustment.pk])

    assert specialist_client.get(url).status_code == 200
    specialist_client.post(url, {"group": group.pk, "service_month": "2026-03-01", "amount": "500.00", "memo": "changed"})
    adjustment.refresh_from_db()
    assert (adjustment.amount, adjustment.memo) == (D("5.00"), "Fee")


def test_two_credits_together_cannot_exceed_what_was_billed(specialist, group, ryan):
    services.post_manual_adjustment(group=group, subscriber=ryan, service_month=d(2026, 3, 1), amount=D("-300.00"), memo="a", acting_user=specialist)
    with pytest.raises(Exception, match="cannot exceed"):
        services.post_manual_adjustment(group=group, subscriber=ryan, service_month=d(2026, 3, 1), amount=D("-200.01"), memo="b", acting_user=specialist)
