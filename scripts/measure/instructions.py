"""Count the CPU instructions that a server executes per request, under Valgrind.

Requests per second move with the machine they are measured on; the instructions the server
executes for a request do not, once the run is made deterministic (address-space
randomisation off, a fixed hash seed). So this count is comparable across runners where
req/s is not.

How: the app starts as `serve` starts it, under callgrind with its instrumentation off, so
that start-up and warm-up run at a few times native speed and are not counted. Then vgdb
switches the instrumentation on and, for each scenario, zeroes the counters, sends the
requests one at a time over one keep-alive connection, and dumps the counters. The server's
timers (uvicorn wakes every 0.1 s) run on wall-clock time, which Valgrind stretches tens of
times: their instructions, counted while the server idles, are subtracted at the same rate,
so that the count does not depend on how fast the machine runs. vgdb interrupts the waiting
server with ptrace, which the kernel must allow.

    python -m scripts.measure.instructions <name> [--requests N] [--warmup W] [--repeat R]
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tabulate import tabulate

from scripts import frameworks
from scripts.frameworks import Framework
from scripts.scenarios import SCENARIOS
from scripts.serve import procstats
from scripts.serve.override import Installed
from scripts.serve.server import Server, ServerError, Stopped, stop_on_signals

TOOL = "valgrind"
HASH_SEED = "0"
METHOD = (
    "Valgrind's callgrind counts the user-space instructions of every thread of the server process, "
    "with address-space randomisation off and PYTHONHASHSEED=0: start-up and the warm-up requests run "
    "uncounted, then the requests of each scenario are counted, sent one at a time over one keep-alive "
    "connection, less the instructions of the server's timers (counted while it idles, at the same rate "
    "per second), and divided by the number of requests. A scenario whose requests cost so much that the "
    "set would pass the counting budget is counted over fewer of them, as many as fit, and at least the "
    "minimum: how many is decided from the instructions of the first few, so it is the same on every machine."
)
# Start-up under Valgrind is slow, and slower on a busy machine.
READY_TIMEOUT = 300.0
COMMAND_TIMEOUT = 60.0
REQUEST_TIMEOUT = 120.0
# How long the idle server is counted, to know what its timers cost per second.
IDLE_S = 1.0
IDLE_POLL_S = 0.0002
# Callgrind runs at tens of millions of instructions a second, so a request that costs hundreds of
# times what the raw app's does (a validator that compiles its schema on every call) would spend
# minutes of a framework's budget on one scenario. A scenario is counted over its requests, or over
# as many as fit in this many instructions, but never fewer than MIN_REQUESTS; the number follows
# from the count of the first PROBE_REQUESTS, not from a clock, so every machine counts as many.
COUNT_BUDGET = 100_000_000
PROBE_REQUESTS = 10
MIN_REQUESTS = 20
PTRACE_SCOPE = Path("/proc/sys/kernel/yama/ptrace_scope")

Started = Callable[[int], None]


class InstructionsError(RuntimeError):
    """The count could not be made; the message says which step failed and why."""


def unavailable_reason() -> str | None:
    """Why instructions cannot be counted on this machine, or None when they can."""
    missing = [tool for tool in ("valgrind", "vgdb", "setarch") if not shutil.which(tool)]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install valgrind)"
    try:
        scope = int(PTRACE_SCOPE.read_text())
    except (OSError, ValueError):
        return None  # no Yama: ptrace follows the classic rules, which allow it
    if scope == 0 or (scope < 3 and os.geteuid() == 0):
        return None
    return (
        f"ptrace is restricted (kernel.yama.ptrace_scope={scope}), and vgdb needs it to reach the waiting "
        "server: run as root, or `sudo sysctl -w kernel.yama.ptrace_scope=0`"
    )


def available() -> bool:
    return unavailable_reason() is None


def version() -> str | None:
    """Valgrind's version, e.g. "3.19.0", or None when it is not installed."""
    if not shutil.which("valgrind"):
        return None
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True)
    return done.stdout.strip().removeprefix("valgrind-") or None


def _wait_idle(server: Server) -> None:
    """Wait until the server sleeps, waiting for input, with nothing left of the last request to do.

    Without this, whether the next request arrives before the server looks for it would be a
    race, and some servers (tornado, aiohttp) do more work when it does not: a count then
    depends on the speed of the machine.
    """
    assert server.process is not None
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while not procstats.waiting(server.process.pid):
        if not server.alive():
            raise InstructionsError(f"{server.framework.name} exited: {server.output_tail.strip()[-500:]}")
        if time.monotonic() > deadline:
            raise InstructionsError(f"{server.framework.name} was still busy {REQUEST_TIMEOUT:.0f} s after answering")
        time.sleep(IDLE_POLL_S)


def planned(requests: int, per_request: float, cycle: int) -> int:
    """How many requests to count for a scenario whose first ones cost `per_request` instructions:
    `requests`, or as many as fit COUNT_BUDGET (a whole number of turns of the scenario's `cycle`
    of requests, so that each of them weighs the same), and at least MIN_REQUESTS."""
    if per_request <= 0 or per_request * requests <= COUNT_BUDGET:
        return requests
    fitting = max(int(COUNT_BUDGET // per_request), MIN_REQUESTS)
    return min(requests, -(-fitting // cycle) * cycle)


def _send(server: Server, scenario: str, requests: int, start: int = 0) -> None:
    """Send the scenario's requests, in turn from the `start`-th, `requests` times over one
    keep-alive connection, each to an idle server."""
    cycle = SCENARIOS[scenario].requests
    with socket.create_connection((server.host, server.port), timeout=REQUEST_TIMEOUT) as sock:
        for index in range(start, start + requests):
            request = cycle[index % len(cycle)]
            sock.sendall(request.raw(f"{server.host}:{server.port}"))
            response = http.client.HTTPResponse(sock, method=request.method)
            try:
                response.begin()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                raise InstructionsError(f"{scenario}: no answer from {server.framework.name}: {error!r}") from None
            finally:
                response.close()
            if not 200 <= response.status < 300:
                raise InstructionsError(f"{scenario}: {server.framework.name} answered {response.status}")
            if response.will_close:
                raise InstructionsError(f"{scenario}: {server.framework.name} closed the keep-alive connection")
            _wait_idle(server)


class _Callgrind:
    """One app served under callgrind, and the vgdb commands that drive its counters."""

    def __init__(
        self,
        framework: Framework,
        folder: Path,
        cores: frozenset[int] | None,
        install: Installed | None,
        middleware: bool,
    ) -> None:
        self.folder = folder
        self.prefix = folder / "vgdb"
        self.out = folder / "callgrind.out"
        wrapper = [
            "env", f"PYTHONHASHSEED={HASH_SEED}", "setarch", platform.machine(), "-R",
            "valgrind", "--tool=callgrind", "--instr-atstart=no", "--vgdb=yes",
            f"--vgdb-prefix={self.prefix}", f"--callgrind-out-file={self.out}",
        ]  # fmt: skip
        self.server = Server(framework, cores=cores, wrapper=wrapper, install=install, middleware=middleware)

    def monitor(self, *command: str) -> None:
        """Run one callgrind monitor command in the server (e.g. "zero"), waiting until it is done."""
        assert self.server.process is not None
        vgdb = ["vgdb", f"--vgdb-prefix={self.prefix}", f"--pid={self.server.process.pid}", *command]
        try:
            done = subprocess.run(vgdb, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise InstructionsError(f"vgdb {' '.join(command)}: no answer within {COMMAND_TIMEOUT:.0f} s") from None
        if done.returncode != 0:
            raise InstructionsError(f"vgdb {' '.join(command)} failed: {(done.stderr or done.stdout).strip()}")

    def counted(self, work: Callable[[], None]) -> tuple[int, float]:
        """The instructions executed while `work` ran, and the seconds it took."""
        before = set(self.folder.glob(f"{self.out.name}.*"))
        self.monitor("zero")
        start = time.monotonic()
        work()
        self.monitor("dump")
        seconds = time.monotonic() - start
        dumps = set(self.folder.glob(f"{self.out.name}.*")) - before
        if len(dumps) != 1:
            raise InstructionsError(f"callgrind wrote {len(dumps)} dumps instead of one")
        dump = dumps.pop()
        text = dump.read_text(errors="replace")
        dump.unlink()
        summary = next((line for line in text.splitlines() if line.startswith("summary:")), None)
        if summary is None:
            raise InstructionsError(f"callgrind's dump has no summary line: {text[:200]!r}")
        return int(summary.split()[1]), seconds


def _one_process(
    framework: Framework,
    scenarios: Sequence[str],
    warmup_requests: int,
    requests: int,
    cores: frozenset[int] | None,
    started: Started | None,
    install: Installed | None,
    middleware: bool,
) -> dict[str, tuple[float, int]]:
    """Instructions per request for each scenario, and over how many requests, from one server process."""
    with tempfile.TemporaryDirectory(prefix=f"bench-instructions-{framework.name}-") as folder:
        counter = _Callgrind(framework, Path(folder), cores, install, middleware)
        server = counter.server.start(READY_TIMEOUT)
        # The server stops (and Valgrind writes its last file) before its folder is removed.
        try:
            if started:
                started(server.process.pid)
            for scenario in scenarios:
                _send(server, scenario, warmup_requests)
                server.clear_uploads()
            counter.monitor("instrumentation", "on")
            idle, idle_seconds = counter.counted(lambda: time.sleep(IDLE_S))
            timers = idle / idle_seconds  # the idle server's instructions per second

            def send(scenario: str, count: int, start: int) -> tuple[float, int]:
                """The instructions of `count` requests less the timers', and the count."""
                if count <= 0:
                    return 0.0, 0
                instructions, seconds = counter.counted(lambda: _send(server, scenario, count, start))
                server.clear_uploads()
                return instructions - timers * seconds, count

            measured = {}
            for scenario in scenarios:
                probe = send(scenario, min(PROBE_REQUESTS, requests), 0)
                total = planned(requests, probe[0] / probe[1], len(SCENARIOS[scenario].requests))
                rest = send(scenario, total - probe[1], probe[1])
                measured[scenario] = ((probe[0] + rest[0]) / total, total)
            return measured
        finally:
            server.stop()


def count(
    framework: Framework,
    scenarios: Sequence[str],
    warmup_requests: int,
    requests: int,
    repeat: int,
    cores: frozenset[int] | None = None,
    started: Started | None = None,
    install: Installed | None = None,
) -> dict[str, dict]:
    """Per scenario: {"per_request": median, "counts": [one per server process], "requests": [how many
    requests each count divided by]}.

    Each of the `repeat` counts comes from its own server process, started afresh, so that
    their agreement shows what a new run on another machine would see. `started` is called
    with the server's pid once it answers (the calibration puts it under a CPU quota);
    `install` counts another version of the framework, as `bench --install` measures it.
    """
    if requests < 1 or warmup_requests < 0 or repeat < 1:
        raise ValueError("requests and repeat must be at least 1, warmup_requests at least 0")
    reason = unavailable_reason()
    if reason:
        raise InstructionsError(reason)
    counts: dict[str, list[float]] = {scenario: [] for scenario in scenarios}
    counted: dict[str, list[int]] = {scenario: [] for scenario in scenarios}
    # The middleware scenario is served by the app started with its middlewares: a process of its own.
    groups = {flag: [s for s in scenarios if SCENARIOS[s].middleware == flag] for flag in (False, True)}
    for _ in range(repeat):
        for middleware, group in groups.items():
            if not group:
                continue
            try:
                measured = _one_process(framework, group, warmup_requests, requests, cores, started, install,
                                        middleware)  # fmt: skip
            except ServerError as error:
                raise InstructionsError(f"{framework.name} did not start under valgrind: {error}") from None
            for scenario, (value, total) in measured.items():
                counts[scenario].append(round(value, 1))
                counted[scenario].append(total)
    return {
        scenario: {"per_request": round(statistics.median(values), 1), "counts": values, "requests": counted[scenario]}
        for scenario, values in counts.items()
    }


def _scenarios(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown scenario {', '.join(unknown)!r}; known: {', '.join(SCENARIOS)}")
    return chosen


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Count a framework and the asgi baseline, and print each count and the framework's overhead."""
    parser = argparse.ArgumentParser(prog="instructions", description=main.__doc__)
    parser.add_argument("framework", choices=frameworks.names())
    parser.add_argument("--scenarios", type=_scenarios, default=list(SCENARIOS), help="comma-separated")
    parser.add_argument("--warmup", type=_positive, default=200, help="uncounted requests per scenario")
    parser.add_argument("--requests", type=_positive, default=1000, help="counted requests per scenario")
    parser.add_argument("--repeat", type=_positive, default=2, help="counts, each from its own server process")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"instructions: {reason}", file=sys.stderr)
        return 2
    stop_on_signals()
    names = list(dict.fromkeys([frameworks.BASELINE, args.framework]))
    counted, seconds = {}, {}
    try:
        for name in names:
            start = time.monotonic()
            counted[name] = count(frameworks.get(name), args.scenarios, args.warmup, args.requests, args.repeat)
            seconds[name] = time.monotonic() - start
    except InstructionsError as error:
        print(f"instructions: {error}", file=sys.stderr)
        return 1
    except Stopped:
        return 130
    rows = []
    for name in names:
        for scenario, figures in counted[name].items():
            counts, baseline = figures["counts"], counted[frameworks.BASELINE][scenario]["per_request"]
            rows.append([name, scenario, f"{figures['per_request']:,.0f}", " ".join(f"{c:,.0f}" for c in counts),
                         f"{(max(counts) - min(counts)) / min(counts):.2%}",
                         f"{figures['per_request'] - baseline:+,.0f}", f"{seconds[name]:.0f}"])  # fmt: skip
    headers = ["app", "scenario", "per request", "counts", "spread", "above asgi", "seconds (app)"]
    print(tabulate(rows, headers=headers, disable_numparse=True))
    print(f"valgrind {version()}, {args.warmup} warm-up and {args.requests} counted requests per scenario; "
          "each count from its own server process")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
