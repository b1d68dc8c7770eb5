"""The load generator's fixed-rate mode (open model) against real servers over real HTTP."""

from __future__ import annotations

import subprocess
import sys
from array import array
from pathlib import Path

import pytest

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.load import drive, fixedrate
from scripts.serve import cpus
from scripts.serve.server import Server

FAULTY = Path(__file__).parent / "faulty"
SPLIT = cpus.split()


@pytest.fixture
def faulty_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the apps from tests/faulty, as BENCH_FRAMEWORKS_DIR does for a new process."""
    monkeypatch.setattr(frameworks, "FRAMEWORKS_DIR", FAULTY)
    monkeypatch.setattr(frameworks, "REGISTRY", FAULTY / "frameworks.toml")


def _stalling_server(monkeypatch: pytest.MonkeyPatch, stall_s: float, every_s: float) -> Server:
    monkeypatch.setenv("FAULTY_STALL_S", str(stall_s))
    monkeypatch.setenv("FAULTY_STALL_EVERY_S", str(every_s))
    return Server(frameworks.get("faulty-stall"), cores=SPLIT.server)


STALL_S = 0.2
EVERY_S = 2.0
RATE = 400
SECONDS = 10
CONNECTIONS = 4


@pytest.mark.usefixtures("faulty_apps")
def test_the_fixed_rate_shows_a_stall_that_the_closed_loop_hides(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app blocks its event loop for 0.2 s every 2 s; each load runs 10 s on 4 connections.

    Fixed rate, 400 req/s, latency from the due time: any 10 s window holds at least 4 whole
    stalls (each starts at most 2 s and a request's interval after the last). The requests due
    in the first 0.1 s of a stall (40) are answered after it ends: at least 160 of the 4,000
    requests (4%) take 100 ms or more, and p99 needs only 1% (41) to do so.

    Measured from the send instead, only the requests sent before a stall ends would show it:
    at most one per connection, as the next waits for the answer. 10 s hold at most 6 stalls,
    so at most 24 requests: under 1% of 4,000 (a fixed rate that ignored the wait for a
    connection), and under 1% of the closed loop's requests once it completes more than 2,400
    (240 req/s, a few percent of what this app serves here). So the closed loop's p99 stays
    under 100 ms, while its max (a request that met a stall) shows it. (wrk is left out: it
    corrects its percentiles afterwards, adding the samples a steady schedule would have met.)
    """
    stall_ms = STALL_S * 1000
    with _stalling_server(monkeypatch, STALL_S, EVERY_S) as server:
        fixed = drive.fixed_rate(server.base_url, "html", RATE, CONNECTIONS, SECONDS, SPLIT.client)
        closed = drive.run("python", server.base_url, "html", CONNECTIONS, SECONDS, SPLIT.client)
    assert fixed["errors"] == 0 and fixed["requests"] == RATE * SECONDS
    assert not fixed["overloaded"] and not fixed["client_bound"], fixed
    assert fixed["latency_ms"]["p99"] >= stall_ms / 2, fixed
    assert fixed["latency_ms"]["max"] >= stall_ms, fixed
    delayed_at_most = CONNECTIONS * (SECONDS // EVERY_S + 1)
    assert closed["requests"] > 100 * delayed_at_most, f"too few requests for the arithmetic: {closed}"
    assert closed["latency_ms"]["max"] >= stall_ms, f"the closed loop never met a stall: {closed}"
    assert closed["latency_ms"]["p99"] < stall_ms / 2, closed


def test_an_easy_rate_is_kept_within_one_percent() -> None:
    """1,000 req/s is a few percent of what the baseline serves here, so it keeps the rate."""
    rate, seconds = 1000, 5
    with Server(frameworks.get(frameworks.BASELINE), cores=SPLIT.server) as server:
        result = drive.fixed_rate(server.base_url, "html", rate, 64, seconds, SPLIT.client)
    assert result["rate_asked"] == rate
    assert result["rate_achieved"] == pytest.approx(rate, rel=0.01), result
    assert not result["overloaded"], result
    assert result["requests"] == rate * seconds and result["errors"] == 0, result
    assert seconds <= result["duration_s"] < seconds * 1.01
    assert set(result["latency_ms"]) == {"p50", "p90", "p99", "p99.9", "max"}


@pytest.mark.usefixtures("faulty_apps")
def test_a_rate_the_server_cannot_carry_is_flagged_overloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each request blocks the app for 10 ms, so it answers at most 100 req/s; 200 are asked.

    The queue then grows by at least 100 requests a second: at least 300 wait from the last
    quarter of the 4 s window on, far above 1% of the 800 scheduled. The run waits up to the
    request timeout (5 s) for the last answers, at most 100 a second.
    """
    rate, seconds = 200, 4
    with _stalling_server(monkeypatch, 0.01, 0) as server:
        result = drive.fixed_rate(server.base_url, "html", rate, CONNECTIONS, seconds, SPLIT.client)
    assert result["overloaded"], result
    assert result["rate_achieved"] <= 100 * 1.01, result
    assert not result["client_bound"], result


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rate", "0"], "--rate must be a positive number"),
        (["--rate", "nan"], "--rate must be a positive number"),
        (["--rate", "fast"], "invalid float value"),
        (["--rate", "10", "--duration", "-1"], "--duration must be a positive number"),
    ],
)
def test_bad_rates_get_a_clear_error(args: list[str], message: str) -> None:
    command = [sys.executable, "-m", "scripts.load", "--url", "http://127.0.0.1:9", "--scenario", "html", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_percentiles_are_exact_nearest_ranks() -> None:
    samples = array("q", [ms * 1_000_000 for ms in range(2000, 0, -1)])  # 1 .. 2000 ms, unsorted
    assert fixedrate._percentiles(samples) == {"p50": 1000, "p90": 1800, "p99": 1980, "p99.9": 1998, "max": 2000}
    assert fixedrate._percentiles(array("q")) == dict.fromkeys(["p50", "p90", "p99", "p99.9", "max"])
