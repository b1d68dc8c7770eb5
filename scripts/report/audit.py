"""Refuse a result whose figures cannot be true: the report recomputes what it can from the runs.

A result file is a runner's artifact, so the report takes no stored summary on trust. Every
summary figure that follows from the runs (medians, ranges, CV, error shares, flags, the paired
shares, the median instruction count) is computed again with the measuring code's own
functions and must agree; every number must be finite, and no figure may be impossible
(a negative count, more 2xx answers than answers, a p50 above the p99). The first figure
that fails is named by its field, in one line.
"""

from __future__ import annotations

import math
import statistics

from scripts.measure import results
from scripts.report import replicas

# Stored figures went through JSON once: a float comes back exactly, so this only absorbs the
# last bit of a sum taken in another order.
TOLERANCE = 1e-9
COUNTS = ("requests", "status_2xx", "non_2xx")
LATENCY_ORDER = ("p50", "p75", "p90", "p99", "max")
FIXED_RATE_ORDER = ("p50", "p90", "p99", "p99.9", "max")


class Untrue(ValueError):
    """A figure of the result that is impossible or disagrees with its runs; the message names it."""


def audit(result: dict) -> None:
    """Raise Untrue, naming the field, at the first figure of `result` that cannot be true."""
    _finite(result, "")
    if result.get("replicas"):  # merged from replicas: each must hold, and so must their merge
        for index, replica in enumerate(result["replicas"]):
            try:
                audit(replica)
            except Untrue as error:
                raise Untrue(f"replicas[{index}].{error}") from None
        _agrees("", {**result, "replicas": None}, {**replicas.merge(result["replicas"]), "replicas": None})
        return
    baseline = (result.get("baseline") or {}).get("scenarios", {})
    for name, entry in result["scenarios"].items():
        _scenario(f"scenarios.{name}", entry, baseline.get(name))
    for name, entry in baseline.items():
        _scenario(f"baseline.scenarios.{name}", entry, None)


def _finite(value: object, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise Untrue(f"{where} is {value}, not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            _finite(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _finite(item, f"{where}[{index}]")


def _scenario(where: str, entry: dict, baseline: dict | None) -> None:
    runs = entry.get("runs") or []
    for index, run in enumerate(runs):
        _run(f"{where}.runs[{index}]", run)
    if runs and entry.get("summary") is not None:
        _agrees(f"{where}.summary", entry["summary"], results.summarize(runs))
    pairs = entry.get("pairs") or []
    for index, pair in enumerate(pairs):
        for side in ("framework", "baseline"):
            _run(f"{where}.pairs[{index}].{side}", pair[side])
    if entry.get("share"):
        if pairs:  # version 3: runs made at the same time
            recomputed = results.cost_share(pairs)
        else:  # version 2: each run beside the baseline's adjacent one
            recomputed = results.paired_share(runs, (baseline or {}).get("runs") or [])
        _agrees(f"{where}.share", entry["share"], recomputed or {})
    if entry.get("instructions"):
        counts = entry["instructions"]["counts"]
        median = round(statistics.median(counts), 1) if counts else None
        _agrees(f"{where}.instructions.per_request", entry["instructions"]["per_request"], median)
    if entry.get("fixed_rate"):
        _fixed_rate(f"{where}.fixed_rate", entry["fixed_rate"])


def _run(where: str, run: dict) -> None:
    for key in COUNTS:
        _not_negative(f"{where}.{key}", run[key])
    for key, count in run["errors"].items():
        _not_negative(f"{where}.errors.{key}", count)
    if run["status_2xx"] + run["non_2xx"] > run["requests"]:
        raise Untrue(f"{where}: {run['status_2xx']} 2xx and {run['non_2xx']} other answers to "
                     f"{run['requests']} requests")  # fmt: skip
    if run["duration_s"] <= 0:
        raise Untrue(f"{where}.duration_s is {run['duration_s']}, not a positive duration")
    _agrees(f"{where}.rps", run["rps"], run["status_2xx"] / run["duration_s"])
    _ordered(f"{where}.latency_ms", run["latency_ms"], LATENCY_ORDER)
    if run.get("server_cpu_s") is not None:
        _not_negative(f"{where}.server_cpu_s", run["server_cpu_s"])
        if run["requests"]:
            _agrees(
                f"{where}.cpu_us_per_request", run["cpu_us_per_request"], run["server_cpu_s"] * 1e6 / run["requests"]
            )
    if run.get("server_user_s") is not None:
        _not_negative(f"{where}.server_user_s", run["server_user_s"])
        if run["server_cpu_s"] is None or run["server_user_s"] > run["server_cpu_s"] * (1 + TOLERANCE):
            raise Untrue(f"{where}.server_user_s is {run['server_user_s']}, more than the whole CPU time")
        if run["requests"]:
            _agrees(
                f"{where}.user_us_per_request", run["user_us_per_request"], run["server_user_s"] * 1e6 / run["requests"]
            )


def _fixed_rate(where: str, figures: dict) -> None:
    for key in ("requests", "errors", "rate_achieved", "rate_asked"):
        if key in figures:
            _not_negative(f"{where}.{key}", figures[key])
    _ordered(f"{where}.latency_ms", figures["latency_ms"], FIXED_RATE_ORDER)


def _not_negative(where: str, value: float) -> None:
    if value < 0:
        raise Untrue(f"{where} is {value}, below zero")


def _ordered(where: str, latency: dict, order: tuple[str, ...]) -> None:
    present = [key for key in order if key in latency]
    for low, high in zip(present, present[1:], strict=False):
        if latency[low] > latency[high]:
            raise Untrue(f"{where}: {low} {latency[low]} is above {high} {latency[high]}")
        if latency[low] < 0:
            raise Untrue(f"{where}.{low} is {latency[low]}, below zero")


def _agrees(where: str, stored: object, recomputed: object) -> None:
    """The stored figure equals the recomputed one; for a dict, every key both hold."""
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        for key in [key for key in stored if key in recomputed]:  # in the file's order: the first is named
            _agrees(f"{where}.{key}" if where else key, stored[key], recomputed[key])
        return
    if isinstance(stored, list) and isinstance(recomputed, list) and len(stored) == len(recomputed):
        for index, (one, other) in enumerate(zip(stored, recomputed, strict=True)):
            _agrees(f"{where}[{index}]", one, other)
        return
    if _numbers(stored, recomputed) and math.isclose(stored, recomputed, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
        return
    if stored != recomputed:
        raise Untrue(f"{where} is {stored!r}, its runs give {recomputed!r}")


def _numbers(*values: object) -> bool:
    return all(isinstance(value, int | float) and not isinstance(value, bool) for value in values)
