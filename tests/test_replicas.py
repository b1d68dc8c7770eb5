"""Replicas of one framework, each from its own runner, merged by the report: on real results
(tests/data/results-v3/, two replicas of starlette measured one after the other)."""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import pytest

from scripts.frameworks import ROOT
from scripts.measure import results
from scripts.report import audit, batches, figures, replicas
from scripts.scenarios import SCENARIOS

V3 = ROOT / "tests" / "data" / "results-v3"
DATE = "2026-01-02"


def members() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(V3.glob("starlette-*.json"))]


def test_the_fixtures_are_two_replicas_of_one_set() -> None:
    found = members()
    assert [result["replica"] for result in found] == [{"index": 1, "of": 2}, {"index": 2, "of": 2}]
    assert all(set(result["scenarios"]) == set(SCENARIOS) for result in found)


def test_the_merged_share_is_the_median_of_the_replicas_and_its_range_is_between_them() -> None:
    batch = batches.load_batch(V3, DATE)
    merged = batch.results["starlette"]
    results.validate(merged)
    audit.audit(merged)
    for scenario in SCENARIOS:
        medians = [result["scenarios"][scenario]["share"]["median"] for result in members()]
        share = figures.share(merged, scenario)
        assert share.spread.median == pytest.approx(statistics.median(medians))
        assert (share.spread.low, share.spread.high) == (min(medians), max(medians))
        assert share.spread.repeats == 2
        pooled = [run["rps"] for result in members() for run in result["scenarios"][scenario]["runs"]]
        assert merged["scenarios"][scenario]["summary"]["rps_median"] == pytest.approx(statistics.median(pooled))


def test_a_tampered_replica_or_merge_is_refused() -> None:
    merged = replicas.merge(members())
    merged["replicas"][1]["scenarios"]["json"]["share"]["median"] = 0.99
    with pytest.raises(audit.Untrue, match=r"^replicas\[1\]\.scenarios\.json\.share\.median is 0\.99"):
        audit.audit(merged)
    merged = replicas.merge(members())
    merged["scenarios"]["html"]["share"]["max"] = 0.99
    with pytest.raises(audit.Untrue, match=r"^scenarios\.html\.share\.max is 0\.99, its runs give"):
        audit.audit(merged)


def test_replicas_that_do_not_make_one_set_are_named_and_left_out(tmp_path: Path) -> None:
    for path in V3.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    second = json.loads((tmp_path / "starlette-2.json").read_text())
    second["replica"]["index"] = 1
    (tmp_path / "starlette-2.json").write_text(json.dumps(second))
    batch = batches.load_batch(tmp_path, DATE)
    assert "starlette" not in batch.results
    reasons = {problem.file: problem.reason for problem in batch.problems if problem.file}
    assert reasons == {name: "a replica appears twice (indices [1, 1]); none of starlette-1.json, starlette-2.json "
                       "is used" for name in ("starlette-1.json", "starlette-2.json")}  # fmt: skip
