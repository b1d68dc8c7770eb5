"""Benchmark one framework: `python -m scripts.measure.bench <name> [options]` (what `nox -s bench-<name>` runs).

Observe what serves the app's requests (scripts/check/labels.py), start it as `serve` does, verify
it against the contract, then run the measuring steps of scripts/measure/steps.py: throughput as
pairs with the raw ASGI baseline beside it, latency at half load, instruction counts. Stop
everything and write results/<name>.json. A failure at any step still writes a result that
says what failed, and exits non-zero."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

from scripts import frameworks
from scripts.check import labels, verify
from scripts.frameworks import ROOT
from scripts.load import drive
from scripts.measure import ab, results
from scripts.measure.steps import (
    DEFAULTS,
    BenchError,
    Line,
    Run,
    Settings,
    Side,
    alone,
    count_instructions,
    half_load,
    start_baseline,
    together,
)
from scripts.scenarios import SCENARIOS
from scripts.serve import appenv, cpus, override
from scripts.serve.server import Server, ServerError, Stopped, filesystem_of, stop_on_signals

# What the app's venv reports about itself: its Python, and every installed distribution's version.
_INSTALLED_SNIPPET = (
    "import importlib.metadata as m, json, platform;"
    "print(json.dumps({'python': platform.python_version(),"
    " 'installed': {d.metadata['Name'].lower(): d.version for d in m.distributions()}}))"
)


def parse_args(argv: list[str]) -> tuple[str, Settings]:
    parser = argparse.ArgumentParser(prog="bench", description="Benchmark one framework and write its JSON result.")
    parser.add_argument("framework", choices=frameworks.names())
    parser.add_argument("--pair-duration", type=_positive, default=DEFAULTS.pair_duration,
                        help="seconds per pair (both apps at once: the share of asgi)")  # fmt: skip
    parser.add_argument("--pairs", type=_positive, default=DEFAULTS.pairs, help="pairs per scenario")
    parser.add_argument("--duration", type=_positive, default=DEFAULTS.duration,
                        help="seconds per run of an app alone (its req/s)")  # fmt: skip
    parser.add_argument("--warmup", type=_not_negative, default=DEFAULTS.warmup, help="seconds of discarded warm-up")
    parser.add_argument("--repeat", type=_positive, default=DEFAULTS.repeat, help="runs alone per scenario and app")
    parser.add_argument("--connections", type=_positive, default=DEFAULTS.connections, help="keep-alive connections")
    parser.add_argument("--scenarios", type=_scenarios, default=DEFAULTS.scenarios, help="comma-separated subset")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default=DEFAULTS.client)
    parser.add_argument("--output", type=Path, default=DEFAULTS.output, help="directory for <name>.json")
    parser.add_argument("--fixed-rate-duration", type=_not_negative, default=DEFAULTS.fixed_rate_duration,
                        help="seconds of the latency run at half the median req/s, per scenario (0: none)")  # fmt: skip
    parser.add_argument("--instruction-requests", type=_not_negative, default=DEFAULTS.instruction_requests,
                        help="requests counted under valgrind per scenario and app (0: no count)")  # fmt: skip
    parser.add_argument("--against", metavar="REQUIREMENT", help="an A/B run: measure the framework (its pin, or "
                        "--install's) against this version, in one run, paired (OUTPUT/ab/<name>.json)")  # fmt: skip
    parser.add_argument("--against-app", metavar="DIR", type=Path, help="an A/B run against the app in DIR (another "
                        "checkout's frameworks/<name>), with its pins")  # fmt: skip
    parser.add_argument("--replica", type=_replica, help="K/R: this run is the K-th of R of the framework, each on "
                        "its own runner (the report merges them)")  # fmt: skip
    parser.add_argument("--install", metavar="REQUIREMENT", help="the framework from a release, git URL or path, "
                        "not its pin; the result goes to OUTPUT/installs/<name>+<tag>.json")  # fmt: skip
    args = parser.parse_args(argv)
    settings = Settings(
        pair_duration=args.pair_duration,
        pairs=args.pairs,
        duration=args.duration,
        warmup=args.warmup,
        repeat=args.repeat,
        connections=args.connections,
        scenarios=args.scenarios,
        client=args.client,
        output=args.output,
        fixed_rate_duration=args.fixed_rate_duration,
        instruction_requests=args.instruction_requests,
        install=args.install,
        against=args.against,
        against_app=args.against_app,
        replica=args.replica,
    )
    return args.framework, settings


def _positive(text: str) -> int:
    value = _not_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _not_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {value}")
    return value


def _replica(text: str) -> tuple[int, int]:
    index, _, of = text.partition("/")
    if not (index.isdigit() and of.isdigit() and 1 <= int(index) <= int(of)):
        raise argparse.ArgumentTypeError(f"expected K/R with 1 <= K <= R, got {text!r}")
    return int(index), int(of)


def _scenarios(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown scenario {unknown or text!r}; choose from {', '.join(SCENARIOS)}")
    return tuple(name for name in SCENARIOS if name in chosen)


def _versions(server: Server, cores: frozenset[int], install: override.Installed | None) -> dict:
    """Exact versions, read in the app's own venv, and what served its requests, as observed."""
    done = subprocess.run([str(server.python), "-c", _INSTALLED_SNIPPET], capture_output=True, text=True, timeout=60)
    venv = json.loads(done.stdout) if done.returncode == 0 else {"python": "unknown", "installed": {}}
    installed = venv["installed"]
    framework = server.framework
    try:
        observed = labels.classify(labels.observe_calls(framework, cores, install), installed)
    except (labels.ProbeError, ServerError) as error:
        print(f"labels: {error}".splitlines()[0], file=sys.stderr)
        unknown = {"name": labels.UNKNOWN, "version": None}
        observed = {"event_loop": unknown, "http_parser": unknown, "json": [unknown]}

    def named(name: str) -> dict:
        return {"name": name, "version": installed.get(name)}

    return {
        "framework": named(framework.package) if framework.package else {"name": "raw ASGI", "version": None},
        "server": named(framework.server),
        **observed,
        "python": venv["python"],
        "installed": installed,
    }


def _skeleton(run: Run) -> dict:
    settings = run.settings
    framework = run.framework
    return {
        "schema_version": results.SCHEMA_VERSION,
        "framework": framework.name,
        "status": "ok",
        "error": None,
        "server_output": None,
        "started_at": results.now(),
        "finished_at": None,
        "git": results.git_commit(),
        "machine": results.machine(),
        "server": {
            "name": framework.server,
            "command": framework.command("{python}", "127.0.0.1", "{port}"),
            "cwd": str(framework.directory.relative_to(ROOT)),
            "cpus": sorted(run.split.server),
            "upload_filesystem": None,
        },
        "load": {
            "tool": run.client,
            "version": drive.version(run.client),
            "connections": settings.connections,
            "threads": drive.threads(run.client, run.split.client),
            "timeout_s": drive.TIMEOUT_S,
            "duration_s": settings.duration,
            "warmup_s": settings.warmup,
            "repeat": settings.repeat,
            "cpus": sorted(run.split.client),
            "pairs": {
                "method": "simultaneous",
                "order": "rounds",
                "fresh_servers": True,
                "duration_s": settings.pair_duration,
                "repeat": settings.pairs,
                "connections_each": max(1, settings.connections // 2),
                "cgroups": None,
            },
        },
        "replica": {"index": settings.replica[0], "of": settings.replica[1]} if settings.replica else None,
        "install": None,
        "versions": None,
        "verification": None,
        "scenarios": {
            name: {
                "status": "ok",
                "reason": None,
                "runs": [],
                "summary": None,
                "pairs": [],
                "share": None,
                "instructions": None,
                "fixed_rate": None,
            }
            for name in settings.scenarios
        },
        "instructions": None,
        "baseline": {
            "framework": frameworks.BASELINE,
            "status": "ok",
            "reason": None,
            "scenarios": {name: {"runs": [], "summary": None, "instructions": None} for name in settings.scenarios},
        },
        "timings": None,
    }


def _failure_reason(check: verify.Check, framework: frameworks.Framework, python: str) -> str:
    """A failed check's detail, and why the framework cannot pass it where the registry says so."""
    why = framework.cannot(python).get(check.name)
    return f"{check.name}: {check.detail}" + (f" (the framework cannot: {why})" if why else "")


def benchmark(run: Run, line: Line) -> None:
    """Every step of the run; failures are recorded in run.result, Ctrl-C propagates."""
    result = run.result
    middleware = "middleware" in run.settings.scenarios
    framework = Side(
        Server(run.framework, cores=run.split.server, install=run.installed),
        Server(run.framework, cores=run.split.server, install=run.installed, middleware=True) if middleware else None,
    )
    server = framework.plain
    result["install"] = server.install
    baseline: Side | None = None
    passing: list[str] = []
    try:
        for started in framework.servers():
            started.start()
        result["server"]["command"] = server.portable_command
        result["server"]["upload_filesystem"] = filesystem_of(server.upload_dir)
        result["versions"] = _versions(server, run.split.server, run.installed)
        middleware_url = framework.middleware.base_url if framework.middleware else None
        checks = verify.verify(server.base_url, server.upload_dir, middleware_url=middleware_url)
        result["verification"] = [check.__dict__ for check in checks]
        gates = verify.failures_by_scenario(checks, list(run.settings.scenarios))
        for scenario, failed in gates.items():
            if failed:
                reasons = "; ".join(
                    _failure_reason(check, run.framework, result["versions"]["python"]) for check in failed
                )
                result["scenarios"][scenario] |= {"status": "failed_verification", "reason": reasons}
        passing = [name for name, failed in gates.items() if not failed]
        print(f"verified: {len(checks) - sum(not c.passed for c in checks)}/{len(checks)} checks pass", file=sys.stderr)
        baseline = start_baseline(run, middleware)
        if baseline is not None:
            result["load"]["pairs"]["cgroups"], measured = together(run, framework, baseline, passing, line)
            for scenario, pairs in measured.items():
                result["scenarios"][scenario]["pairs"] = pairs
        alone(run, framework, baseline, passing, line)
        half_load(run, framework, passing, line)
    except (ServerError, BenchError, drive.LoadError) as error:
        result["status"] = "failed"
        result["error"] = str(error)
        result["server_output"] = server.output_tail or None
        for entry in result["scenarios"].values():
            if entry["status"] == "ok" and len(entry["runs"]) < run.settings.repeat:
                entry |= {"status": "failed", "reason": f"not measured: {error}".splitlines()[0]}
    finally:
        for stopped in [*framework.servers(), *(baseline.servers() if baseline else [])]:
            stopped.stop()
    if result["status"] == "ok":
        count_instructions(run, passing)


def _finish(run: Run) -> None:
    result = run.result
    for name, entry in result["scenarios"].items():
        if entry["runs"] and entry["status"] == "ok":
            entry["summary"] = results.summarize(entry["runs"])
        base = result["baseline"]["scenarios"][name]
        if base["runs"]:
            base["summary"] = results.summarize(base["runs"])
        entry["share"] = results.cost_share(entry["pairs"]) if entry["status"] == "ok" else None
    if any(entry["status"] != "ok" for entry in result["scenarios"].values()):
        result["status"] = "failed"
    total = time.monotonic() - run.started
    result["finished_at"] = results.now()
    result["timings"] = {
        "total_s": total,
        "load_s": run.load_seconds,
        "overhead_s": total - run.load_seconds,
        "overhead_share": (total - run.load_seconds) / total if total else 0.0,
        "instructions_s": run.instruction_seconds,
    }


def _summary_row(name: str, entry: dict) -> list[str]:
    summary = entry["summary"]
    if summary is None:
        return [name, entry.get("status", ""), "", "", "", "", "", "", "", "", (entry.get("reason") or "")[:60]]
    share = entry.get("share")
    return [
        name, entry.get("status", "ok"), f"{summary['rps_median']:.0f}",
        f"{summary['rps_min']:.0f}–{summary['rps_max']:.0f}",
        f"{summary['rps_cv'] * 100:.1f}%" if summary["rps_cv"] is not None else "n/a",
        f"{share['median'] * 100:.1f}% ({share['min'] * 100:.1f}–{share['max'] * 100:.1f})" if share else "",
        f"{summary['latency_ms']['p99']:.2f}",
        _half_load_p99(entry.get("fixed_rate")),
        f"{summary['cpu_us_per_request']:.0f}" if summary["cpu_us_per_request"] else "n/a",
        f"{entry['instructions']['per_request'] / 1000:,.1f}k" if entry.get("instructions") else "",
        ", ".join(flag for flag, on in summary["flags"].items() if on),
    ]  # fmt: skip


def _half_load_p99(figures: dict | None) -> str:
    if figures is None:
        return ""
    if figures["overloaded"] or figures["latency_ms"]["p99"] is None:
        return "overloaded"
    return f"{figures['latency_ms']['p99']:.2f}"


def print_summary(result: dict) -> None:
    headers = ["scenario", "status", "req/s", "min–max", "CV", "vs asgi (pairs)", "p99 ms", "p99 ½ load", "CPU µs/req",
               "instr/req", "flags"]  # fmt: skip
    print(f"\n{result['framework']} ({result['load']['tool']}, {result['load']['connections']} connections)")
    rows = [_summary_row(name, entry) for name, entry in result["scenarios"].items()]
    print(tabulate(rows, headers=headers, disable_numparse=True))
    baseline = result["baseline"]
    if baseline["status"] == "ok":
        print(f"\nbaseline: {baseline['framework']}, each run adjacent to one above")
        rows = [_summary_row(name, entry) for name, entry in baseline["scenarios"].items()]
        print(tabulate(rows, headers=headers, disable_numparse=True))
    else:
        print(f"baseline failed: {baseline['reason']}")
    print_drift(result)
    timings = result["timings"]
    print(
        f"time: {timings['total_s']:.1f} s, of which harness overhead {timings['overhead_share'] * 100:.1f}%"
        f" (counting instructions: {timings['instructions_s']:.1f} s)"
    )
    if result["error"]:
        print(f"FAILED: {result['error']}")


def print_drift(result: dict) -> None:
    """How the machine's speed moved over the rounds of pairs, and a warning where it moved much:
    the shares of such a run hold less well in the next one (the methodology's reproducibility)."""
    speeds = results.round_speeds({name: entry["pairs"] for name, entry in result["scenarios"].items()})
    if len(speeds) < 2:
        return
    rounds = ", ".join(f"{speed:.2f}" for speed in speeds.values())
    print(f"asgi's speed per round of pairs, relative to the run (1: its median): {rounds}")
    spread = max(speeds.values()) / min(speeds.values()) - 1
    if spread > results.DRIFT:
        print(f"WARNING: the machine's speed moved by {spread:.0%} during the pairs (above {results.DRIFT:.0%}): "
              "a busy neighbour or a slower clock; the shares of this run may not reproduce")  # fmt: skip


def _describe_install(installed: override.Installed) -> str:
    record = installed.record
    commit = f", commit {record['commit']}" if record["commit"] else ""
    dirty = {True: " with uncommitted changes", False: " clean", None: ""}[record["dirty"]]
    return f"version {record['version']}{commit}{dirty}, in {installed.venv}"


def main(argv: list[str] | None = None) -> int:
    name, settings = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        client = drive.choose_client(settings.client)
    except drive.LoadError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    stop_on_signals()
    if settings.against or settings.against_app:
        return ab.run_ab(name, settings, client)
    path = settings.output / f"{name}.json"
    installed = None
    if settings.install:
        # Bad input fails here, before the run; the override's result never replaces the pinned one.
        try:
            installed = override.ensure(frameworks.get(name), settings.install)
        except override.InstallError as error:
            print(f"bench: {error}", file=sys.stderr)
            return 2
        except Stopped as stop:
            print(f"\nbench: interrupted ({stop}); nothing written", file=sys.stderr)
            return 130
        path = settings.output / "installs" / f"{installed.venv.name}.json"
        print(f"bench {name}: --install {settings.install}: {_describe_install(installed)}", file=sys.stderr)
    run = Run(frameworks.get(name), settings, client, cpus.split(), installed=installed)
    run.result = _skeleton(run)
    print(f"bench {name}: per scenario, {settings.pairs} pairs × {settings.pair_duration} s with asgi and "
          f"{settings.repeat} × {settings.duration} s alone, {client}", file=sys.stderr)  # fmt: skip
    try:
        benchmark(run, Line())
    except appenv.EnvError as error:  # the app's own venv could not be built: nothing was measured
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except Stopped as stop:
        print(f"\nbench: interrupted ({stop}); nothing written", file=sys.stderr)
        return 130
    _finish(run)
    results.write(run.result, path)
    print_summary(run.result)
    print(f"wrote {path}")
    return 0 if run.result["status"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
