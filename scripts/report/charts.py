"""Static SVG charts, drawn when the report is rendered.

The site must read well with no JavaScript and no network, so every chart is plain SVG,
inlined into the page. This module does the arithmetic (scales, ticks, positions); the
drawing itself is in the jinja2 templates beside it, scripts/report/templates/*.svg.j2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

TEMPLATES_DIR = Path(__file__).with_name("templates")
# SVG is XML: everything the templates print is escaped.
_SVG = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# One colour per framework, the same in every chart of the site.
PALETTE = (
    "#1f5f99", "#d9822b", "#2e8b57", "#c23b3b", "#7a52a3", "#8c6239", "#d45d9a",
    "#5f6b73", "#9aa629", "#1aa3b3", "#e0b000", "#6b8fd6", "#a33d6b", "#244a2e",
)  # fmt: skip
WIDTH = 800
TickFormat = Callable[[float], str]


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its value, and the range the whisker shows."""

    label: str
    value: float
    low: float
    high: float
    note: str
    color: str


@dataclass(frozen=True)
class Line:
    """One framework's values over the dates of a trend chart; None where it has no figure.

    `marks` rings the points of runs that differ from the run before in a way the reader must
    see (such as another Python), by index, each with its label.
    """

    label: str
    values: Sequence[float | None]
    color: str
    marks: Mapping[int, str] = field(default_factory=dict)
    # Drawn dashed, line and legend: the palette has fewer colours than there are frameworks.
    dashed: bool = False


def colors(names: Sequence[str]) -> dict[str, str]:
    """A colour per name, in the order given: the same order gives the same colours on every chart."""
    unique = list(dict.fromkeys(names))
    return {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(unique)}


def dashed(names: Sequence[str]) -> set[str]:
    """The names, in the order `colors` takes them, whose colour an earlier name already has: their lines are dashed."""
    return set(list(dict.fromkeys(names))[len(PALETTE) :])


def ticks(top: float, count: int = 5) -> list[float]:
    """Round axis values from zero to at least `top`: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [index * step for index in range(math.ceil(top / step - 1e-9) + 1)]


def _svg(template: str, **context: object) -> str:
    """Render without blank lines: a blank line would end the HTML block in the Markdown page around it."""
    text = _SVG.get_template(template).render(**context)
    return "\n".join(line for line in text.splitlines() if line.strip())


def bar_chart(chart_id: str, title: str, axis: str, bars: Sequence[Bar], tick_format: TickFormat) -> str:
    """Horizontal bars, best first, with a whisker from each bar's low to its high."""
    label_width, note_width, top, row = 130, 170, 46, 26
    left, right = label_width, WIDTH - note_width
    axis_values = ticks(max((bar.high for bar in bars), default=0.0))
    scale = (right - left) / axis_values[-1]
    height = top + row * len(bars) + 44
    rows = [
        {
            "y": top + index * row,
            "bar": bar,
            "width": max(bar.value * scale, 1.0),
            "low": left + bar.low * scale,
            "high": left + bar.high * scale,
        }
        for index, bar in enumerate(bars)
    ]
    return _svg(
        "bars.svg.j2",
        id=chart_id,
        title=title,
        axis=axis,
        width=WIDTH,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=top + row * len(bars),
        row=row,
        ticks=[(left + value * scale, tick_format(value)) for value in axis_values],
        rows=rows,
    )


def trend_chart(
    chart_id: str, title: str, axis: str, dates: Sequence[str], lines: Sequence[Line], tick_format: TickFormat
) -> str:
    """One line per framework over the dated runs; a gap where a run has no figure for it."""
    left, right, top, legend_row = 64, WIDTH - 180, 46, 18
    height = max(320, top + legend_row * len(lines) + 60)
    bottom = height - 56
    present = [value for line in lines for value in line.values if value is not None]
    axis_values = ticks(max(present, default=0.0))
    y_scale = (bottom - top) / axis_values[-1]
    inset = 16
    step = (right - left - 2 * inset) / (len(dates) - 1) if len(dates) > 1 else 0.0

    def x(index: int) -> float:
        return left + inset + index * step if len(dates) > 1 else (left + right) / 2

    def y(value: float) -> float:
        return bottom - value * y_scale

    drawn = [
        {
            "line": line,
            "points": [(x(index), y(value)) for index, value in enumerate(line.values) if value is not None],
            "segments": _segments(line.values, x, y),
            "marks": [
                (x(index), y(value), label)
                for index, label in sorted(line.marks.items())
                if (value := line.values[index]) is not None
            ],
        }
        for line in lines
    ]
    shown = max(1, math.ceil(len(dates) / 8))
    return _svg(
        "trend.svg.j2",
        id=chart_id,
        title=title,
        axis=axis,
        width=WIDTH,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        legend_row=legend_row,
        ticks=[(y(value), tick_format(value)) for value in axis_values],
        dates=[(x(index), date) for index, date in enumerate(dates) if index % shown == 0 or index == len(dates) - 1],
        lines=drawn,
        marked=any(line["marks"] for line in drawn),
        # A lone line has room for each mark's label beside its ring; many lines would cover each other.
        labelled=len(lines) == 1,
    )


def _segments(
    values: Sequence[float | None], x: Callable[[int], float], y: Callable[[float], float]
) -> list[list[tuple[float, float]]]:
    """Runs of consecutive figures: a run without a figure breaks the line rather than bridging it."""
    segments: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
        else:
            segments[-1].append((x(index), y(value)))
    return [segment for segment in segments if len(segment) > 1]
