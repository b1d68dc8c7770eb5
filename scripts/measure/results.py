"""The JSON result of one benchmark run: its statistics, its metadata, and its schema.

The result file is the only interface between benchmarking and reporting: the report
reads nothing else. Its shape is fixed by result.schema.json beside this module, and
`SCHEMA_VERSION` changes whenever that shape does.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import jsonschema

from scripts.frameworks import ROOT
from scripts.load.drive import CLIENT_BOUND_SHARE
from scripts.serve.procstats import CpuTimes

SCHEMA_VERSION = 3
SCHEMA_PATH = Path(__file__).with_name("result.schema.json")
# A scenario is flagged unstable above this coefficient of variation of its repeats,
UNSTABLE_CV = 0.05
# and with errors above this share of its requests.
ERROR_SHARE = 0.001


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_figures(load: dict, cpu: CpuTimes | None, peak_rss: int | None, threads: int) -> dict:
    """One measured run: the load generator's figures plus the server's cost."""
    errors = sum(load["errors"].values())
    answered = load["requests"]
    server_cpu_s = cpu.user + cpu.system if cpu is not None else None
    client_share = load["client_cpu_s"] / (load["duration_s"] * threads) if load["duration_s"] else 0.0
    return {
        "rps": load["status_2xx"] / load["duration_s"] if load["duration_s"] else 0.0,
        "duration_s": load["duration_s"],
        "requests": answered,
        "status_2xx": load["status_2xx"],
        "non_2xx": load["non_2xx"],
        "errors": load["errors"],
        "error_share": (errors + load["non_2xx"]) / max(1, answered + errors),
        "latency_ms": load["latency_ms"],
        "server_cpu_s": server_cpu_s,
        "cpu_us_per_request": server_cpu_s * 1e6 / answered if server_cpu_s is not None and answered else None,
        "server_user_s": cpu.user if cpu is not None else None,
        "user_us_per_request": cpu.user * 1e6 / answered if cpu is not None and answered else None,
        "peak_rss_bytes": peak_rss,
        "client_cpu_s": load["client_cpu_s"],
        "client_cpu_share": client_share,
        "client_bound": client_share >= CLIENT_BOUND_SHARE,
    }


def _median_of(runs: list[dict], key: str) -> float | None:
    values = [run[key] for run in runs if run[key] is not None]
    return statistics.median(values) if values else None


def summarize(runs: list[dict]) -> dict:
    """Median of the repeats with its spread, and the flags a reader must see."""
    rps = [run["rps"] for run in runs]
    mean = statistics.fmean(rps)
    cv = statistics.stdev(rps) / mean if len(rps) > 1 and mean else None
    total = sum(run["requests"] + sum(run["errors"].values()) for run in runs)
    bad = sum(run["non_2xx"] + sum(run["errors"].values()) for run in runs)
    return {
        "rps_median": statistics.median(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "rps_cv": cv,
        "latency_ms": {key: statistics.median(run["latency_ms"][key] for run in runs) for key in runs[0]["latency_ms"]},
        "cpu_us_per_request": _median_of(runs, "cpu_us_per_request"),
        "peak_rss_bytes": max((run["peak_rss_bytes"] for run in runs if run["peak_rss_bytes"]), default=None),
        "error_share": bad / max(1, total),
        "flags": {
            "unstable": cv is not None and cv > UNSTABLE_CV,
            "errors": bad / max(1, total) > ERROR_SHARE,
            "client_bound": any(run["client_bound"] for run in runs),
        },
    }


def paired_share(runs: list[dict], baseline_runs: list[dict]) -> dict | None:
    """The framework's req/s as a share of the baseline's, pair by pair (the runs adjacent in
    time), and the median of the pairs with their range: the baseline's noise is divided out
    run by run instead of landing whole on every share."""
    pairs = [run["rps"] / base["rps"] for run, base in zip(runs, baseline_runs, strict=True) if base["rps"] > 0]
    if not pairs:
        return None
    return {"median": statistics.median(pairs), "min": min(pairs), "max": max(pairs), "pairs": pairs}


def _cost_ratios(pairs: list[dict], key: str) -> list[float] | None:
    """asgi's cost over the framework's, pair by pair, or None where a pair lacks the figure."""
    costs = [(pair["framework"].get(key), pair["baseline"].get(key)) for pair in pairs]
    if not all(mine and theirs for mine, theirs in costs):
        return None
    return [theirs / mine for mine, theirs in costs]


def cost_share(pairs: list[dict]) -> dict | None:
    """The framework's share of asgi from runs measured at the same time on one core: pair by
    pair, asgi's CPU time per answered request over the framework's (what share of asgi's
    requests the framework answers with the same CPU time), the median of the pairs and their
    range. The ratio of req/s of the same pairs is kept beside it; it stands in, and `method`
    says so, where a CPU time is missing (no /proc). So is the ratio of user-space CPU time
    alone (the servers' own code, without the kernel's work for them), where it was read."""
    if not pairs:
        return None
    rps = [pair["framework"]["rps"] / pair["baseline"]["rps"] for pair in pairs if pair["baseline"]["rps"] > 0]
    ratios = _cost_ratios(pairs, "cpu_us_per_request")
    method = "cpu_per_request" if ratios else "rps"
    ratios = ratios or rps
    if not ratios:
        return None
    share = {
        "median": statistics.median(ratios),
        "min": min(ratios),
        "max": max(ratios),
        "pairs": ratios,
        "method": method,
        "rps_ratio": statistics.median(rps) if rps else None,
    }
    if user := _cost_ratios(pairs, "user_us_per_request"):
        share["user_ratio"] = statistics.median(user)
    return share


def baseline_cost(pairs: list[dict]) -> float | None:
    """asgi's CPU µs per request over a scenario's pairs (median): what this machine, in this
    run, takes for the raw app's request; the ratio of two runs' is how much faster it was."""
    costs = [pair["baseline"].get("cpu_us_per_request") for pair in pairs]
    return statistics.median(costs) if costs and all(costs) else None


# Above this spread of the rounds' speeds (slowest over fastest), a run warns that the machine drifted.
DRIFT = 0.10


def round_speeds(scenarios: dict[str, list[dict]]) -> dict[int, float]:
    """How fast the machine ran asgi in each round of pairs, relative to the whole run: per round,
    the median over scenarios of asgi's cost per request in the run's median pair of that
    scenario divided by its cost in that round's (1.1: a tenth faster). Empty without rounds."""
    relative: dict[int, list[float]] = {}
    for pairs in scenarios.values():
        typical = baseline_cost(pairs)
        for pair in pairs:
            cost = pair["baseline"].get("cpu_us_per_request")
            if typical and cost and "round" in pair:
                relative.setdefault(pair["round"], []).append(typical / cost)
    return {round_: statistics.median(values) for round_, values in sorted(relative.items())}


def machine() -> dict:
    """What the figures were measured on, and what tells one machine and boot from another: the
    processor, its flags, the kernel and a hash of the boot id (the id itself is not published)."""
    found: dict[str, str] = {}
    for line in (_read("/proc/cpuinfo") or "").splitlines():
        key, _, value = line.partition(":")
        found.setdefault(key.strip(), value.strip())  # the first processor's
    model, flags = found.get("model name") or platform.processor() or platform.machine(), found.get("flags", "")
    return {
        "cpu_model": model,
        "cores": os.cpu_count() or 1,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "kernel": platform.version(),
        "cpu_flags_sha256": _digest(" ".join(sorted(flags.split()))) if flags else None,
        "boot_id_sha256": _digest(_read("/proc/sys/kernel/random/boot_id")),
    }


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _digest(text: str | None) -> str | None:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else None


def git_commit() -> dict:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    """The schema, checked and compiled once per process: a report reads many results."""
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


def validate(result: dict) -> None:
    """Raise jsonschema.ValidationError when the result does not have the agreed shape."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        raise error


def portable(value: object) -> object:
    """The value with this checkout's absolute path turned into "." in every string (a failed
    server's output tail names its files): a result says nothing about the machine's folders."""
    if isinstance(value, str):
        return value.replace(str(ROOT), ".")
    if isinstance(value, dict):
        return {key: portable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [portable(item) for item in value]
    return value


def write(result: dict, path: Path) -> None:
    """Validate, then write atomically: a reader never sees half a file."""
    result = portable(result)
    validate(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(result, indent=2) + "\n")
    partial.replace(path)
