"""The benchmark runner end to end: real servers, real load generators, schema-valid results."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.frameworks import ROOT
from scripts.measure import instructions, results
from scripts.measure.steps import DEFAULTS
from scripts.scenarios import SCENARIOS
from scripts.serve import procstats

FAULTY = Path(__file__).parent / "faulty"
QUICK = (
    "--pairs 1 --pair-duration 1 --duration 1 --warmup 0 --repeat 1 --fixed-rate-duration 0 --instruction-requests 0"
).split()


def bench(tmp_path: Path, *args: str, frameworks_dir: Path | None = None) -> tuple[subprocess.CompletedProcess, Path]:
    """Run the bench command with its own empty temp and upload folders, so any leftover file shows."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "BENCH_UPLOAD_ROOT": str(scratch)}
    if frameworks_dir:
        env["BENCH_FRAMEWORKS_DIR"] = str(frameworks_dir)
    output = tmp_path / "results"
    command = [sys.executable, "-m", "scripts.measure.bench", *args, "--output", str(output)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert list(scratch.iterdir()) == [], "the run left temporary files behind"
    return done, output


@pytest.mark.parametrize("client", ["wrk", "python"])
def test_smoke_run_of_the_baseline(tmp_path: Path, client: str) -> None:
    if client == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed (.ci/run installs it)")
    done, output = bench(tmp_path, "asgi", *QUICK, "--client", client)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((output / "asgi.json").read_text())
    results.validate(result)
    assert result["status"] == "ok"
    assert result["load"]["tool"] == client
    assert list(result["scenarios"]) == list(SCENARIOS)
    for name, entry in result["scenarios"].items():
        run = entry["runs"][0]
        assert run["status_2xx"] > 0, name
        assert run["rps"] == pytest.approx(run["status_2xx"] / run["duration_s"])
        assert 0.5 < run["duration_s"] < 3
    baseline = result["baseline"]
    assert baseline["status"] == "ok"
    for name, entry in result["scenarios"].items():
        alone = baseline["scenarios"][name]["runs"]
        assert len(alone) == len(entry["runs"]) and alone[0]["status_2xx"] > 0, name
        # The share comes from the pairs run at the same time: asgi's CPU time per request over the framework's.
        assert len(entry["pairs"]) == 1 and entry["pairs"][0]["baseline"]["status_2xx"] > 0, name
        costs = [(pair["baseline"]["cpu_us_per_request"], pair["framework"]["cpu_us_per_request"]) for pair in
                 entry["pairs"]]  # fmt: skip
        assert entry["share"]["method"] == "cpu_per_request", name
        assert entry["share"]["pairs"] == [theirs / mine for theirs, mine in costs], name
    assert result["load"]["pairs"]["cgroups"] in ("v1", "v2", None)
    assert result["machine"]["boot_id_sha256"] and result["machine"]["cpu_flags_sha256"]
    assert result["versions"]["server"] == {"name": "uvicorn", "version": "0.54.0"}
    assert result["versions"]["http_parser"]["name"] == "httptools"
    assert result["versions"]["python"] == platform.python_version()
    text = (output / "asgi.json").read_text()
    for machine_path in (str(ROOT), str(tmp_path), "/dev/shm"):
        assert machine_path not in text, f"the result names {machine_path}, a path of this machine"
    assert "{port}" in result["server"]["command"]
    assert result["server"]["upload_filesystem"] not in (None, "unknown")
    assert all(check["passed"] for check in result["verification"])
    assert "asgi (" in done.stdout and "req/s" in done.stdout


def test_the_pairs_run_in_rounds_and_the_run_prints_how_the_machine_s_speed_moved(tmp_path: Path) -> None:
    """One pair of every scenario per round, so a slow stretch of the machine falls on one pair of
    each scenario; the summary prints asgi's speed per round from those very pairs."""
    args = ["--pairs", "3", "--pair-duration", "1", "--duration", "1", "--warmup", "0", "--repeat", "1", "--scenarios",
            "html,api", "--client", "python", "--fixed-rate-duration", "0", "--instruction-requests", "0"]  # fmt: skip
    done, output = bench(tmp_path, "asgi", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    labels = [line.split(" (")[0].strip() for line in done.stderr.splitlines() if " pair " in line]
    assert labels == [f"{name} pair {repeat}/3" for repeat in (1, 2, 3) for name in ("html", "api")]
    result = json.loads((output / "asgi.json").read_text())
    assert result["load"]["pairs"]["order"] == "rounds" and result["load"]["pairs"]["fresh_servers"]
    rounds = [line.strip() for line in done.stderr.splitlines() if line.strip().startswith("round ")]
    assert rounds == ["round 2/3: fresh servers", "round 3/3: fresh servers"]
    per_round: dict[int, list[float]] = {}
    for entry in result["scenarios"].values():
        assert [pair["round"] for pair in entry["pairs"]] == [1, 2, 3]
        costs = [pair["baseline"]["cpu_us_per_request"] for pair in entry["pairs"]]
        for pair, cost in zip(entry["pairs"], costs, strict=True):
            per_round.setdefault(pair["round"], []).append(sorted(costs)[1] / cost)
    speeds = ", ".join(f"{sum(values) / 2:.2f}" for values in per_round.values())  # the median of two
    assert f"asgi's speed per round of pairs, relative to the run (1: its median): {speeds}" in done.stdout


def test_a_run_records_instructions_and_half_load_latency_for_the_framework_and_its_baseline(
    tmp_path: Path,
) -> None:
    if instructions.unavailable_reason():
        pytest.skip(f"instructions cannot be counted here: {instructions.unavailable_reason()}")
    args = ["--pairs", "1", "--pair-duration", "1", "--duration", "1", "--warmup", "0", "--repeat", "2",
            "--scenarios", "html,api", "--client", "python"]  # fmt: skip
    done, output = bench(tmp_path, "starlette", *args, "--fixed-rate-duration", "2", "--instruction-requests", "50")
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((output / "starlette.json").read_text())
    assert result["instructions"]["version"] == instructions.version() and result["instructions"]["requests"] == 50
    for name in ("html", "api"):
        counted = result["scenarios"][name]["instructions"]
        baseline = result["baseline"]["scenarios"][name]["instructions"]
        assert len(counted["counts"]) == DEFAULTS.instruction_counts, name
        assert counted["per_request"] > baseline["per_request"] > 0, name
        half_load = result["scenarios"][name]["fixed_rate"]
        median = statistics.median(run["rps"] for run in result["scenarios"][name]["runs"])
        assert half_load["rate_asked"] == pytest.approx(median / 2) and half_load["requests"] > 0, name
    assert result["timings"]["instructions_s"] > 0


def test_scenarios_pick_a_subset(tmp_path: Path) -> None:
    done, output = bench(tmp_path, "asgi", *QUICK, "--client", "python", "--scenarios", "api")
    assert done.returncode == 0, done.stderr
    assert list(json.loads((output / "asgi.json").read_text())["scenarios"]) == ["api"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuch"], "invalid choice: 'nosuch'"),
        (["asgi", "--duration", "0"], "must be at least 1"),
        (["asgi", "--scenarios", "html,bogus"], "unknown scenario"),
        (["asgi", "--repeat", "two"], "expected a whole number"),
    ],
)
def test_bad_options_get_a_clear_error(tmp_path: Path, args: list[str], message: str) -> None:
    done, output = bench(tmp_path, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not output.exists()


@pytest.mark.parametrize(
    "name, error, output",
    [
        ("faulty-start", "exited with code", "this app fails to start on purpose"),
        ("faulty-crash", "the server crashed during", "faulty-crash: exiting on purpose"),
        ("faulty-hang", "stopped answering", None),
    ],
)
def test_a_failing_app_still_yields_a_result(tmp_path: Path, name: str, error: str, output: str | None) -> None:
    done, directory = bench(tmp_path, name, "--pairs", "1", "--pair-duration", "3", "--duration", "3", "--warmup",
                            "0", "--repeat", "1", "--client", "python", "--scenarios", "html",
                            frameworks_dir=FAULTY)  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads((directory / f"{name}.json").read_text())
    results.validate(result)
    assert result["status"] == "failed"
    assert error in result["error"]
    if output:
        assert output in result["server_output"]
    assert result["scenarios"]["html"]["status"] == "failed"
    assert "FAILED" in done.stdout


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_run_leaves_nothing_behind(tmp_path: Path, sig: signal.Signals) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    output = tmp_path / "results"
    command = [sys.executable, "-m", "scripts.measure.bench", "asgi", "--duration", "30", "--warmup", "0",
               "--repeat", "1", "--client", "python", "--output", str(output)]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(scratch), "BENCH_UPLOAD_ROOT": str(scratch)}
    bench_process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not any(b"scripts.load" in _cmdline(pid) for pid in procstats.tree(bench_process.pid)):
            assert time.monotonic() < deadline, "the load never started"
            time.sleep(0.2)
        children = procstats.tree(bench_process.pid)[1:]
        bench_process.send_signal(sig)
        _, errors = bench_process.communicate(timeout=60)
    finally:
        bench_process.kill()
    assert bench_process.returncode == 130, errors
    assert "interrupted" in errors and "Traceback" not in errors
    # A child may still be on its way out on a busy machine; one that outlives the run stays.
    deadline = time.monotonic() + 10
    while (left := [pid for pid in children if Path(f"/proc/{pid}").exists()]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []
    assert list(scratch.iterdir()) == []
    assert not (output / "asgi.json").exists()
