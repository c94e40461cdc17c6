"""The pure rules' constants are the values the models store (kept apart: the rule tests import no models)."""

from accounts.models import EmployerGroup
from billing import rules
from billing.models import Invoice


def test_the_policies_statuses_and_default_invoice_day_are_the_models_values():
    assert (rules.MID_MONTH, rules.DAILY) == (EmployerGroup.BillingPolicy.MID_MONTH, EmployerGroup.BillingPolicy.DAILY)
    assert rules.BILLING_POLICIES == ("mid_month", "daily")
    assert [rules.OPEN, rules.PARTIALLY_PAID, rules.PAID, rules.PAST_DUE] == [
        Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID, Invoice.Status.PAID, Invoice.Status.PAST_DUE,
    ]
    assert rules.DEFAULT_INVOICE_DAY == EmployerGroup._meta.get_field("invoice_day").default == 15
