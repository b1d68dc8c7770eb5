"""`reproduce` on real results: the rank agreement, the share ratios and the false "moved" verdicts,
each checked against what the result files themselves hold."""

from __future__ import annotations

import json
import math
import shutil
import statistics
from pathlib import Path

import pytest

from scripts.measure import results
from scripts.report import ranking, reproduce
from scripts.scenarios import SCENARIOS, SEED

DATA = Path(__file__).parent / "data" / "results-v3"
ROUNDS = Path(__file__).parent / "data" / "results-v4"  # eight frameworks in rounds on fresh servers


def run_folder(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    """A folder of results laid out as one run: each fixture copied under the framework's name."""
    folder = tmp_path / name
    folder.mkdir()
    for framework, fixture in files.items():
        shutil.copy(DATA / f"{fixture}.json", folder / f"{framework}.json")
    return folder


def shares(fixture: str) -> dict[str, dict]:
    return {
        scenario: entry["share"]
        for scenario, entry in json.loads((DATA / f"{fixture}.json").read_text())["scenarios"].items()
    }


@pytest.mark.parametrize(
    ("first", "second", "tau"),
    [
        ([1, 2, 3, 4], [10, 20, 30, 40], 1.0),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
        ([1, 2, 3, 4], [1, 3, 2, 4], 4 / 6),  # one swapped pair of six
        ([1, 1, 2], [1, 2, 3], 2 / math.sqrt(2 * 3)),  # a tie on one side: tau-b
    ],
)
def test_kendall_tau(first: list[float], second: list[float], tau: float) -> None:
    assert reproduce.kendall_tau(first, second) == pytest.approx(tau)


def test_a_run_against_itself_agrees_fully(tmp_path: Path) -> None:
    run = run_folder(tmp_path, "a", {"starlette": "starlette-1", "fastapi": "fastapi", "litestar": "litestar"})
    found = reproduce.agreement(reproduce.read_run(run), reproduce.read_run(run))
    assert found.taus == {"full": (1.0, 3), "seed": (1.0, 3)}
    assert set(found.ratios.values()) == {1.0}
    assert found.moved == [] and found.still_moved == []
    # Five pairs against five: 2 / C(10, 5) per scenario and framework. A replica alone (starlette's
    # fixture is replica 1 of 2) is one figure per scenario: no range, no odds.
    expected = len(SCENARIOS) * 2 * 2 / math.comb(10, 5)
    assert found.expected == pytest.approx(expected)


def test_eight_frameworks_measured_in_rounds_against_themselves_agree_fully() -> None:
    run = reproduce.read_run(ROUNDS)
    names = sorted(path.stem for path in ROUNDS.glob("*.json"))
    assert sorted(run.results) == names and list(run.unused()) == []
    found = reproduce.agreement(run, run)
    assert found.taus == {"full": (1.0, len(names)), "seed": (1.0, len(names))}
    assert found.ratios == {(name, scenario): 1.0 for name in names for scenario in SCENARIOS}
    assert found.moved == [] and found.speeds == [1.0] * len(names)
    for result in run.results.values():
        rounds = result["load"]["pairs"]["repeat"]
        for entry in result["scenarios"].values():
            assert [pair["round"] for pair in entry["pairs"]] == list(range(1, rounds + 1))


def test_two_replicas_give_the_ratios_and_verdicts_their_medians_hold(tmp_path: Path) -> None:
    first = run_folder(tmp_path, "a", {"starlette": "starlette-1"})
    second = run_folder(tmp_path, "b", {"starlette": "starlette-2"})
    found = reproduce.agreement(reproduce.read_run(first), reproduce.read_run(second))
    a, b = shares("starlette-1"), shares("starlette-2")
    assert found.ratios == {("starlette", s): pytest.approx(b[s]["median"] / a[s]["median"]) for s in SCENARIOS}
    # One replica on each side is one figure each: the noise rule calls a gap of UNSTABLE_CV or more.
    apart = {
        s for s in SCENARIOS
        if abs(a[s]["median"] - b[s]["median"]) / max(a[s]["median"], b[s]["median"]) >= results.UNSTABLE_CV
    }  # fmt: skip
    assert apart, "the noisy fixtures differ somewhere: the test must see a verdict"
    assert {scenario for _, scenario, _ in found.moved} == apart
    # Both replicas come from one boot: a move within the tolerance of one machine is no verdict.
    tolerated = {s for s in apart if ranking.tolerated(b[s]["median"] / a[s]["median"], one_boot=True)}
    assert {scenario for _, scenario in found.still_moved} == apart - tolerated
    text = reproduce.render(found, first, second)
    assert f"'moved beyond the noise' by the noise rule: {len(apart)} of {len(SCENARIOS)}" in text
    assert f"(the seed scenarios: {len(apart & set(SEED))} of {len(SEED)})" in text
    # How fast each run's machine ran asgi: its CPU time per request in A's pairs over B's, per scenario.
    costs = [
        [statistics.median(pair["baseline"]["cpu_us_per_request"] for pair in entry["pairs"])
         for entry in json.loads((DATA / f"{fixture}.json").read_text())["scenarios"].values()]
        for fixture in ("starlette-1", "starlette-2")
    ]  # fmt: skip
    speed = statistics.median(was / now for was, now in zip(*costs, strict=True))
    assert found.speeds == [pytest.approx(speed)]
    assert "the machine's speed B / A (per framework: asgi's CPU time per request in A's pairs over B's" in text
    assert f"over 1 frameworks: median {speed:.2f}, from {speed:.2f} to {speed:.2f}" in text


def test_a_missing_folder_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert reproduce.main([str(tmp_path / "nowhere"), str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("reproduce: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_across_machines_a_move_within_the_tolerance_is_no_verdict() -> None:
    downloads = Path(__file__).parents[1] / "downloads"
    first, second = (reproduce.read_run(downloads / f"2026-11-{day}.json") for day in (25, 27))
    found = reproduce.agreement(first, second)
    moved = {(name, scenario) for name, scenario, _ in found.moved}
    assert set(found.still_moved) <= moved
    forgiven = moved - set(found.still_moved)
    assert forgiven, "the two published runs hold moves within the tolerance: the test must see one"
    for key in forgiven:
        assert max(found.ratios[key], 1 / found.ratios[key]) <= 1 + ranking.SHARE_TOLERANCE
    for key in found.still_moved:
        assert max(found.ratios[key], 1 / found.ratios[key]) > 1 + ranking.SHARE_TOLERANCE
