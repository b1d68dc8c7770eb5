"""The measuring steps of one benchmark run, and the settings they follow.

`bench` runs them in this order on a started, verified app: the pairs (the framework and the
asgi baseline loaded at the same time on one core, after a warm-up: the share of asgi), then
each app's throughput alone on that core (req/s), then the latency run at half load, then,
with every server stopped, the instruction counts. `Settings` holds every default: the
methodology page renders these very values.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.load import drive
from scripts.measure import instructions, results
from scripts.scenarios import SCENARIOS
from scripts.serve import cpuquota, cpus, override, procstats
from scripts.serve.server import Server, ServerError


@dataclass(frozen=True)
class Settings:
    """Every default of a benchmark run: the methodology page renders these very values."""

    # Throughput alone: `repeat` runs of `duration` seconds per scenario, each app on the core alone.
    duration: int = 2
    warmup: int = 1
    repeat: int = 2
    # The share of asgi: `pairs` runs of `pair_duration` seconds per scenario, both apps at once,
    # each loaded by its own generator with half of the connections; in `pairs` rounds of one pair
    # per scenario, each round on fresh servers after a `warmup` of each scenario.
    pair_duration: int = 3
    pairs: int = 5
    connections: int = 64
    scenarios: tuple[str, ...] = tuple(SCENARIOS)
    client: str = "auto"
    output: Path = ROOT / "results"
    fixed_rate_duration: int = 2  # the open-model run at half the framework's median req/s
    # Instructions per request under valgrind: requests counted per scenario (0: no count), after
    # uncounted warm-up requests, in this many server processes of each app.
    instruction_requests: int = 200
    instruction_warmup: int = 50
    instruction_counts: int = 1
    install: str | None = None  # another version of the framework than its pin (override.py)
    # An A/B run (ab.py) against another version: of the framework (a requirement), of the app (its folder).
    against: str | None = None
    against_app: Path | None = None
    replica: tuple[int, int] | None = None  # (K, R): the K-th of R runs of the framework, each on its own runner


DEFAULTS = Settings()


class BenchError(RuntimeError):
    """A step of the run failed; the message says which and why."""


@dataclass
class Run:
    """The state of one benchmark run, filled in step by step and written as JSON."""

    framework: frameworks.Framework
    settings: Settings
    client: str
    split: cpus.CpuSplit
    started: float = field(default_factory=time.monotonic)
    load_seconds: float = 0.0
    instruction_seconds: float = 0.0
    installed: override.Installed | None = None  # settings.install, built once for every server of the run
    result: dict = field(default_factory=dict)


class Line:
    """The live progress line: rewritten in place on a terminal, one line per run otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def start(self, label: str, seconds: int) -> drive.Progress:
        if not self.tty:
            print(f"  {label} ({seconds} s)", file=sys.stderr, flush=True)
            return lambda left: None

        def show(left: float) -> None:
            print(f"\r  {label}: {left:3.0f} s left ", end="", file=sys.stderr, flush=True)

        show(seconds)
        return show

    def end(self) -> None:
        if self.tty:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


@contextmanager
def _under_load(run: Run, line: Line, label: str, seconds: int) -> Iterator[drive.Progress]:
    """Show the progress of one load run, and count its time as load rather than overhead."""
    began = time.monotonic()
    try:
        yield line.start(label, seconds)
    finally:
        line.end()
        run.load_seconds += time.monotonic() - began


def load_run(run: Run, server: Server, scenario: str, seconds: int, label: str, line: Line) -> dict:
    with _under_load(run, line, label, seconds) as progress:
        return drive.run(
            run.client, server.base_url, scenario, run.settings.connections, seconds, run.split.client, progress
        )


def check_alive(server: Server, when: str) -> None:
    """After a run the server must still be up and answering, or the run is void."""
    if not server.alive():
        raise BenchError(f"the server crashed during {when} (exit code {server.process.returncode})")
    try:
        httpx.get(server.base_url + "/html", timeout=10)
    except httpx.HTTPError as error:
        raise BenchError(f"the server stopped answering after {when} ({type(error).__name__})") from None


def measured_run(run: Run, server: Server, scenario: str, label: str, line: Line) -> dict:
    """One measured run: the load generator's figures plus the server's CPU time and peak memory."""
    pid = server.process.pid
    server.clear_uploads()
    procstats.reset_peak_rss(pid)
    cpu_before = procstats.cpu_times(pid)
    figures = load_run(run, server, scenario, run.settings.duration, label, line)
    cpu_after = procstats.cpu_times(pid)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    measured = results.run_figures(
        figures, cpu, procstats.peak_rss_bytes(pid), drive.threads(run.client, run.split.client)
    )
    check_alive(server, label)  # a run the server did not survive is void
    return measured


@dataclass
class Side:
    """One app of a run: as it is, and as started with its three middlewares (SPEC.md, middleware)."""

    plain: Server
    middleware: Server | None = None

    def serving(self, scenario: str) -> Server:
        """The server that answers this scenario's load."""
        if SCENARIOS[scenario].middleware:
            if self.middleware is None:
                raise BenchError(f"no server of {self.plain.framework.name} with BENCH_MIDDLEWARE=1 was started")
            return self.middleware
        return self.plain

    def servers(self) -> list[Server]:
        return [server for server in (self.plain, self.middleware) if server is not None]

    def restart(self) -> None:
        """Fresh processes for every server of the side (the same ports, commands and cores)."""
        for server in self.servers():
            server.stop()
            server.start()


def together(run: Run, first: Side, second: Side, scenarios: list[str], line: Line) -> tuple[str | None, dict]:
    """Both apps on the server's core at the same time, each in a cgroup of equal weight and
    loaded by its own generator with half of the connections, so that whatever the machine does
    meanwhile (a neighbour, a slower clock) falls on both alike. Returns the cgroup version used
    and, per scenario, the pairs of runs ({"framework": first's, "baseline": second's}); their
    share is the ratio of their costs, CPU time per answered request, so that an unequal split of
    the core cannot bias it (results.cost_share)."""
    settings = run.settings
    half = max(1, settings.connections // 2)
    measured: dict[str, list[dict]] = {scenario: [] for scenario in scenarios}
    with ExitStack() as stack:
        groups = _equal_groups(stack, 2)
        # In rounds, one pair of every scenario per round, each round on fresh server processes
        # (warmed up again): a slow minute of the machine, or a process that came out slow (its
        # memory layout, its hash seed), moves one pair of each scenario, which the median sets aside.
        for repeat in range(1, settings.pairs + 1):
            if repeat > 1:
                print(f"  round {repeat}/{settings.pairs}: fresh servers", file=sys.stderr, flush=True)
                first.restart()
                second.restart()
            for group, side in zip(groups, (first, second), strict=True) if groups else []:
                for server in side.servers():
                    group.add(server.process.pid)
            for scenario in scenarios:
                pair = (first.serving(scenario), second.serving(scenario))
                if settings.warmup:
                    _at_once(run, pair, scenario, half, settings.warmup, f"{scenario} warm-up, both", line)
                label = f"{scenario} pair {repeat}/{settings.pairs}"
                stolen = procstats.steal_seconds()
                began = time.monotonic()
                mine, theirs = _at_once(run, pair, scenario, half, settings.pair_duration, label, line)
                after, seconds = procstats.steal_seconds(), time.monotonic() - began
                steal = (after - stolen) / (seconds * (os.cpu_count() or 1)) if None not in (stolen, after) else None
                measured[scenario].append(
                    {"framework": mine, "baseline": theirs, "steal_share": steal, "round": repeat}
                )
    return f"v{cpuquota.hierarchy()[1]}" if groups else None, measured


def _equal_groups(stack: ExitStack, count: int) -> list[cpuquota.Group] | None:
    """`count` cgroups of equal weight, one per side; None (each process competes on its own
    threads, as the scheduler splits a core) where this machine allows no cgroup."""
    try:
        return [stack.enter_context(cpuquota.equal_weight(f"pair{index}")) for index in range(count)]
    except cpuquota.QuotaError as error:
        print(f"pairs: no cgroup of equal weight ({error}); each server competes with its own threads", file=sys.stderr)
        return None


def _at_once(run: Run, pair: tuple[Server, Server], scenario: str, connections: int, seconds: int, label: str,
             line: Line) -> tuple[dict, dict]:  # fmt: skip
    """One load run on both servers at the same time: each one's figures and CPU time."""
    before = []
    for server in pair:
        server.clear_uploads()
        procstats.reset_peak_rss(server.process.pid)
        before.append(procstats.cpu_times(server.process.pid))
    with _under_load(run, line, label, seconds) as progress:
        loads = drive.run_together(run.client, [server.base_url for server in pair], scenario, connections, seconds,
                                   run.split.client, progress)  # fmt: skip
    measured = []
    for server, cpu_before, load in zip(pair, before, loads, strict=True):
        cpu_after = procstats.cpu_times(server.process.pid)
        cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        threads = drive.threads(run.client, run.split.client) * len(pair)
        measured.append(results.run_figures(load, cpu, procstats.peak_rss_bytes(server.process.pid), threads))
        check_alive(server, label)
    return measured[0], measured[1]


def alone(run: Run, framework: Side, baseline: Side | None, scenarios: list[str], line: Line) -> None:
    """Each app's throughput with the core to itself, for those who want req/s: `repeat` runs
    of each, alternating, after the pairs have warmed both up."""
    settings = run.settings
    sides = [(framework, run.result["scenarios"], "")]
    if baseline is not None:
        sides.append((baseline, run.result["baseline"]["scenarios"], "baseline "))
    for repeat in range(1, settings.repeat + 1):
        for scenario in scenarios:
            for side, entries, prefix in sides if repeat % 2 else sides[::-1]:
                label = f"{prefix}{scenario} alone {repeat}/{settings.repeat}"
                entries[scenario]["runs"].append(measured_run(run, side.serving(scenario), scenario, label, line))


def half_load(run: Run, framework: Side, scenarios: list[str], line: Line) -> None:
    """After the throughput repeats: latency at half of the framework's own median req/s, so that
    every framework is measured at the same relative load, from each request's scheduled time."""
    seconds = run.settings.fixed_rate_duration
    if not seconds:
        return
    for scenario in scenarios:
        entry = run.result["scenarios"][scenario]
        rate = statistics.median(measured["rps"] for measured in entry["runs"]) / 2
        if rate <= 0:
            continue
        server = framework.serving(scenario)
        server.clear_uploads()
        label = f"{scenario} at {rate:.0f} req/s"
        with _under_load(run, line, label, seconds) as progress:
            entry["fixed_rate"] = drive.fixed_rate(
                server.base_url, scenario, rate, run.settings.connections, seconds, run.split.client, progress
            )
        check_alive(server, label)


def count_apps(run: Run, apps: list[tuple[frameworks.Framework, override.Installed | None]],
               scenarios: list[str]) -> list[dict] | None:  # fmt: skip
    """Instructions per request of each app, under valgrind, one after the other: after the timed
    runs, never during them, since valgrind would take the cores they are measured on. None (and
    why, on stderr) where they are not counted."""
    settings = run.settings
    if not settings.instruction_requests or not scenarios:
        return None
    reason = instructions.unavailable_reason()
    if reason:
        print(f"instructions: not counted: {reason}", file=sys.stderr)
        return None
    began = time.monotonic()
    counted = []
    try:
        for framework, install in apps:
            print(f"  instructions of {framework.name} under valgrind", file=sys.stderr, flush=True)
            counted.append(instructions.count(
                framework, scenarios, settings.instruction_warmup, settings.instruction_requests,
                settings.instruction_counts, cores=run.split.server, install=install,
            ))  # fmt: skip
    except instructions.InstructionsError as error:
        print(f"instructions: not counted: {error}".splitlines()[0], file=sys.stderr)
        return None
    finally:
        run.instruction_seconds = time.monotonic() - began
    return counted


def count_instructions(run: Run, scenarios: list[str]) -> None:
    """Instructions per request of the framework and of the baseline, into the result."""
    counted = count_apps(run, [(run.framework, run.installed), (frameworks.get(frameworks.BASELINE), None)], scenarios)
    if counted is None:
        return
    counts = {run.framework.name: counted[0], frameworks.BASELINE: counted[1]}
    settings = run.settings
    for scenario in scenarios:
        run.result["scenarios"][scenario]["instructions"] = counts[run.framework.name][scenario]
        run.result["baseline"]["scenarios"][scenario]["instructions"] = counts[frameworks.BASELINE][scenario]
    run.result["instructions"] = {
        "tool": instructions.TOOL,
        "version": instructions.version(),
        "method": instructions.METHOD,
        "warmup_requests": settings.instruction_warmup,
        "requests": settings.instruction_requests,
        "budget": instructions.COUNT_BUDGET,
        "min_requests": instructions.MIN_REQUESTS,
    }


def start_baseline(run: Run, middleware: bool) -> Side | None:
    """The raw ASGI app on the framework's core, beside it for the whole run (and started with its
    middlewares too, for the middleware scenario); None if it fails."""
    baseline = frameworks.get(frameworks.BASELINE)
    side = Side(Server(baseline, cores=run.split.server),
                Server(baseline, cores=run.split.server, middleware=True) if middleware else None)  # fmt: skip
    try:
        for server in side.servers():
            server.start()
    except ServerError as error:
        for server in side.servers():
            server.stop()
        run.result["baseline"] |= {"status": "failed", "reason": str(error).splitlines()[0]}
        return None
    return side
