"""The subscriber page, the header's search, the change flows through the browser's requests, and who may see what."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Subgroup
from enrollment import hooks
from enrollment.maintenance import services
from enrollment.models import ChangeRequest, IDCardOrder, Plan, ProofDocument
from enrollment.tests.maintenance_helpers import family, membership, offer, process
from tests import factories
from tests.queries import count_queries

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def plans(group):
    return offer(group)


@pytest.fixture
def maria(group, plans):
    today = timezone.localdate()
    return family(group, plans, start=today.replace(day=1, year=today.year - 1))


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


def url(group, name, **kwargs):
    return reverse("enrollment:" + name, kwargs={"group_number": group.group_number, **kwargs})


def test_the_subscriber_page_shows_members_and_coverage(alice_client, group, maria):
    subscriber, _, _ = maria
    response = alice_client.get(url(group, "subscriber_detail", subscriber_number=subscriber.subscriber_number))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Maria Lopez", "Carlos Lopez", "M100000001-01", "Lucia Lopez", "Gold PPO", "$1,800.00 a month", "Terminate coverage"):
        assert text in page, text


def test_another_group_s_admin_and_another_subgroup_s_admin_get_404(client, group, other_group, charlie, maria, plans):
    subscriber, _, _ = maria
    client.force_login(charlie)
    for name in ("subscriber_detail", "subscriber_history", "terminate", "order_id_cards"):
        assert client.get(url(other_group, name, subscriber_number=subscriber.subscriber_number)).status_code == 404
        assert client.get(url(group, name, subscriber_number=subscriber.subscriber_number)).status_code == 404
    hana = factories.UserFactory(username="hana")
    factories.MembershipFactory(user=hana, group=group, role="enrollment").subgroups.set([plans["hourly"]])
    client.force_login(hana)
    assert client.get(url(group, "subscriber_detail", subscriber_number=subscriber.subscriber_number)).status_code == 404


def test_a_forged_post_for_another_group_s_member_gets_404_and_saves_nothing(alice_client, group, other_group, charlie, maria):
    subscriber, spouse, _ = maria
    client = Client()
    client.force_login(charlie)
    data = {"member": "S", "reason": "voluntary", "termination_date": "2026-03-05"}
    assert client.post(url(other_group, "terminate", subscriber_number=subscriber.subscriber_number), data).status_code == 404
    # alice names a dependent of another family: 404 as well
    other, _, _ = family(group, offer_plans_again(group), number="M100000009", first_name="Rosa")
    stranger = other.dependents.first()
    response = alice_client.post(url(group, "terminate", subscriber_number=subscriber.subscriber_number),
                                 {"member": "D%d" % stranger.pk, "reason": "dependent:divorce", "termination_date": "2026-03-05"})
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert not ChangeRequest.objects.exists()


def offer_plans_again(group):
    return {"salaried": Subgroup.objects.get(group=group, code="SAL"), "gold": Plan.objects.get(code="GOLDPPO")}


def test_a_read_only_admin_sees_the_page_but_cannot_change(client, bob, group, maria):
    subscriber, _, _ = maria
    client.force_login(bob)
    page = client.get(url(group, "subscriber_detail", subscriber_number=subscriber.subscriber_number))
    assert page.status_code == 200 and "Terminate coverage" not in page.content.decode()
    assert client.get(url(group, "terminate", subscriber_number=subscriber.subscriber_number)).status_code == 403


def test_updating_an_address_goes_form_summary_confirm_and_gives_a_confirmation_number(alice_client, group, maria):
    subscriber, _, _ = maria
    path = url(group, "update_personal_information", subscriber_number=subscriber.subscriber_number)
    form = alice_client.get(path).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(address_line1="48 Cedar Ln", city="Eugene", zip_code="97401")
    response = alice_client.post(path, data)
    assert response.status_code == 302 and response["Location"].endswith("?step=summary")
    summary = alice_client.get(response["Location"])
    assert [row for row in summary.context["summary"]["changes"]] == [("Home address", "12 Oak Ave", "48 Cedar Ln"), ("City", "Salem", "Eugene"), ("ZIP code", "97301", "97401")]
    confirmed = alice_client.post(path, {"confirm": "1"})
    request = ChangeRequest.objects.get()
    assert confirmed["Location"] == url(group, "change_confirmed", number=request.confirmation_number)
    page = alice_client.get(confirmed["Location"]).content.decode()
    assert request.display_number in page
    assert alice_client.post(path, {"confirm": "1"}).status_code == 302 and ChangeRequest.objects.count() == 1  # a second click submits nothing


def test_the_terminate_summary_shows_the_end_date_and_the_expected_credit(alice_client, group, maria, monkeypatch):
    subscriber, _, _ = maria
    monkeypatch.setattr(hooks, "credit_estimators", [lambda *, subscriber, end, today: Decimal("1800.00")])
    path = url(group, "terminate", subscriber_number=subscriber.subscriber_number)
    today = timezone.localdate()
    alice_client.post(path, {"member": "S", "reason": "end_of_employment", "termination_date": today.isoformat()})
    page = alice_client.get(path + "?step=summary").content.decode()
    assert "Expected credit: $1,800.00 on the next invoice." in page


def test_without_an_estimator_no_credit_is_shown(alice_client, group, maria):
    subscriber, _, _ = maria
    path = url(group, "terminate", subscriber_number=subscriber.subscriber_number)
    alice_client.post(path, {"member": "S", "reason": "end_of_employment", "termination_date": timezone.localdate().isoformat()})
    assert "Expected credit" not in alice_client.get(path + "?step=summary").content.decode()


def test_removing_the_spouse_shows_the_premium_change_before_confirming(alice_client, group, maria):
    subscriber, spouse, _ = maria
    path = url(group, "terminate", subscriber_number=subscriber.subscriber_number)
    today = timezone.localdate()
    response = alice_client.post(path, {"member": "D%d" % spouse.pk, "reason": "dependent:divorce", "termination_date": today.isoformat()})
    assert response.status_code == 302
    page = alice_client.get(path + "?step=summary").content.decode()
    next_month = (today.replace(day=28) + __import__("datetime").timedelta(days=4)).replace(day=1)
    assert "Your monthly premium for this subscriber goes from $1,800.00 to $1,080.00 from %s" % next_month.strftime("%b %-d, %Y") in page


def test_a_subscriber_reason_for_a_dependent_is_refused_next_to_the_field(alice_client, group, maria):
    subscriber, spouse, _ = maria
    response = alice_client.post(url(group, "terminate", subscriber_number=subscriber.subscriber_number),
                                 {"member": "D%d" % spouse.pk, "reason": "end_of_employment", "termination_date": "2026-03-05"})
    assert "reason" in response.context["form"].errors


def upload(alice_client, group, subscriber, content, name):
    today = timezone.localdate()
    return alice_client.post(url(group, "add_dependent", subscriber_number=subscriber.subscriber_number), {
        "event": "birth", "event_date": today.isoformat(), "first_name": "Elena", "last_name": "Lopez", "date_of_birth": today.isoformat(),
        "gender": "F", "relationship": "child", "document": SimpleUploadedFile(name, content, content_type="application/pdf"),
    })


def test_an_executable_renamed_pdf_is_refused_next_to_the_field(alice_client, group, maria):
    response = upload(alice_client, group, maria[0], EXE, "birth-certificate.pdf")
    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["The file must be a PDF, PNG or JPEG document."]
    assert not ProofDocument.objects.exists()


def test_a_file_of_11_mb_is_refused(alice_client, group, maria):
    response = upload(alice_client, group, maria[0], PDF + b"0" * (11 * 1024 * 1024), "big.pdf")
    assert response.context["form"].errors["document"] == ["The file is larger than 10 MB."]
    assert not ProofDocument.objects.exists()


def test_a_birth_certificate_is_kept_privately_and_only_the_group_s_admins_download_it(alice_client, bob, charlie, group, other_group, maria, settings):
    subscriber, _, _ = maria
    response = upload(alice_client, group, subscriber, PNG, "../../etc/birth.png")
    assert response.status_code == 302
    alice_client.post(url(group, "add_dependent", subscriber_number=subscriber.subscriber_number), {"confirm": "1"})
    document = ProofDocument.objects.get()
    assert document.request.kind == "dependent_added" and document.content_type == "image/png" and document.original_name == "birth.png"
    stored = settings.PRIVATE_FILES_DIR / document.stored_name
    assert stored.read_bytes() == PNG and "birth" not in document.stored_name
    assert not str(stored).startswith(str(settings.BASE_DIR / "static"))

    path = url(group, "proof_document", document_id=document.pk)
    download = alice_client.get(path)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert AuditEvent.objects.filter(action="export", object_type="proof_document", object_id=str(document.pk)).count() == 1
    client = Client()
    client.force_login(charlie)
    assert client.get(url(other_group, "proof_document", document_id=document.pk)).status_code == 404
    client.force_login(bob)
    assert client.get(path).status_code == 403


def test_the_header_search_finds_by_id_by_name_and_lists_several(alice_client, group, maria, plans):
    subscriber, _, _ = maria
    path = url(group, "subscriber_search")
    assert alice_client.get(path, {"q": "m100000001"})["Location"] == url(group, "subscriber_detail", subscriber_number="M100000001")
    assert alice_client.get(path, {"q": "maria lop"})["Location"].endswith("/subscribers/M100000001/")
    family(group, plans, number="M100000002", first_name="Mario")
    listing = alice_client.get(path, {"q": "lopez"})
    assert [s.subscriber_number for s in listing.context["results"]] == ["M100000001", "M100000002"]
    assert "No subscriber matches" in alice_client.get(path, {"q": "zzz"}).content.decode()


def test_a_pending_subscriber_links_to_their_latest_request(alice_client, alice, group, plans):
    pending = factories.SubscriberFactory(group=group, subgroup=plans["salaried"], subscriber_number=None, last_name="Okafor")
    request = factories.ChangeRequestFactory(group=group, subscriber=pending, submitted_by=alice)
    response = alice_client.get(url(group, "subscriber_search"), {"q": "okafor"})
    assert response["Location"] == url(group, "request_detail", number=request.confirmation_number)
    roster = alice_client.get(url(group, "roster")).content.decode()
    assert url(group, "request_detail", number=request.confirmation_number) in roster


def test_the_roster_links_each_subscriber_to_their_page(alice_client, group, maria):
    assert url(group, "subscriber_detail", subscriber_number="M100000001") in alice_client.get(url(group, "roster")).content.decode()


def add_changes(alice, group, subscriber, n):
    for i in range(n):
        request = services.submit_demographic_update(membership=membership(alice, group), subscriber=subscriber,
                                                     values={"address_line2": "Apt %d" % (len(ChangeRequest.objects.all()) + 1)},
                                                     acting_user=alice, today=timezone.localdate())
        process(request, timezone.localdate())


@pytest.mark.parametrize("name", ["subscriber_detail", "subscriber_requests", "subscriber_history"])
def test_the_subscriber_pages_make_the_same_number_of_queries_with_2_and_20_changes(alice_client, alice, group, maria, name):
    subscriber, _, _ = maria
    path = url(group, name, subscriber_number=subscriber.subscriber_number)

    def queries():
        alice_client.get(path)
        with count_queries() as ctx:
            assert alice_client.get(path).status_code == 200
        return len(ctx)

    add_changes(alice, group, subscriber, 2)
    few = queries()
    add_changes(alice, group, subscriber, 18)
    assert queries() == few


def test_the_id_cards_page_makes_the_same_number_of_queries_for_2_and_12_orders(alice_client, group, plans):
    def orders(n, start):
        for i in range(n):
            subscriber, spouse, _ = family(group, plans, number="M3%08d" % (start + i), first_name="P%d" % (start + i))
            order = IDCardOrder.objects.create(group=group, subscriber=subscriber)
            order.dependents.set([spouse])

    path = url(group, "id_cards")
    orders(2, 0)
    alice_client.get(path)
    with count_queries() as few:
        alice_client.get(path)
    orders(10, 2)
    with count_queries() as many:
        alice_client.get(path)
    assert len(few) == len(many)


def test_track_requests_shows_what_a_roster_change_asked(alice_client, alice, group, maria):
    subscriber, spouse, _ = maria
    request = services.submit_termination(membership=membership(alice, group), subscriber=subscriber, dependent=spouse, reason="divorce",
                                          termination_date=timezone.localdate(), acting_user=alice, today=timezone.localdate())
    page = alice_client.get(url(group, "request_detail", number=request.confirmation_number)).content.decode()
    assert "Carlos Lopez" in page and "Divorce, legal separation or end of partnership" in page and "FAM → EC" in page and "$1,800.00 → $1,080.00" in page
