"""manage.py seed_demo: a believable carrier, the same every run, and large data sets in bulk."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import F, Sum

from accounts.models import EmployerGroup, Membership, User
from billing.models import Adjustment, Invoice, InvoiceLine, InvoiceLineMember, Payment
from core.fields import decrypt
from enrollment import rules
from enrollment.selectors import OPEN_REQUEST_STATUSES
from enrollment.models import (
    Coverage,
    Dependent,
    Plan,
    PlanAgeRate,
    PlanOffering,
    PlanRate,
    Subscriber,
)

pytestmark = pytest.mark.django_db

TODAY = date.today()


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accounts", "enrollment", "billing", "auth")
        for model in apps.get_app_config(app).get_models()
    }


def snapshot():
    return {
        "counts": counts(),
        "subscriber_ids": list(Subscriber.objects.order_by("subscriber_number").values_list("subscriber_number", "pk")),
        "invoices": list(Invoice.objects.order_by("number").values_list("number", "pk", "amount_due", "status")),
        "ssn": list(Subscriber.objects.exclude(ssn_hash="").order_by("pk").values_list("pk", "ssn_encrypted")),
        "passwords": list(User.objects.order_by("username").values_list("username", "password")),
        "coverages": list(Coverage.objects.order_by("pk").values_list("pk", "subscriber_id", "plan_id", "tier", "start", "end")),
    }


def test_it_leaves_exactly_the_same_data_when_run_twice():
    seed()
    first = snapshot()
    output = seed()
    assert snapshot() == first
    assert "nothing rebuilt" in output


def test_it_rebuilds_the_dated_rows_in_a_new_month_without_duplicating_anyone():
    seed("--today", "2026-11-27")
    ids = set(Subscriber.objects.values_list("subscriber_number", flat=True))
    seed("--today", "2027-03-10")
    assert set(Subscriber.objects.values_list("subscriber_number", flat=True)) == ids
    assert Invoice.objects.filter(number="INV-104522-202703").exists()
    assert not Invoice.objects.filter(number="INV-104522-202609").exists()
    assert Invoice.objects.count() == 18


def test_it_builds_the_carriers_plans_with_rates_for_this_plan_year_and_next():
    seed()
    assert 7 <= Plan.objects.count() <= 10
    assert {p.plan_type for p in Plan.objects.all()} == {"HMO", "PPO", "EPO", "HDHP"}
    old = Plan.objects.get(code="SUM-PPO-S2500")
    assert old.successor.code == "SUM-PPO-S3000"
    acme = EmployerGroup.objects.get(group_number="104522")
    current = rules.plan_year_of(acme.renewal_month, TODAY)
    assert not PlanOffering.objects.filter(group=acme, plan=old, plan_year=current + 1).exists()
    assert PlanOffering.objects.filter(group=acme, plan=old.successor, plan_year=current + 1).exists()
    gold = Plan.objects.get(code="CAS-HMO-G500")
    this_year = PlanRate.objects.get(plan=gold, plan_year=current, tier="EE").monthly_premium
    next_year = PlanRate.objects.get(plan=gold, plan_year=current + 1, tier="EE").monthly_premium
    assert Decimal("1.06") <= next_year / this_year <= Decimal("1.09")
    assert PlanAgeRate.objects.filter(plan=gold, plan_year=current).count() == 51


def test_exactly_one_group_is_in_open_enrollment_today():
    seed()
    groups = {g.group_number: g for g in EmployerGroup.objects.filter(group_number__in=["104522", "238811", "310475"])}
    assert [gid for gid, g in sorted(groups.items()) if rules.in_open_enrollment(g.renewal_month, TODAY)] == ["104522"]
    assert groups["238811"].rating_method == "age_banded"
    assert groups["104522"].subgroups.count() == 3 and groups["310475"].subgroups.count() == 2


def test_members_and_coverages_look_like_a_real_roster():
    seed()
    assert 140 <= Subscriber.objects.count() <= 160
    assert all(s.subscriber_number[0] == "M" and len(s.subscriber_number) == 10 for s in Subscriber.objects.all())
    assert Dependent.objects.filter(relationship="disabled_adult_child").count() == 1
    assert Dependent.objects.filter(has_other_coverage=True).exists()
    ssn_people = Subscriber.objects.exclude(ssn_last4="")
    assert ssn_people.exists() and all(s.masked_ssn.startswith("***-**-") for s in ssn_people)

    assert all(decrypt(s.ssn_encrypted).startswith("9") for s in ssn_people)
    for coverage in Coverage.objects.prefetch_related("covered_members__dependent"):
        assert coverage.start.day == 1
        assert coverage.tier == rules.coverage_tier(cm.dependent.relationship for cm in coverage.covered_members.all())
    first_of_next = rules.next_first_of_month(TODAY)
    assert Coverage.objects.filter(start=first_of_next).exists()  # prospective
    assert Coverage.objects.filter(end__lt=TODAY).exclude(termination_reason__in=["", "replaced"]).exists()


def test_invoices_add_up_and_most_are_paid():
    seed()
    assert Invoice.objects.count() == 18
    for invoice in Invoice.objects.all():
        assert invoice.number == "INV-%s-%s" % (invoice.group.group_number, invoice.period.strftime("%Y%m"))
        assert invoice.issued_on == rules.add_months(invoice.period, -1).replace(day=15)
        assert invoice.due_on == invoice.period
        premium = invoice.lines.filter(kind="premium").aggregate(total=Sum("amount"))["total"]
        adjustments = invoice.lines.exclude(kind="premium").aggregate(total=Sum("amount"))["total"] or 0
        assert (premium, adjustments) == (invoice.current_premium, invoice.adjustments_total)
    statuses = sorted(Invoice.objects.values_list("status", flat=True))
    # Cedar Valley's partly paid invoice is past due once its grace period is over (before the 15th).
    assert statuses.count("open") == 3 and statuses.count("partially_paid") + statuses.count("past_due") == 1
    assert statuses.count("paid") == 14
    paid = Invoice.objects.filter(status="paid")
    assert not paid.exclude(amount_paid=F("amount_due")).exists()
    assert Payment.objects.filter(status="succeeded").count() == 15


def test_every_demo_group_has_a_current_invoice_and_acmes_credits_a_retro_termination_linked_to_its_request():
    seed()
    latest = rules.add_months(TODAY.replace(day=1), 1) if TODAY.day >= 15 else TODAY.replace(day=1)
    for number in ("104522", "238811", "310475"):
        assert Invoice.objects.filter(group__group_number=number, period=latest).exists(), number
    credits = InvoiceLine.objects.filter(invoice__group__group_number="104522", invoice__period=latest, kind="adjustment")
    assert credits.count() == 2
    assert {line.change_request.kind for line in credits} == {"termination"}
    assert all(line.amount < 0 for line in credits)
    assert Adjustment.objects.filter(group__group_number="104522", invoice_line__isnull=True, amount=Decimal("-75.00")).count() == 1


def test_tiered_lines_use_the_plan_rate_and_age_banded_lines_sum_their_members():
    seed()
    acme = EmployerGroup.objects.get(group_number="104522")
    for line in InvoiceLine.objects.filter(invoice__group=acme, kind="premium").select_related("coverage")[:50]:
        # The rate of the plan year the month falls in (a coverage of the year before is carried over).
        rate = PlanRate.objects.get(plan=line.plan, plan_year=rules.plan_year_of(acme.renewal_month, line.service_month), tier=line.tier)
        assert line.amount == rate.monthly_premium
    for line in InvoiceLine.objects.filter(invoice__group__group_number="238811", kind="premium"):
        members = InvoiceLineMember.objects.filter(line=line)
        assert members.count() == line.members
        assert members.aggregate(total=Sum("amount"))["total"] == line.amount


def test_the_demo_logins_work_with_their_roles():
    seed()
    for username in ("alice", "erin", "bill", "bob", "brock", "charlie", "specialist", "admin"):
        assert User.objects.get(username=username).check_password("demo-password-2026"), username
    roles = {m.user.username + "@" + m.group.group_number: m.role for m in Membership.objects.select_related("user", "group")}
    assert roles["alice@104522"] == "primary" and roles["erin@104522"] == "enrollment"
    assert roles["bill@104522"] == "billing" and roles["bob@104522"] == "read_only"
    assert roles["brock@104522"] == roles["brock@310475"] == "primary" and roles["charlie@238811"] == "primary"
    specialist = User.objects.get(username="specialist")
    assert specialist.is_staff and not specialist.is_superuser
    assert specialist.has_perm("billing.add_adjustment") and specialist.has_perm("enrollment.view_subscriber")
    assert User.objects.get(username="admin").is_superuser


def test_it_makes_large_groups_in_bulk_and_only_once():
    output = seed("--groups", "2", "--subscribers", "300")
    large = EmployerGroup.objects.filter(group_number__startswith="9")
    assert sorted(large.values_list("group_number", flat=True)) == ["900001", "900002"]
    assert Subscriber.objects.filter(group__in=large).count() == 300
    assert Coverage.objects.filter(group__in=large).count() == 300
    assert Dependent.objects.filter(group__in=large).exists()
    assert PlanOffering.objects.filter(group__in=large).exists()
    assert "Large groups: 2 new, 300 subscribers" in output
    before = counts()
    seed("--groups", "2", "--subscribers", "300")
    assert counts() == before


def test_a_billing_admin_adjusts_acmes_current_invoice_in_the_demo(client):
    """Done when: an admin adjusts an invoice of the demo (here the billing admin, terminating one subscriber)."""
    seed()
    invoice = Invoice.objects.filter(group__group_number="104522").order_by("-period", "-sequence").first()
    line = (
        InvoiceLine.objects.filter(invoice=invoice, kind="premium", coverage__end__isnull=True, coverage__start__lt=rules.add_months(invoice.period, -1))
        .exclude(subscriber__change_requests__status__in=OPEN_REQUEST_STATUSES)
        .select_related("subscriber").order_by("id").first()
    )
    client.force_login(User.objects.get(username="bill"))
    base = "/groups/104522/billing/invoices/%s/adjust/" % invoice.number
    start = client.post(base, {"report": "1", "subscriber": line.subscriber.subscriber_number, "change": "terminate"})
    assert start.status_code == 302, start.content.decode()[:2000]
    added = client.post(start["Location"], {"member": "S", "reason": "end_of_employment",
                                            "termination_date": (invoice.period - timedelta(days=1)).isoformat()})
    assert added.status_code == 302, added.content.decode()[:3000]
    page = client.get(base).content.decode()
    reconciled = "${:,.2f}".format(invoice.amount_due - line.amount)
    assert reconciled in page
    confirmed = client.post(base, {"confirm": "1"}, follow=True)
    assert confirmed.redirect_chain[-1][0].endswith("/adjust/confirmed/")
    request = line.subscriber.change_requests.get(kind="termination", snapshot__reported_on_invoice=invoice.number)
    assert request.display_number in confirmed.content.decode()
