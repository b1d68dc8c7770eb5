"""The report, on real results: tests/data/results/ holds the JSON of real benchmark runs
(`python -m scripts.measure.bench <name> --duration 2 --warmup 1 --repeat 2 --client wrk`, schema v1)
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

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.measure.steps import DEFAULTS, Settings
from scripts.report import batches, charts, figures, markdown, ranking, render
from scripts.report.figures import Spread
from scripts.report.markdown import percent
from scripts.scenarios import SCENARIOS, SEED
from scripts.site import check

RESULTS = ROOT / "tests" / "data" / "results"
# The fixtures measured the seed's three scenarios, as every run before the other five existed did: the report
# must show those five as not measured. Each test below that reads figures reads them for the fixtures' scenarios.
MEASURED_SCENARIOS = list(SEED)
NOT_MEASURED = [scenario for scenario in SCENARIOS if scenario not in SEED]
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


def render_site(results: Path, site: Path, day: str = DATE) -> int:
    return render.main(["--results", str(results), "--date", day, "--site", str(site), "--repository", REPOSITORY])


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.report.render", *args], cwd=ROOT, capture_output=True, text=True
    )


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
def test_each_scenario_table_is_sorted_by_share_of_asgi_with_ties_from_the_ranges(scenario: str) -> None:
    batch = batches.load_batch(V4, DATE)
    rows = ranking.scenario_rows(batch, scenario)
    ranked = [row for row in rows if row.spread]
    shares = [batch.results[row.framework]["scenarios"][scenario]["share"] for row in ranked]
    assert [share["median"] for share in shares] == sorted((share["median"] for share in shares), reverse=True)
    assert len(ranked) == len(batch.results) > 2
    for above in range(len(ranked) - 1):
        (upper, a), (lower, b) = (ranked[above], shares[above]), (ranked[above + 1], shares[above + 1])
        overlap = a["min"] <= b["max"] and b["min"] <= a["max"]
        assert (lower.rank == upper.rank and lower.rank.startswith("=")) == overlap, (upper, lower)


@pytest.mark.parametrize("scenario", NOT_MEASURED)
def test_a_scenario_no_result_measured_has_every_framework_without_figures_and_why(scenario: str) -> None:
    batch = batches.load_batch(RESULTS, DATE)
    rows = ranking.scenario_rows(batch, scenario)
    assert [row for row in rows if row.spread] == []
    assert sorted(row.framework for row in rows) == sorted([*MEASURED, "broken"])
    assert {row.reason for row in rows if row.result} == {"not measured in this run"}


def test_a_framework_measured_without_a_share_is_listed_after_the_ranked_ones(tmp_path: Path) -> None:
    found = {name: read(V4, name) for name in ("asgi", "falcon", "starlette")}
    found["falcon"]["scenarios"]["html"]["share"] = None  # as when the baseline has no figures there
    rows = ranking.scenario_rows(batches.load_batch(folder_of(tmp_path / "unshared", found), DATE), "html")
    assert [row.framework for row in rows][-1] == "falcon" and rows[-1].rank == "–" and rows[-1].spread
    assert ranking.NO_SHARE in rows[-1].flags and all(row.rank[-1].isdigit() for row in rows[:-1])


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
    seed = ranking.composite_rows(batch, SEED)
    assert [row.framework for row in seed if row.score] == [row.framework for row in seed if row.result]
    for row in seed:
        if row.score:
            result = json.loads((RESULTS / f"{row.framework}.json").read_text())
            shares = [result["scenarios"][s]["summary"]["rps_median"] / result["baseline"]["rps"][s] for s in SEED]
            assert row.score.median == pytest.approx(math.prod(shares) ** (1 / len(shares)))


def test_broken_and_invalid_files_are_named_and_shown_as_no_result(tmp_path: Path, site: Path, capsys) -> None:
    invalid = json.loads((RESULTS / "django.json").read_text())
    del invalid["scenarios"]
    folder = results_dir(
        tmp_path,
        [name for name in MEASURED if name != "django"],
        {BROKEN: (RESULTS / BROKEN).read_text(), "django.json": json.dumps(invalid), "empty.json": ""},
    )
    assert render_site(folder, site) == 0
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
    assert batch.results["django"] == batches.read_result(RESULTS / "django.json")
    assert [(p.file, p.reason) for p in batch.problems if p.file] == [
        ("zz-django-again.json", "a second result for django; django.json is used")
    ]
    assert all(row.framework != "zz-django-again" for row in ranking.scenario_rows(batch, "html"))


def test_frameworks_without_a_result_file_are_listed_not_dropped(site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    post = (site / "_posts" / f"{DATE}-results.md").read_text()
    absent = [name for name in frameworks.names() if name not in MEASURED]
    linked = ", ".join(f"[{name}]({{% link framework/{name}.md %}})" for name in absent)
    assert f"No result file in this run for {linked}." in post


def test_a_rerun_for_the_same_date_replaces_its_post_and_data(tmp_path: Path, site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    first = (site / "_posts" / f"{DATE}-results.md").read_text()
    fewer = results_dir(tmp_path, MEASURED[:-1])
    assert render_site(fewer, site) == 0
    assert sorted(path.name for path in (site / "_posts").iterdir()) == [f"{DATE}-results.md"]
    assert sorted(path.name for path in (site / "_data" / "runs").iterdir()) == [f"{DATE}.json"]
    assert sorted(path.name for path in (site / "downloads").iterdir()) == [f"{DATE}.csv", f"{DATE}.json"]
    second = (site / "_posts" / f"{DATE}-results.md").read_text()
    dropped = rf"^\| =?\d+ \| \[{MEASURED[-1]}\]"
    assert re.search(dropped, first, re.MULTILINE) and not re.search(dropped, second, re.MULTILINE)
    assert render_site(fewer, site) == 0
    assert (site / "_posts" / f"{DATE}-results.md").read_text() == second, "rendering is deterministic"


def test_the_index_shows_the_latest_run_and_a_trend_over_every_run(tmp_path: Path, site: Path) -> None:
    assert render_site(RESULTS, site, "2026-01-03") == 0
    assert render_site(results_dir(tmp_path, MEASURED[:3]), site, "2026-01-01") == 0
    index = (site / "index.md").read_text()
    assert "## Latest results: 2026-01-03" in index and "{% post_url 2026-01-03-results %}" in index
    # The seed composite's chart and its trend, and a trend per scenario measured (v1 results counted no instructions).
    assert index.count("<svg") == 2 + len(MEASURED_SCENARIOS)
    assert f"No run has measured {', '.join(NOT_MEASURED)} yet." in index
    seed_trend = index.split('id="trend-composite-seed-desc">')[1].split("</desc>")[0]
    assert all(re.search(rf"{name}: [\d.]+, [\d.]+\.", seed_trend) for name in MEASURED[:3])
    for scenario in MEASURED_SCENARIOS:
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


def test_a_published_run_renders_again_from_its_served_data_alone(tmp_path: Path, site: Path) -> None:
    """downloads/<date>.json holds everything the pages were drawn from: rendering again from it, at its
    own date, gives the same post, index and framework pages."""
    assert render_site(RESULTS, site, "2026-01-01") == 0
    assert render_site(V2, site) == 0
    pages = ["index.md", f"_posts/{DATE}-results.md", *(f"framework/{name}.md" for name in V2_NAMES)]
    before = {page: (site / page).read_text() for page in pages}
    served = tmp_path / "served.json"
    shutil.copy(site / "downloads" / f"{DATE}.json", served)
    (site / "_posts" / f"{DATE}-results.md").unlink()
    assert render.main(["--results", str(served), "--site", str(site), "--repository", REPOSITORY]) == 0
    assert {page: (site / page).read_text() for page in pages} == before


def test_a_run_file_that_is_not_one_or_of_another_date_is_refused_in_one_line(tmp_path: Path, site: Path) -> None:
    assert render_site(V2, site) == 0
    served = site / "downloads" / f"{DATE}.json"
    done = cli("--results", str(served), "--site", str(site), "--date", "2026-02-03")
    assert done.returncode == 1 and done.stderr == f"report: {served} holds the run of {DATE}, not of 2026-02-03\n"
    result = tmp_path / "asgi.json"
    shutil.copy(V2 / "asgi.json", result)
    done = cli("--results", str(result), "--site", str(site))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"report: {result} is not a run's data file (downloads/<date>.json): ")


def test_the_terminal_shows_the_combined_table(site: Path, capsys) -> None:
    assert render_site(RESULTS, site) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("#"))
    assert "all 8 vs asgi" in header and "seed vs asgi" in header
    assert all((f"{scenario} req/s" in header) == (scenario in SEED) for scenario in SCENARIOS)
    assert all(any(f" {name} " in line for line in lines) for name in MEASURED)


def _settings_table(page: str) -> dict[str, str]:
    section = page.split("## Settings")[1].split("##")[0]
    return dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", section, re.MULTILINE))


def test_the_methodology_numbers_are_the_codes_defaults(site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    page = (site / "methodic.md").read_text()
    table = _settings_table(page)
    pairs, length = "Pairs per scenario: the framework and asgi at the same time, on one core", "Length of a pair"
    alone = "Runs of each app alone per scenario (its req/s)"
    half_load, connections = (
        "Latency run at half load, per scenario",
        "Keep-alive connections (in a pair, half for each app)",
    )
    assert table[pairs] == str(DEFAULTS.pairs) and table[length] == f"{DEFAULTS.pair_duration} s"
    assert table[alone] == f"{DEFAULTS.repeat} of {DEFAULTS.duration} s"
    assert table["Warm-up per scenario, both apps at once, discarded"] == f"{DEFAULTS.warmup} s"
    assert table[connections] == str(DEFAULTS.connections)
    assert table[half_load] == f"{DEFAULTS.fixed_rate_duration} s"
    assert table["Runners per framework in the workflow (replicas)"] == str(frameworks.replicas())
    # Other settings give other numbers: the page is rendered from them, not written by hand.
    other = Settings(pairs=7, pair_duration=3, duration=7, warmup=2, repeat=9, connections=33, fixed_rate_duration=6)
    table = _settings_table(render.render_methodic(other))
    assert [table[key] for key in (pairs, length, alone)] == ["7", "3 s", "9 of 7 s"]
    assert table[connections] == "33" and table[half_load] == "6 s"
    assert "keeps 33 connections open" in render.render_methodic(other)
    # The noise rule, and how often it errs with the pairs the settings give, are the code's.
    for settings in (DEFAULTS, other):
        text = " ".join(render.render_methodic(settings).split())
        odds = 2 / math.comb(2 * settings.pairs, settings.pairs)
        assert " ".join(ranking.NOISE_RULE.split()) in text
        assert f"With {settings.pairs} pairs on each side that is {odds * 100:.2g}% of the time" in text


def test_no_url_to_another_host_anywhere_in_the_rendered_site(site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    for path in sorted(site.rglob("*")):
        if path.is_file():
            for url in re.findall(r"https?://[^\s\"'<>)\]]+", path.read_text(encoding="utf-8")):
                if check.remote(url):
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
    assert check.check(RESULTS, DATE, shots) == []
    pages = ["index", "methodic", "post", *(f"framework-{name}" for name in set(frameworks.names()) | set(MEASURED))]
    # Each page at a desktop's width and at a phone's.
    assert sorted(path.name for path in shots.iterdir()) == sorted(f"{page}{size}.png" for page in pages
                                                                   for size in ("", "-phone"))  # fmt: skip


@needs_browser
def test_the_site_check_catches_a_page_that_fetches_from_another_host(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    (built / "index.html").write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="//fonts.example.invalid/a.css"></head>'
        '<body><img src="https://cdn.example.invalid/chart.png"><a href="https://pypi.org/project/x/">x</a></body></html>'
    )
    assert check.remote_fetches(built) == [
        "index.html: //fonts.example.invalid/a.css",
        "index.html: https://cdn.example.invalid/chart.png",
    ]
    with check.serve(built) as base_url:
        problems = check.look(check.Page("bad", "/", 0, 0), base_url, tmp_path, tmp_path)
    assert "bad: the page requested https://cdn.example.invalid/chart.png" in problems
    assert "bad: fetches https://cdn.example.invalid/chart.png" in problems


@needs_browser
def test_the_site_check_catches_a_chart_wider_than_a_phone_s_page(tmp_path: Path) -> None:
    built = tmp_path / "built"
    built.mkdir()
    chart = '<svg class="chart" viewBox="0 0 800 100" width="800" height="100" aria-labelledby="{0}-title"></svg>'
    (built / "index.html").write_text(
        "<!DOCTYPE html><html><head><style>figure { overflow-x: auto; } .fits svg { max-width: 100%; }</style></head>"
        f'<body><figure class="fits">{chart.format("narrow")}</figure><figure>{chart.format("wide")}</figure></body>'
        "</html>"
    )
    check.fit.add_probe(built)
    with check.serve(built) as base_url:
        problems = check.look(check.Page("page", "/", 0, 0), base_url, tmp_path, tmp_path)
    assert [problem for problem in problems if "phone" in problem] == [
        "page: at a phone's width, the chart wide-title is wider than the page"
    ]


# Schema v2 (derived fixtures), history, framework pages, raw data

V2 = ROOT / "tests" / "data" / "results-v2"
V2_NAMES = sorted(path.stem for path in V2.glob("*.json"))
# Schema-3 results of eight frameworks, measured in rounds on fresh servers (its README).
V4 = ROOT / "tests" / "data" / "results-v4"


def read(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


def folder_of(path: Path, found: dict[str, dict]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, result in found.items():
        (path / f"{name}.json").write_text(json.dumps(result))
    return path


def section(page: str, heading: str) -> str:
    """The text under a heading, up to the next heading of any level."""
    body = page.split(f"\n{heading}\n", 1)[1]
    return re.split(r"\n#{2,3} ", body, maxsplit=1)[0]


def table(text: str) -> list[dict[str, str]]:
    """The first Markdown table in the text, as rows keyed by the header's cells."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip()[1:-1].split("|")] for line in lines]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[2:]]


def name_of(cell: str) -> str:
    """The framework's name in a cell, linked to its page or not."""
    linked = re.fullmatch(r"\[([^\]]+)\]\(\{% link framework/[^ ]+\.md %\}\)", cell)
    return linked.group(1) if linked else cell


def post_of(site: Path, day: str = DATE) -> str:
    return (site / "_posts" / f"{day}-results.md").read_text()


def test_the_schema_accepts_each_version_with_its_own_fields_only() -> None:
    from jsonschema import ValidationError

    from scripts.measure import results

    for name in V2_NAMES:
        results.validate(read(V2, name))
        results.validate(read(RESULTS, name))
    v1_with_v2_field = read(RESULTS, "falcon") | {"install": None}
    v2_without_share = read(V2, "falcon")
    del v2_without_share["scenarios"]["html"]["share"]
    v2_with_v1_baseline = read(V2, "falcon") | {"baseline": read(RESULTS, "falcon")["baseline"]}
    v2_without_python = read(V2, "falcon")
    del v2_without_python["versions"]["python"]
    for wrong in (v1_with_v2_field, v2_without_share, v2_with_v1_baseline, v2_without_python):
        with pytest.raises(ValidationError):
            results.validate(wrong)


def test_v2_shares_are_the_paired_medians_and_the_composite_their_geometric_mean() -> None:
    batch = batches.load_batch(V2, DATE)
    for scenario in SCENARIOS:
        for row in ranking.scenario_rows(batch, scenario):
            if row.spread:
                paired = read(V2, row.framework)["scenarios"][scenario]["share"]
                assert row.share.paired
                assert (row.share.spread.median, row.share.spread.low, row.share.spread.high) == (
                    paired["median"], paired["min"], paired["max"],
                )  # fmt: skip
    for row in ranking.composite_rows(batch, SEED):
        shares = [read(V2, row.framework)["scenarios"][s]["share"] for s in SEED]
        for key, got in (("median", row.score.median), ("min", row.score.low), ("max", row.score.high)):
            assert got == pytest.approx(math.prod(share[key] for share in shares) ** (1 / len(shares)))
        assert row.paired
    # Measured on three scenarios, no framework has the composite of all eight, and none is a zero.
    assert all(row.score is None for row in ranking.composite_rows(batch, tuple(SCENARIOS)))


def test_v1_results_still_render_their_shares_marked_unpaired(site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    post = post_of(site)
    rows = [row for row in table(section(post, "## Composites")) if row["seed vs asgi"] != "no result"]
    assert rows and all(row["seed vs asgi"].endswith(" unpaired)") for row in rows)
    assert '"Unpaired" marks a result of schema version 1' in post
    measured = table(section(post, "## How this run was measured"))
    assert {name_of(row["Framework"]): row["Python"] for row in measured} == dict.fromkeys(MEASURED, "unknown")
    for scenario in MEASURED_SCENARIOS:
        for row in table(section(post, f"### {scenario}: cost per request and latency at saturation")):
            assert row["instructions/req"] == row["above asgi"] == "n/a"
        assert f'id="instructions-{scenario}-title"' not in post
        assert f"No result of this run measured latency at a fixed rate on {scenario}." in post


def test_instructions_per_request_and_the_overhead_above_asgi(site: Path) -> None:
    assert render_site(V2, site) == 0
    post, index = post_of(site), (site / "index.md").read_text()
    for page in (post, index):  # what it measures, and what not
        assert all(words in page for words in ("user-space machine instructions", "every runner", "kernel", "waiting"))
    for scenario in MEASURED_SCENARIOS:
        rows = table(section(post, f"### {scenario}: cost per request and latency at saturation"))
        assert sorted(name_of(row["Framework"]) for row in rows) == V2_NAMES
        for row in rows:
            result = read(V2, name_of(row["Framework"]))
            own = result["scenarios"][scenario]["instructions"]["per_request"]
            base = result["baseline"]["scenarios"][scenario]["instructions"]["per_request"]
            assert row["instructions/req"] == f"{own:,.0f}"
            assert row["above asgi"] == f"+{own - base:,.0f} (×{own / base:.1f})"
        for page in (post, index):
            chart = page.split(f'id="instructions-{scenario}-desc">')[1].split("</desc>")[0]
            named = re.findall(r"(\w+): [\d,]+", chart)
            per_request = {name: read(V2, name)["scenarios"][scenario]["instructions"]["per_request"] for name in named}
            assert sorted(named) == V2_NAMES and list(per_request.values()) == sorted(per_request.values())
    # The index keeps its tables narrow: the composites in one, the shares per scenario in another; instructions and
    # req/s per scenario are in the post's sections.
    composites = table(section(index, "## Latest results: " + DATE))
    assert list(composites[0]) == ["#", "Framework", "all 8 vs asgi", "seed #", "seed vs asgi", "flags or reason"]
    for row in table(section(index, "### Share of asgi, scenario by scenario")):
        scenarios = read(V2, name_of(row["Framework"]))["scenarios"]
        assert list(row) == ["Framework", *MEASURED_SCENARIOS]
        for scenario in MEASURED_SCENARIOS:
            assert row[scenario] == percent(scenarios[scenario]["share"]["median"])


def test_an_app_below_the_raw_app_s_count_shows_a_minus_not_plus_minus() -> None:
    assert markdown.overhead(figures.Overhead(-1050.4, 0.992)) == "−1,050 (×1.0)"
    assert markdown.overhead(figures.Overhead(25160, 1.198)) == "+25,160 (×1.2)"


def test_latency_at_half_load_or_overloaded(site: Path) -> None:
    from scripts.report.markdown import milliseconds

    assert render_site(V2, site) == 0
    post = post_of(site)
    for scenario in MEASURED_SCENARIOS:
        rows = table(section(post, f"### {scenario}: latency at half load"))
        assert sorted(name_of(row["Framework"]) for row in rows) == V2_NAMES
        drawn = post.split(f'id="latency-{scenario}-desc">')[1].split("</desc>")[0]
        for row in rows:
            name = name_of(row["Framework"])
            fixed = read(V2, name)["scenarios"][scenario]["fixed_rate"]
            assert row["rate asked"] == f"{fixed['rate_asked']:,.0f}/s"
            if fixed["overloaded"]:
                assert row["p50 ms"] == "overloaded" and row["p99 ms"] == row["p99.9 ms"] == ""
                assert f"{name}:" not in drawn
            else:
                latency = fixed["latency_ms"]
                assert [row["p50 ms"], row["p99 ms"], row["p99.9 ms"]] == [
                    milliseconds(latency[key]) for key in ("p50", "p99", "p99.9")
                ]
                figures_drawn = " · ".join(milliseconds(latency[key]) for key in ("p50", "p99", "p99.9"))
                assert f"{name}: {figures_drawn} ms" in drawn


def test_an_overloaded_half_load_run_shows_no_latency(tmp_path: Path, site: Path) -> None:
    """The measured fixtures held their rates; a copy with one run flagged overloaded, as the load
    generator flags a server that fell behind, must read "overloaded" instead of latencies."""
    folder = tmp_path / "results"
    shutil.copytree(V2, folder, ignore=shutil.ignore_patterns("*.md"))
    result = read(V2, "falcon")
    result["scenarios"]["api"]["fixed_rate"]["overloaded"] = True
    (folder / "falcon.json").write_text(json.dumps(result))
    assert render_site(folder, site) == 0
    post = post_of(site)
    rows = {name_of(row["Framework"]): row for row in table(section(post, "### api: latency at half load"))}
    assert rows["falcon"]["p50 ms"] == "overloaded" and rows["falcon"]["p99 ms"] == ""
    assert "falcon:" not in post.split('id="latency-api-desc">')[1].split("</desc>")[0]


def test_each_result_shows_its_python_and_its_baseline_figures(site: Path) -> None:
    assert render_site(V2, site) == 0
    post = post_of(site)
    measured = table(section(post, "## How this run was measured"))
    assert {name_of(row["Framework"]): row["Python"] for row in measured} == {
        name: read(V2, name)["versions"]["python"] for name in V2_NAMES
    }
    [filesystem] = {read(V2, name)["server"]["upload_filesystem"] for name in V2_NAMES}
    assert f"\n- **Upload filesystem**: {filesystem}\n" in post
    # The baseline's req/s stand in each scenario's table beside the share read against them; its flags in a table
    # of its own, its CV in the raw data.
    for row in table(section(post, "### The asgi baseline of each result")):
        baseline = read(V2, name_of(row["Framework"]))["baseline"]["scenarios"]
        for scenario in MEASURED_SCENARIOS:
            unstable = baseline[scenario]["summary"]["flags"]["unstable"]
            assert (f"{scenario}: unstable" in row["flags or reason"]) == unstable
    for scenario in MEASURED_SCENARIOS:
        for row in table(section(post, f"## {scenario}: {render.SCENARIO_TITLES[scenario]}")):
            summary = read(V2, name_of(row["Framework"]))["baseline"]["scenarios"][scenario]["summary"]
            assert row["asgi req/s"] == f"{summary['rps_median']:,.0f}"


def test_start_commands_hold_placeholders_never_a_machine_path(site: Path) -> None:
    assert render_site(RESULTS, site) == 0
    measured = {name_of(row["Framework"]): row for row in table(section(post_of(site), "## How this run was measured"))}
    for name in MEASURED:
        recorded = read(RESULTS, name)["server"]["command"]
        port = recorded[recorded.index("--port") + 1]
        shown = measured[name]["Start command"]
        assert recorded[0] not in shown and f" {port}" not in shown.replace("&#45;", "-")
        assert shown.startswith("<code>&#123;python&#125; ") and "&#123;port&#125;" in shown


def test_a_result_benchmarked_with_an_install_override_is_not_published(tmp_path: Path, site: Path) -> None:
    found = {name: read(V2, name) for name in V2_NAMES}
    found["starlette"]["install"] = {"requirement": "starlette==1.11.0", "kind": "pypi", "version": "1.11.0",
                                     "commit": None, "dirty": None}  # fmt: skip
    folder = folder_of(tmp_path / "results", found)
    assert "starlette" not in batches.load_batch(folder, DATE).results
    assert render_site(folder, site) == 0
    rows = {name_of(row["Framework"]): row for row in table(section(post_of(site), "## Composites"))}
    reason = rows["starlette"]["flags or reason"].replace("&#45;", "-")
    assert rows["starlette"]["seed vs asgi"] == "no result" and "--install starlette==1.11.0" in reason


def halved(result: dict) -> None:
    """The result as the bench would have written it had the framework answered half as many requests in each run:
    its summaries and shares recomputed from the runs, so that the audit takes it."""
    from scripts.measure import results

    for name, entry in result["scenarios"].items():
        for run in entry["runs"]:
            run["status_2xx"] //= 2
            run["rps"] = run["status_2xx"] / run["duration_s"]
        entry["summary"] |= results.summarize(entry["runs"])
        entry["share"] = results.paired_share(entry["runs"], result["baseline"]["scenarios"][name]["runs"])


def test_the_post_opens_with_what_changed_since_the_previous_run(tmp_path: Path, site: Path) -> None:
    before = {name: read(V2, name) for name in V2_NAMES if name != "falcon"}
    after = {name: read(V2, name) for name in V2_NAMES if name != "django"}
    halved(after["starlette"])  # starlette answers half as many requests on every scenario
    after["aiohttp"]["versions"]["framework"]["version"] += ".post1"
    after["asgi"]["versions"]["python"] = "3.12.1"
    assert render_site(folder_of(tmp_path / "before", before), site, "2026-01-01") == 0
    assert render_site(folder_of(tmp_path / "after", after), site, DATE) == 0
    changed = section(post_of(site), "## Since the previous run (2026-01-01)")
    lines = {line.split("**")[1]: line for line in changed.splitlines() if line.startswith("- **")}
    moved = lines["Share of asgi moved beyond the noise"]
    apart = 0
    for scenario, entry in before["starlette"]["scenarios"].items():
        old, new = entry["share"], after["starlette"]["scenarios"][scenario]["share"]
        below = new["max"] < old["min"]  # the ranges of the repeats do not overlap
        assert (f"{scenario} {old['median']:.0%} → {new['median']:.0%} (lower)" in moved) == below
        apart += below
    assert apart and moved.count("(lower)") + moved.count("(higher)") == apart
    version = before["aiohttp"]["versions"]["framework"]["version"]
    assert f"aiohttp {version} → {version}.post1" in lines["Versions changed"]
    assert "Python 3.11.7 → 3.12.1" in lines["Versions changed"]
    assert "[falcon]" in lines["New"] and "[django]" in lines["Missing"] and "no result file" in lines["Missing"]
    assert "Nor under the same conditions" not in changed  # one processor, one method
    assert "no verdict on a framework" not in changed


def test_the_post_says_when_the_previous_run_had_another_processor_or_method(site: Path) -> None:
    assert render_site(RESULTS, site, "2026-01-01") == 0
    assert render_site(V2, site, DATE) == 0
    changed = " ".join(section(post_of(site), "## Since the previous run (2026-01-01)").split())
    assert (
        "one unpaired baseline run (schema 1) (old) against a baseline run paired with each run (schema 2) (new)"
        in changed
    )
    [old_cpu] = {read(RESULTS, name)["machine"]["cpu_model"] for name in MEASURED}
    [new_cpu] = {read(V2, name)["machine"]["cpu_model"] for name in V2_NAMES}
    assert (f"processor {old_cpu} (old) against {new_cpu} (new)" in changed) == (old_cpu != new_cpu)


def test_the_post_names_the_paired_method_and_how_to_read_its_columns(site: Path) -> None:
    assert render_site(V2, site, "2026-01-01") == 0
    assert render_site(V4, site, DATE) == 0
    post = post_of(site)

    def read_section(heading: str) -> str:
        return " ".join(section(post, heading).split())

    changed = read_section("## Since the previous run (2026-01-01)")
    assert f"{figures.METHODS[2]} (old) against {figures.METHODS[3]} (new)" in changed
    assert "None" not in changed
    assert "moved beyond the noise** (with another processor or method, below: no verdict on a framework)" in changed
    same, across = 1 + ranking.SHARE_TOLERANCE_SAME_MACHINE, 1 + ranking.SHARE_TOLERANCE
    assert f"a factor of {same:.2f} on one boot of one machine, or {across:.2f} across machines" in changed
    this_run = read_section("## This run")
    assert "the ratio of two req/s columns is not the share" in this_run
    assert "req/s as a share" not in this_run
    html = read_section(f"## html: {render.SCENARIO_TITLES['html']}")
    assert "not from these two columns" in html and 'which "vs asgi" is read against' not in html
    facts = read_section("## How this run was measured")
    pairs = read(V4, "starlette")["load"]["pairs"]
    assert f"per scenario {pairs['repeat']} pairs of {pairs['duration_s']} s, both apps at once" in facts
    assert "**Baseline**: raw ASGI app, served at the same time as the framework on the same core" in facts
    assert "next to each of the framework's runs" not in facts


def test_trend_charts_ring_a_run_whose_python_changed(tmp_path: Path, site: Path) -> None:
    changed = {name: read(V2, name) for name in V2_NAMES}
    changed["starlette"]["versions"]["python"] = "3.12.1"
    assert render_site(V2, site, "2026-01-01") == 0
    assert render_site(folder_of(tmp_path / "later", changed), site, DATE) == 0
    index = (site / "index.md").read_text()
    for scenario in ["composite-seed", *MEASURED_SCENARIOS]:
        trend = index.split(f'id="trend-{scenario}-desc">')[1].split("</desc>")[0]
        assert trend.count("Ringed:") == 1 and re.search(r"starlette: [\d., ]+\. Ringed: Python 3\.12\.1\.", trend)
    page = (site / "framework" / "starlette.md").read_text()
    assert page.count('class="mark"') == 2 * len(MEASURED_SCENARIOS)  # the share and the instructions trend of each
    assert ">Python 3.12.1</text>" in page
    assert 'class="mark"' not in (site / "framework" / "falcon.md").read_text()


def test_trend_charts_ring_the_first_run_measured_another_way(site: Path) -> None:
    """Schema 1 had no paired baseline: a share that moved when the method changed must say so on the chart."""
    assert render_site(RESULTS, site, "2026-01-01") == 0
    assert render_site(V2, site, DATE) == 0
    index = (site / "index.md").read_text()
    for scenario in ["composite-seed", *MEASURED_SCENARIOS]:
        trend = index.split(f'id="trend-{scenario}-desc">')[1].split("</desc>")[0]
        assert trend.count("Ringed: measured by schema 2.") == len(set(MEASURED) & set(V2_NAMES))
    page = (site / "framework" / "falcon.md").read_text()
    assert page.count('class="mark"') == 2 * len(MEASURED_SCENARIOS)  # the share and the instructions trend of each


def test_a_trend_line_that_shares_a_colour_with_an_earlier_one_is_dashed() -> None:
    """The palette has fewer colours than the registry has frameworks; a chart must still tell every line apart,
    and the same framework is drawn the same way in every chart, whatever its place in it."""
    names = frameworks.names()
    assert len(names) > len(charts.PALETTE), "with as many colours as frameworks this test would need another case"
    palette, dashed = charts.colors(names), charts.dashed(names)
    styles = [(palette[name], name in dashed) for name in names]
    assert len(set(styles)) == len(names), "two frameworks look alike"
    assert dashed == set(names[len(charts.PALETTE) :])
    lines = [
        charts.Line(name, [50.0, 51.0 + index], palette[name], dashed=name in dashed)
        for index, name in enumerate(names)
    ]
    svg = charts.trend_chart("trend", "title", "axis", ["2026-01-01", "2026-01-02"], lines, str)
    drawn = svg.split("<g>")[1:]
    assert len(drawn) == len(names)
    for name, group in zip(names, drawn, strict=True):
        assert group.count("stroke-dasharray") == (2 if name in dashed else 0), name  # the line and its legend


def test_a_page_per_framework_with_its_runs_charts_code_and_checks(tmp_path: Path, site: Path) -> None:
    assert render_site(RESULTS, site, "2026-01-01") == 0
    assert render_site(V2, site, DATE) == 0
    pages = sorted(path.stem for path in (site / "framework").glob("*.md"))
    assert pages == sorted(set(frameworks.names()) | set(MEASURED))
    for name in V2_NAMES:
        page = (site / "framework" / f"{name}.md").read_text()
        latest = read(V2, name)
        runs = table(section(page, "## Every run"))
        days = (DATE, "2026-01-01")
        assert [row["Run"] for row in runs] == [f"[{day}]({{% post_url {day}-results %}})" for day in days]
        assert [row["Python"] for row in runs] == [latest["versions"]["python"], "unknown"]
        for scenario in MEASURED_SCENARIOS:
            assert f'id="trend-{scenario}-title"' in page and f'id="instructions-trend-{scenario}-title"' in page
        assert f"No run has figures of {name} on {', '.join(NOT_MEASURED)} (not measured" in page
        shares = table(section(page, "### Share of asgi on each scenario, per run"))
        assert list(shares[0]) == ["Run", *MEASURED_SCENARIOS]
        assert shares[0]["html"] == percent(latest["scenarios"]["html"]["share"]["median"])
        code = f"{REPOSITORY}/blob/{latest['git']['commit']}/frameworks/{name}"
        assert f"]({code}/app.py)" in page and f"]({code}/requirements.txt)" in page
        checks = table(section(page, f"## Verification in its latest run ({DATE})"))
        assert len(checks) == len(latest["verification"])
        assert [row["Result"] == "passed" for row in checks] == [check["passed"] for check in latest["verification"]]
    unmeasured = next(name for name in frameworks.names() if name not in MEASURED)
    page = (site / "framework" / f"{unmeasured}.md").read_text()
    assert "has no result in any run yet" in page and "<svg" not in page


def test_every_framework_name_in_the_post_and_the_index_links_to_its_page(site: Path) -> None:
    assert render_site(V2, site) == 0
    post, index = post_of(site), (site / "index.md").read_text()
    pages = sorted(path.stem for path in (site / "framework").glob("*.md"))
    for name in pages:
        assert f"[{name}]({{% link framework/{name}.md %}})" in post, name
        assert f"[{name}]({{% link framework/{name}.md %}})" in section(index, "## Frameworks"), name
    for page, heading in ((post, "## Composites"), (index, f"## Latest results: {DATE}")):
        for row in table(section(page, heading)):
            name = name_of(row["Framework"])
            assert row["Framework"] == f"[{name}]({{% link framework/{name}.md %}})"


def test_a_framework_the_registry_marks_unmaintained_is_named_so_beside_its_figures(
    tmp_path: Path, site: Path, monkeypatch
) -> None:
    """The registry is the one place that says it; the post, the framework's page and the methodology show it."""
    registry = tmp_path / "frameworks.toml"
    evidence = "no release since 1.0, uploaded on 2020-01-01 (checked on 2026-01-02)"
    text = re.sub(r"^unmaintained = .*\n", "", frameworks.REGISTRY.read_text(), flags=re.MULTILINE)
    registry.write_text(text.replace('package = "falcon"\n', f'package = "falcon"\nunmaintained = "{evidence}"\n'))
    monkeypatch.setattr(frameworks, "REGISTRY", registry)
    assert [name for name, framework in frameworks.load().items() if framework.unmaintained] == ["falcon"]
    assert render_site(V2, site) == 0
    index = (site / "index.md").read_text()
    for note in (section(post_of(site), "## Composites"), section(index, f"## Latest results: {DATE}")):
        assert f"[falcon]({{% link framework/falcon.md %}}), {evidence}." in note
        assert note.count("Not maintained") == 1
    assert "**Not maintained** by the project's rule" in (site / "framework" / "falcon.md").read_text()
    assert "Not maintained" not in (site / "framework" / "starlette.md").read_text()
    methodic = section((site / "methodic.md").read_text(), "## Which frameworks are in")
    assert f"- [falcon]({{% link framework/falcon.md %}}): {evidence}." in methodic


def test_each_run_s_raw_data_is_served_as_json_and_csv(tmp_path: Path, site: Path) -> None:
    import csv

    assert render_site(V2, site) == 0
    served = json.loads((site / "downloads" / f"{DATE}.json").read_text())
    assert sorted(result["framework"] for result in served["results"]) == V2_NAMES
    assert all(result == read(V2, result["framework"]) for result in served["results"])
    rows = list(csv.DictReader((site / "downloads" / f"{DATE}.csv").open()))
    assert len(rows) == sum(len(read(V2, name)["scenarios"]) for name in V2_NAMES)
    for row in rows:
        result = read(V2, row["framework"])
        entry = result["scenarios"][row["scenario"]]
        assert float(row["rps_median"]) == entry["summary"]["rps_median"]
        assert float(row["share_median"]) == entry["share"]["median"]
        assert float(row["instructions_per_request"]) == entry["instructions"]["per_request"]
        assert row["half_load_overloaded"] == str(entry["fixed_rate"]["overloaded"])
    post = post_of(site)
    assert f"[results as JSON]({{% link downloads/{DATE}.json %}})" in post
    assert f"[as CSV]({{% link downloads/{DATE}.csv %}})" in post


def test_a_failed_v2_result_renders_everywhere_with_its_reason(tmp_path: Path, site: Path) -> None:
    found = {name: read(V2, name) for name in V2_NAMES}
    failed = found["falcon"]
    failed |= {"status": "failed", "error": "the server did not start", "versions": None, "verification": None}
    for entry in failed["scenarios"].values():
        entry |= {"status": "failed", "reason": "not measured: the server did not start", "runs": [], "summary": None,
                  "share": None, "instructions": None, "fixed_rate": None}  # fmt: skip
    failed["baseline"] = {"framework": "asgi", "status": "failed", "reason": "port in use", "scenarios": {}}
    assert render_site(folder_of(tmp_path / "results", found), site) == 0
    post = post_of(site)
    row = {name_of(r["Framework"]): r for r in table(section(post, "## Composites"))}["falcon"]
    assert row["seed vs asgi"] == row["all 8 vs asgi"] == "no result"
    assert "not measured: the server did not start" in row["flags or reason"]
    baseline = {name_of(r["Framework"]): r for r in table(section(post, "### The asgi baseline of each result"))}
    assert baseline["falcon"]["flags or reason"] == "failed: port in use"
    page = (site / "framework" / "falcon.md").read_text()
    assert "The app was not verified in that run: the server did not start." in page
    assert table(section(page, "## Every run"))[0]["Python"] == "unknown"
    # Only one run, without a figure: no empty chart that would look like a measurement.
    assert "<svg" not in page
    assert f"No run has figures of falcon on {', '.join(SCENARIOS)} (not measured" in page


def test_the_site_check_follows_links_and_catches_what_does_not_resolve(tmp_path: Path) -> None:
    from scripts.report import downloads

    built = tmp_path / "built"
    (built / "downloads").mkdir(parents=True)
    (built / "downloads" / "good.csv").write_text(",".join(downloads.COLUMNS) + "\n")
    (built / "downloads" / "bad.csv").write_text("date,framework\n")
    (built / "downloads" / "bad.json").write_text("{")
    with check.serve(built) as base_url:
        assert check.reach(base_url, "/downloads/good.csv") is None
        assert "does not start with the CSV header" in check.reach(base_url, "/downloads/bad.csv")
        assert "is not valid JSON" in check.reach(base_url, "/downloads/bad.json")
        assert "does not resolve" in check.reach(base_url, "/framework/missing.html")


def test_no_machine_path_anywhere_in_the_rendered_site(site: Path) -> None:
    """Schema-1 results recorded the venv's absolute path; nothing rendered from them shows it."""
    recorded = {read(RESULTS, name)["server"]["command"][0] for name in MEASURED}
    machine_prefixes = {path.split("/.venvs/")[0] for path in recorded if "/.venvs/" in path} | {str(ROOT)}
    assert render_site(RESULTS, site) == 0
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".json", ".csv", ".html"}:
            text = path.read_text()
            for prefix in machine_prefixes:
                assert prefix not in text, f"{path.relative_to(site)} names {prefix}, a path of the measuring machine"


# Eight scenarios. No measured result holds the five new scenarios yet: EIGHT_SCENARIOS builds one, ONLY in these tests,
# by copying each real v2 fixture's html entries (its own and its baseline's) under the five new names. Its figures
# are html's, so they test the arithmetic and the pages, not any framework; real eight-scenario results replace it.


@pytest.fixture
def eight(tmp_path: Path) -> Path:
    """The v2 fixtures, each with its html entries copied under the five new scenarios' names (see above)."""
    found = {name: read(V2, name) for name in V2_NAMES}
    for result in found.values():
        for name in NOT_MEASURED:
            result["scenarios"][name] = json.loads(json.dumps(result["scenarios"]["html"]))
            result["baseline"]["scenarios"][name] = json.loads(json.dumps(result["baseline"]["scenarios"]["html"]))
    return folder_of(tmp_path / "eight", found)


def geometric(folder: Path, name: str, scenarios: list[str], key: str) -> float:
    shares = [read(folder, name)["scenarios"][scenario]["share"][key] for scenario in scenarios]
    return math.prod(shares) ** (1 / len(shares))


def test_both_composites_are_computed_from_the_files(eight: Path, site: Path) -> None:
    batch = batches.load_batch(eight, DATE)
    assert sorted(batch.results) == V2_NAMES and all(
        len(r["scenarios"]) == len(SCENARIOS) for r in batch.results.values()
    )
    for composite, scenarios in ((ranking.SEED_COMPOSITE, list(SEED)), (ranking.FULL, list(SCENARIOS))):
        rows = ranking.composite_rows(batch, composite.scenarios)
        assert sorted(row.framework for row in rows if row.score) == V2_NAMES
        assert [row.score.median for row in rows] == sorted((row.score.median for row in rows), reverse=True)
        for row in rows:
            for key, got in (("median", row.score.median), ("min", row.score.low), ("max", row.score.high)):
                assert got == pytest.approx(geometric(eight, row.framework, scenarios, key)), (composite.name, row)
    # The seed composite is the one every earlier run has: the same over the same three scenarios, whatever else the
    # result holds.
    seed = {row.framework: row.score for row in ranking.composite_rows(batch, SEED)}
    assert seed == {row.framework: row.score for row in ranking.composite_rows(batches.load_batch(V2, DATE), SEED)}
    assert render_site(eight, site) == 0
    post, index = post_of(site), (site / "index.md").read_text()
    for page, heading in ((post, "## Composites"), (index, f"## Latest results: {DATE}")):
        rows = table(section(page, heading))
        assert [name_of(row["Framework"]) for row in rows] == [row.framework for row in ranking.standings(batch)]
        for row in rows:
            name = name_of(row["Framework"])
            full = [geometric(eight, name, list(SCENARIOS), key) for key in ("median", "min", "max")]
            assert row["all 8 vs asgi"] == f"{percent(full[0])} ({percent(full[1])}–{percent(full[2])})"
            assert row["seed vs asgi"].startswith(f"{percent(geometric(eight, name, list(SEED), 'median'))} (")
        assert 'id="chart-composite-full-title"' in page and 'id="chart-composite-seed-title"' in page
    # The post says which is which, before the tables.
    top = post.split("\n## Composites\n")[0]
    assert "**all 8**, the composite of all 8 scenarios (html, api, upload, json, validate, middleware, routing" in top
    assert "**seed**, the composite of the 3 seed scenarios (html, api, upload)" in top


def test_a_framework_missing_one_of_the_eight_has_no_composite_of_them_with_the_reason(eight: Path, site: Path) -> None:
    falcon = read(eight, "falcon")
    del falcon["scenarios"]["stream"]  # measured fewer scenarios
    django = read(eight, "django")  # its routing checks failed
    django["scenarios"]["routing"] |= {"status": "failed_verification", "reason": "failed checks: routing_targets",
                                       "runs": [], "summary": None, "share": None, "instructions": None,
                                       "fixed_rate": None}  # fmt: skip
    django["verification"].append({"name": "routing_targets", "scenario": "routing", "passed": False,
                                   "detail": "GET /r49/items/115/children/c15: 404"})  # fmt: skip
    django["status"] = "failed"
    (eight / "falcon.json").write_text(json.dumps(falcon))
    (eight / "django.json").write_text(json.dumps(django))
    batch = batches.load_batch(eight, DATE)
    full = {row.framework: row for row in ranking.composite_rows(batch, ranking.FULL.scenarios)}
    seed = {row.framework: row for row in ranking.composite_rows(batch, SEED)}
    assert full["falcon"].score is None and full["falcon"].reason == "stream: not measured in this run"
    assert full["django"].score is None and full["django"].reason == "routing: failed verification: routing_targets"
    assert seed["falcon"].score and seed["django"].score  # the seed's three are all there
    assert all(full[name].score for name in V2_NAMES if name not in ("falcon", "django"))
    # Ranked by the composite of all eight first, then those with the seed's only, by it.
    order = [standing.framework for standing in ranking.standings(batch)]
    assert order[-2:] == sorted(["falcon", "django"], key=lambda name: -seed[name].score.median)
    assert render_site(eight, site) == 0
    post = post_of(site)
    rows = {name_of(row["Framework"]): row for row in table(section(post, "## Composites"))}
    for name, reason in (("falcon", "stream: not measured in this run"),
                         ("django", "routing: failed verification: routing&#95;targets")):  # fmt: skip
        assert rows[name]["#"] == "–" and rows[name]["all 8 vs asgi"] == "no composite"
        assert rows[name]["seed vs asgi"].startswith(percent(seed[name].score.median))
        assert reason in rows[name]["flags or reason"]
    stream = {
        name_of(row["Framework"]): row for row in table(section(post, f"## stream: {render.SCENARIO_TITLES['stream']}"))
    }
    assert stream["falcon"]["vs asgi"] == "not measured" and stream["falcon"]["#"] == "–"
    shares = {name_of(row["Framework"]): row for row in table(section(post, "## Share of asgi, scenario by scenario"))}
    assert shares["falcon"]["stream"] == shares["django"]["routing"] == "–"


def test_the_post_shows_every_scenario_present(eight: Path, tmp_path: Path, site: Path) -> None:
    assert render_site(eight, site) == 0
    post = post_of(site)
    for scenario in SCENARIOS:
        body = section(post, f"## {scenario}: {render.SCENARIO_TITLES[scenario]}")
        rows = table(body)
        assert sorted(name_of(row["Framework"]) for row in rows if row["#"] != "–") == V2_NAMES, scenario
        for row in rows:
            if row["#"] != "–":
                summary = read(eight, name_of(row["Framework"]))["scenarios"][scenario]["summary"]
                assert row["req/s"] == f"{summary['rps_median']:,.0f}"
        for chart in ("chart", "instructions", "latency"):
            assert f'id="{chart}-{scenario}-title"' in post, (chart, scenario)
        assert f"[{scenario}](#scenario-{scenario})" in post and f"{{: #scenario-{scenario}}}\n## {scenario}:" in post
    assert list(table(section(post, "## Share of asgi, scenario by scenario"))[0]) == ["Framework", *SCENARIOS]
    # The fixtures of three scenarios: those three with their tables, the other five said to be not measured, no zero.
    older = tmp_path / "older-site"
    shutil.copytree(site, older, ignore=shutil.ignore_patterns("_posts", "_data", "downloads"))
    assert render_site(V2, older) == 0
    post = post_of(older)
    for scenario in SCENARIOS:
        body = section(post, f"## {scenario}: {render.SCENARIO_TITLES[scenario]}")
        measured = scenario in SEED
        assert bool(table(body)) == measured and ("Not measured in this run" in body) != measured, scenario
        assert (f"(#scenario-{scenario}) (not measured)" in post) != measured
    assert "No result of this run measured json, validate, middleware, routing, stream" in post
    assert 'id="chart-composite-full-title"' not in post and 'id="chart-composite-seed-title"' in post
    assert {row["all 8 vs asgi"] for row in table(section(post, "## Composites"))} == {"no composite"}


def test_the_downloads_carry_every_scenario(eight: Path, site: Path) -> None:
    import csv

    assert render_site(eight, site) == 0
    served = json.loads((site / "downloads" / f"{DATE}.json").read_text())
    assert all(list(result["scenarios"]) == list(SCENARIOS) for result in served["results"])
    rows = list(csv.DictReader((site / "downloads" / f"{DATE}.csv").open()))
    assert sorted((row["framework"], row["scenario"]) for row in rows) == sorted(
        (name, scenario) for name in V2_NAMES for scenario in SCENARIOS
    )
    for row in rows:
        baseline = read(eight, row["framework"])["baseline"]["scenarios"][row["scenario"]]["summary"]
        assert float(row["baseline_rps_median"]) == baseline["rps_median"]
        assert float(row["baseline_rps_cv"]) == baseline["rps_cv"]


def test_the_site_check_holds_every_rank_column_to_its_figure() -> None:
    header = ["#", "Framework", "all 8 vs asgi", "seed #", "seed vs asgi", "flags or reason"]
    good = [
        header,
        ["1", "a", "90% (88%–91%)", "2", "70% (69%–71%)", ""],
        ["2", "b", "80% (79%–81%)", "1", "75% (74%–76%)", ""],
        ["–", "c", "no composite", "3", "60% (1%–2%)", ""],
    ]
    assert check.sorting_problems("post", [good]) == []
    swapped_seed = [row[:] for row in good]
    swapped_seed[1][3], swapped_seed[2][3] = "1", "2"  # rank 1 given to the lower seed composite
    assert check.sorting_problems("post", [swapped_seed]) != []
    out_of_order = [good[0], good[2], good[1], good[3]]
    assert check.sorting_problems("post", [out_of_order]) != []
    tied = [row[:] for row in good]
    tied[1][3] = tied[2][3] = "=1"  # tied rows share a rank, in either order
    assert check.sorting_problems("post", [tied]) == []
