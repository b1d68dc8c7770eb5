"""The measuring steps of one benchmark run, and the settings they follow.

`bench` runs them in this order on a started, verified app: warm-ups, then the throughput
repeats as pairs (the framework's run and the asgi baseline's, adjacent in time), then the
latency run at half load, then, with both servers stopped, the instruction counts.
`Settings` holds every default: the methodology page renders these very values.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.load import drive
from scripts.measure import instructions, results
from scripts.scenarios import SCENARIOS
from scripts.serve import cpus, override, procstats
from scripts.serve.server import Server, ServerError


@dataclass(frozen=True)
class Settings:
    """Every default of a benchmark run: the methodology page renders these very values."""

    duration: int = 5
    warmup: int = 2
    repeat: int = 4
    connections: int = 64
    scenarios: tuple[str, ...] = tuple(SCENARIOS)
    client: str = "auto"
    output: Path = ROOT / "results"
    fixed_rate_duration: int = 10  # the open-model run at half the framework's median req/s
    # Instructions per request under valgrind: requests counted per scenario (0: no count), after
    # uncounted warm-up requests, in this many server processes of each app.
    instruction_requests: int = 300
    instruction_warmup: int = 100
    instruction_counts: int = 2
    install: str | None = None  # another version of the framework than its pin (override.py)


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
    cpu_before = procstats.cpu_seconds(pid)
    figures = load_run(run, server, scenario, run.settings.duration, label, line)
    cpu_after = procstats.cpu_seconds(pid)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    measured = results.run_figures(
        figures, cpu, procstats.peak_rss_bytes(pid), drive.threads(run.client, run.split.client)
    )
    check_alive(server, label)  # a run the server did not survive is void
    return measured


def pairs(run: Run, server: Server, baseline: Server | None, scenarios: list[str], line: Line) -> None:
    """Warm both apps up, then measure each repeat of each scenario as a pair: the framework's run
    and the baseline's, adjacent in time, their order alternating from one repeat to the next, so
    that a drift of the machine lands on both sides of a pair alike."""
    settings = run.settings
    targets = [(server, run.result["scenarios"], "")]
    if baseline is not None:
        targets.append((baseline, run.result["baseline"]["scenarios"], "baseline "))
    if settings.warmup:
        for scenario in scenarios:
            for target, _, prefix in targets:
                load_run(run, target, scenario, settings.warmup, f"{prefix}{scenario} warm-up", line)
                check_alive(target, f"the {prefix}{scenario} warm-up")
    for repeat in range(1, settings.repeat + 1):
        for scenario in scenarios:
            order = targets if repeat % 2 else targets[::-1]
            for target, entries, prefix in order:
                label = f"{prefix}{scenario} repeat {repeat}/{settings.repeat}"
                entries[scenario]["runs"].append(measured_run(run, target, scenario, label, line))


def half_load(run: Run, server: Server, scenarios: list[str], line: Line) -> None:
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
        server.clear_uploads()
        label = f"{scenario} at {rate:.0f} req/s"
        with _under_load(run, line, label, seconds) as progress:
            entry["fixed_rate"] = drive.fixed_rate(
                server.base_url, scenario, rate, run.settings.connections, seconds, run.split.client, progress
            )
        check_alive(server, label)


def count_instructions(run: Run, scenarios: list[str]) -> None:
    """Instructions per request of the framework and of the baseline, under valgrind: after the
    timed runs, never during them, since valgrind would take the cores they are measured on."""
    settings = run.settings
    if not settings.instruction_requests or not scenarios:
        return
    reason = instructions.unavailable_reason()
    if reason:
        print(f"instructions: not counted: {reason}", file=sys.stderr)
        return
    began = time.monotonic()
    counts = {}
    try:
        for name, install in ((run.framework.name, run.installed), (frameworks.BASELINE, None)):
            print(f"  instructions of {name} under valgrind", file=sys.stderr, flush=True)
            counts[name] = instructions.count(
                frameworks.get(name), scenarios, settings.instruction_warmup, settings.instruction_requests,
                settings.instruction_counts, cores=run.split.server, install=install,
            )  # fmt: skip
    except instructions.InstructionsError as error:
        print(f"instructions: not counted: {error}".splitlines()[0], file=sys.stderr)
        return
    finally:
        run.instruction_seconds = time.monotonic() - began
    for scenario in scenarios:
        run.result["scenarios"][scenario]["instructions"] = counts[run.framework.name][scenario]
        run.result["baseline"]["scenarios"][scenario]["instructions"] = counts[frameworks.BASELINE][scenario]
    run.result["instructions"] = {
        "tool": instructions.TOOL,
        "version": instructions.version(),
        "method": instructions.METHOD,
        "warmup_requests": settings.instruction_warmup,
        "requests": settings.instruction_requests,
    }


def start_baseline(run: Run) -> Server | None:
    """The raw ASGI app, on the framework's core, beside it for the whole run; None if it fails."""
    baseline = Server(frameworks.get(frameworks.BASELINE), cores=run.split.server)
    try:
        baseline.start()
    except ServerError as error:
        run.result["baseline"] |= {"status": "failed", "reason": str(error).splitlines()[0]}
        return None
    return baseline
