"""Turn JSON results into the results site: `python -m scripts.report [--results DIR] [--date YYYY-MM-DD] [--site DIR]`.

This is what `nox -s report` runs. It reads every *.json in the results folder and checks
each against the result schema; a file that cannot be used is named with the reason, and
its framework is shown as "no result", never silently dropped. It then writes, into the
Jekyll site (the repository root by default):

- `_data/runs/<date>.json`: the raw results of the run, so later reports can draw history;
- `_posts/<date>-results.md`: a table per scenario, the composite table and the methodology;
- `index.md`: the latest run with its chart, and a trend chart per scenario over every run;
- `methodic.md`: how the benchmark works, with every number taken from the code's defaults.

The pages come from the jinja2 templates in scripts/templates/, the charts from charts.py.
Rendering the same date again replaces that date's files.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import jinja2
import jsonschema
from tabulate import tabulate

from scripts import charts, frameworks, load, results, serve
from scripts.bench import DEFAULTS, Settings
from scripts.frameworks import ROOT
from scripts.scenarios import SCENARIOS

RUNS_DIR = Path("_data") / "runs"
POSTS_DIR = Path("_posts")
# The site's static part, kept in the repository: the report writes pages and data around it.
STATIC_SITE = ("_config.yml", "_layouts", "assets")
SCENARIO_TITLES = {
    "html": "an HTML page with a dynamic header",
    "api": "a JSON REST endpoint",
    "upload": "a multipart file stored on disk",
}
# Free text in a page: these characters would be read as table, Markdown or Liquid syntax, and
# quotes, "--" and "..." would be turned into typographic ones.
_MARKDOWN_SPECIAL = re.compile(r"[|{}*_`\[\]\\#<>&~!$'\"^]|-(?=-)|\.(?=\.\.)")
_NO_FILE = "no result file in this run"


class ReportError(Exception):
    """Bad input, such as a missing results folder: the message is for the user."""


@dataclass(frozen=True)
class Problem:
    """A framework without a usable result, and why: the page shows it as "no result"."""

    framework: str
    file: str | None
    reason: str


@dataclass(frozen=True)
class Batch:
    """Every result of one dated run, by framework name, and the files that could not be used."""

    date: str
    results: dict[str, dict]
    problems: list[Problem] = field(default_factory=list)

    def to_data(self) -> dict:
        return {
            "date": self.date,
            "results": list(self.results.values()),
            "problems": [asdict(problem) for problem in self.problems],
        }

    @classmethod
    def from_data(cls, data: dict) -> Batch:
        found = {result["framework"]: result for result in data["results"]}
        return cls(data["date"], found, [Problem(**problem) for problem in data["problems"]])


@dataclass(frozen=True)
class Spread:
    """A figure with its range over the repeats: what the tie rule compares."""

    median: float
    low: float
    high: float
    repeats: int


@dataclass(frozen=True)
class Row:
    """One framework in one scenario's table; `spread` is None when it has no figures there."""

    framework: str
    result: dict | None
    spread: Spread | None
    summary: dict | None
    share: float | None
    flags: list[str]
    reason: str | None
    rank: str = ""


@dataclass(frozen=True)
class CompositeRow:
    """One framework across the scenarios: its score is None when a scenario or the baseline is missing."""

    framework: str
    result: dict | None
    score: Spread | None
    rps: dict[str, float | None]
    flags: list[str]
    reason: str | None
    rank: str = ""


Ranked = TypeVar("Ranked", Row, CompositeRow)


# Reading and checking results


def load_batch(directory: Path, day: str) -> Batch:
    """Every *.json in the folder is a result file; each one is either used or named as a problem."""
    if not directory.is_dir():
        raise ReportError(f"no results folder at {directory}")
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise ReportError(f"no result files (*.json) in {directory}")
    found: dict[str, dict] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            result = read_result(path)
        except ReportError as error:
            problems.append(Problem(path.stem, path.name, str(error)))
            continue
        name = result["framework"]
        if name in found:
            problems.append(Problem(name, path.name, f"a second result for {name}; {origin[name]} is used"))
            continue
        found[name] = result
        origin[name] = path.name
    named = set(found) | {problem.framework for problem in problems}
    problems += [Problem(name, None, _NO_FILE) for name in frameworks.names() if name not in named]
    return Batch(day, found, problems)


def read_result(path: Path) -> dict:
    """The result in the file, or ReportError saying in one line why it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ReportError(f"unreadable: {error}") from None
    try:
        result = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    try:
        results.validate(result)
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise ReportError(f"does not match the result schema at {where}: {_shorten(error.message)}") from None
    return result


def _shorten(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# Tables: sorting, ties, shares of the baseline


def tied(a: Spread, b: Spread) -> bool:
    """Within the measured noise: the ranges over the repeats overlap, or, with one repeat, less than
    the instability threshold apart."""
    if a.repeats > 1 and b.repeats > 1:
        return a.low <= b.high and b.low <= a.high
    top = max(a.median, b.median)
    return top == 0 or abs(a.median - b.median) / top < results.UNSTABLE_CV


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


def baseline_rps(result: dict, scenario: str) -> float | None:
    """The raw ASGI app's req/s on the scenario, measured by the same run on the same machine."""
    baseline = result["baseline"]
    return baseline["rps"].get(scenario) or None if baseline["status"] == "ok" else None


def scenario_gap(result: dict, scenario: str) -> str | None:
    """Why the result has no figures for the scenario, or None when it has them."""
    entry = result["scenarios"].get(scenario)
    if entry is None:
        return "not part of this run"
    if entry["summary"] is not None:
        return None
    if entry["status"] == "failed_verification":
        return f"failed verification: {entry['reason']}"
    return entry["reason"] or f"no figures ({entry['status']})"


def flags(result: dict, scenario: str) -> dict[str, str]:
    """The flags a reader must see next to the figures, by name, each with its detail."""
    entry = result["scenarios"].get(scenario)
    if entry is None:
        return {}
    if entry["status"] == "failed_verification":
        return {"failed verification": "failed verification"}
    summary = entry["summary"]
    if summary is None:
        return {"failed": "failed"}
    raised = summary["flags"]
    shown = {}
    if raised["unstable"]:
        shown["unstable"] = f"unstable (CV {summary['rps_cv']:.1%})"
    if raised["errors"]:
        shown["errors"] = f"errors ({summary['error_share']:.2%})"
    if raised["client_bound"]:
        shown["client-bound"] = "client-bound"
    return shown


def scenario_rows(batch: Batch, scenario: str) -> list[Row]:
    """Measured frameworks by req/s, best first, with ranks; then every framework without figures, by name."""
    measured: list[Row] = []
    unmeasured: list[Row] = []
    for name, result in batch.results.items():
        gap = scenario_gap(result, scenario)
        if gap is not None:
            unmeasured.append(Row(name, result, None, None, None, list(flags(result, scenario).values()), gap))
            continue
        entry = result["scenarios"][scenario]
        summary = entry["summary"]
        spread = Spread(summary["rps_median"], summary["rps_min"], summary["rps_max"], len(entry["runs"]))
        baseline = baseline_rps(result, scenario)
        share = summary["rps_median"] / baseline if baseline else None
        measured.append(Row(name, result, spread, summary, share, list(flags(result, scenario).values()), None))
    unmeasured += [
        Row(problem.framework, None, None, None, None, [], _problem_text(problem)) for problem in _unused(batch)
    ]
    return _ranked(measured, lambda row: row.spread) + sorted(unmeasured, key=lambda row: row.framework)


def _ranked(rows: list[Ranked], spread: Callable[[Ranked], Spread]) -> list[Ranked]:
    """Best first, ties by name; each row with its rank."""
    rows = sorted(rows, key=lambda row: (-spread(row).median, row.framework))
    labels = ranks([spread(row) for row in rows])
    return [replace(row, rank=label) for row, label in zip(rows, labels, strict=True)]


def _unused(batch: Batch) -> list[Problem]:
    """Files that leave a framework without a result get a row; a stray second file does not, and
    frameworks without any file are listed once under each table (`without_file`), not row by row."""
    return [problem for problem in batch.problems if problem.file and problem.framework not in batch.results]


def without_file(batch: Batch) -> list[str]:
    return [problem.framework for problem in batch.problems if not problem.file]


def _problem_text(problem: Problem) -> str:
    return f"{problem.file}: {problem.reason}"


def _geometric_mean(values: list[float]) -> float:
    return math.prod(values) ** (1 / len(values))


def composite_rows(batch: Batch) -> list[CompositeRow]:
    """Per framework, the geometric mean over the scenarios of req/s as a share of its own asgi baseline.

    Dividing by the baseline of the same run on the same machine makes results comparable
    across machines; the geometric mean keeps the slow upload scenario from weighing less.
    Frameworks missing a scenario or the baseline come last, with the reason.
    """
    scored: list[CompositeRow] = []
    unscored: list[CompositeRow] = []
    for name, result in batch.results.items():
        summaries = {scenario: _summary(result, scenario) for scenario in SCENARIOS}
        rps = {scenario: summary["rps_median"] if summary else None for scenario, summary in summaries.items()}
        raised: dict[str, list[str]] = {}
        for scenario in SCENARIOS:
            for flag in flags(result, scenario):
                raised.setdefault(flag, []).append(scenario)
        shown = [f"{flag}: {', '.join(scenarios)}" for flag, scenarios in raised.items()]
        gaps = [f"{scenario}: {gap}" for scenario in SCENARIOS if (gap := scenario_gap(result, scenario))]
        baseline = {scenario: baseline_rps(result, scenario) for scenario in SCENARIOS}
        if None in baseline.values():
            gaps.append(f"no asgi baseline: {result['baseline']['reason'] or 'not measured on every scenario'}")
        if gaps:
            unscored.append(CompositeRow(name, result, None, rps, shown, "; ".join(gaps)))
            continue
        score = Spread(
            _geometric_mean([summaries[s]["rps_median"] / baseline[s] for s in SCENARIOS]),
            _geometric_mean([summaries[s]["rps_min"] / baseline[s] for s in SCENARIOS]),
            _geometric_mean([summaries[s]["rps_max"] / baseline[s] for s in SCENARIOS]),
            min(len(result["scenarios"][s]["runs"]) for s in SCENARIOS),
        )
        scored.append(CompositeRow(name, result, score, rps, shown, None))
    unscored += [
        CompositeRow(problem.framework, None, None, {}, [], _problem_text(problem)) for problem in _unused(batch)
    ]
    return _ranked(scored, lambda row: row.score) + sorted(unscored, key=lambda row: row.framework)


def _summary(result: dict, scenario: str) -> dict | None:
    entry = result["scenarios"].get(scenario)
    return entry["summary"] if entry else None


# History: the raw data of every dated run


def load_history(site: Path) -> list[Batch]:
    """Every dated run under _data/runs/, oldest first; a file that cannot be read is named and skipped."""
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
                print(f"report: {path}: skipped {name}, not of the current schema: {error.message}", file=sys.stderr)
                del batch.results[name]
        history.append(batch)
    return sorted(history, key=lambda batch: batch.date)


def trend_lines(history: list[Batch], scenario: str, palette: dict[str, str]) -> list[charts.Line]:
    """Each framework's req/s as a share of its own baseline, per run: comparable across machines."""
    names = sorted({name for batch in history for name in batch.results})
    lines = []
    for name in names:
        values = [_scenario_share(batch.results.get(name), scenario) for batch in history]
        if any(value is not None for value in values):
            lines.append(charts.Line(name, [v * 100 if v is not None else None for v in values], palette[name]))
    return sorted(lines, key=lambda line: -next(v for v in reversed(line.values) if v is not None))


def _scenario_share(result: dict | None, scenario: str) -> float | None:
    summary = _summary(result, scenario) if result else None
    baseline = baseline_rps(result, scenario) if result else None
    return summary["rps_median"] / baseline if summary and baseline else None


# Formatting for the pages and the terminal


def cell(text: object) -> str:
    """Text that stays plain text in a Markdown table cell, whatever it holds."""
    return _MARKDOWN_SPECIAL.sub(lambda match: f"&#{ord(match.group())};", " ".join(str(text).split()))


def count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def milliseconds(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def percent(share: float | None) -> str:
    if share is None:
        return "n/a"
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def mebibytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 2**20:.1f} MiB"


def error_share(share: float) -> str:
    return "0" if share == 0 else f"{share:.2%}"


def framework_link(name: str, result: dict | None) -> str:
    """The name linked to its PyPI page, with the version that was measured; the raw ASGI app has neither."""
    versions = result["versions"] if result else None
    if not versions or versions["framework"]["version"] is None:
        return cell(name)
    package = versions["framework"]
    return f"[{cell(name)}](https://pypi.org/project/{quote(package['name'])}/) {cell(package['version'])}"


def package(entry: dict | None) -> str:
    if not entry:
        return "n/a"
    return f"{entry['name']} {entry['version']}" if entry["version"] else entry["name"]


def server_name(result: dict | None) -> str:
    if not result:
        return ""
    return package(result["versions"]["server"]) if result["versions"] else result["server"]["name"]


def run_facts(batch: Batch) -> list[tuple[str, str]]:
    """What every result says about how it was measured; where results differ, each value names its frameworks."""
    facts: list[tuple[str, Callable[[dict], str]]] = [
        ("Machine", lambda r: f"{r['machine']['cpu_model']}, {r['machine']['cores']} cores, {r['machine']['os']}"),
        ("Python (harness)", lambda r: r["machine"]["python"]),
        ("Load tool", _tool_text),
        ("Load", _load_text),
        ("Cores", _cores_text),
        ("Baseline", lambda r: f"raw ASGI app, {r['baseline']['duration_s']} s a scenario, same machine, same run"),
        ("Commit", _commit_text),
    ]
    found = batch.results.values()
    shown = [(label, _grouped(found, describe)) for label, describe in facts]
    started = min(result["started_at"] for result in found)
    finished = max(result["finished_at"] for result in found)
    return [*shown, ("Measured", f"{started} to {finished} (UTC)")]


def _grouped(found: Iterable[dict], describe: Callable[[dict], str]) -> str:
    values: dict[str, list[str]] = {}
    for result in found:
        values.setdefault(describe(result), []).append(result["framework"])
    if len(values) == 1:
        return next(iter(values))
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in values.items())


def _tool_text(result: dict) -> str:
    tool, version = result["load"]["tool"], result["load"]["version"]
    return version if version.startswith(tool) else f"{tool} {version}"


def _load_text(result: dict) -> str:
    load = result["load"]
    return (
        f"{load['connections']} keep-alive connections, {load['threads']} thread(s), timeout {load['timeout_s']} s; "
        f"per scenario {load['warmup_s']} s warm-up, then {load['repeat']} × {load['duration_s']} s measured"
    )


def _cores_text(result: dict) -> str:
    server, client = result["server"]["cpus"], result["load"]["cpus"]
    if not server or not client:
        return "not pinned"
    return f"server on CPU {', '.join(map(str, server))}; load generator on CPU {', '.join(map(str, client))}"


def _commit_text(result: dict) -> str:
    git = result["git"]
    if not git["commit"]:
        return "unknown"
    return git["commit"][:12] + (" with uncommitted changes" if git["dirty"] else "")


def command(result: dict) -> str:
    return shlex.join(result["server"]["command"])


# Writing the site


def _markdown() -> jinja2.Environment:
    """Markdown templates: no HTML autoescape; free text goes through `cell`, which escapes what Markdown needs."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(charts.TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        cell=cell,
        count=count,
        ms=milliseconds,
        percent=percent,
        mib=mebibytes,
        error_share=error_share,
        package=package,
    )
    environment.globals.update(
        framework_link=framework_link,
        server_name=server_name,
        baseline_rps=baseline_rps,
        command=command,
        # Jekyll resolves these at build time and fails the build on a broken link.
        link=lambda path: "{% link " + path + " %}",
        post_url=lambda day: "{% post_url " + day + "-results %}",
    )
    return environment


def _palette(batches: list[Batch]) -> dict[str, str]:
    """Colours in the registry's order, so that each framework has the same colour on every page and every run."""
    registry = frameworks.names()
    others = {name for batch in batches for name in [*batch.results, *(p.framework for p in batch.problems)]}
    return charts.colors([*registry, *sorted(others - set(registry))])


def _count_ticks(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def _percent_ticks(value: float) -> str:
    return f"{value:g}%"


def scenario_chart(scenario: str, rows: list[Row], palette: dict[str, str]) -> str:
    bars = [
        charts.Bar(row.framework, row.spread.median, row.spread.low, row.spread.high,
                   f"{count(row.spread.median)} req/s", palette[row.framework])
        for row in rows if row.spread
    ]  # fmt: skip
    title = f"{scenario}: requests per second (median; whisker: min to max)"
    return charts.bar_chart(f"chart-{scenario}", title, "requests per second", bars, _count_ticks)


def composite_chart(rows: list[CompositeRow], palette: dict[str, str]) -> str:
    bars = [
        charts.Bar(row.framework, row.score.median * 100, row.score.low * 100, row.score.high * 100,
                   f"{percent(row.score.median)} of asgi", palette[row.framework])
        for row in rows if row.score
    ]  # fmt: skip
    title = "Composite: req/s as a share of the asgi baseline (geometric mean of the scenarios)"
    return charts.bar_chart("chart-composite", title, "% of the asgi baseline", bars, _percent_ticks)


def render_post(batch: Batch) -> str:
    palette = _palette([batch])
    tables = []
    for scenario, request in SCENARIOS.items():
        rows = scenario_rows(batch, scenario)
        tables.append(
            {
                "name": scenario,
                "title": SCENARIO_TITLES[scenario],
                "request": request,
                "rows": rows,
                "chart": scenario_chart(scenario, rows, palette),
            }
        )
    composite = composite_rows(batch)
    return (
        _markdown()
        .get_template("post.md.j2")
        .render(
            batch=batch,
            tables=tables,
            composite=composite,
            composite_chart=composite_chart(composite, palette),
            scenarios=list(SCENARIOS),
            facts=run_facts(batch),
            files=[problem for problem in batch.problems if problem.file],
            missing=without_file(batch),
            without_result=len(_unused(batch)) + len(without_file(batch)),
        )
    )


def render_index(history: list[Batch]) -> str:
    latest = history[-1]
    palette = _palette(history)
    composite = composite_rows(latest)
    dates = [batch.date for batch in history]
    trends = [
        charts.trend_chart(
            f"trend-{scenario}",
            f"{scenario}: req/s as a share of the asgi baseline, per run",
            "date of the run",
            dates,
            trend_lines(history, scenario, palette),
            _percent_ticks,
        )
        for scenario in SCENARIOS
    ]
    return (
        _markdown()
        .get_template("index.md.j2")
        .render(
            latest=latest,
            missing=without_file(latest),
            composite=composite,
            composite_chart=composite_chart(composite, palette),
            scenarios=list(SCENARIOS),
            trends=trends,
            runs=len(history),
        )
    )


def render_methodic(settings: Settings = DEFAULTS) -> str:
    """The methodology, with every figure read from the code that the benchmark runs."""
    registry = frameworks.load()
    servers = {framework.server: framework.command_template for framework in registry.values()}
    return (
        _markdown()
        .get_template("methodic.md.j2")
        .render(
            settings=settings,
            scenarios=SCENARIOS,
            titles=SCENARIO_TITLES,
            timeout=load.TIMEOUT_S,
            unstable_cv=results.UNSTABLE_CV,
            error_share_limit=results.ERROR_SHARE,
            client_bound_share=results.CLIENT_BOUND_SHARE,
            baseline=frameworks.BASELINE,
            ram_dir=serve.RAM_DIR,
            servers=servers,
            registry=registry,
        )
    )


def write_site(batch: Batch, site: Path) -> list[Path]:
    """Write the run's data and post, then the index and methodology from all the data there is."""
    data_path = site / RUNS_DIR / f"{batch.date}.json"
    post_path = site / POSTS_DIR / f"{batch.date}-results.md"
    _write(data_path, json.dumps(batch.to_data(), indent=1) + "\n")
    _write(post_path, render_post(batch))
    index_path, methodic_path = site / "index.md", site / "methodic.md"
    _write(index_path, render_index(load_history(site)))
    _write(methodic_path, render_methodic())
    return [data_path, post_path, index_path, methodic_path]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def terminal_table(batch: Batch) -> str:
    rows = [
        [
            row.rank or "-",
            row.framework,
            package(row.result["versions"]["framework"]) if row.result and row.result["versions"] else "",
            percent(row.score.median) if row.score else "no result",
            f"{percent(row.score.low)}–{percent(row.score.high)}" if row.score else "",
            *(count(row.rps.get(scenario)) if row.rps.get(scenario) is not None else "-" for scenario in SCENARIOS),
            _shorten(row.reason or ", ".join(row.flags), 70),
        ]
        for row in composite_rows(batch)
    ]
    headers = ["#", "framework", "version", "vs asgi", "range", *(f"{s} req/s" for s in SCENARIOS), "notes"]
    return tabulate(rows, headers=headers, disable_numparse=True)


# Command line


def iso_date(text: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a calendar date: {text!r}") from None
    return text


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="report", description="Render the results site from JSON result files.")
    parser.add_argument("--results", type=Path, default=DEFAULTS.output, help="folder of result files (*.json)")
    parser.add_argument("--date", type=iso_date, default=datetime.now(UTC).date().isoformat(), help="date of the post")
    parser.add_argument("--site", type=Path, default=ROOT, help="root of the Jekyll site to write into")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        batch = load_batch(args.results, args.date)
    except ReportError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    for problem in batch.problems:
        if problem.file:
            print(f"report: {args.results / problem.file}: {problem.reason}; shown as no result", file=sys.stderr)
    missing = without_file(batch)
    if missing:
        print(f"report: no result file for {', '.join(missing)}; shown as no result", file=sys.stderr)
    if not batch.results:
        print(f"report: no valid result in {args.results}; nothing written", file=sys.stderr)
        return 1
    written = write_site(batch, args.site)
    print(f"\nResults of {batch.date} ({len(batch.results)} frameworks)")
    print(terminal_table(batch))
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
