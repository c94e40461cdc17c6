"""The progress chart, drawn as SVG on the server: geometry only (the template draws it, portal.css colours it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    total: int
    acted: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_x: int
    plot_width: int
    bars: list[Bar]


BAR_HEIGHT = 24
GAP = 14
LABEL_WIDTH = 170
PLOT_WIDTH = 380
NOTE_WIDTH = 130


def stacked_bars(rows, keys, labels, acted_keys) -> Chart:
    """Return one horizontal bar per (label, {key: count}) row, each split by `keys` in proportion to its total.

    Each bar spans the plot's full width (a share of its own subgroup), so subgroups of very
    different sizes compare; the counts themselves are printed beside it and in the table.
    """
    bars = []
    for index, (label, counts) in enumerate(rows):
        total = sum(counts.get(key, 0) for key in keys)
        y = GAP + index * (BAR_HEIGHT + GAP)
        x = float(LABEL_WIDTH)
        segments = []
        for key in keys:
            value = counts.get(key, 0)
            if not value:
                continue
            width = round(PLOT_WIDTH * value / total, 2)
            segments.append(Segment(key, labels[key], value, round(x, 2), width))
            x += width
        bars.append(Bar(label, y, total, sum(counts.get(key, 0) for key in acted_keys), segments))
    height = GAP + len(bars) * (BAR_HEIGHT + GAP)
    return Chart(LABEL_WIDTH + PLOT_WIDTH + NOTE_WIDTH, height, LABEL_WIDTH, PLOT_WIDTH, bars)
