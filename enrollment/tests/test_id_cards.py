"""Order member ID cards: the worker renders the PDF with the right member data, marks the order shipped, emails the admin."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pypdfium2
import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from enrollment import documents
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, CoveredMember, IDCardOrder
from enrollment.tests.maintenance_helpers import family, membership, offer, process

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def plans(group):
    plans = offer(group)
    gold = plans["gold"]
    gold.copay_primary_care, gold.copay_specialist, gold.copay_urgent_care, gold.copay_emergency = (
        Decimal("25.00"), Decimal("50.00"), Decimal("75.00"), Decimal("350.00"))
    gold.save()
    return plans


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


def order(alice, group, subscriber, dependents, **kwargs):
    return services.submit_id_card_order(
        membership=membership(alice, group), subscriber=subscriber, include_subscriber=kwargs.pop("include_subscriber", True),
        dependents=dependents, reason=kwargs.pop("reason", "lost"), ship_to=kwargs.pop("ship_to", "subscriber"),
        address=kwargs.pop("address", None), acting_user=alice, today=date(2026, 3, 10),
    )


def pdf_text(order):
    with documents.open_private_file(order.card_file) as handle:
        content = handle.read()
    return content, "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_the_worker_renders_the_cards_with_each_member_s_data_and_ships_the_order(group, alice, plans, mailoutbox, django_capture_on_commit_callbacks):
    subscriber, _, (child,) = family(group, plans, start=date(2026, 1, 1))
    child.pcp_name, child.pcp_id = "Dr. Samuel Park", "PCP118302"
    child.save()
    request = order(alice, group, subscriber, [child])
    with django_capture_on_commit_callbacks(execute=True):
        request = process(request, date(2026, 3, 10))
    assert request.status == "completed"
    card_order = IDCardOrder.objects.get(request=request)
    assert card_order.status == "shipped" and card_order.shipped_at and card_order.card_file.startswith("id-cards/")
    assert (card_order.address_line1, card_order.city, card_order.mail_to_name) == ("12 Oak Ave", "Salem", "Maria Lopez")

    content, text = pdf_text(card_order)
    for expected in ("Cascade Summit Health Plan", "Maria Lopez", "M100000001-00", "Lucia Lopez", "M100000001-02", "104522", "Gold PPO (GOLDPPO)",
                     "Dr. Samuel Park (PCP118302)", "Jan 1, 2026", "$25.00", "$50.00", "$75.00", "$350.00", "1-800-555-0142"):
        assert expected in text, expected
    assert "Carlos" not in text  # not on this order

    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(content)[0]
    page.render(scale=1.5).to_pil().save(ARTIFACTS / "id_card.png")
    assert (ARTIFACTS / "id_card.png").stat().st_size > 10_000

    shipped = [m for m in mailoutbox if "ID card order shipped" in m.subject]
    assert len(shipped) == 1 and shipped[0].to == ["alice@example.com"] and request.display_number in shipped[0].body
    assert "Lucia" not in shipped[0].body  # no member names in email


def test_a_member_s_effective_date_follows_the_rows_back_with_no_gap(group, alice, plans):
    subscriber, spouse, (child,) = family(group, plans, start=date(2025, 1, 1))
    services.submit_termination(membership=membership(alice, group), subscriber=subscriber, dependent=spouse, reason="voluntary",
                                termination_date=date(2026, 1, 10), acting_user=alice, today=date(2026, 1, 10))
    process(ChangeRequest.objects.get(kind="dependent_removed"), date(2026, 1, 10))
    request = process(order(alice, group, subscriber, [child]), date(2026, 3, 10))
    _, text = pdf_text(IDCardOrder.objects.get(request=request))
    assert text.count("Jan 1, 2025") == 2  # the subscriber and the child, covered since then through a tier change


def test_cards_go_to_another_address_when_one_is_typed(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    address = {"address_line1": "1 Main St", "address_line2": "Suite 4", "city": "Bend", "state": "OR", "zip_code": "97701"}
    request = order(alice, group, subscriber, [], ship_to="other", address=address)
    card_order = IDCardOrder.objects.get(request=request)
    assert (card_order.ship_to, card_order.address_line1, card_order.city) == ("other", "1 Main St", "Bend")
    with pytest.raises(ValidationError):
        order(alice, group, subscriber, [], ship_to="other", address={"address_line1": ""})


def test_an_order_needs_a_member_and_one_order_at_a_time(group, alice, plans):
    subscriber, _, _ = family(group, plans)
    with pytest.raises(ValidationError):
        order(alice, group, subscriber, [], include_subscriber=False)
    first = order(alice, group, subscriber, [])
    with pytest.raises(ValidationError) as error:
        order(alice, group, subscriber, [])
    assert error.value.params["number"] == first.display_number


def test_the_worker_rejects_an_order_for_a_dependent_no_longer_covered(group, alice, plans):
    subscriber, spouse, _ = family(group, plans)
    request = order(alice, group, subscriber, [spouse])
    CoveredMember.objects.filter(dependent=spouse).delete()
    assert process(request, date(2026, 3, 10)).status == "rejected"
