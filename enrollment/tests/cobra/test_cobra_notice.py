"""The election notice PDF the worker renders: its text read back with pypdf (beneficiaries, coverage, the premium of each
choice, the deadlines, the maximum period, how to elect); kept privately; downloaded by enrollment admins only, audited."""

from datetime import date
from io import BytesIO
from pathlib import Path

import pypdfium2
import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AuditEvent
from enrollment import documents
from enrollment.tests.cobra_helpers import notified, terminate
from enrollment.tests.helpers import add_age_rates
from enrollment.tests.maintenance_helpers import family
from tests import factories

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
MARCH_10, MARCH_12 = date(2026, 3, 10), date(2026, 3, 12)


def pdf_text(continuation) -> tuple[bytes, str]:
    with documents.open_private_file(continuation.notice_file) as handle:
        content = handle.read()
    return content, "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_notice_names_the_beneficiaries_the_coverage_each_choice_s_premium_and_the_deadlines(group, alice, plans):
    maria, _, _ = family(group, plans, start=date(2026, 1, 1))
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    continuation = notified(alice, group, change, today=MARCH_12)
    content, text = pdf_text(continuation)
    text = flat(text)
    for expected in (
        "COBRA Continuation Coverage Election Notice", "Cascade Health Plan", "Notice date: Mar 12, 2026",
        "Maria Lopez M100000001-00 Subscriber Feb 14, 1988", "Carlos Lopez M100000001-01 Spouse Jul 1, 1986",
        "Lucia Lopez M100000001-02 Child Mar 9, 2015",
        "End of employment on Mar 10, 2026", "Group coverage ends Mar 31, 2026", "Apr 1, 2026", "Gold PPO (GOLDPPO)",
        # The premium of each choice: 102% of the plan's rate, and 150% in months 19 to 29 of a disability extension.
        "One person alone EE $612.00 $900.00", "The subscriber with the spouse or partner ES $1,224.00 $1,800.00",
        "The subscriber with the children, or two or more family members without the subscriber EC $1,101.60 $1,620.00",
        "The subscriber with the spouse or partner and the children FAM $1,836.00 $2,700.00",
        "18 months", "through Sep 30, 2027", "by May 30, 2026", "within 45 days after the date you elect (by Jul 14, 2026 at the latest",
        "Return it to Acme Manufacturing Co., 100 Main St, Portland, OR 97201", "1-800-555-0142", "Election form",
    ):
        assert expected in text, expected
    ARTIFACTS.mkdir(exist_ok=True)
    pypdfium2.PdfDocument(content)[0].render(scale=1.2).to_pil().save(ARTIFACTS / "cobra_notice.png")
    assert (ARTIFACTS / "cobra_notice.png").stat().st_size > 10_000


def test_a_state_continuation_notice_for_a_divorced_spouse(group, alice, plans):
    group.continuation, group.state_continuation_months = "state", 9
    group.save()
    maria, carlos, _ = family(group, plans, start=date(2026, 1, 1))
    change = terminate(alice, group, maria, dependent=carlos, reason="divorce", on=MARCH_10, today=MARCH_10)
    _, text = pdf_text(notified(alice, group, change, today=MARCH_12))
    text = flat(text)
    for expected in ("State Continuation Coverage Election Notice", "Carlos Lopez M100000001-01 Spouse", "Divorce or legal separation on Mar 10, 2026",
                     "One person alone EE $612.00", "9 months", "through Dec 31, 2026"):
        assert expected in text, expected
    assert "Maria Lopez M100000001-00" not in text and "disability extension" not in text and "$900.00" not in text


def test_an_age_banded_group_s_notice_prices_each_beneficiary_alone_and_all_together(group, alice, plans):
    group.rating_method = "age_banded"
    group.save()
    add_age_rates(plans["gold"], [2025, 2026, 2027])   # 100.00 plus the band's index: age 38 is 124.00
    maria, _, _ = family(group, plans, start=date(2026, 1, 1))
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    _, text = pdf_text(notified(alice, group, change, today=MARCH_12))
    text = flat(text)
    # Ages on Apr 1, 2026: Maria 38 (124.00), Carlos 39 (125.00), Lucia 11 (0-14: 100.00); each x 1.02.
    for expected in ("Maria Lopez alone $126.48", "Carlos Lopez alone $127.50", "Lucia Lopez alone $102.00", "All 3 together $355.98"):
        assert expected in text, expected


# --- The download -------------------------------------------------------------------------------------------------


@pytest.fixture
def notice(group, alice, plans):
    maria, _, _ = family(group, plans, start=date(2026, 1, 1))
    change = terminate(alice, group, maria, reason="end_of_employment", on=MARCH_10, today=MARCH_10)
    return notified(alice, group, change, today=MARCH_12)


def url(continuation):
    return reverse("enrollment:election_notice", kwargs={"group_number": continuation.group.group_number, "continuation_id": continuation.pk})


def test_an_enrollment_admin_downloads_the_notice_and_the_download_is_audited(client, group, notice):
    erin = factories.UserFactory(username="erin")
    factories.MembershipFactory(user=erin, group=group, role="enrollment")
    client.force_login(erin)
    response = client.get(url(notice))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="election-notice-M100000001-%d.pdf"' % notice.pk
    event = AuditEvent.objects.get(action="export")
    assert (event.actor, event.object_type, event.object_id) == (erin, "continuation_notice", str(notice.pk))


@pytest.mark.parametrize("role", ["read_only", "billing"])
def test_read_only_and_billing_admins_cannot_download_the_notice(client, group, notice, role):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, group=group, role=role)
    client.force_login(user)
    assert client.get(url(notice)).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_another_group_s_admin_gets_404(client, charlie, notice):
    client.force_login(charlie)
    assert client.get(url(notice).replace("/104522/", "/207731/")).status_code == 404


def test_a_specialist_views_continuations_in_admin_and_downloads_the_notice_audited(specialist_client, specialist, notice):
    page = specialist_client.get(reverse("admin:enrollment_continuation_changelist")).content.decode()
    assert "Maria Lopez" in page and "Pending election" in page
    detail = specialist_client.get(reverse("admin:enrollment_continuation_change", args=[notice.pk]))
    assert detail.status_code == 200 and "Carlos Lopez" in detail.content.decode()
    response = specialist_client.get(reverse("admin:enrollment_continuation_notice", args=[notice.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.get(action="export").actor == specialist
    response = specialist_client.post(reverse("admin:enrollment_continuation_change", args=[notice.pk]), {"status": "ended"})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == "pending_election"
