"""Derive schema-v2 fixtures from the real v1 results beside them (../results): see README.md.

    python tests/data/results-v2/derive.py

Stand-ins until measured v2 results exist; every v2-only figure here is computed from a
v1 figure by a stated rule, none is measured. Delete this script with the files it wrote.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE.parent / "results"
# Instructions per request are taken as the measured CPU µs per request times this factor.
INSTRUCTIONS_PER_CPU_US = 2000.0
# The one fixed-rate run that is marked overloaded, to exercise that path.
OVERLOADED = ("django", "upload")


def _placeholders(command: list[str]) -> list[str]:
    words = ["{python}", *command[1:]]
    return [("{port}" if index and words[index - 1] == "--port" else word) for index, word in enumerate(words)]


def _baseline(framework: dict, asgi: dict) -> dict:
    """asgi's own measured runs, scaled to the baseline figure measured next to this framework."""
    scenarios = {}
    for name, entry in asgi["scenarios"].items():
        scale = framework["baseline"]["rps"][name] / entry["summary"]["rps_median"]
        runs = [run | {"rps": run["rps"] * scale} for run in entry["runs"]]
        rps = [run["rps"] for run in runs]
        summary = entry["summary"] | {
            "rps_median": statistics.median(rps),
            "rps_min": min(rps),
            "rps_max": max(rps),
        }
        scenarios[name] = {"runs": runs, "summary": summary, "instructions": _instructions(entry)}
    return {"framework": "asgi", "status": "ok", "reason": None, "scenarios": scenarios}


def _instructions(entry: dict) -> dict:
    counts = [run["cpu_us_per_request"] * INSTRUCTIONS_PER_CPU_US for run in entry["runs"]]
    return {"per_request": statistics.median(counts), "counts": counts}


def _fixed_rate(framework: str, scenario: str, summary: dict) -> dict:
    closed = summary["latency_ms"]
    asked = summary["rps_median"] / 2
    overloaded = (framework, scenario) == OVERLOADED
    achieved = asked * (0.8 if overloaded else 0.999)
    return {
        "rate_asked": asked,
        "rate_achieved": achieved,
        "overloaded": overloaded,
        "duration_s": 10.0,
        "connections": 64,
        "requests": round(achieved * 10),
        "errors": 0,
        "latency_ms": {
            "p50": closed["p50"] / 4,
            "p90": closed["p90"] / 4,
            "p99": closed["p99"] / 3,
            "p99.9": closed["max"] / 3,
            "max": closed["max"] / 2,
        },
    }


def derive(result: dict, asgi: dict) -> dict:
    baseline = _baseline(result, asgi)
    scenarios = {}
    for name, entry in result["scenarios"].items():
        base_runs = baseline["scenarios"][name]["runs"]
        pairs = [run["rps"] / base["rps"] for run, base in zip(entry["runs"], base_runs, strict=True)]
        scenarios[name] = entry | {
            "share": {"median": statistics.median(pairs), "min": min(pairs), "max": max(pairs), "pairs": pairs},
            "instructions": _instructions(entry),
            "fixed_rate": _fixed_rate(result["framework"], name, entry["summary"]),
        }
    return result | {
        "schema_version": 2,
        "versions": result["versions"] | {"python": result["machine"]["python"]},
        "install": None,
        "server": result["server"] | {"command": _placeholders(result["server"]["command"])},
        "scenarios": scenarios,
        "baseline": baseline,
        "instructions": {
            "tool": "valgrind",
            "version": "3.19.0",
            "method": "derived fixture: CPU microseconds per request times 2000, not a count",
            "warmup_requests": 200,
            "requests": 1000,
        },
    }


def main() -> None:
    asgi = json.loads((SOURCE / "asgi.json").read_text())
    for path in sorted(SOURCE.glob("*.json")):
        try:
            result = json.loads(path.read_text())
        except ValueError:
            continue  # the deliberately broken file
        (HERE / path.name).write_text(json.dumps(derive(result, asgi), indent=2) + "\n")


if __name__ == "__main__":
    main()
