"""Fixtures of the COBRA tests: the maintenance tests' plans, private files in a temporary folder, the Lopez family."""

from datetime import date

import pytest

from enrollment.tests.maintenance_helpers import family
from enrollment.tests.maintenance_helpers import offer as offer_plans


@pytest.fixture
def plans(group):
    """Gold PPO (EE 600, ES 1200, EC 1080, FAM 1800 a month) to every subgroup, Silver HMO to Salaried."""
    return offer_plans(group)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


@pytest.fixture
def lopez(group, plans):
    """Maria (subscriber), Carlos (spouse) and Lucia (child), Gold PPO FAM from Jan 1, 2026."""
    return family(group, plans, start=date(2026, 1, 1))
