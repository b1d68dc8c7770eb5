"""The statistics that rank and compare: ties, ranks, the noise verdict, shares and the composites.

One rule decides everywhere whether two figures differ: their ranges over the repeats
(slowest to fastest) must not overlap. The post ranks with it (overlapping neighbours are
tied), the post's "what changed" list uses it on the shares, and `compare` gives its verdict
with it, so a difference is called the same way wherever it is shown.

A composite is the geometric mean of the shares over a list of scenarios: the seed's (html,
api, upload), computed as it always was so that it compares with every earlier run, and the
full one over every scenario, for the frameworks measured and passing on all of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from scripts.measure import results
from scripts.report import figures
from scripts.report.batches import Batch
from scripts.report.figures import Share, Spread
from scripts.scenarios import SCENARIOS, SEED

# The rule, in words: --help of compare and the methodology page print this very text.
NOISE_RULE = (
    "Two figures differ only when the ranges of their repeats do not overlap: the slower one's fastest repeat "
    "is below the faster one's slowest. Otherwise the difference is within the noise. Where either side has a "
    f"single repeat, there is no range, and a difference under {results.UNSTABLE_CV:.0%} (the instability "
    "threshold) is within the noise."
)


# How far a share of asgi moved between two runs of unchanged code (methodology, "How far a share
# reproduces"): the largest move measured, rounded up to a whole percent. One run's pairs share their
# server processes and the machine's state of the moment, so their range misses the shift from one run
# to the next; a move by a factor within 1 + these, up or down, is no verdict. On one boot of one
# machine, between runs an hour apart:
SHARE_TOLERANCE_SAME_MACHINE = 0.40
# Between two machines (another boot, another runner):
SHARE_TOLERANCE = 0.82


def share_tolerance(one_boot: bool) -> float:
    return SHARE_TOLERANCE_SAME_MACHINE if one_boot else SHARE_TOLERANCE


def tolerated(ratio: float, one_boot: bool) -> bool:
    """Whether a share that became `ratio` times itself moved within the tolerance: by a factor of
    at most 1 + tolerance, up or down (ratios multiply, so a halving is as far as a doubling)."""
    return ratio > 0 and max(ratio, 1 / ratio) <= 1 + share_tolerance(one_boot)


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


def share_verdict(old: Spread, new: Spread, one_boot: bool) -> Verdict:
    """The noise rule on two shares of asgi from two runs, and then a move within share_tolerance
    is no verdict either: the same code moved that much from run to run."""
    said = verdict(old, new)
    if said is not Verdict.NOISE and old.median and tolerated(new.median / old.median, one_boot):
        return Verdict.NOISE
    return said


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

    @property
    def measured(self) -> bool:
        """Whether the result has figures on some scenario: then it has "no composite", not "no result"."""
        return bool(self.result) and any(figures.rps(self.result, scenario) for scenario in self.result["scenarios"])


Ranked = TypeVar("Ranked", Row, CompositeRow)


def _ranked(rows: list[Ranked], spread: Callable[[Ranked], Spread]) -> list[Ranked]:
    """Best first, ties by name; each row with its rank."""
    rows = sorted(rows, key=lambda row: (-spread(row).median, row.framework))
    labels = ranks([spread(row) for row in rows])
    return [replace(row, rank=label) for row, label in zip(rows, labels, strict=True)]


# Beside a framework measured without a share of asgi: it cannot be ranked with the others.
NO_SHARE = "no share of asgi: its baseline has no figures here"


def scenario_rows(batch: Batch, scenario: str) -> list[Row]:
    """Measured frameworks by their share of asgi, best first, with ranks; then those measured without a share
    (their baseline failed), by name; then every framework without figures, by name.

    The share ranks, not req/s: each framework is measured at its own time of the run, and the machine's speed
    moves between those times (12% between two runs of one boot), which the share divides out and req/s do not."""
    measured: list[Row] = []
    unshared: list[Row] = []
    unmeasured: list[Row] = []
    for name, result in batch.results.items():
        shown = list(figures.flags(result, scenario).values())
        gap = figures.scenario_gap(result, scenario, brief=True)
        if gap is not None:
            unmeasured.append(Row(name, scenario, result, None, None, shown, gap))
            continue
        spread, share = figures.rps(result, scenario), figures.share(result, scenario)
        if share is None:
            unshared.append(Row(name, scenario, result, spread, None, [*shown, NO_SHARE], None, rank="–"))
            continue
        measured.append(Row(name, scenario, result, spread, share, shown, None))
    unmeasured += [Row(p.framework, scenario, None, None, None, [], p.text) for p in batch.unused()]
    by_name = sorted(unshared, key=lambda row: row.framework) + sorted(unmeasured, key=lambda row: row.framework)
    return _ranked(measured, lambda row: row.share.spread) + by_name


@dataclass(frozen=True)
class Composite:
    """A composite score: the geometric mean of a framework's shares of asgi over these scenarios."""

    name: str
    # As a column's header says it ("all 8 vs asgi"), and as a title ("Composite of all 8 scenarios").
    short: str
    title: str
    scenarios: tuple[str, ...]


FULL = Composite("full", f"all {len(SCENARIOS)}", f"all {len(SCENARIOS)} scenarios", tuple(SCENARIOS))
SEED_COMPOSITE = Composite("seed", "seed", f"the {len(SEED)} seed scenarios", SEED)
COMPOSITES = (FULL, SEED_COMPOSITE)


def measured_scenarios(batch: Batch) -> list[str]:
    """The scenarios, in their order, that at least one result of the run has figures for."""
    return [s for s in SCENARIOS if any(figures.rps(result, s) for result in batch.results.values())]


def composite_gaps(result: dict, scenarios: tuple[str, ...]) -> list[str]:
    """Why the result has no composite over the scenarios: the scenarios that share a reason named
    together ("json, stream: not measured in this run"), then a missing baseline; empty when it has one."""
    grouped: dict[str, list[str]] = {}
    for scenario in scenarios:
        if gap := figures.scenario_gap(result, scenario, brief=True):
            grouped.setdefault(gap, []).append(scenario)
    gaps = [f"{', '.join(names)}: {gap}" for gap, names in grouped.items()]
    if any(figures.share(result, s) is None and not figures.scenario_gap(result, s) for s in scenarios):
        gaps.append(f"no asgi baseline: {result['baseline']['reason'] or 'not measured on every scenario'}")
    return gaps


def composite(result: dict, scenarios: tuple[str, ...]) -> tuple[Share | None, str | None]:
    """The geometric mean over the scenarios of the shares of asgi, or None and the reason there is none.

    The median is the geometric mean of the median shares; the range uses the geometric means of
    the lowest and of the highest shares. The geometric mean keeps the slow upload scenario from
    weighing less than the others.
    """
    gaps = composite_gaps(result, scenarios)
    if gaps:
        return None, "; ".join(gaps)
    found = [share for scenario in scenarios if (share := figures.share(result, scenario))]
    score = Spread(
        geometric_mean([share.spread.median for share in found]),
        geometric_mean([share.spread.low for share in found]),
        geometric_mean([share.spread.high for share in found]),
        min(share.spread.repeats for share in found),
    )
    return Share(score, paired=all(share.paired for share in found)), None


def composite_rows(batch: Batch, scenarios: tuple[str, ...]) -> list[CompositeRow]:
    """Per framework, its composite share of its own asgi baseline over the scenarios; those without
    one come last, with the reason."""
    scored: list[CompositeRow] = []
    unscored: list[CompositeRow] = []
    for name, result in batch.results.items():
        raised: dict[str, list[str]] = {}
        for scenario in scenarios:
            for flag in figures.flags(result, scenario):
                raised.setdefault(flag, []).append(scenario)
        shown = [f"{flag}: {', '.join(names)}" for flag, names in raised.items()]
        score, reason = composite(result, scenarios)
        if score is None:
            unscored.append(CompositeRow(name, result, None, False, shown, reason))
        else:
            scored.append(CompositeRow(name, result, score.spread, score.paired, shown, None))
    unscored += [CompositeRow(p.framework, None, None, False, [], p.text) for p in batch.unused()]
    return _ranked(scored, lambda row: row.score) + sorted(unscored, key=lambda row: row.framework)


@dataclass(frozen=True)
class Standing:
    """One framework in every composite, by the composite's name: a row of the composite table."""

    framework: str
    result: dict | None
    rows: dict[str, CompositeRow]

    @property
    def paired(self) -> bool:
        return all(row.paired for row in self.rows.values() if row.score)

    def note(self, absent: Collection[str] = ()) -> str:
        """Why the framework lacks a composite, else its flags. The scenarios no result of the run
        measured (`absent`) are left out: the page says that once for the whole run."""
        first = next(iter(self.rows.values()))
        if self.result is None:
            return first.reason or ""
        for composite in COMPOSITES:
            row = self.rows.get(composite.name)
            scenarios = tuple(s for s in composite.scenarios if s not in absent)
            if row and not row.score and scenarios and (gaps := composite_gaps(self.result, scenarios)):
                return "; ".join(gaps)
        return ", ".join(first.flags)


def standings(batch: Batch, composites: tuple[Composite, ...] = COMPOSITES) -> list[Standing]:
    """Every framework in every composite: first those with the first composite, in its order, then
    those with the next one only, in that one's order, and so on; the rest by name."""
    tables = {composite.name: composite_rows(batch, composite.scenarios) for composite in composites}
    order: list[str] = []
    for composite in composites:
        order += [row.framework for row in tables[composite.name] if row.score and row.framework not in order]
    every = {row.framework: row.result for rows in tables.values() for row in rows}
    order += sorted(set(every) - set(order))
    found = {key: {row.framework: row for row in rows} for key, rows in tables.items()}
    return [Standing(name, every[name], {key: rows[name] for key, rows in found.items()}) for name in order]
