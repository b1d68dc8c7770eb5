"""Compare two results: `python -m scripts.report.compare OLD NEW [--markdown]` (what `nox -s compare -- OLD NEW` runs).

OLD and NEW are each a result file or a folder of them; with a folder, frameworks are
matched by name. For each scenario it prints req/s old and new with their ranges, the change,
and a verdict by the same rule that ranks the post (ranking.NOISE_RULE), then the share of
asgi, instructions per request and p99 latency, old and new. Results whose load settings
differ are refused: their figures would not compare.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from scripts.measure.steps import DEFAULTS
from scripts.report import ab, figures, ranking
from scripts.report.batches import ResultError, read_result
from scripts.report.figures import Share, Spread
from scripts.report.markdown import chance, count, environment, milliseconds, percent
from scripts.scenarios import SCENARIOS

BAD_INPUT = 2


ACROSS_MACHINES = (
    f"the verdict compares the shares of asgi, and a move within {ranking.SHARE_TOLERANCE:.0%} (what the same code "
    "gave on two machines) is within the noise; instructions per request carry across machines within 1%"
)
SAME_MACHINE = (
    f"one boot of one machine: a move of the share within {ranking.SHARE_TOLERANCE_SAME_MACHINE:.0%} (what the same "
    "code gave there an hour apart) is within the noise"
)


class CompareError(Exception):
    """Input that cannot be compared; the message says why, for the user."""


@dataclass(frozen=True)
class Scenario:
    """One scenario of one framework, old against new."""

    name: str
    old: Spread | None
    new: Spread | None
    gap: str | None
    basis: str
    change: float | None
    verdict: str
    old_share: Share | None
    new_share: Share | None
    old_instructions: float | None
    new_instructions: float | None
    old_p99: float | None
    new_p99: float | None


@dataclass(frozen=True)
class Pair:
    """One framework (or two, when two files are compared), old against new."""

    old: dict
    new: dict
    machines: str | None
    scenarios: list[Scenario]

    @property
    def title(self) -> str:
        old, new = self.old["framework"], self.new["framework"]
        return old if old == new else f"{old} → {new}"

    @property
    def speed(self) -> str | None:
        """How fast each machine ran asgi: a share moves more between runs whose machines differ here."""
        ratio = figures.asgi_speed(self.old, self.new)
        if ratio is None:
            return None
        return (f"the machine's speed, new / old: {ratio:.2f} (asgi's CPU time per request in old's pairs over "
                "new's, median of the scenarios)")  # fmt: skip


def read_side(path: Path) -> dict[str, dict]:
    """The results at `path`, by framework: one file, or every *.json in a folder."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise CompareError(f"no result files (*.json) in {path}")
    else:
        raise CompareError(f"no result file or folder at {path}")
    found: dict[str, dict] = {}
    for file in files:
        try:
            result = read_result(file)
        except ResultError as error:
            raise CompareError(f"{file}: {error}") from None
        if result["framework"] in found:
            raise CompareError(f"{file}: a second result for {result['framework']} in {path}")
        found[result["framework"]] = result
    return found


def match(old: dict[str, dict], new: dict[str, dict], by_name: bool) -> tuple[list[tuple[dict, dict]], list[str]]:
    """Pairs to compare, and a note for every framework on one side only. Two single files pair whatever their names."""
    if not by_name:
        return [(next(iter(old.values())), next(iter(new.values())))], []
    both = [name for name in sorted(old) if name in new]
    if not both:
        raise CompareError(f"no framework in both: old has {', '.join(sorted(old))}; new has {', '.join(sorted(new))}")
    notes = [f"{name}: only in the old results" for name in sorted(set(old) - set(new))]
    notes += [f"{name}: only in the new results" for name in sorted(set(new) - set(old))]
    return [(old[name], new[name]) for name in both], notes


def machine_text(result: dict) -> str:
    machine = result["machine"]
    return f"{machine['cpu_model']}, {machine['cores']} cores"


def compare_scenario(old: dict, new: dict, name: str, one_boot: bool) -> Scenario:
    """The verdict compares the shares of asgi, whose ranges come from the pairs (req/s alone has
    too few runs for the noise rule); a move of the share within ranking.share_tolerance (what
    two runs of the same code gave, on one machine or on two) is no verdict. Raw req/s are shown
    beside it, and compare only within one boot of one machine."""
    old_rps, new_rps = figures.rps(old, name), figures.rps(new, name)
    old_share, new_share = figures.share(old, name), figures.share(new, name)
    sides = (("old", old), ("new", new))
    gaps = [f"{side}: {gap}" for side, result in sides if (gap := figures.scenario_gap(result, name))]
    basis = "share of asgi" if one_boot else "share of asgi, across machines"
    pair = (old_share and old_share.spread, new_share and new_share.spread)
    if gaps or None in pair:
        said, change = "no verdict", None
    else:
        change = pair[1].median / pair[0].median - 1 if pair[0].median else None
        said = str(ranking.share_verdict(*pair, one_boot))
    return Scenario(
        name, old_rps, new_rps, "; ".join(gaps) or None, basis, change, said, old_share, new_share,
        figures.instructions(old, name), figures.instructions(new, name), _p99(old, name), _p99(new, name),
    )  # fmt: skip


def _p99(result: dict, scenario: str) -> float | None:
    summary = figures.summary(result, scenario)
    return summary["latency_ms"]["p99"] if summary else None


def compare(old: dict, new: dict) -> Pair:
    one_boot = figures.same_boot(old, new)
    names = [name for name in SCENARIOS if name in old["scenarios"] or name in new["scenarios"]]
    machines = None if one_boot else f"old on {machine_text(old)}; new on {machine_text(new)}"
    return Pair(old, new, machines, [compare_scenario(old, new, name, one_boot) for name in names])


def describe(result: dict) -> str:
    """Which code a result measured: version, Python, commit, and the --install override if any."""
    parts = [f"{result['framework']} {figures.framework_version(result) or ''}".strip()]
    parts.append(f"Python {figures.python(result)}")
    parts.append(f"measured {result['started_at'][:10]}")
    git = result["git"]
    dirty = " with uncommitted changes" if git["dirty"] else ""
    parts.append(f"commit {git['commit'][:12]}{dirty}" if git["commit"] else "commit unknown")
    install = figures.install_text(result)
    parts.append(f"install {install}" if install else "pinned requirements")
    return ", ".join(parts)


def signed(change: float | None) -> str:
    return "–" if change is None else f"{change:+.1%}"


def spread_text(spread: Spread | None) -> tuple[str, str]:
    return (count(spread.median), f"{count(spread.low)}–{count(spread.high)}") if spread else ("–", "")


def share_text(share: Share | None) -> str:
    if share is None:
        return "–"
    shown = f"{percent(share.spread.median)} ({percent(share.spread.low)}–{percent(share.spread.high)})"
    return shown if share.paired else f"{shown} unpaired"


def instructions_change(line: Scenario) -> str:
    if line.old_instructions is None or line.new_instructions is None or not line.old_instructions:
        return "–"
    return signed(line.new_instructions / line.old_instructions - 1)


def verdict_text(line: Scenario) -> str:
    """The verdict, why there is none, and what it compared."""
    said = line.verdict + (f" ({line.gap})" if line.gap else "")
    return f"{said}, by {line.basis}"


def rows(pair: Pair) -> list[list[str]]:
    table = []
    for line in pair.scenarios:
        old, new = spread_text(line.old), spread_text(line.new)
        table.append([
            line.name, *old, *new, signed(line.change),
            verdict_text(line),
            share_text(line.old_share), share_text(line.new_share),
            count(line.old_instructions) if line.old_instructions is not None else "–",
            count(line.new_instructions) if line.new_instructions is not None else "–",
            instructions_change(line),
            milliseconds(line.old_p99) if line.old_p99 is not None else "–",
            milliseconds(line.new_p99) if line.new_p99 is not None else "–",
        ])  # fmt: skip
    return table


HEADERS = [
    "scenario", "old req/s", "old range", "new req/s", "new range", "change", "verdict",
    "old vs asgi", "new vs asgi", "old instructions/req", "new instructions/req", "instructions change",
    "old p99 ms", "new p99 ms",
]  # fmt: skip


def render_terminal(pairs: list[Pair], notes: list[str]) -> str:
    blocks = []
    for pair in pairs:
        lines = [f"{pair.title}", f"  old: {describe(pair.old)}", f"  new: {describe(pair.new)}"]
        if pair.machines:
            lines.append(f"  not one boot of one machine ({pair.machines}): {ACROSS_MACHINES}")
        else:
            lines.append(f"  {SAME_MACHINE}")
        if pair.speed:
            lines.append(f"  {pair.speed}")
        lines += ["", tabulate(rows(pair), headers=HEADERS, disable_numparse=True)]
        blocks.append("\n".join(lines))
    blocks.append(footer(pairs, notes))
    return "\n\n".join(blocks)


def footer(pairs: list[Pair], notes: list[str]) -> str:
    repeats = sorted({(pair.old["load"]["repeat"], pair.new["load"]["repeat"]) for pair in pairs})
    chances = [
        f"with {old} and {new} repeats, the ranges of the same code are apart by chance {chance(odds)} of the time"
        for old, new in repeats
        if (odds := ranking.chance_apart(old, new)) is not None
    ]
    text = [f"Verdict: {ranking.NOISE_RULE}", *(line[0].upper() + line[1:] + "." for line in chances)]
    return "\n".join([*text, *notes])


def render_markdown(pairs: list[Pair], notes: list[str]) -> str:
    return (
        environment()
        .get_template("compare.md.j2")
        .render(
            pairs=pairs,
            rows=rows,
            headers=HEADERS,
            describe=describe,
            footer=footer(pairs, notes).splitlines(),
            across=ACROSS_MACHINES,
            same=SAME_MACHINE,
        )
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="compare",
        description="Compare two benchmark results, scenario by scenario, with a verdict from the repeats.",
        epilog=f"Verdict: {ranking.NOISE_RULE} With the default {DEFAULTS.pairs} pairs a side, the ranges of the "
        f"same code are apart by chance {chance(ranking.chance_apart(DEFAULTS.pairs, DEFAULTS.pairs))} of the time. "
        "The verdict compares the shares of asgi; raw req/s compare only within one boot of one machine. On "
        f"{SAME_MACHINE}; across machines {ACROSS_MACHINES}. Refused "
        f"(exit code 2): bad input, and results whose load settings differ ({', '.join(figures.LOAD_SETTINGS)}).",
    )
    parser.add_argument("old", type=Path, help="the old result file, or a folder of them; or an A/B run's result "
                        "(OUTPUT/ab/<name>.json) alone")  # fmt: skip
    parser.add_argument("new", type=Path, nargs="?", help="the new result file, or a folder of them")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table, for a pull request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.new is None:
        return _one_ab_run(args.old, args.markdown)
    try:
        old, new = read_side(args.old), read_side(args.new)
        pairs, notes = match(old, new, by_name=not (args.old.is_file() and args.new.is_file()))
    except CompareError as error:
        print(f"compare: {error}", file=sys.stderr)
        return BAD_INPUT
    refused = [(a["framework"], differences) for a, b in pairs if (differences := figures.load_differences(a, b))]
    if refused:
        print("compare: the load settings differ, so the figures do not compare:", file=sys.stderr)
        for name, differences in refused:
            print(f"  {name}: {'; '.join(differences)}", file=sys.stderr)
        print("Benchmark both with the same settings (see `nox -s bench-<name> -- --help`).", file=sys.stderr)
        return BAD_INPUT
    compared = [compare(a, b) for a, b in pairs]
    print(render_markdown(compared, notes) if args.markdown else render_terminal(compared, notes), end="\n")
    return 0


def _one_ab_run(path: Path, markdown: bool) -> int:
    """An A/B run's result carries both sides: it compares alone."""
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"compare: {path}: cannot be read as JSON: {error}", file=sys.stderr)
        return BAD_INPUT
    if not isinstance(result, dict) or not ab.is_ab(result):
        print(f"compare: {path} is not an A/B run's result (OUTPUT/ab/<name>.json); give OLD and NEW", file=sys.stderr)
        return BAD_INPUT
    print(ab.render_markdown(result) if markdown else ab.render_terminal(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
