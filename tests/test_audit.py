"""The report refuses a result whose figures cannot be true: tampered copies of real results
(tests/data/results-v2/, measured), one per kind of lie; the rest of the run renders as before."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from scripts.frameworks import ROOT
from scripts.report import audit, batches, render

V2 = ROOT / "tests" / "data" / "results-v2"
DATE = "2026-01-02"


def real(name: str = "starlette") -> dict:
    return json.loads((V2 / f"{name}.json").read_text())


def html(result: dict) -> dict:
    return result["scenarios"]["html"]


LIES: dict[str, tuple[Callable[[dict], None], str]] = {
    "a median req/s no run gave": (
        lambda r: html(r)["summary"].update(rps_median=1e308),
        "scenarios.html.summary.rps_median is 1e+308, its runs give",
    ),
    "a narrower range": (lambda r: html(r)["summary"].update(rps_min=html(r)["summary"]["rps_median"]),
                         "scenarios.html.summary.rps_min is"),
    "a smaller CV": (lambda r: html(r)["summary"].update(rps_cv=0.0001), "scenarios.html.summary.rps_cv is 0.0001"),
    "an unstable flag cleared": (
        lambda r: html(r)["summary"]["flags"].update(unstable=not html(r)["summary"]["flags"]["unstable"]),
        "scenarios.html.summary.flags.unstable is",
    ),
    "a better share of asgi": (lambda r: html(r)["share"].update(median=0.99), "scenarios.html.share.median is 0.99"),
    "a pair's share edited": (lambda r: html(r)["share"]["pairs"].__setitem__(0, 0.9),
                              "scenarios.html.share.pairs[0] is 0.9"),
    "errors hidden": (lambda r: html(r)["runs"][0]["errors"].update(timeout=7),
                      "scenarios.html.summary.error_share is 0.0, its runs give"),
    "a run's req/s not its 2xx over its duration": (lambda r: html(r)["runs"][1].update(rps=1e6),
                                                    "scenarios.html.runs[1].rps is 1000000.0"),
    "a number that is not finite": (lambda r: html(r)["runs"][0]["latency_ms"].update(p99=float("nan")),
                                    "scenarios.html.runs[0].latency_ms.p99 is nan, not a finite number"),
    "a negative count": (lambda r: html(r)["runs"][0]["errors"].update(timeout=-3),
                         "scenarios.html.runs[0].errors.timeout is -3, below zero"),
    "a p50 above the p99": (lambda r: html(r)["runs"][0]["latency_ms"].update(p50=1000.0),
                            "scenarios.html.runs[0].latency_ms: p50 1000.0 is above p75"),
    "more 2xx answers than requests": (
        lambda r: html(r)["runs"][0].update(status_2xx=html(r)["runs"][0]["requests"] + 1),
        "scenarios.html.runs[0]:",
    ),
    "fewer instructions than counted": (lambda r: html(r)["instructions"].update(per_request=1000.0),
                                        "scenarios.html.instructions.per_request is 1000.0, its runs give"),
    "a baseline made slower": (lambda r: r["baseline"]["scenarios"]["html"]["summary"].update(rps_median=1.0),
                               "baseline.scenarios.html.summary.rps_median is 1.0"),
    "a half-load p99 under its p50": (lambda r: html(r)["fixed_rate"]["latency_ms"].update(p99=0.0),
                                      "scenarios.html.fixed_rate.latency_ms: p90"),
}  # fmt: skip


def test_every_real_result_passes_the_audit() -> None:
    for path in [*V2.glob("*.json"), *(ROOT / "tests" / "data" / "results").glob("[!b]*.json")]:
        audit.audit(json.loads(path.read_text()))
    for path in (ROOT / "downloads").glob("*.json"):
        assert batches.load_run_file(path).results


@pytest.mark.parametrize("lie", list(LIES))
def test_a_tampered_result_is_refused_naming_the_field(lie: str) -> None:
    tamper, expected = LIES[lie]
    result = real()
    tamper(result)
    with pytest.raises(audit.Untrue) as refused:
        audit.audit(result)
    assert str(refused.value).startswith(expected), str(refused.value)
    assert "\n" not in str(refused.value)


def render_post(folder: Path, site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    for name in ("_config.yml", "_layouts", "assets"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / name)
    assert render.main(["--results", str(folder), "--date", DATE, "--site", str(site)]) == 0
    return (site / "_posts" / f"{DATE}-results.md").read_text(), capsys.readouterr().err


def test_the_run_renders_without_the_refused_result_and_says_why(tmp_path: Path, capsys) -> None:
    tampered, unreadable = tmp_path / "tampered", tmp_path / "unreadable"
    for folder in (tampered, unreadable):
        shutil.copytree(V2, folder, ignore=shutil.ignore_patterns("*.md"))
    result = real()
    LIES["a median req/s no run gave"][0](result)
    (tampered / "starlette.json").write_text(json.dumps(result))
    (unreadable / "starlette.json").write_text("{")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    post, err = render_post(tampered, tmp_path / "a", capsys)
    reference, reference_err = render_post(unreadable, tmp_path / "b", capsys)

    lines = [line for line in err.splitlines() if "starlette.json" in line]
    assert (
        len(lines) == 1 and "refused, a figure cannot be true: scenarios.html.summary.rps_median is 1e+308" in lines[0]
    )
    assert "Traceback" not in err
    # The figure shows only where the reason is given; with the reason set aside, the post is that of
    # a run whose starlette file could not be read at all.
    reasons = re.compile(r"starlette\.json`?: [^|\n]*")
    assert all(reasons.search(line)[0].rstrip().endswith("1e+308, its runs give 29081.88435696331")
               for line in post.splitlines() if "1e+308" in line)  # fmt: skip
    assert "0" * 300 not in post
    assert reasons.sub("REASON", post) == reasons.sub("REASON", reference)
