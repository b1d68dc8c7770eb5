"""The report, on real results: tests/data/results/ holds the JSON of real benchmark runs
(`python -m scripts.bench <name> --duration 2 --warmup 1 --repeat 2 --client wrk`, schema v1)
and one deliberately broken file; tests/data/results-v2/ holds schema-v2 results DERIVED from
them (see its README) until measured v2 results replace them. Every expectation is computed
from the files. Every test renders into a temporary copy of the site."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import batches, frameworks, ranking, report, site_check
from scripts.bench import DEFAULTS, Settings
from scripts.figures import Spread
from scripts.frameworks import ROOT
from scripts.scenarios import SCENARIOS

RESULTS = ROOT / "tests" / "data" / "results"
BROKEN = "broken.json"
DATE = "2026-01-02"
MEASURED = sorted(path.stem for path in RESULTS.glob("*.json") if path.name != BROKEN)
PYPI_PROJECT = re.compile(r"https://pypi\.org/project/[A-Za-z0-9._-]+/")
# The report is given the repository's address; links to the apps' code go under it.
REPOSITORY = "https://repository.example.invalid/benchmark"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the site's static files, for the report to render into."""
    root = tmp_path / "site"
    root.mkdir()
    for name in ("_config.yml", "_layouts", "assets"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    return root


def results_dir(tmp_path: Path, names: list[str], extra: dict[str, str] | None = None) -> Path:
    """Some of the real result files, plus extra files given by name and text."""
    folder = tmp_path / "results"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(RESULTS / f"{name}.json", folder / f"{name}.json")
    for file_name, text in (extra or {}).items():
        (folder / file_name).write_text(text)
    return folder


def render(results: Path, site: Path, day: str = DATE) -> int:
    return report.main(["--results", str(results), "--date", day, "--site", str(site), "--repository", REPOSITORY])


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts.report", *args], cwd=ROOT, capture_output=True, text=True)


def test_the_fixtures_are_real_results_of_at_least_three_frameworks() -> None:
    batch = batches.load_batch(RESULTS, DATE)
    assert sorted(batch.results) == MEASURED and len(MEASURED) >= 3 and frameworks.BASELINE in MEASURED
    assert all(result["load"]["tool"] == "wrk" for result in batch.results.values())
    assert [problem.file for problem in batch.problems if problem.file] == [BROKEN]


def test_ties_share_a_rank_and_noise_is_not_a_ranking() -> None:
    overlapping = [Spread(100, 95, 105, 3), Spread(98, 90, 101, 3), Spread(80, 78, 82, 3)]
    assert ranking.ranks(overlapping) == ["=1", "=1", "3"]
    # A chain of overlaps shares the first rank even where its ends do not overlap.
    chain = [Spread(100, 97, 103, 2), Spread(95, 92, 98, 2), Spread(90, 87, 93, 2), Spread(50, 49, 51, 2)]
    assert ranking.ranks(chain) == ["=1", "=1", "=1", "4"]
    # One repeat has no range: within the instability threshold (5%) counts as tied.
    single = [Spread(100, 100, 100, 1), Spread(96, 96, 96, 1), Spread(90, 90, 90, 1)]
    assert ranking.ranks(single) == ["=1", "=1", "3"]
    assert ranking.ranks([Spread(100, 100, 100, 1), Spread(94, 94, 94, 1)]) == ["1", "2"]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_scenario_table_is_sorted_by_req_per_second_with_ties_from_the_ranges(scenario: str) -> None:
    batch = batches.load_batch(RESULTS, DATE)
    rows = ranking.scenario_rows(batch, scenario)
    ranked = [row for row in rows if row.spread]
    medians = [batch.results[row.framework]["scenarios"][scenario]["summary"]["rps_median"] for row in ranked]
    assert medians == sorted(medians, reverse=True) and len(ranked) == len(MEASURED)
    for upper, lower in zip(ranked, ranked[1:], strict=False):
        a = batch.results[upper.framework]["scenarios"][scenario]["summary"]
        b = batch.results[lower.framework]["scenarios"][scenario]["summary"]
        overlap = a["rps_min"] <= b["rps_max"] and b["rps_min"] <= a["rps_max"]
        assert (lower.rank == upper.rank and lower.rank.startswith("=")) == overlap, (upper, lower)
    assert [row.framework for row in rows if not row.spread] == ["broken"]


def test_rows_are_matched_by_framework_name_not_by_file_or_order(tmp_path: Path) -> None:
    folder = tmp_path / "renamed"
    folder.mkdir()
    # Files named so that their order is the reverse of the frameworks' order.
    for index, name in enumerate(MEASURED):
        shutil.copy(RESULTS / f"{name}.json", folder / f"{len(MEASURED) - index:02d}-run.json")
    renamed = batches.load_batch(folder, DATE)
    original = batches.load_batch(RESULTS, DATE)
    for scenario in SCENARIOS:
        expected = {row.framework: row.spread for row in ranking.scenario_rows(original, scenario) if row.spread}
        got = {row.framework: row.spread for row in ranking.scenario_rows(renamed, scenario) if row.spread}
        assert got == expected


def test_shares_are_of_each_results_own_asgi_baseline() -> None:
    batch = batches.load_batch(RESULTS, DATE)
    for scenario in SCENARIOS:
        for row in ranking.scenario_rows(batch, scenario):
            if row.spread:
                result = json.loads((RESULTS / f"{row.framework}.json").read_text())
                expected = result["scenarios"][scenario]["summary"]["rps_median"] / result["baseline"]["rps"][scenario]
                assert row.share.spread.median == pytest.approx(expected) and not row.share.paired
    for row in ranking.composite_rows(batch):
        if row.score:
            result = json.loads((RESULTS / f"{row.framework}.json").read_text())
            shares = [result["scenarios"][s]["summary"]["rps_median"] / result["baseline"]["rps"][s] for s in SCENARIOS]
            assert row.score.median == pytest.approx(math.prod(shares) ** (1 / len(shares)))


def test_broken_and_invalid_files_are_named_and_shown_as_no_result(tmp_path: Path, site: Path, capsys) -> None:
    invalid = json.loads((RESULTS / "django.json").read_text())
    del invalid["scenarios"]
    folder = results_dir(
        tmp_path,
        [name for name in MEASURED if name != "django"],
        {BROKEN: (RESULTS / BROKEN).read_text(), "django.json": json.dumps(invalid), "empty.json": ""},
    )
    assert render(folder, site) == 0
    terminal = capsys.readouterr()
    assert "Traceback" not in terminal.err + terminal.out
    assert re.search(r"broken\.json: not valid JSON: .* at line \d+, column \d+; shown as no result", terminal.err)
    assert "django.json: does not match the result schema at the top level: 'scenarios' is a required property" in (
        terminal.err
    )
    assert "empty.json: not valid JSON" in terminal.err
    post = (site / "_posts" / f"{DATE}-results.md").read_text()
    # A framework of the registry links to its page; an unreadable file's name is not a framework's.
    for name in ("broken", "empty"):
        assert re.search(rf"^\| – \| {name} \|.*\| no result \|", post, re.MULTILINE), name
    linked = r"^\| – \| \[django\]\(\{% link framework/django\.md %\}\) \|.*\| no result \|"
    assert re.search(linked, post, re.MULTILINE)
    assert "`broken.json`: not valid JSON" in post
    for name in MEASURED:
        if name != "django":
            assert re.search(rf"^\| =?\d+ \| (\[)?{name}\b", post, re.MULTILINE), name


def test_a_second_file_for_the_same_framework_is_named_not_merged(tmp_path: Path) -> None:
    folder = results_dir(tmp_path, MEASURED)
    shutil.copy(RESULTS / "django.json", folder / "zz-django-again.json")
    batch = batches.load_batch(folder, DATE)
    assert batch.results["django"] == json.loads((RESULTS / "django.json").read_text())
    assert [(p.file, p.reason) for p in batch.problems if p.file] == [
        ("zz-django-again.json", "a second result for django; django.json is used")
    ]
    assert all(row.framework != "zz-django-again" for row in ranking.scenario_rows(batch, "html"))


def test_frameworks_without_a_result_file_are_listed_not_dropped(site: Path) -> None:
    assert render(RESULTS, site) == 0
    post = (site / "_posts" / f"{DATE}-results.md").read_text()
    absent = [name for name in frameworks.names() if name not in MEASURED]
    linked = ", ".join(f"[{name}]({{% link framework/{name}.md %}})" for name in absent)
    assert f"No result file in this run for {linked}." in post


def test_a_rerun_for_the_same_date_replaces_its_post_and_data(tmp_path: Path, site: Path) -> None:
    assert render(RESULTS, site) == 0
    first = (site / "_posts" / f"{DATE}-results.md").read_text()
    fewer = results_dir(tmp_path, MEASURED[:-1])
    assert render(fewer, site) == 0
    assert sorted(path.name for path in (site / "_posts").iterdir()) == [f"{DATE}-results.md"]
    assert sorted(path.name for path in (site / "_data" / "runs").iterdir()) == [f"{DATE}.json"]
    assert sorted(path.name for path in (site / "downloads").iterdir()) == [f"{DATE}.csv", f"{DATE}.json"]
    second = (site / "_posts" / f"{DATE}-results.md").read_text()
    dropped = rf"^\| =?\d+ \| \[{MEASURED[-1]}\]"
    assert re.search(dropped, first, re.MULTILINE) and not re.search(dropped, second, re.MULTILINE)
    assert render(fewer, site) == 0
    assert (site / "_posts" / f"{DATE}-results.md").read_text() == second, "rendering is deterministic"


def test_the_index_shows_the_latest_run_and_a_trend_over_every_run(tmp_path: Path, site: Path) -> None:
    assert render(RESULTS, site, "2026-01-03") == 0
    assert render(results_dir(tmp_path, MEASURED[:3]), site, "2026-01-01") == 0
    index = (site / "index.md").read_text()
    assert "## Latest results: 2026-01-03" in index and "{% post_url 2026-01-03-results %}" in index
    assert index.count("<svg") == 1 + len(SCENARIOS)
    for scenario in SCENARIOS:
        trend = index.split(f'id="trend-{scenario}-desc">')[1].split("</desc>")[0]
        for name in MEASURED[:3]:
            assert re.search(rf"{name}: [\d.]+, [\d.]+\.", trend), (scenario, name)


def test_nothing_valid_exits_non_zero_and_writes_nothing(tmp_path: Path, site: Path) -> None:
    folder = results_dir(tmp_path, [], {BROKEN: (RESULTS / BROKEN).read_text()})
    done = cli("--results", str(folder), "--site", str(site), "--date", DATE)
    assert done.returncode == 1
    assert "broken.json: not valid JSON" in done.stderr and "no valid result" in done.stderr
    assert not (site / "_posts").exists() and not (site / "index.md").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--results", "/nonexistent/results"], "no results folder at /nonexistent/results"),
        (["--date", "2026-13-40"], "not a calendar date: '2026-13-40'"),
        (["--date", "yesterday"], "expected a date as YYYY-MM-DD, got 'yesterday'"),
    ],
)
def test_bad_input_gets_a_message_not_a_traceback(site: Path, arguments: list[str], message: str) -> None:
    done = cli(*arguments, "--site", str(site))
    assert done.returncode != 0 and message in done.stderr and "Traceback" not in done.stderr


def test_the_terminal_shows_the_combined_table(site: Path, capsys) -> None:
    assert render(RESULTS, site) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("#"))
    assert "vs asgi" in header and all(f"{scenario} req/s" in header for scenario in SCENARIOS)
    assert all(any(f" {name} " in line for line in lines) for name in MEASURED)


def _settings_table(page: str) -> dict[str, str]:
    section = page.split("## Settings")[1].split("##")[0]
    return dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.MULTILINE))


def test_the_methodology_numbers_are_the_codes_defaults(site: Path) -> None:
    assert render(RESULTS, site) == 0
    page = (site / "methodic.md").read_text()
    table = _settings_table(page)
    assert table["Measured run, per scenario and repeat"] == f"{DEFAULTS.duration} s"
    assert table["Repeats per scenario"] == str(DEFAULTS.repeat)
    assert table["Warm-up per scenario, discarded"] == f"{DEFAULTS.warmup} s"
    assert table["Keep-alive connections"] == str(DEFAULTS.connections)
    assert table["Baseline run"] == f"{DEFAULTS.baseline_duration} s"
    assert table["Baseline warm-up"] == f"{DEFAULTS.baseline_warmup} s"
    # Other settings give other numbers: the page is rendered from them, not written by hand.
    other = Settings(duration=7, warmup=2, repeat=9, connections=33, baseline_warmup=4, baseline_duration=6)
    table = _settings_table(report.render_methodic(other))
    assert [table[key] for key in ("Measured run, per scenario and repeat", "Repeats per scenario")] == ["7 s", "9"]
    assert table["Keep-alive connections"] == "33" and table["Baseline run"] == "6 s"
    assert "keeps 33 connections open" in report.render_methodic(other)


def test_no_url_to_another_host_anywhere_in_the_rendered_site(site: Path) -> None:
    assert render(RESULTS, site) == 0
    for path in sorted(site.rglob("*")):
        if path.is_file():
            for url in re.findall(r"https?://[^\s\"'<>)\]]+", path.read_text(encoding="utf-8")):
                if site_check.remote(url):
                    # The only remote URLs are links to PyPI pages and to the apps' code, never fetched.
                    assert PYPI_PROJECT.fullmatch(url) or url.startswith(REPOSITORY), f"{path.relative_to(site)}: {url}"
                    assert f"]({url})" in path.read_text(), f"{url} is not a plain link"


needs_browser = pytest.mark.skipif(
    not (shutil.which("jekyll") and shutil.which("chromium")),
    reason="the site check needs Debian's jekyll and chromium (apt-get install jekyll chromium)",
)


@needs_browser
def test_the_site_builds_with_jekyll_and_shows_tables_and_charts_in_chromium(tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    assert site_check.check(RESULTS, DATE, shots) == []
    pages = [f"framework-{name}.png" for name in sorted(set(frameworks.names()) | set(MEASURED))]
    assert sorted(path.name for path in shots.iterdir()) == sorted(["index.png", "methodic.png", "post.png", *pages])


@needs_browser
def test_the_site_check_catches_a_page_that_fetches_from_another_host(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="//fonts.example.invalid/a.css"></head>'
        '<body><img src="https://cdn.example.invalid/chart.png"><a href="https://pypi.org/project/x/">x</a></body></html>'
    )
    assert site_check.remote_fetches(built) == [
        "index.html: //fonts.example.invalid/a.css",
        "index.html: https://cdn.example.invalid/chart.png",
    ]
    with site_check.serve(built) as base_url:
        problems = site_check.look(site_check.Page("bad", "/", 0, 0), base_url, tmp_path, tmp_path)
    assert "bad: the page requested https://cdn.example.invalid/chart.png" in problems
    assert "bad: fetches https://cdn.example.invalid/chart.png" in problems
