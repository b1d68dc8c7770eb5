"""`compare` on the real v1 results and the derived v2 ones (tests/data/results-v2/README.md).

Every expectation is computed from the files; a "faster" or "slower" result is made by
scaling a real result's repeats, so the verdict is known from the data, not typed in.
"""

from __future__ import annotations

import copy
import json
import math
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.frameworks import ROOT
from scripts.measure import results
from scripts.report import compare, figures, markdown, ranking
from scripts.report.figures import Spread
from scripts.report.markdown import milliseconds
from scripts.scenarios import SCENARIOS

V1 = ROOT / "tests" / "data" / "results"
V2 = ROOT / "tests" / "data" / "results-v2"
V3 = ROOT / "tests" / "data" / "results-v3"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scripts.report.compare", *args], cwd=ROOT, capture_output=True, text=True
    )


def read(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.json").read_text())


def write(path: Path, result: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))
    return path


def scaled(result: dict, factor: float) -> dict:
    """The same result as if every repeat had answered `factor` times the requests: its req/s,
    summaries and shares computed again from the runs, so that the report's audit accepts it."""
    changed = copy.deepcopy(result)
    baseline = changed["baseline"]["scenarios"]
    for name, entry in changed["scenarios"].items():
        for run in entry["runs"]:
            run["requests"], run["status_2xx"] = round(run["requests"] * factor), round(run["status_2xx"] * factor)
            run["rps"] = run["status_2xx"] / run["duration_s"]
            run["cpu_us_per_request"] = run["server_cpu_s"] * 1e6 / run["requests"]
        if entry["summary"]:
            entry["summary"] = results.summarize(entry["runs"])
        if entry.get("share"):
            entry["share"] = results.paired_share(entry["runs"], baseline[name]["runs"])
    return changed


def table(output: str) -> dict[str, list[str]]:
    """The rows of the terminal table, by scenario: columns split on runs of two or more spaces."""
    rows = {}
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells and cells[0] in SCENARIOS:
            rows[cells[0]] = cells
    return rows


def column(name: str) -> int:
    return compare.HEADERS.index(name)


def test_the_verdict_is_the_rule_of_the_ranks() -> None:
    old = Spread(100, 95, 105, 3)
    assert ranking.verdict(old, Spread(120, 110, 130, 3)) == ranking.Verdict.FASTER
    assert ranking.verdict(old, Spread(80, 75, 85, 3)) == ranking.Verdict.SLOWER
    assert ranking.verdict(old, Spread(104, 104.5, 140, 3)) == ranking.Verdict.NOISE  # 104.5 <= 105: overlap
    # A single repeat has no range: under the instability threshold is noise, over it is not.
    assert ranking.verdict(Spread(100, 100, 100, 1), Spread(104, 104, 104, 1)) == ranking.Verdict.NOISE
    assert ranking.verdict(Spread(100, 100, 100, 1), Spread(106, 106, 106, 1)) == ranking.Verdict.FASTER
    # Same rule as the ranks: tied there exactly when within the noise here.
    for new in (Spread(120, 110, 130, 3), Spread(104, 104.5, 140, 3)):
        assert (ranking.verdict(old, new) == ranking.Verdict.NOISE) == ranking.tied(old, new)


def test_the_chance_of_ranges_apart_by_chance_is_counted_from_the_orders() -> None:
    for old, new in ((2, 2), (3, 3), (3, 5), (5, 5)):
        apart = 2 / math.comb(old + new, old)
        assert ranking.chance_apart(old, new) == pytest.approx(apart)
    assert ranking.chance_apart(1, 3) is None


@pytest.mark.parametrize(("factor", "verdict"), [(1.0, "within the noise"), (1.5, "faster"), (0.5, "slower")])
def test_two_results_give_a_verdict_per_scenario(tmp_path: Path, factor: float, verdict: str) -> None:
    old = read(V2, "starlette")
    old["machine"]["boot_id_sha256"] = "0123456789abcdef"  # one boot of one machine: req/s compare
    new = write(tmp_path / "new.json", scaled(old, factor))
    done = cli(str(write(tmp_path / "old.json", old)), str(new))
    assert done.returncode == 0, done.stderr
    rows = table(done.stdout)
    assert sorted(rows) == sorted(old["scenarios"])
    for scenario, cells in rows.items():
        summary = old["scenarios"][scenario]["summary"]
        assert cells[column("old req/s")] == f"{summary['rps_median']:,.0f}"
        assert cells[column("old range")] == f"{summary['rps_min']:,.0f}–{summary['rps_max']:,.0f}"
        assert (
            cells[column("new req/s")]
            == f"{read(tmp_path, 'new')['scenarios'][scenario]['summary']['rps_median']:,.0f}"
        )
        assert cells[column("change")] == f"{factor - 1:+.1%}"
        assert cells[column("verdict")] == f"{verdict}, by share of asgi"
        assert cells[column("old p99 ms")] == cells[column("new p99 ms")]  # latency was not scaled
    assert ranking.NOISE_RULE in done.stdout, "the output states the rule of its verdict"


def test_paired_shares_instructions_and_p99_come_from_each_result() -> None:
    done = cli(str(V1 / "starlette.json"), str(V2 / "starlette.json"))
    assert done.returncode == 0, done.stderr
    v1, v2 = read(V1, "starlette"), read(V2, "starlette")
    for scenario, cells in table(done.stdout).items():
        old_share = v1["scenarios"][scenario]["summary"]["rps_median"] / v1["baseline"]["rps"][scenario]
        assert cells[column("old vs asgi")].startswith(f"{old_share:.0%} (") and cells[column("old vs asgi")].endswith(
            "unpaired"
        )
        share = v2["scenarios"][scenario]["share"]
        assert cells[column("new vs asgi")] == f"{share['median']:.0%} ({share['min']:.0%}–{share['max']:.0%})"
        # Instructions: only the v2 result counted them, so there is no change to give.
        assert cells[column("old instructions/req")] == cells[column("instructions change")] == "–"
        counted = v2["scenarios"][scenario]["instructions"]["per_request"]
        assert cells[column("new instructions/req")] == f"{counted:,.0f}"
        assert cells[column("old p99 ms")] == milliseconds(v1["scenarios"][scenario]["summary"]["latency_ms"]["p99"])
        assert cells[column("new p99 ms")] == milliseconds(v2["scenarios"][scenario]["summary"]["latency_ms"]["p99"])


def test_instructions_old_and_new_with_their_change(tmp_path: Path) -> None:
    old = read(V2, "falcon")
    new = copy.deepcopy(old)
    for entry in new["scenarios"].values():
        entry["instructions"] = {key: [v * 0.8 for v in value] if key == "counts" else value * 0.8
                                 for key, value in entry["instructions"].items()}  # fmt: skip
    done = cli(str(V2 / "falcon.json"), str(write(tmp_path / "falcon.json", new)))
    for scenario, cells in table(done.stdout).items():
        per_request = old["scenarios"][scenario]["instructions"]["per_request"]
        assert cells[column("old instructions/req")] == f"{per_request:,.0f}"
        assert cells[column("new instructions/req")] == f"{per_request * 0.8:,.0f}"
        assert cells[column("instructions change")] == f"{-0.2:+.1%}"


def test_folders_are_compared_framework_by_framework(tmp_path: Path) -> None:
    old = tmp_path / "old"
    for name in ("asgi", "starlette", "django"):
        write(old / f"{name}.json", read(V1, name))
    done = cli(str(old), str(V2))
    assert done.returncode == 0, done.stderr
    both = ["asgi", "django", "starlette"]
    titles = [line for line in done.stdout.splitlines() if re.fullmatch(r"[a-z0-9_-]+", line)]
    assert titles == both
    only_new = sorted(path.stem for path in V2.glob("*.json") if path.stem not in both)
    for name in only_new:
        assert f"{name}: only in the new results" in done.stdout


def test_markdown_is_the_same_table_ready_to_paste(tmp_path: Path) -> None:
    new = write(tmp_path / "new.json", scaled(read(V2, "aiohttp"), 1.5))
    terminal = table(cli(str(V2 / "aiohttp.json"), str(new)).stdout)
    done = cli(str(V2 / "aiohttp.json"), str(new), "--markdown")
    assert done.returncode == 0, done.stderr
    assert f"| {' | '.join(compare.HEADERS)} |" in done.stdout
    rows = {cells[0]: cells for line in done.stdout.splitlines() if line.startswith("| ")
            for cells in [[cell.strip() for cell in line.strip("|").split("|")]] if cells[0] in SCENARIOS}  # fmt: skip
    assert rows == terminal


def test_a_result_measured_with_an_install_override_says_so(tmp_path: Path) -> None:
    new = read(V2, "starlette")
    new["install"] = {
        "requirement": "git+https://example.invalid/starlette@topic",
        "kind": "git",
        "version": "1.11.0.dev0",
        "commit": "0123456789abcdef0123456789abcdef01234567",
        "dirty": False,
    }
    done = cli(str(V2 / "starlette.json"), str(write(tmp_path / "starlette.json", new)))
    assert done.returncode == 0, done.stderr
    new_line = next(line for line in done.stdout.splitlines() if line.strip().startswith("new:"))
    assert "install git+https://example.invalid/starlette@topic, installed 1.11.0.dev0" in new_line
    assert "commit 0123456789ab, clean checkout" in new_line
    assert "pinned requirements" in next(line for line in done.stdout.splitlines() if line.strip().startswith("old:"))


def test_across_machines_the_verdict_compares_the_shares(tmp_path: Path) -> None:
    old = read(V2, "django")
    other = scaled(old, 2.0)  # a faster machine: every req/s doubled, shares too here, so they differ
    other["machine"]["cpu_model"] = "another processor"
    done = cli(str(V2 / "django.json"), str(write(tmp_path / "django.json", other)))
    assert done.returncode == 0, done.stderr
    assert "not one boot of one machine" in done.stdout
    for scenario, cells in table(done.stdout).items():
        share = old["scenarios"][scenario]["share"]
        expected = ranking.verdict(Spread(share["median"], share["min"], share["max"], len(share["pairs"])),
                                   figures.share(other, scenario).spread)  # fmt: skip
        assert cells[column("verdict")] == f"{expected}, by share of asgi, across machines"
        assert cells[column("change")] == f"{1.0:+.1%}"


def test_the_machines_speeds_are_compared_through_asgi_s_cost_per_request() -> None:
    """A share moves more between runs whose machines ran asgi at different speeds: compare says how
    they differed, from asgi's CPU time per request in each result's pairs (schema 3)."""
    old, new = (V3 / "starlette-1.json", V3 / "starlette-2.json")
    costs = [
        [statistics.median(pair["baseline"]["cpu_us_per_request"] for pair in entry["pairs"])
         for entry in json.loads(path.read_text())["scenarios"].values()]
        for path in (old, new)
    ]  # fmt: skip
    speed = statistics.median(was / now for was, now in zip(*costs, strict=True))
    line = f"the machine's speed, new / old: {speed:.2f} (asgi's CPU time per request in old's pairs over new's"
    for args, shown in (([], line), (["--markdown"], markdown.cell(line))):  # a markdown cell escapes quotes
        done = cli(*args, str(old), str(new))
        assert done.returncode == 0, done.stderr
        assert shown in done.stdout
    assert "the machine's speed" not in cli(str(V2 / "django.json"), str(V2 / "django.json")).stdout  # no pairs


@pytest.mark.parametrize(("setting", "value"), [("connections", 32), ("duration_s", 15), ("tool", "python")])
def test_results_with_other_load_settings_are_refused(tmp_path: Path, setting: str, value: object) -> None:
    new = read(V2, "falcon")
    old_value = new["load"][setting]
    new["load"][setting] = value
    done = cli(str(V2 / "falcon.json"), str(write(tmp_path / "falcon.json", new)))
    assert done.returncode == 2 and done.stdout == ""
    assert "the load settings differ" in done.stderr
    assert f"falcon: {setting} {old_value} (old) against {value} (new)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.json", "no result file or folder at"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no result files (*.json) in"),
        (lambda tmp: write(tmp / "x.json", {"framework": "x"}), "does not match the result schema"),
        (lambda tmp: V1 / "broken.json", "not valid JSON"),
    ],
    ids=["missing", "empty-folder", "invalid", "broken"],
)
def test_bad_input_gets_a_clear_message_and_exit_code_2(tmp_path: Path, make, message: str) -> None:
    done = cli(str(V2 / "asgi.json"), str(make(tmp_path)))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_folders_without_a_framework_in_common_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "old" / "asgi.json", read(V2, "asgi"))
    write(tmp_path / "new" / "falcon.json", read(V2, "falcon"))
    done = cli(str(tmp_path / "old"), str(tmp_path / "new"))
    assert done.returncode == 2 and "no framework in both" in done.stderr


def test_help_states_the_verdict_method() -> None:
    done = cli("--help")
    assert done.returncode == 0
    assert " ".join(ranking.NOISE_RULE.split()) in " ".join(done.stdout.split())
