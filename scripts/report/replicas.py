"""Replicas: the R results of one framework in one run, each measured on a runner of its own,
merged into the one result the report shows.

A share measured on one machine carries only that machine's noise; the spread between runners
is what a reader of the post meets when they measure again. So the merged share of a scenario
is the median of the replicas' median shares, and its range is the range between them: ties
and "moved" verdicts come from that range. Runs and pairs are pooled for the req/s figures,
instruction counts pooled for their median. Every replica is kept whole in `replicas`, so the
audit can merge them again and compare.
"""

from __future__ import annotations

import copy
import statistics

from scripts.measure import results


class ReplicaError(ValueError):
    """The replicas of a framework do not make one set; the message says why."""


def is_replica(result: dict) -> bool:
    return bool(result.get("replica"))


def check_set(found: list[dict]) -> None:
    """The replicas are 1..R of the same R, each once."""
    counts = {result["replica"]["of"] for result in found}
    indices = sorted(result["replica"]["index"] for result in found)
    if len(counts) != 1:
        raise ReplicaError(f"replicas of different sets ({', '.join(f'of {n}' for n in sorted(counts))})")
    if len(set(indices)) != len(indices):
        raise ReplicaError(f"a replica appears twice (indices {indices})")


def merge(found: list[dict]) -> dict:
    """One result from the replicas of one framework; the first one's metadata stands for all."""
    ordered = sorted(found, key=lambda result: result["replica"]["index"])
    merged = copy.deepcopy(ordered[0])
    merged["replica"] = None
    merged["replicas"] = copy.deepcopy(ordered)
    if any(result["status"] != "ok" for result in ordered):
        merged["status"] = "failed"
    for name, entry in merged["scenarios"].items():
        entries = [result["scenarios"].get(name) for result in ordered]
        failed = next((other for other in entries if other is None or other["status"] != "ok"), None)
        if failed is not None:
            entry |= {"status": "failed", "reason": (failed or {}).get("reason") or "not measured on every replica"}
        _pool(entry, [other for other in entries if other is not None])
    for name, entry in merged["baseline"].get("scenarios", {}).items():
        _pool(
            entry,
            [result["baseline"]["scenarios"][name] for result in ordered if name in result["baseline"]["scenarios"]],
        )
    return merged


def _pool(entry: dict, entries: list[dict]) -> None:
    """The merged figures of one scenario from each replica's."""
    entry["runs"] = [run for other in entries for run in other["runs"]]
    entry["summary"] = results.summarize(entry["runs"]) if entry["runs"] and entry.get("status", "ok") == "ok" else None
    if "pairs" in entry:
        entry["pairs"] = [pair for other in entries for pair in other.get("pairs", [])]
    if "share" in entry:
        entry["share"] = _share([other.get("share") for other in entries]) if entry.get("status") == "ok" else None
    if entry.get("instructions"):
        counts = [count for other in entries if other.get("instructions") for count in other["instructions"]["counts"]]
        entry["instructions"] = {"per_request": round(statistics.median(counts), 1), "counts": counts}


def _share(shares: list[dict | None]) -> dict | None:
    if not shares or any(share is None for share in shares):
        return None
    medians = [share["median"] for share in shares]
    ratios = [share["rps_ratio"] for share in shares if share.get("rps_ratio") is not None]
    return {
        "median": statistics.median(medians),
        "min": min(medians),
        "max": max(medians),
        "pairs": medians,
        "method": "replicas",
        "rps_ratio": statistics.median(ratios) if ratios else None,
    }
