"""The billing dashboard's chart, drawn on the server as SVG geometry (no JavaScript, no chart library).

Pure: amounts in, coordinates out. The template draws the bars and gives the same numbers in a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28  # margins: axis labels left, month labels below
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str  # "Mar 2027"
    short: str  # "Mar"
    number: str  # the invoice number
    billed: Decimal
    paid: Decimal
    billed_bar: Bar
    paid_bar: Bar
    label_x: float


@dataclass(frozen=True)
class Gridline:
    y: float
    value: Decimal
    label: str  # "$25k"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    columns: list
    gridlines: list
    baseline: float
    plot_left: int
    plot_right: int


def axis_label(value: Decimal) -> str:
    """Return a short dollar label for an axis: $0, $750, $2,500, $25k, $1.2M."""
    if value >= 1_000_000:
        return "$%sM" % _short(value / 1_000_000)
    if value >= 10_000:
        return "$%sk" % _short(value / 1000)
    return "${:,.0f}".format(value)


def _short(value: Decimal) -> str:
    """12.50 -> 12.5, 10.0 -> 10."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_top(value: Decimal) -> Decimal:
    """Return the smallest 1, 2, 2.5 or 5 times a power of ten that is at least `value` (1 for nothing)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in NICE_STEPS:
        if step * power >= value:
            return step * power
    return 10 * power


def billed_and_paid_chart(months) -> Chart:
    """Lay out a pair of bars (billed, paid) per month; amounts below zero draw no bar (the table shows them)."""
    months = list(months)
    top = nice_top(max([m.billed for m in months] + [m.paid for m in months] + [Decimal(0)]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(months), 1)
    bar_w = slot * 0.36

    def bar(value: Decimal, x: float) -> Bar:
        h = float(max(value, Decimal(0)) / top) * plot_h
        return Bar(round(x, 1), round(TOP + plot_h - h, 1), round(bar_w, 1), round(h, 1))

    columns = []
    for i, m in enumerate(months):
        left = LEFT + i * slot + slot * 0.12
        columns.append(Column(
            label=m.period.strftime("%b %Y"), short=m.period.strftime("%b"), number=m.number, billed=m.billed, paid=m.paid,
            billed_bar=bar(m.billed, left), paid_bar=bar(m.paid, left + bar_w + 2), label_x=round(LEFT + i * slot + slot / 2, 1),
        ))
    gridlines = [Gridline(round(TOP + plot_h - plot_h * k / 4, 1), top * k / 4, axis_label(top * k / 4)) for k in range(5)]
    return Chart(WIDTH, HEIGHT, columns, gridlines, TOP + plot_h, LEFT, WIDTH - RIGHT)
