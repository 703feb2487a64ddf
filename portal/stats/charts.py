"""Charts drawn on the server as small SVG: no script, no CDN, no inline style.

Two layouts serve every chart of the dashboard, both computed here and drawn by one template
macro (``templates/stats/_macros.html``), colours coming from CSS classes
(``static/css/portal.css``, *Statistics*):

- :func:`row_chart` — rows (a month, a procedure, a deadline state), each with its label and
  one thin horizontal bar per series, the value written at the bar's end. Rows stack
  downwards, so it stays readable on a phone whatever the number of rows;
- :func:`column_chart` — the months side by side as groups of columns on a scale with three
  gridlines, for wide screens (the page shows it instead of the rows from 700 px up).

A chart repeats figures that a table next to it gives in full: the SVG is hidden from screen
readers, who get the table.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 400
LABEL_HEIGHT = 20
BAR_HEIGHT = 13
BAR_GAP = 3
ROW_GAP = 12
VALUE_SPACE = 56  # room after the longest bar for its value
LEFT_LABEL_WIDTH = 64  # short labels (months) go left of their bars
SHORT_LABEL = 8
MAX_LABEL_CHARS = 48

PLOT_HEIGHT = 180
COLUMN_WIDTH = 9
GROUP_GAP = 12
AXIS_WIDTH = 40
AXIS_CHAR_WIDTH = 9  # a digit of the axis's 13px type is about 8.3 units wide
TOP = 10


@dataclass(frozen=True)
class Series:
    key: str
    label: Any


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: Sequence[int]
    series_class: str | None = None
    sublabel: str = ""  # a second line under a column's label (the year under a month)  # one colour for the whole row (deadline states)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str
    anchor: str = "start"
    full_text: str = ""  # the whole label when ``text`` had to be shortened


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    series: list[Series]
    bars: list[Bar]
    texts: list[Text]
    lines: list[Line]


def _shorten(text: str) -> tuple[str, str]:
    if len(text) <= MAX_LABEL_CHARS:
        return text, ""
    return text[: MAX_LABEL_CHARS - 1].rstrip() + "…", text


Format = Callable[[int], str]


def row_chart(rows: Sequence[ChartRow], series: Sequence[Series], format_value: Format = str) -> Chart:
    """Rows of horizontal bars, one per series, on a common scale (the largest value); values
    are written with ``format_value`` (the reader's locale)."""
    is_left = all(len(row.label) <= SHORT_LABEL for row in rows)
    left = LEFT_LABEL_WIDTH if is_left else 0
    largest = max((v for row in rows for v in row.values), default=0) or 1
    scale = (WIDTH - left - VALUE_SPACE) / largest
    bars: list[Bar] = []
    texts: list[Text] = []
    y = 0.0
    for row in rows:
        bars_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        label, full = _shorten(row.label)
        if is_left:
            texts.append(Text(0, y + bars_height / 2 + 5, label, "chart-label"))
        else:
            texts.append(Text(0, y + LABEL_HEIGHT - 6, label, "chart-label", full_text=full))
            y += LABEL_HEIGHT
        for s, value in zip(series, row.values, strict=True):
            width = round(value * scale, 1)
            bars.append(Bar(left, y, width, BAR_HEIGHT, f"bar bar-{row.series_class or s.key}"))
            texts.append(Text(left + width + 4, y + BAR_HEIGHT - 2, format_value(value), "chart-value"))
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP - BAR_GAP
    return Chart(WIDTH, max(y - ROW_GAP, 1), list(series), bars, texts, [])


def _nice_top(largest: int) -> int:
    """A round top for the scale whose half is a whole number too: 2, 3, 4, 5, 6 or 8 × a
    power of ten, even, at least ``largest``."""
    power = 1
    while True:
        for step in (2, 3, 4, 5, 6, 8, 10):
            top = step * power
            if top >= largest and top % 2 == 0:
                return top
        power *= 10


def column_chart(columns: Sequence[ChartRow], series: Sequence[Series], format_value: Format = str) -> Chart:
    """Groups of vertical columns, one group per entry, on a round scale with gridlines at 0,
    half and the top, written with ``format_value``."""
    largest = max((v for c in columns for v in c.values), default=0)
    top = _nice_top(max(largest, 1))
    ticks = [(share, format_value(value)) for share, value in ((0, 0), (.5, top // 2), (1, top))]
    # Wide enough for the longest tick label, right-aligned against the plot ("10.000" is wider
    # than the 40 units that hold "5.000": its first digit was cut off at the chart's edge).
    axis = max(AXIS_WIDTH, 4 + AXIS_CHAR_WIDTH * max(len(label) for _share, label in ticks))
    group = len(series) * COLUMN_WIDTH + GROUP_GAP
    width = axis + len(columns) * group
    bottom = TOP + PLOT_HEIGHT
    lines = [Line(axis, bottom - PLOT_HEIGHT * share, width, bottom - PLOT_HEIGHT * share) for share in (0, .5, 1)]
    texts = [Text(axis - 4, bottom - PLOT_HEIGHT * share + 4, label, "chart-axis", "end") for share, label in ticks]
    bars: list[Bar] = []
    for i, column in enumerate(columns):
        x = axis + GROUP_GAP / 2 + i * group
        for j, (s, value) in enumerate(zip(series, column.values, strict=True)):
            height = round(PLOT_HEIGHT * value / top, 1)
            bars.append(Bar(x + j * COLUMN_WIDTH, bottom - height, COLUMN_WIDTH - 1, height, f"bar bar-{s.key}"))
        middle = x + (group - GROUP_GAP) / 2
        texts.append(Text(middle, bottom + 16, column.label, "chart-axis", "middle"))
        if column.sublabel:
            texts.append(Text(middle, bottom + 31, column.sublabel, "chart-axis", "middle"))
    return Chart(width, bottom + 36, list(series), bars, texts, lines)
