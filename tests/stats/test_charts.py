"""The month chart's scale: its labels fit inside the chart and the columns start after them."""
from __future__ import annotations

import pytest

from portal.stats.charts import ChartRow, Series, column_chart

def drawn_width(text: str) -> float:
    """About how wide the axis's 13px type draws ``text``, in the chart's units (a digit 8.3, a
    separator 4.2)."""
    return sum(8.3 if char.isdigit() else 4.2 for char in text)


@pytest.mark.parametrize(("largest", "top"), [(9_000, "10.000"), (90_000, "100.000"), (30, "30")])
def test_the_scale_leaves_room_for_its_longest_label(largest, top):
    chart = column_chart([ChartRow("01", (largest, largest // 2))], [Series("a", "A"), Series("b", "B")],
                         lambda value: f"{value:,}".replace(",", "."))
    label = next(t for t in chart.texts if t.text == top)
    # Right-aligned at x: it starts x minus its width from the left edge, which must not be cut off.
    assert label.anchor == "end" and label.x - drawn_width(top) >= 0
    assert min(bar.x for bar in chart.bars) > label.x  # the columns start to the right of the labels
    if largest < 1_000:  # short labels keep the chart as it was
        assert min(bar.x for bar in chart.bars) == 40 + 6
