"""Whether the share of asgi and the instruction count hold when the runner changes.

    python -m scripts.measure.calibration [--framework NAME] [--scenarios html,api] [--quota 0.5]
    (or nox -s calibration)

A slower runner is made by a CPU quota on the servers' processes (a cgroup, created and
removed here). Each app is measured on this machine as it is, then under the quota: raw
req/s (wrk) must move; the share of asgi (each framework run divided by the asgi run just
before it, so a drift of the machine lands on both) and the instructions per request
(Valgrind) should not. Prints both conditions side by side, and their ratio. Where no
cgroup offers a CPU quota, it says why and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from contextlib import ExitStack
from dataclasses import dataclass

from tabulate import tabulate

from scripts import frameworks
from scripts.load import drive
from scripts.measure import instructions
from scripts.scenarios import SCENARIOS
from scripts.serve import cpuquota, cpus
from scripts.serve.server import Server, ServerError, Stopped, stop_on_signals

WARMUP_S = 2
COUNT_WARMUP = 100
COUNT_REQUESTS = 300


@dataclass(frozen=True)
class Options:
    names: list[str]  # the baseline first
    scenarios: list[str]
    duration: int
    repeat: int
    connections: int
    quota: float


def _progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _rps(server: Server, scenario: str, seconds: int, options: Options, split: cpus.CpuSplit) -> float:
    figures = drive.run("wrk", server.base_url, scenario, options.connections, seconds, split.client)
    server.clear_uploads()
    return figures["status_2xx"] / figures["duration_s"]


def _condition(options: Options, group: cpuquota.Group | None, label: str) -> dict[tuple[str, str], dict]:
    """req/s, share of asgi and instructions per request of every app and scenario, in one condition."""
    split = cpus.split()
    baseline, others = options.names[0], options.names[1:]
    figures: dict[tuple[str, str], dict] = {}
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(Server(frameworks.get(name), cores=split.server)) for name in options.names
        }
        if group:
            for server in servers.values():
                group.add(server.process.pid)
        for scenario in options.scenarios:
            for server in servers.values():
                _rps(server, scenario, WARMUP_S, options, split)  # discarded
            rps: dict[str, list[float]] = {name: [] for name in options.names}
            pairs: dict[str, list[float]] = {name: [] for name in others}
            for repeat in range(options.repeat):
                for name in others:
                    before = _rps(servers[baseline], scenario, options.duration, options, split)
                    after = _rps(servers[name], scenario, options.duration, options, split)
                    rps[baseline].append(before)
                    rps[name].append(after)
                    pairs[name].append(after / before)
                    _progress(f"{label}, {scenario} {repeat + 1}/{options.repeat}: {baseline} {before:,.0f} req/s, "
                              f"{name} {after:,.0f} req/s")  # fmt: skip
            for name in options.names:
                share = statistics.median(pairs[name]) if name in pairs else 1.0
                figures[name, scenario] = {"rps": statistics.median(rps[name]), "share": share, "instructions": None}
    if instructions.available():
        started = group.add if group else None
        for name in options.names:
            counted = instructions.count(
                frameworks.get(name), options.scenarios, COUNT_WARMUP, COUNT_REQUESTS, 1, split.server, started
            )
            for scenario, count in counted.items():
                figures[name, scenario]["instructions"] = count["per_request"]
                _progress(f"{label}, {scenario}: {name} {count['per_request']:,.0f} instructions per request")
    return figures


def _instructions(value: float | None) -> str:
    return "unknown" if value is None else f"{value:,.0f}"


def _ratio(after: float | None, before: float | None) -> str:
    return "unknown" if after is None or before is None else f"{after / before:.3f}"


def tables(options: Options, normal: dict, slowed: dict, condition: str) -> str:
    rows, ratios = [], []
    for name in options.names:
        for scenario in options.scenarios:
            for label, figures in (("as is", normal), (condition, slowed)):
                entry = figures[name, scenario]
                rows.append([name, scenario, label, f"{entry['rps']:,.0f}", f"{entry['share']:.3f}",
                             _instructions(entry["instructions"])])  # fmt: skip
            before, after = normal[name, scenario], slowed[name, scenario]
            ratios.append([name, scenario, _ratio(after["rps"], before["rps"]), _ratio(after["share"], before["share"]),
                           _ratio(after["instructions"], before["instructions"])])  # fmt: skip
    headers = ["app", "scenario", "condition", "req/s", "share of asgi", "instructions/request"]
    return "\n\n".join([
        tabulate(rows, headers=headers, disable_numparse=True),
        tabulate(ratios, headers=["app", "scenario", "req/s", "share", "instructions"], disable_numparse=True)
        + f"\n(each figure {condition} divided by the same figure as is)",
    ])  # fmt: skip


def _scenarios(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    if not chosen or any(name not in SCENARIOS for name in chosen):
        raise argparse.ArgumentTypeError(f"expected scenarios among {', '.join(SCENARIOS)}, got {text!r}")
    return chosen


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a share of one CPU between 0 and 1, got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="calibration", description="Do share and count hold on a slower runner?")
    others = [name for name in frameworks.names() if name != frameworks.BASELINE]
    parser.add_argument("--framework", action="append", choices=others, help="repeatable; default: starlette, fastapi")
    parser.add_argument("--scenarios", type=_scenarios, default=["html", "api"], help="comma-separated")
    parser.add_argument("--duration", type=_positive, default=5, help="seconds per wrk run")
    parser.add_argument("--repeat", type=_positive, default=3, help="framework and asgi run pairs per scenario")
    parser.add_argument("--connections", type=_positive, default=64)
    parser.add_argument("--quota", type=_share, default=0.5, help="share of one CPU the slowed server gets")
    args = parser.parse_args(argv)
    try:
        drive.choose_client("wrk")
    except drive.LoadError as error:
        print(f"calibration: {error}", file=sys.stderr)
        return 2
    try:
        with cpuquota.cpu_quota(args.quota):
            pass
    except cpuquota.QuotaError as error:
        print(f"calibration: cannot slow the server down on this machine, nothing measured: {error}")
        return 0
    options = Options(
        names=[frameworks.BASELINE, *(args.framework or ["starlette", "fastapi"])],
        scenarios=args.scenarios,
        duration=args.duration,
        repeat=args.repeat,
        connections=args.connections,
        quota=args.quota,
    )
    condition = f"CPU quota {args.quota:.0%}"
    if not instructions.available():
        print(f"calibration: instructions not counted: {instructions.unavailable_reason()}", file=sys.stderr)
    stop_on_signals()
    try:
        normal = _condition(options, None, "as is")
        with cpuquota.cpu_quota(args.quota) as group:
            slowed = _condition(options, group, condition)
    except (ServerError, drive.LoadError, instructions.InstructionsError, cpuquota.QuotaError) as error:
        print(f"calibration: {error}", file=sys.stderr)
        return 1
    except Stopped:
        return 130
    print(tables(options, normal, slowed, condition))
    print(f"wrk: {options.repeat} pairs of {options.duration} s runs (asgi, then the framework) per scenario after "
          f"{WARMUP_S} s warm-ups, medians; instructions: {COUNT_REQUESTS} requests after {COUNT_WARMUP} "
          f"(valgrind {instructions.version() or 'not installed'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
