"""Fixtures of the tests of COBRA on the invoice (imported by their modules): private files, and docs/cobra.md's plans."""

from decimal import Decimal

import pytest

from enrollment.models import PlanRate
from enrollment.tests.maintenance_helpers import offer as offer_plans


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


@pytest.fixture
def plans(group):
    """The maintenance tests' plans, with docs/cobra.md's worked example: Gold PPO's family rate is $1,487.35 a month in 2026."""
    plans = offer_plans(group)
    PlanRate.objects.filter(plan=plans["gold"], plan_year=2026, tier="FAM").update(monthly_premium=Decimal("1487.35"))
    return plans
