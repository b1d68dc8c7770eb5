"""Instructions per request, counted under Valgrind on real servers over real HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.measure import instructions
from scripts.serve import procstats

pytestmark = pytest.mark.skipif(not instructions.available(), reason=str(instructions.unavailable_reason()))

WARMUP = 50
REQUESTS = 200
AGREEMENT = 0.01


@pytest.fixture
def owned_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files and upload folders of the harness, the server and Valgrind all land here."""
    for name in ("tmp", "uploads"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setenv("BENCH_UPLOAD_ROOT", str(tmp_path / "uploads"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


class _Children:
    """Every process started below the test while it runs, seen by polling /proc."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.is_set():
            self.seen.update(pid for pid in procstats.tree(os.getpid()) if pid != os.getpid())
            time.sleep(0.05)

    def __enter__(self) -> _Children:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def _spread(counts: list[float]) -> float:
    return (max(counts) - min(counts)) / min(counts)


def test_two_counts_agree_and_a_framework_costs_more_than_asgi(owned_temp: Path) -> None:
    with _Children() as children:
        asgi = instructions.count(frameworks.get("asgi"), ["html", "api", "upload"], WARMUP, REQUESTS, repeat=2)
        starlette = instructions.count(frameworks.get("starlette"), ["html", "api"], WARMUP, REQUESTS, repeat=2)
    for name, counted in [("asgi", asgi), ("starlette", starlette)]:
        for scenario, figures in counted.items():
            assert len(figures["counts"]) == 2
            assert _spread(figures["counts"]) <= AGREEMENT, f"{name} {scenario}: {figures['counts']}"
            assert min(figures["counts"]) <= figures["per_request"] <= max(figures["counts"])
    for scenario in ["html", "api"]:
        assert starlette[scenario]["per_request"] > asgi[scenario]["per_request"] * 1.2, scenario
    # A raw app does a few tens of thousands of instructions per request at the least, a JSON body more.
    assert 20_000 < asgi["html"]["per_request"] < asgi["api"]["per_request"]
    assert children.seen, "the servers should have run as children of the test"
    assert not [pid for pid in children.seen if Path(f"/proc/{pid}").exists()], "a process outlived the count"
    assert sorted(owned_temp.rglob("*")) == [owned_temp / "tmp", owned_temp / "uploads"], "a file outlived the count"


@pytest.mark.parametrize(
    ("per_request", "cycle", "expected"),
    [
        (100_000, 1, REQUESTS),  # cheap: every request is counted
        (instructions.COUNT_BUDGET / REQUESTS, 1, REQUESTS),  # exactly the budget
        (instructions.COUNT_BUDGET / 50, 1, 50),  # as many as fit
        (instructions.COUNT_BUDGET / 50, 16, 64),  # in whole turns of the scenario's 16 requests
        (instructions.COUNT_BUDGET, 1, instructions.MIN_REQUESTS),  # never fewer than the minimum
        (0.0, 1, REQUESTS),  # a probe that cost nothing (timers outweighed it) counts them all
    ],
)
def test_planned_requests_fit_the_budget(per_request: float, cycle: int, expected: int) -> None:
    assert instructions.planned(REQUESTS, per_request, cycle) == expected


def test_a_costly_scenario_counted_over_fewer_requests_gives_the_same_count(
    owned_temp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """asgi's json request costs about ten times its html one: with a budget between the two sets,
    json is counted over fewer requests, and the count per request is the same as over all of them."""
    asgi = frameworks.get("asgi")
    monkeypatch.setattr(instructions, "COUNT_BUDGET", 10**12)
    full = instructions.count(asgi, ["html", "json"], WARMUP, REQUESTS, repeat=1)
    budget = int(full["html"]["per_request"] * REQUESTS * 2)
    monkeypatch.setattr(instructions, "COUNT_BUDGET", budget)
    fitted = instructions.count(asgi, ["html", "json"], WARMUP, REQUESTS, repeat=1)
    assert full["json"]["requests"] == full["html"]["requests"] == fitted["html"]["requests"] == [REQUESTS]
    expected = max(budget // full["json"]["per_request"], instructions.MIN_REQUESTS)
    assert instructions.MIN_REQUESTS <= fitted["json"]["requests"][0] < REQUESTS
    assert abs(fitted["json"]["requests"][0] - expected) <= 1  # the probe's estimate, not the full count
    assert _spread([full["json"]["per_request"], fitted["json"]["per_request"]]) <= AGREEMENT


def test_ctrl_c_stops_valgrind_and_leaves_no_file(owned_temp: Path) -> None:
    command = [sys.executable, "-m", "scripts.measure.instructions", "asgi", "--scenarios", "html",
               "--requests", "1000000", "--repeat", "1"]  # fmt: skip
    cli = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        # Counting has begun once callgrind's instrumentation is on: its first dump (the idle count) is written.
        while not any(owned_temp.glob("tmp/bench-instructions-*/callgrind.out.*")):
            assert cli.poll() is None, cli.communicate()[1]  # it exited: its own account
            assert time.monotonic() < deadline, "no callgrind dump within 120 s"
            time.sleep(0.1)
        servers = [pid for pid in procstats.tree(cli.pid) if pid != cli.pid]
        assert servers
        cli.send_signal(signal.SIGINT)
        assert cli.wait(60) == 130
    finally:
        cli.kill()
        cli.wait()
    assert not [pid for pid in servers if Path(f"/proc/{pid}").exists()]
    assert sorted(owned_temp.rglob("*")) == [owned_temp / "tmp", owned_temp / "uploads"]


def test_bad_input_is_refused_clearly() -> None:
    for arguments in (["nosuch"], ["asgi", "--requests", "0"], ["asgi", "--scenarios", "html,nosuch"]):
        done = subprocess.run(
            [sys.executable, "-m", "scripts.measure.instructions", *arguments], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 2, arguments
        assert "Traceback" not in done.stderr


def test_without_valgrind_the_reason_is_given(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.measure.instructions", "asgi"],
        cwd=ROOT,
        env={**os.environ, "PATH": str(tmp_path)},  # a folder with no valgrind in it
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "valgrind" in done.stderr and "not installed" in done.stderr
    assert "Traceback" not in done.stderr


def test_version_is_valgrinds_own() -> None:
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
    assert done.stdout.strip() == f"valgrind-{instructions.version()}"
