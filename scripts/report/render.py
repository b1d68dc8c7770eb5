"""Turn JSON results into the results site.

    python -m scripts.report.render [--results DIR] [--date YYYY-MM-DD] [--site DIR]


This is what `nox -s report` runs. It reads every *.json in the results folder (batches.py:
each checked against the result schema; a file that cannot be used is named with the reason,
and its framework is shown as "no result", never silently dropped), then writes, into the
Jekyll site (the repository root by default):

- `_data/runs/<date>.json`: the raw results of the run, so later reports can draw history;
- `downloads/<date>.json` and `.csv`: the same results, served by the site, for every run;
- `_posts/<date>-results.md`: what changed since the previous run, the two composites (the
  seed's three scenarios, comparable with every earlier run, and all of them), the shares per
  scenario, a section of tables and charts per scenario (one a result did not measure is shown
  as not measured), and how the run was measured;
- `framework/<name>.md`: a page per framework, its figures over every run;
- `index.md`: the latest run's composites, and the trends over every run (the seed composite's,
  and each scenario's share);
- `methodic.md`: how the benchmark works, with every number taken from the code's defaults.

The statistics are in ranking.py, the history in history.py, the charts' figures in plots.py,
the run's measuring conditions in facts.py;
the pages come from the jinja2 templates in scripts/report/templates/. Rendering the same date again
replaces that date's files.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from tabulate import tabulate

from scripts import frameworks
from scripts import scenarios as contract
from scripts.frameworks import ROOT
from scripts.load import drive, fixedrate
from scripts.measure import instructions, results
from scripts.measure.steps import DEFAULTS, Settings
from scripts.report import downloads, figures, history, plots, ranking
from scripts.report.batches import Batch, ResultError, load_batch, load_run_file, shorten
from scripts.report.facts import run_facts
from scripts.report.markdown import FRAMEWORK_PAGES, environment, package, page_path, percent
from scripts.scenarios import SCENARIOS
from scripts.serve import server

POSTS_DIR = Path("_posts")
# The site's static part, kept in the repository: the report writes pages and data around it.
STATIC_SITE = ("_config.yml", "_layouts", "assets")
SCENARIO_TITLES = {
    "html": "an HTML page with a dynamic header",
    "api": "a JSON REST endpoint",
    "upload": "a multipart file written to the upload folder",
    "json": "a list of records serialized to JSON",
    "validate": "a typed JSON body validated, a typed answer",
    "middleware": "the HTML page through three middlewares",
    "routing": "a router of 210 routes",
    "stream": "server-sent events, streamed one at a time",
}


def page_names(runs: list[Batch]) -> set[str]:
    """Every framework that gets a page: each one in the registry, and each one with a result in any run."""
    return set(frameworks.names()) | {name for batch in runs for name in batch.results}


def registry_command(framework: frameworks.Framework) -> str:
    """The registry's command for the framework, with {python} and {port} left as placeholders."""
    return framework.command_template.replace("{app}", framework.app).replace("{host}", "127.0.0.1")


def repository_from_environment() -> str | None:
    """The repository's web address on a GitHub runner, where the workflow renders the report."""
    server, name = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_REPOSITORY")
    return f"{server}/{name}" if server and name else None


# The pages


def unmaintained(batch: Batch) -> dict[str, str]:
    """The run's frameworks that the registry marks unmaintained, with the evidence it gives."""
    return {
        name: framework.unmaintained
        for name, framework in frameworks.load().items()
        if name in batch.results and framework.unmaintained
    }


def _scenario_tables(batch: Batch, colors: dict[str, str]) -> list[dict]:
    """A section per scenario: its table, its charts, its latency at half load; `measured`: whether any result has
    figures for it."""
    tables = []
    for scenario, sent in SCENARIOS.items():
        rows = ranking.scenario_rows(batch, scenario)
        half_load = [row for row in rows if row.result and figures.fixed_rate(row.result, scenario)]
        tables.append(
            {
                "name": scenario,
                "title": SCENARIO_TITLES[scenario],
                "scenario": sent,
                "measured": any(row.spread for row in rows),
                "rows": rows,
                "chart": plots.scenario_chart(scenario, rows, colors),
                "instructions_chart": plots.instructions_chart(scenario, batch, colors),
                "latency_chart": plots.latency_chart(scenario, batch, colors),
                "half_load": half_load,
                "overloaded": any(figures.fixed_rate(row.result, scenario)["overloaded"] for row in half_load),
            }
        )
    return tables


def _composites(batch: Batch, colors: dict[str, str]) -> dict[str, object]:
    """What the post and the index show of the two composites: their table, a chart of each, and the scenarios that
    no result of the run measured."""
    standings = ranking.standings(batch)
    charts = []
    for composite in ranking.COMPOSITES:
        rows = ranking.composite_rows(batch, composite.scenarios)
        charts.append((composite, plots.composite_chart(composite, rows, colors)))
    measured = ranking.measured_scenarios(batch)
    return {
        "composites": ranking.COMPOSITES,
        "full": ranking.FULL,
        "seed": ranking.SEED_COMPOSITE,
        "standings": standings,
        "composite_charts": charts,
        "measured": measured,
        "absent": [scenario for scenario in SCENARIOS if scenario not in measured],
        "unpaired": any(not standing.paired for standing in standings if standing.result),
    }


def render_post(batch: Batch, before: Batch | None, pages: set[str]) -> str:
    colors = plots.palette([batch])
    return (
        environment()
        .get_template("post.md.j2")
        .render(
            batch=batch,
            changes=history.changes(before, batch, list(SCENARIOS)) if before else None,
            tables=_scenario_tables(batch, colors),
            scenarios=list(SCENARIOS),
            facts=run_facts(batch),
            files=[problem for problem in batch.problems if problem.file],
            missing=batch.without_file(),
            without_result=len(batch.unused()) + len(batch.without_file()),
            downloads=[str(path) for path in downloads.paths(batch.date)],
            pages=pages,
            unmaintained=unmaintained(batch),
            at_once=all(figures.at_once(result) for result in batch.results.values()),
            share_tolerance=ranking.SHARE_TOLERANCE,
            share_tolerance_same=ranking.SHARE_TOLERANCE_SAME_MACHINE,
            **_composites(batch, colors),
        )
    )


def render_index(runs: list[Batch], pages: set[str]) -> str:
    latest = runs[-1]
    colors = plots.palette(runs)
    counted = {scenario: plots.instructions_chart(scenario, latest, colors) for scenario in SCENARIOS}
    trends = {scenario: plots.share_trend(scenario, runs, colors) for scenario in SCENARIOS}
    return (
        environment()
        .get_template("index.md.j2")
        .render(
            latest=latest,
            missing=latest.without_file(),
            scenarios=list(SCENARIOS),
            instruction_charts=[chart for chart in counted.values() if chart],
            composite_trend=plots.composite_trend(ranking.SEED_COMPOSITE, runs, colors),
            trends=[chart for chart in trends.values() if chart],
            untrended=[scenario for scenario, chart in trends.items() if not chart],
            runs=len(runs),
            pages=pages,
            page_list=sorted(pages),
            unmaintained=unmaintained(latest),
            downloads=[str(path) for path in downloads.paths(latest.date)],
            **_composites(latest, colors),
        )
    )


def render_framework(name: str, runs: list[Batch], repository: str | None) -> str:
    """A framework's page: its figures over every run, what it ran on, how it is served, where its code is."""
    entries = history.timeline(runs, name)
    measured = [entry for entry in entries if entry.result]
    latest = measured[-1] if measured else None
    color = plots.palette(runs)[name]
    charts = (
        [(scenario, *plots.framework_trends(name, entries, scenario, color)) for scenario in SCENARIOS]
        if measured
        else []
    )
    registry = frameworks.load().get(name)
    commit = latest.result["git"]["commit"] if latest else None
    return (
        environment()
        .get_template("framework.md.j2")
        .render(
            name=name,
            entries=[entry for entry in entries if entry.result or entry.problem],
            latest=latest,
            registry=registry,
            share_charts=[(scenario, share) for scenario, share, _ in charts],
            instruction_charts=[counted for _, _, counted in charts if counted],
            scenarios=list(SCENARIOS),
            # The per-scenario columns of its runs: the scenarios any of them has figures for.
            columns=[s for s in SCENARIOS if any(figures.rps(entry.result, s) for entry in measured)],
            composites=ranking.COMPOSITES,
            composite=ranking.composite,
            repository=repository,
            commit=commit,
            source=f"frameworks/{name}",
            registry_command=registry_command(registry) if registry else "",
            gaps=_gaps(latest.result) if latest else {},
        )
    )


def _gaps(result: dict) -> dict[str, str]:
    """Why the result has no figures on a scenario, by the scenarios of each reason ("json, stream": "...")."""
    grouped: dict[str, list[str]] = {}
    for scenario in SCENARIOS:
        if gap := figures.scenario_gap(result, scenario):
            grouped.setdefault(gap, []).append(scenario)
    return {", ".join(names): gap for gap, names in grouped.items()}


# One framework at the defaults, timed on the project's 2-core machine (`nox -s bench-django`).
BUDGET_EXAMPLE = (
    "on 2026-12-02, all eight scenarios at these defaults, on an Intel Xeon, eight frameworks took 309 to 326 s "
    "each: fastapi 326 s (52 s of them counting instructions), litestar 320 s (46 s) and falcon 320 s (48 s)"
)


def _timed_load_seconds(settings: Settings) -> int:
    """Seconds of load one framework gets at these settings: the pairs and their warm-ups (one per
    scenario and round, each round on fresh servers), each app's runs alone, and the half-load runs."""
    scenarios = len(settings.scenarios)
    pairs = scenarios * settings.pairs * (settings.warmup + settings.pair_duration)
    return pairs + 2 * scenarios * settings.repeat * settings.duration + scenarios * settings.fixed_rate_duration


def render_methodic(settings: Settings = DEFAULTS) -> str:
    """The methodology, with every figure read from the code that the benchmark runs."""
    registry = frameworks.load()
    servers = {framework.server: framework.command_template for framework in registry.values()}
    return (
        environment()
        .get_template("methodic.md.j2")
        .render(
            settings=settings,
            scenarios=SCENARIOS,
            titles=SCENARIO_TITLES,
            contract=contract,
            composites=ranking.COMPOSITES,
            timeout=drive.TIMEOUT_S,
            unstable_cv=results.UNSTABLE_CV,
            error_share_limit=results.ERROR_SHARE,
            client_bound_share=drive.CLIENT_BOUND_SHARE,
            baseline=frameworks.BASELINE,
            ram_dir=server.RAM_DIR,
            servers=servers,
            registry=registry,
            noise_rule=ranking.NOISE_RULE,
            load_settings=figures.LOAD_SETTINGS,
            chance_apart=ranking.chance_apart(settings.pairs, settings.pairs),
            fixedrate=fixedrate,
            timed_load_s=_timed_load_seconds(settings),
            budget_example=BUDGET_EXAMPLE,
            replicas=frameworks.replicas(),
            share_tolerance=ranking.SHARE_TOLERANCE,
            share_tolerance_same=ranking.SHARE_TOLERANCE_SAME_MACHINE,
            count_budget=instructions.COUNT_BUDGET,
            min_requests=instructions.MIN_REQUESTS,
        )
    )


def write_site(batch: Batch, site: Path, repository: str | None = None) -> list[Path]:
    """Write the run's data and post, then every page drawn from all the data there is."""
    data_path = site / history.RUNS_DIR / f"{batch.date}.json"
    _write(data_path, downloads.as_json(batch))
    runs = history.load_history(site)
    pages = page_names(runs)
    post_path = site / POSTS_DIR / f"{batch.date}-results.md"
    _write(post_path, render_post(batch, history.previous(runs, batch.date), pages))
    written = [data_path, post_path]
    for run in runs:
        json_path, csv_path = (site / path for path in downloads.paths(run.date))
        _write(json_path, downloads.as_json(run))
        _write(csv_path, downloads.as_csv(run))
        written += [json_path, csv_path]
    for name in sorted(pages):
        path = site / page_path(name)
        _write(path, render_framework(name, runs, repository))
        written.append(path)
    index_path, methodic_path = site / "index.md", site / "methodic.md"
    _write(index_path, render_index(runs, pages))
    _write(methodic_path, render_methodic())
    return [*written, index_path, methodic_path]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def terminal_table(batch: Batch) -> str:
    """The composites and each measured scenario's req/s, one line per framework."""
    measured = ranking.measured_scenarios(batch)
    absent = [scenario for scenario in SCENARIOS if scenario not in measured]
    rows = []
    for standing in ranking.standings(batch):
        full, seed, result = standing.rows["full"], standing.rows["seed"], standing.result
        rows.append([
            full.rank or "-",
            standing.framework,
            package(result["versions"]["framework"]) if result and result["versions"] else "",
            percent(full.score.median) if full.score else "-",
            seed.rank or "-",
            percent(seed.score.median) if seed.score else "no result",
            *(f"{spread.median:,.0f}" if result and (spread := figures.rps(result, s)) else "-" for s in measured),
            shorten(standing.note(absent), 70),
        ])  # fmt: skip
    headers = ["#", "framework", "version", f"{ranking.FULL.short} vs asgi", "seed #", "seed vs asgi",
               *(f"{s} req/s" for s in measured), "notes"]  # fmt: skip
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
    parser.add_argument(
        "--results",
        type=Path,
        default=DEFAULTS.output,
        help="folder of result files (*.json), or a published run's data (downloads/<date>.json)",
    )
    parser.add_argument(
        "--date", type=iso_date, help="date of the post (default: today, UTC; a run's data file has its own)"
    )
    parser.add_argument("--site", type=Path, default=ROOT, help="root of the Jekyll site to write into")
    parser.add_argument(
        "--repository",
        default=repository_from_environment(),
        help="web address of the project's repository, for the links to each app's source "
        "(default: the GitHub runner's repository; without one, the pages name the files without links)",
    )
    return parser.parse_args(argv)


def read_run(results: Path, day: str | None) -> Batch:
    """A folder of result files, as the run of `day` (default: today, UTC); or a published run's
    data file, which is of its own date."""
    if not results.is_file():
        return load_batch(results, day or datetime.now(UTC).date().isoformat())
    batch = load_run_file(results)
    if day and day != batch.date:
        raise ResultError(f"{results} holds the run of {batch.date}, not of {day}")
    return batch


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        batch = read_run(args.results, args.date)
    except ResultError as error:
        print(f"report: {error}", file=sys.stderr)
        return 1
    for problem in batch.problems:
        if problem.file:
            where = args.results / problem.file if args.results.is_dir() else problem.file
            print(f"report: {where}: {problem.reason}; shown as no result", file=sys.stderr)
    missing = batch.without_file()
    if missing:
        print(f"report: no result file for {', '.join(missing)}; shown as no result", file=sys.stderr)
    if not batch.results:
        print(f"report: no valid result in {args.results}; nothing written", file=sys.stderr)
        return 1
    written = write_site(batch, args.site, args.repository.rstrip("/") if args.repository else None)
    print(f"\nResults of {batch.date} ({len(batch.results)} frameworks)")
    print(terminal_table(batch))
    pages = [path for path in written if path.parent.name == FRAMEWORK_PAGES]
    print(f"wrote {written[1]}, {len(pages)} framework pages in {args.site / FRAMEWORK_PAGES}, "
          f"the raw data in {args.site / downloads.DOWNLOADS_DIR}, the index and the methodology")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
