from datetime import date

import pytest

from core.dates import display_date


@pytest.mark.parametrize(
    "day, shown",
    [(date(1985, 4, 12), "Apr 12, 1985"), (date(2026, 1, 1), "Jan 1, 2026"), (date(2027, 12, 31), "Dec 31, 2027"),
     (date(2024, 2, 29), "Feb 29, 2024"), (date(2026, 5, 9), "May 9, 2026"), (date(2026, 6, 9), "Jun 9, 2026"),
     (date(2026, 7, 9), "Jul 9, 2026"), (date(2026, 8, 9), "Aug 9, 2026"), (date(2026, 9, 9), "Sep 9, 2026"),
     (date(2026, 10, 9), "Oct 9, 2026"), (date(2026, 11, 9), "Nov 9, 2026"), (date(2026, 3, 9), "Mar 9, 2026")],
)
def test_a_date_reads_month_day_year(day, shown):
    assert display_date(day) == shown
