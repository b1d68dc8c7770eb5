"""The statistics that rank and compare: ties, ranks, the noise verdict, shares and the composite.

One rule decides everywhere whether two figures differ: their ranges over the repeats
(slowest to fastest) must not overlap. The post ranks with it (overlapping neighbours are
tied), the post's "what changed" list uses it on the shares, and `compare` gives its verdict
with it, so a difference is called the same way wherever it is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from scripts.measure import results
from scripts.report import figures
from scripts.report.batches import Batch
from scripts.report.figures import Share, Spread
from scripts.scenarios import SCENARIOS

# The rule, in words: --help of compare and the methodology page print this very text.
NOISE_RULE = (
    "Two figures differ only when the ranges of their repeats do not overlap: the slower one's fastest repeat "
    "is below the faster one's slowest. Otherwise the difference is within the noise. Where either side has a "
    f"single repeat, there is no range, and a difference under {results.UNSTABLE_CV:.0%} (the instability "
    "threshold) is within the noise."
)


class Verdict(StrEnum):
    FASTER = "faster"
    SLOWER = "slower"
    NOISE = "within the noise"


def tied(a: Spread, b: Spread) -> bool:
    """Within the measured noise, by NOISE_RULE."""
    if a.repeats > 1 and b.repeats > 1:
        return a.low <= b.high and b.low <= a.high
    top = max(a.median, b.median)
    return top == 0 or abs(a.median - b.median) / top < results.UNSTABLE_CV


def verdict(old: Spread, new: Spread) -> Verdict:
    """Whether `new` is above `old` (faster), below it (slower), or within the noise."""
    if tied(old, new):
        return Verdict.NOISE
    return Verdict.FASTER if new.median > old.median else Verdict.SLOWER


def chance_apart(old_repeats: int, new_repeats: int) -> float | None:
    """How often two sets of repeats of the same thing have ranges that do not overlap, by chance alone.

    With exchangeable repeats every order of the n + m figures is equally likely; the ranges
    are apart only when one side holds all the lowest figures: 2 orders of C(n + m, n). This is
    the most extreme outcome of an exact two-sided Mann-Whitney test (U = 0 or U = n·m).
    """
    if old_repeats < 2 or new_repeats < 2:
        return None
    return 2 / math.comb(old_repeats + new_repeats, old_repeats)


def ranks(spreads: list[Spread]) -> list[str]:
    """Ranks for figures sorted best first; a chain of adjacent ties shares its first rank, marked "=3"."""
    groups: list[list[int]] = []
    for index, spread in enumerate(spreads):
        if groups and tied(spreads[index - 1], spread):
            groups[-1].append(index)
        else:
            groups.append([index])
    labels = [""] * len(spreads)
    for group in groups:
        for index in group:
            labels[index] = f"={group[0] + 1}" if len(group) > 1 else str(group[0] + 1)
    return labels


def geometric_mean(values: list[float]) -> float:
    return math.prod(values) ** (1 / len(values))


@dataclass(frozen=True)
class Row:
    """One framework in one scenario's table; `spread` is None when it has no figures there."""

    framework: str
    scenario: str
    result: dict | None
    spread: Spread | None
    share: Share | None
    flags: list[str]
    reason: str | None
    rank: str = ""

    @property
    def summary(self) -> dict | None:
        return figures.summary(self.result, self.scenario) if self.result and self.spread else None


@dataclass(frozen=True)
class CompositeRow:
    """One framework across the scenarios: its score is None when a scenario or the baseline is missing."""

    framework: str
    result: dict | None
    score: Spread | None
    paired: bool
    flags: list[str]
    reason: str | None
    rank: str = ""


Ranked = TypeVar("Ranked", Row, CompositeRow)


def _ranked(rows: list[Ranked], spread: Callable[[Ranked], Spread]) -> list[Ranked]:
    """Best first, ties by name; each row with its rank."""
    rows = sorted(rows, key=lambda row: (-spread(row).median, row.framework))
    labels = ranks([spread(row) for row in rows])
    return [replace(row, rank=label) for row, label in zip(rows, labels, strict=True)]


def scenario_rows(batch: Batch, scenario: str) -> list[Row]:
    """Measured frameworks by req/s, best first, with ranks; then every framework without figures, by name."""
    measured: list[Row] = []
    unmeasured: list[Row] = []
    for name, result in batch.results.items():
        shown = list(figures.flags(result, scenario).values())
        gap = figures.scenario_gap(result, scenario, brief=True)
        if gap is not None:
            unmeasured.append(Row(name, scenario, result, None, None, shown, gap))
            continue
        spread = figures.rps(result, scenario)
        measured.append(Row(name, scenario, result, spread, figures.share(result, scenario), shown, None))
    unmeasured += [Row(p.framework, scenario, None, None, None, [], p.text) for p in batch.unused()]
    return _ranked(measured, lambda row: row.spread) + sorted(unmeasured, key=lambda row: row.framework)


def composite(result: dict) -> tuple[Share | None, str | None]:
    """The geometric mean over the scenarios of the shares of asgi, or None and the reason there is none.

    The median is the geometric mean of the median shares; the range uses the geometric means of
    the lowest and of the highest shares. The geometric mean keeps the slow upload scenario from
    weighing less than the others.
    """
    gaps = [
        f"{scenario}: {gap}" for scenario in SCENARIOS if (gap := figures.scenario_gap(result, scenario, brief=True))
    ]
    shares = {scenario: figures.share(result, scenario) for scenario in SCENARIOS}
    if any(shares[scenario] is None and not figures.scenario_gap(result, scenario) for scenario in SCENARIOS):
        gaps.append(f"no asgi baseline: {result['baseline']['reason'] or 'not measured on every scenario'}")
    if gaps:
        return None, "; ".join(gaps)
    found = [share for share in shares.values() if share]
    score = Spread(
        geometric_mean([share.spread.median for share in found]),
        geometric_mean([share.spread.low for share in found]),
        geometric_mean([share.spread.high for share in found]),
        min(share.spread.repeats for share in found),
    )
    return Share(score, paired=all(share.paired for share in found)), None


def composite_rows(batch: Batch) -> list[CompositeRow]:
    """Per framework, the composite share of its own asgi baseline; those without one come last, with the reason."""
    scored: list[CompositeRow] = []
    unscored: list[CompositeRow] = []
    for name, result in batch.results.items():
        raised: dict[str, list[str]] = {}
        for scenario in SCENARIOS:
            for flag in figures.flags(result, scenario):
                raised.setdefault(flag, []).append(scenario)
        shown = [f"{flag}: {', '.join(scenarios)}" for flag, scenarios in raised.items()]
        score, reason = composite(result)
        if score is None:
            unscored.append(CompositeRow(name, result, None, False, shown, reason))
        else:
            scored.append(CompositeRow(name, result, score.spread, score.paired, shown, None))
    unscored += [CompositeRow(p.framework, None, None, False, [], p.text) for p in batch.unused()]
    return _ranked(scored, lambda row: row.score) + sorted(unscored, key=lambda row: row.framework)
