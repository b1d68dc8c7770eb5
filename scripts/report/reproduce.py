"""How far a second run reproduces a first: `python -m scripts.report.reproduce A B` (nox -s reproduce).

A and B are folders of results, or published runs (downloads/<date>.json). For the same code,
a benchmark that can be quoted gives the same verdict twice; this prints how close it came:

- Kendall's tau between the rankings of each composite (1: the same order; 0: no relation),
- the ratio B / A of every share of asgi, per framework and scenario, and their spread,
- how many "moved" verdicts the noise rule gives between the two (for the same code, each one
  is false) beside the rate the statistics promise for one machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from scripts.report import figures, ranking
from scripts.report.batches import Batch, ResultError, load_batch, load_run_file
from scripts.scenarios import SCENARIOS, SEED


@dataclass(frozen=True)
class Agreement:
    """What two runs of the same code agree on."""

    taus: dict[str, tuple[float | None, int]]  # composite: Kendall's tau, over how many frameworks ranked in both
    ratios: dict[tuple[str, str], float]  # (framework, scenario): share in B over share in A
    moved: list[tuple[str, str, ranking.Verdict]]  # the pairs the noise rule alone calls different
    still_moved: list[tuple[str, str]]  # those still called different with the tolerance between runs
    expected: float  # how many false "moved" the noise rule's odds promise over these pairs, on one machine
    speeds: list[float]  # per framework: how much faster B's machine ran asgi than A's (figures.asgi_speed)

    def count(self, pairs: list, scenarios: tuple[str, ...]) -> int:
        return sum(1 for name, scenario, *_ in pairs if scenario in scenarios)

    def compared(self, scenarios: tuple[str, ...]) -> int:
        return sum(1 for _, scenario in self.ratios if scenario in scenarios)


def read_run(path: Path) -> Batch:
    """A folder of result files, or a published run's data file."""
    return load_run_file(path) if path.is_file() else load_batch(path, "reproduce")


def kendall_tau(first: list[float], second: list[float]) -> float | None:
    """Kendall's tau-b of two lists of the same items' scores (ties counted in neither direction)."""
    concordant = discordant = ties_first = ties_second = 0
    for i in range(len(first)):
        for j in range(i + 1, len(first)):
            a, b = first[i] - first[j], second[i] - second[j]
            if a == 0 and b == 0:
                continue
            if a == 0:
                ties_first += 1
            elif b == 0:
                ties_second += 1
            elif (a > 0) == (b > 0):
                concordant += 1
            else:
                discordant += 1
    pairs = concordant + discordant
    denominator = ((pairs + ties_first) * (pairs + ties_second)) ** 0.5
    return (concordant - discordant) / denominator if denominator else None


def composite_tau(first: Batch, second: Batch, scenarios: tuple[str, ...]) -> tuple[float | None, int]:
    """Kendall's tau of the composite over the frameworks that have it in both runs."""
    scores = []
    for name in sorted(set(first.results) & set(second.results)):
        a, _ = ranking.composite(first.results[name], scenarios)
        b, _ = ranking.composite(second.results[name], scenarios)
        if a and b:
            scores.append((a.spread.median, b.spread.median))
    tau = kendall_tau([a for a, _ in scores], [b for _, b in scores]) if len(scores) > 1 else None
    return tau, len(scores)


def agreement(first: Batch, second: Batch) -> Agreement:
    taus = {composite.name: composite_tau(first, second, composite.scenarios) for composite in ranking.COMPOSITES}
    ratios, moved, still, expected, speeds = {}, [], [], 0.0, []
    for name in sorted(set(first.results) & set(second.results)):
        if (speed := figures.asgi_speed(first.results[name], second.results[name])) is not None:
            speeds.append(speed)
        for scenario in SCENARIOS:
            a, b = figures.share(first.results[name], scenario), figures.share(second.results[name], scenario)
            if not (a and b) or not a.spread.median:
                continue
            ratios[name, scenario] = b.spread.median / a.spread.median
            expected += ranking.chance_apart(a.spread.repeats, b.spread.repeats) or 0.0
            said = ranking.verdict(a.spread, b.spread)
            if said is not ranking.Verdict.NOISE:
                moved.append((name, scenario, said))
            one_boot = figures.same_boot(first.results[name], second.results[name])
            if ranking.share_verdict(a.spread, b.spread, one_boot) is not ranking.Verdict.NOISE:
                still.append((name, scenario))
    return Agreement(taus, ratios, moved, still, expected, speeds)


def render(result: Agreement, first: Path, second: Path) -> str:
    lines = [f"A: {first}", f"B: {second}", ""]
    for composite in ranking.COMPOSITES:
        tau, ranked = result.taus[composite.name]
        said = "not enough frameworks ranked in both" if tau is None else f"{tau:.3f} over {ranked} frameworks"
        lines.append(f"Kendall's tau of the composite of {composite.title}: {said}")
    if result.ratios:
        values = list(result.ratios.values())
        deviation = [abs(value - 1) for value in values]
        lines.append(
            f"share B / A over {len(values)} framework-scenarios: median {statistics.median(values):.3f}, "
            f"from {min(values):.3f} to {max(values):.3f}; median |B/A - 1| {statistics.median(deviation):.1%}, "
            f"largest {max(deviation):.1%}"
        )
    if result.speeds:
        lines.append(
            f"the machine's speed B / A (per framework: asgi's CPU time per request in A's pairs over B's, median "
            f"of the scenarios), over {len(result.speeds)} frameworks: median {statistics.median(result.speeds):.2f}, "
            f"from {min(result.speeds):.2f} to {max(result.speeds):.2f}"
        )
    everywhere = f"{len(result.moved)} of {result.compared(SCENARIOS)}"
    seed = f"{result.count(result.moved, SEED)} of {result.compared(SEED)}"
    lines.append(f"'moved beyond the noise' by the noise rule: {everywhere} (the seed scenarios: {seed}); "
                 f"its odds promise {result.expected:.2f} on one machine")  # fmt: skip
    everywhere = f"{len(result.still_moved)} of {result.compared(SCENARIOS)}"
    seed = f"{result.count(result.still_moved, SEED)} of {result.compared(SEED)}"
    tolerances = (f"{ranking.SHARE_TOLERANCE_SAME_MACHINE:.0%} on one boot of one machine, "
                  f"{ranking.SHARE_TOLERANCE:.0%} across machines")  # fmt: skip
    lines.append(f"  and with the tolerance between runs ({tolerances}), as compare and the post "
                 f"apply it: {everywhere} (the seed scenarios: {seed})")  # fmt: skip
    rows = [
        [
            name,
            scenario,
            f"{ratio:.3f}",
            next((str(said) for n, s, said in result.moved if (n, s) == (name, scenario)), ""),
        ]  # fmt: skip
        for (name, scenario), ratio in sorted(result.ratios.items())
    ]
    if rows:
        headers = ["framework", "scenario", "share B / A", "verdict"]
        lines += ["", tabulate(rows, headers=headers, disable_numparse=True)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reproduce", description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path, help="a folder of results, or downloads/<date>.json")
    parser.add_argument("second", type=Path, help="the same, of the second run")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        first, second = read_run(args.first), read_run(args.second)
    except ResultError as error:
        print(f"reproduce: {error}", file=sys.stderr)
        return 2
    for batch, path in ((first, args.first), (second, args.second)):
        for problem in batch.unused():
            print(f"reproduce: {path}: {problem.file}: {problem.reason}; left out", file=sys.stderr)
    print(render(agreement(first, second), args.first, args.second))
    return 0


if __name__ == "__main__":
    sys.exit(main())
