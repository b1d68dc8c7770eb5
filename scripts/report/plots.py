"""The site's charts: which figures each one draws, in which order and colour.

charts.py draws (geometry and SVG); this module chooses the figures: req/s and shares per
scenario, instructions per request, latency at half load, and the trends over the runs.
"""

from __future__ import annotations

from scripts import frameworks
from scripts.report import charts, figures, history, ranking
from scripts.report.batches import Batch
from scripts.report.figures import Spread
from scripts.report.markdown import count, count_ticks, milliseconds, percent, percent_ticks
from scripts.report.ranking import Composite, CompositeRow, Row


def _in_colour_order(batches: list[Batch]) -> list[str]:
    """The registry's order, then any other name: each framework gets the same colour on every page and every run."""
    registry = frameworks.names()
    others = {name for batch in batches for name in batch.names()}
    return [*registry, *sorted(others - set(registry))]


def palette(batches: list[Batch]) -> dict[str, str]:
    return charts.colors(_in_colour_order(batches))


def _share_chart(chart_id: str, title: str, shares: list[tuple[str, Spread]], colors: dict[str, str]) -> str | None:
    """Shares of asgi as bars, in the order given; None without any (an empty chart would look like a figure)."""
    bars = [
        charts.Bar(name, share.median * 100, share.low * 100, share.high * 100, f"{percent(share.median)} of asgi",
                   colors[name])
        for name, share in shares
    ]  # fmt: skip
    return charts.bar_chart(chart_id, title, "% of the asgi baseline", bars, percent_ticks) if bars else None


def scenario_chart(scenario: str, rows: list[Row], colors: dict[str, str]) -> str | None:
    """The scenario's shares of asgi in the table's order, the figure it ranks."""
    title = f"{scenario}: share of the asgi baseline (median; whisker: lowest to highest)"
    shares = [(row.framework, row.share.spread) for row in rows if row.share]
    return _share_chart(f"chart-{scenario}", title, shares, colors)


def composite_chart(composite: Composite, rows: list[CompositeRow], colors: dict[str, str]) -> str | None:
    """The composite's shares, best first."""
    title = f"Composite of {composite.title}: share of the asgi baseline (geometric mean)"
    shares = [(row.framework, row.score) for row in rows if row.score]
    return _share_chart(f"chart-composite-{composite.name}", title, shares, colors)


def instructions_chart(scenario: str, batch: Batch, colors: dict[str, str]) -> str | None:
    """Instructions per request, fewest first, whisker over the separate counts; None when no result has them."""
    bars = []
    for name, result in batch.results.items():
        per_request = figures.instructions(result, scenario)
        if per_request is None:
            continue
        counts = figures.instruction_counts(result, scenario) or [per_request]
        extra = figures.overhead(result, scenario)
        note = f"{count(per_request)}" + (f", ×{extra.multiple:.1f} asgi" if extra else "")
        bars.append(charts.Bar(name, per_request, min(counts), max(counts), note, colors[name]))
    if not bars:
        return None
    bars.sort(key=lambda bar: (bar.value, bar.label))
    title = f"{scenario}: user-space instructions per request (fewest first; whisker: min to max of the counts)"
    return charts.bar_chart(f"instructions-{scenario}", title, "instructions per request", bars, count_ticks)


def latency_chart(scenario: str, batch: Batch, colors: dict[str, str]) -> str | None:
    """Latency at half load, lowest p99 first; an overloaded run has no latency to draw. None when nothing to draw."""
    bars = []
    for name, result in batch.results.items():
        measured = figures.fixed_rate(result, scenario)
        if not measured or measured["overloaded"]:
            continue
        latency = measured["latency_ms"]
        note = " · ".join(milliseconds(latency[key]) for key in ("p50", "p99", "p99.9")) + " ms"
        bars.append(charts.Bar(name, latency["p99"], latency["p50"], latency["p99.9"], note, colors[name]))
    if not bars:
        return None
    bars.sort(key=lambda bar: (bar.value, bar.label))
    title = f"{scenario}: latency at half load in ms (bar: p99; whisker: p50 to p99.9; figures: p50 · p99 · p99.9)"
    return charts.bar_chart(f"latency-{scenario}", title, "milliseconds", bars, lambda value: f"{value:g}")


def share_trend(scenario: str, runs: list[Batch], colors: dict[str, str]) -> str | None:
    """Each framework's share of asgi on the scenario, per run; None when no run has one."""
    lines = history.trend_lines(runs, lambda result: history.share_percent(result, scenario), colors,
                                charts.dashed(_in_colour_order(runs)))  # fmt: skip
    if not lines:
        return None
    title = f"{scenario}: share of the asgi baseline, per run"
    dates = [batch.date for batch in runs]
    return charts.trend_chart(f"trend-{scenario}", title, "date of the run", dates, lines, percent_ticks)


def composite_trend(composite: Composite, runs: list[Batch], colors: dict[str, str]) -> str | None:
    """Each framework's composite over the scenarios, per run; None when no run has one."""

    def value(result: dict) -> float | None:
        score, _ = ranking.composite(result, composite.scenarios)
        return score.spread.median * 100 if score else None

    lines = history.trend_lines(runs, value, colors, charts.dashed(_in_colour_order(runs)))
    if not lines:
        return None
    title = f"Composite of {composite.title}: share of the asgi baseline, per run"
    dates, chart_id = [batch.date for batch in runs], f"trend-composite-{composite.name}"
    return charts.trend_chart(chart_id, title, "date of the run", dates, lines, percent_ticks)


def framework_trends(
    name: str, entries: list[history.Entry], scenario: str, color: str
) -> tuple[str | None, str | None]:
    """One framework's share of asgi per run, and its instructions per request per run, each where any run
    has the figure: an empty chart would look like a measurement."""
    dates = [entry.date for entry in entries]
    shares, counted = history.framework_lines(name, entries, scenario, color)
    share_chart = None
    if any(value is not None for value in shares.values):
        share_chart = charts.trend_chart(
            f"trend-{scenario}", f"{name}, {scenario}: share of the asgi baseline, per run",
            "date of the run", dates, [shares], percent_ticks,
        )  # fmt: skip
    if counted is None:
        return share_chart, None
    count_chart = charts.trend_chart(
        f"instructions-trend-{scenario}", f"{name}, {scenario}: user-space instructions per request, per run",
        "date of the run", dates, [counted], count_ticks,
    )  # fmt: skip
    return share_chart, count_chart
