"""The raw data the site serves: each dated run's results as one JSON file and one CSV file.

Jekyll does not serve _data/, so the report writes each run's results again under
downloads/, where the post links them: the JSON exactly as the report read it, and a CSV
with one row per framework and scenario for a spreadsheet: every scenario each result holds, an
older result's fewer scenarios as they are (no row, never a zero, for one it did not measure).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from scripts.report import figures
from scripts.report.batches import Batch

DOWNLOADS_DIR = Path("downloads")
COLUMNS = (
    "date", "framework", "version", "python", "server", "schema_version", "scenario", "status", "reason",
    "rps_median", "rps_min", "rps_max", "rps_cv", "repeats", "share_median", "share_min", "share_max", "share_paired",
    "baseline_rps_median", "baseline_rps_cv", "instructions_per_request", "baseline_instructions_per_request",
    "latency_p50_ms", "latency_p99_ms",
    "half_load_rate", "half_load_overloaded", "half_load_p50_ms", "half_load_p99_ms", "half_load_p99_9_ms",
    "cpu_us_per_request", "peak_rss_bytes", "error_share", "unstable", "client_bound", "commit",
)  # fmt: skip


def paths(day: str) -> tuple[Path, Path]:
    """Where a run's JSON and CSV go, relative to the site's root."""
    return DOWNLOADS_DIR / f"{day}.json", DOWNLOADS_DIR / f"{day}.csv"


def as_json(batch: Batch) -> str:
    return json.dumps(batch.to_data(), indent=1) + "\n"


def _row(day: str, result: dict, scenario: str) -> dict[str, object]:
    entry = figures.entry(result, scenario)
    summary = entry["summary"]
    share = figures.share(result, scenario)
    fixed = figures.fixed_rate(result, scenario)
    baseline = figures.baseline_summary(result, scenario)
    half = fixed["latency_ms"] if fixed and not fixed["overloaded"] else {}
    return {
        "date": day,
        "framework": result["framework"],
        "version": figures.framework_version(result) or "",
        "python": figures.python(result),
        "server": result["server"]["name"],
        "schema_version": result["schema_version"],
        "scenario": scenario,
        "status": entry["status"],
        "reason": entry["reason"] or "",
        "rps_median": summary["rps_median"] if summary else "",
        "rps_min": summary["rps_min"] if summary else "",
        "rps_max": summary["rps_max"] if summary else "",
        "rps_cv": summary["rps_cv"] if summary and summary["rps_cv"] is not None else "",
        "repeats": len(entry["runs"]),
        "share_median": share.spread.median if share else "",
        "share_min": share.spread.low if share else "",
        "share_max": share.spread.high if share else "",
        "share_paired": share.paired if share else "",
        "baseline_rps_median": _blank(figures.baseline_rps(result, scenario)),
        "baseline_rps_cv": _blank(baseline["rps_cv"] if baseline else None),
        "instructions_per_request": _blank(figures.instructions(result, scenario)),
        "baseline_instructions_per_request": _blank(figures.baseline_instructions(result, scenario)),
        "latency_p50_ms": summary["latency_ms"]["p50"] if summary else "",
        "latency_p99_ms": summary["latency_ms"]["p99"] if summary else "",
        "half_load_rate": fixed["rate_asked"] if fixed else "",
        "half_load_overloaded": fixed["overloaded"] if fixed else "",
        "half_load_p50_ms": half.get("p50", ""),
        "half_load_p99_ms": half.get("p99", ""),
        "half_load_p99_9_ms": half.get("p99.9", ""),
        "cpu_us_per_request": _blank(summary["cpu_us_per_request"] if summary else None),
        "peak_rss_bytes": _blank(summary["peak_rss_bytes"] if summary else None),
        "error_share": summary["error_share"] if summary else "",
        "unstable": summary["flags"]["unstable"] if summary else "",
        "client_bound": summary["flags"]["client_bound"] if summary else "",
        "commit": result["git"]["commit"] or "",
    }


def _blank(value: object) -> object:
    return "" if value is None else value


def as_csv(batch: Batch) -> str:
    """One row per framework and scenario, frameworks by name; a blank cell where the result has no figure."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for name in sorted(batch.results):
        result = batch.results[name]
        for scenario in result["scenarios"]:
            writer.writerow(_row(batch.date, result, scenario))
    return out.getvalue()
