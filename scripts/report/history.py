"""The history: every dated run under _data/runs/, and what it says over time.

The report keeps each run's raw results there (Jekyll's data folder, not served). From them
come the trend lines of the index and of each framework's page, each framework's runs one by
one, and the list of what changed since the previous run that opens every post.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jsonschema

from scripts.measure import results
from scripts.report import charts, figures
from scripts.report.batches import Batch, Problem
from scripts.report.figures import Share
from scripts.report.ranking import Verdict, share_verdict

RUNS_DIR = Path("_data") / "runs"


def load_history(site: Path) -> list[Batch]:
    """Every dated run under _data/runs/, oldest first; a file or result that cannot be read is named and skipped."""
    history = []
    for path in sorted((site / RUNS_DIR).glob("*.json")):
        try:
            batch = Batch.from_data(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            print(f"report: skipped history file {path}: {type(error).__name__}: {error}", file=sys.stderr)
            continue
        for name, result in list(batch.results.items()):
            try:
                results.validate(result)
            except jsonschema.ValidationError as error:
                print(f"report: {path}: skipped {name}, not of a known schema: {error.message}", file=sys.stderr)
                del batch.results[name]
        history.append(batch)
    return sorted(history, key=lambda batch: batch.date)


def previous(history: list[Batch], day: str) -> Batch | None:
    """The latest run dated before `day`."""
    earlier = [batch for batch in history if batch.date < day]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Entry:
    """One framework in one dated run: its result, or why it has none (problem None: not named in that run)."""

    date: str
    result: dict | None
    problem: Problem | None


def timeline(history: list[Batch], name: str) -> list[Entry]:
    """The framework in every dated run, oldest first."""
    entries = []
    for batch in history:
        problem = next((p for p in batch.problems if p.framework == name), None)
        entries.append(Entry(batch.date, batch.results.get(name), None if name in batch.results else problem))
    return entries


def run_changes(found: list[dict | None]) -> dict[int, str]:
    """Runs that differ from the framework's previous run with a result in what a reader must see
    beside the figure, by index: another Python, or another way of measuring (the result's schema
    version: schema 2 pairs every run with a baseline run, schema 1 did not).

    A Python that is unknown (v1 results) is no difference: none was observed.
    """
    marks: dict[int, str] = {}
    last_python: str | None = None
    last_schema: int | None = None
    for index, result in enumerate(found):
        if not result:
            continue
        changed = []
        python = figures.python(result)
        if python != figures.UNKNOWN:
            if last_python is not None and python != last_python:
                changed.append(f"Python {python}")
            last_python = python
        if last_schema is not None and result["schema_version"] != last_schema:
            changed.append(f"measured by schema {result['schema_version']}")
        last_schema = result["schema_version"]
        if changed:
            marks[index] = ", ".join(changed)
    return marks


def _line(name: str, found: list[dict | None], value: Callable[[dict], float | None], color: str) -> charts.Line:
    values = [value(result) if result else None for result in found]
    return charts.Line(name, values, color, run_changes(found))


def share_percent(result: dict, scenario: str) -> float | None:
    share = figures.share(result, scenario)
    return share.spread.median * 100 if share else None


def trend_lines(
    history: list[Batch], value: Callable[[dict], float | None], palette: dict[str, str], dashed: set[str]
) -> list[charts.Line]:
    """Each framework's figure per run (a share of its own baseline: comparable across machines), highest
    last figure first; a framework without any figure has no line."""
    names = sorted({name for batch in history for name in batch.results})
    lines = []
    for name in names:
        found = [batch.results.get(name) for batch in history]
        line = _line(name, found, value, palette[name])
        if any(figure is not None for figure in line.values):
            lines.append(replace(line, dashed=name in dashed))
    return sorted(lines, key=lambda line: -next(v for v in reversed(line.values) if v is not None))


def framework_lines(
    name: str, entries: list[Entry], scenario: str, color: str
) -> tuple[charts.Line, charts.Line | None]:
    """One framework's share of asgi per run, and its instructions per request where any run recorded them."""
    found = [entry.result for entry in entries]
    shares = _line(name, found, lambda result: share_percent(result, scenario), color)
    counted = _line(name, found, lambda result: figures.instructions(result, scenario), color)
    return shares, counted if any(value is not None for value in counted.values) else None


@dataclass(frozen=True)
class Moved:
    """A framework whose share of asgi on a scenario moved beyond the noise since the previous run."""

    framework: str
    scenario: str
    old: Share
    new: Share
    verdict: Verdict


@dataclass(frozen=True)
class VersionChange:
    framework: str
    what: str
    old: str
    new: str


@dataclass(frozen=True)
class Changes:
    """What changed between two dated runs: the opening list of a post."""

    previous: str
    moved: list[Moved]
    versions: list[VersionChange]
    new: list[str]
    missing: list[tuple[str, str]]
    settings: list[str]
    # Differences in how the two runs were measured beyond the load settings: processor, method.
    conditions: list[str]
    # Scenarios that this run has figures for and the previous one had none.
    first_measured: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.moved or self.versions or self.new or self.missing or self.first_measured)


def changes(before: Batch, batch: Batch, scenarios: list[str]) -> Changes:
    """Shares that moved beyond the noise (the same rule as the ranks), version changes, new and missing frameworks."""
    moved, versions, settings, conditions = [], [], set(), set()
    for name in sorted(set(before.results) & set(batch.results)):
        old, new = before.results[name], batch.results[name]
        settings.update(figures.load_differences(old, new))
        conditions.update(_condition_differences(old, new))
        for scenario in scenarios:
            was, now = figures.share(old, scenario), figures.share(new, scenario)
            said = share_verdict(was.spread, now.spread, figures.same_boot(old, new)) if was and now else Verdict.NOISE
            if said != Verdict.NOISE:
                moved.append(Moved(name, scenario, was, now, said))
        package = old["versions"]["framework"]["name"] if old["versions"] else name
        for what, read in ((package, figures.framework_version), (old["server"]["name"], figures.server_version)):
            was_version, now_version = read(old), read(new)
            if was_version and now_version and was_version != now_version:
                versions.append(VersionChange(name, what, was_version, now_version))
        was_python, now_python = figures.python(old), figures.python(new)
        if figures.UNKNOWN not in (was_python, now_python) and was_python != now_python:
            versions.append(VersionChange(name, "Python", was_python, now_python))
    reasons = {problem.framework: problem.text for problem in batch.problems}
    gone = sorted(set(before.results) - set(batch.results))
    missing = [(name, reasons.get(name, "not named in this run")) for name in gone]
    new = sorted(set(batch.results) - set(before.results))
    first = [s for s in scenarios if _measured(batch, s) and not _measured(before, s)]
    return Changes(before.date, moved, versions, new, missing, sorted(settings), sorted(conditions), first)


def _measured(batch: Batch, scenario: str) -> bool:
    return any(figures.rps(result, scenario) for result in batch.results.values())


def _condition_differences(old: dict, new: dict) -> list[str]:
    """The processor and the method (result schema) of two results, where they differ."""
    found = []
    was, now = old["machine"]["cpu_model"], new["machine"]["cpu_model"]
    if was != now:
        found.append(f"processor {was} (old) against {now} (new)")
    if old["schema_version"] != new["schema_version"]:
        found.append(f"{figures.method(old)} (old) against {figures.method(new)} (new)")
    return found
