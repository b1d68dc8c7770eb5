"""What one result says, in one shape whatever its schema version.

Version 1 and version 2 results differ in how the asgi baseline was measured (v1: one short
run per scenario after the framework; v2: a baseline run adjacent to each framework run,
with the paired shares computed by the bench). Every page, table and comparison reads a
result's figures through these functions, so that difference is handled here only.
"""

from __future__ import annotations

import shlex
import statistics
from dataclasses import dataclass

from scripts.check import verify
from scripts.measure import results

UNKNOWN = "unknown"
# The load settings that make two results' figures comparable; threads follow the machine's cores.
LOAD_SETTINGS = ("tool", "connections", "duration_s", "warmup_s", "repeat", "timeout_s")


@dataclass(frozen=True)
class Spread:
    """A figure with its range over the repeats: what the tie rule and the noise verdict compare."""

    median: float
    low: float
    high: float
    repeats: int

    def scaled(self, factor: float) -> Spread:
        return Spread(self.median * factor, self.low * factor, self.high * factor, self.repeats)


@dataclass(frozen=True)
class Share:
    """The framework's share of the asgi baseline. Paired (v2 on): the median of its pairs, each a framework run
    divided by its adjacent baseline run (v2), or asgi's CPU time per request over the framework's with the two
    served at the same time (v3). Unpaired (v1): the framework's figures divided by one baseline figure."""

    spread: Spread
    paired: bool


@dataclass(frozen=True)
class Overhead:
    """The framework's instructions per request above the baseline's, from the same result."""

    extra: float
    multiple: float


# How each schema version measured the share of asgi: what a reader must know when two results differ in it.
METHODS = {
    1: "one unpaired baseline run (schema 1)",
    2: "a baseline run paired with each run (schema 2)",
    3: "asgi served beside the framework at the same time, the share from CPU time per request (schema 3)",
}


def method(result: dict) -> str:
    """How the result measured its share of asgi, in words."""
    version = result["schema_version"]
    return METHODS.get(version, f"schema {version}")


def at_once(result: dict) -> bool:
    """Whether the share comes from the two apps served at the same time (schema 3 on): then it is
    not the ratio of the req/s columns, which come from each app's runs alone."""
    return result["schema_version"] >= 3


def entry(result: dict, scenario: str) -> dict | None:
    return result["scenarios"].get(scenario)


def summary(result: dict, scenario: str) -> dict | None:
    found = entry(result, scenario)
    return found["summary"] if found else None


def rps(result: dict, scenario: str) -> Spread | None:
    """The framework's req/s: median of the repeats and their range."""
    found = entry(result, scenario)
    if not found or not found["summary"]:
        return None
    figures = found["summary"]
    return Spread(figures["rps_median"], figures["rps_min"], figures["rps_max"], len(found["runs"]))


def baseline_ok(result: dict) -> bool:
    return result["baseline"]["status"] == "ok"


def baseline_summary(result: dict, scenario: str) -> dict | None:
    """The baseline's own summary (v2 only: a v1 baseline is a single figure per scenario)."""
    if result["schema_version"] == 1 or not baseline_ok(result):
        return None
    found = result["baseline"]["scenarios"].get(scenario)
    return found["summary"] if found else None


def baseline_rps(result: dict, scenario: str) -> float | None:
    """The raw ASGI app's req/s on the scenario, measured by the same run on the same machine."""
    if not baseline_ok(result):
        return None
    if result["schema_version"] == 1:
        return result["baseline"]["rps"].get(scenario) or None
    found = baseline_summary(result, scenario)
    return found["rps_median"] or None if found else None


def baseline_notes(result: dict) -> list[str]:
    """What a reader must know about the baseline itself: why it failed, or the flags of its own runs."""
    baseline = result["baseline"]
    if not baseline_ok(result):
        return [f"failed: {baseline['reason'] or 'no reason recorded'}"]
    if result["schema_version"] == 1:
        return ["one run a scenario: no spread, no flags"]
    notes = []
    for scenario in baseline["scenarios"]:
        found = baseline_summary(result, scenario)
        notes += [f"{scenario}: {flag}" for flag in (summary_flags(found).values() if found else ["no figures"])]
    return notes


def same_boot(old: dict, new: dict) -> bool:
    """Both measured on one machine between the same two restarts: only then do raw req/s compare."""
    boot = old["machine"].get("boot_id_sha256")
    return boot is not None and boot == new["machine"].get("boot_id_sha256")


def asgi_speed(old: dict, new: dict) -> float | None:
    """How much faster the machine of `new` ran the raw ASGI app than that of `old` (0.8: a fifth
    slower): per scenario, asgi's CPU time per request in old's pairs over new's, median over
    the scenarios both measured. None where either lacks the pairs (before schema version 3)."""
    ratios = []
    for scenario, entry in new["scenarios"].items():
        before = old["scenarios"].get(scenario)
        was = results.baseline_cost(before.get("pairs", [])) if before else None
        now = results.baseline_cost(entry.get("pairs", []))
        if was and now:
            ratios.append(was / now)
    return statistics.median(ratios) if ratios else None


def share(result: dict, scenario: str) -> Share | None:
    """The framework's req/s as a share of its own asgi baseline, or None without figures or baseline."""
    figures = rps(result, scenario)
    if figures is None:
        return None
    if result["schema_version"] == 1:
        baseline = baseline_rps(result, scenario)
        return Share(figures.scaled(1 / baseline), paired=False) if baseline else None
    paired = entry(result, scenario)["share"]
    if not paired:
        return None
    return Share(Spread(paired["median"], paired["min"], paired["max"], len(paired["pairs"])), paired=True)


def instructions(result: dict, scenario: str) -> float | None:
    """User-space instructions the server executed per request (v2, where valgrind was present)."""
    found = entry(result, scenario)
    counted = found.get("instructions") if found else None
    return counted["per_request"] if counted else None


def instruction_counts(result: dict, scenario: str) -> list[float]:
    found = entry(result, scenario)
    counted = found.get("instructions") if found else None
    return list(counted["counts"]) if counted else []


def baseline_instructions(result: dict, scenario: str) -> float | None:
    if result["schema_version"] == 1 or not baseline_ok(result):
        return None
    found = result["baseline"]["scenarios"].get(scenario)
    return found["instructions"]["per_request"] if found and found["instructions"] else None


def overhead(result: dict, scenario: str) -> Overhead | None:
    """Instructions per request above the baseline of the same result, as a difference and as a multiple."""
    own, base = instructions(result, scenario), baseline_instructions(result, scenario)
    if own is None or not base:
        return None
    return Overhead(own - base, own / base)


def fixed_rate(result: dict, scenario: str) -> dict | None:
    """Open-model latency at half the framework's median req/s (v2), or None where not measured."""
    found = entry(result, scenario)
    return found.get("fixed_rate") if found else None


def python(result: dict | None) -> str:
    """The Python of the app's venv as the result observed it; v1 results did not record it."""
    versions = result["versions"] if result else None
    return versions.get("python") or UNKNOWN if versions else UNKNOWN


def framework_version(result: dict | None) -> str | None:
    versions = result["versions"] if result else None
    return versions["framework"]["version"] if versions else None


def server_version(result: dict | None) -> str | None:
    versions = result["versions"] if result else None
    return versions["server"]["version"] if versions else None


def start_command(result: dict) -> str:
    """The command that started the app, with {python} and {port} where the run had its own
    (batches.read_result turns a schema-1 result's machine path and port into these)."""
    words = result["server"]["command"]
    return " ".join(word if word in ("{python}", "{port}") else shlex.quote(word) for word in words)


def install_text(result: dict) -> str | None:
    """The --install override a result was measured with, or None for the pinned requirements."""
    install = result.get("install")
    if not install:
        return None
    parts = [install["requirement"], f"installed {install['version'] or UNKNOWN}"]
    if install["commit"]:
        parts.append(f"commit {install['commit'][:12]}")
    if install["dirty"] is not None:
        parts.append("with uncommitted changes" if install["dirty"] else "clean checkout")
    return ", ".join(parts)


def load_differences(old: dict, new: dict) -> list[str]:
    """The load settings in which two results differ, each as "name old (old) against new (new)"."""
    return [
        f"{key} {old['load'][key]} (old) against {new['load'][key]} (new)"
        for key in LOAD_SETTINGS
        if old["load"][key] != new["load"][key]
    ]


def scenario_gap(result: dict, scenario: str, brief: bool = False) -> str | None:
    """Why the result has no figures for the scenario, or None when it has them. `brief`: for a
    table cell, a failed verification names its checks only; the framework's page gives each one's
    detail, and the reason the framework cannot pass it where the registry records one."""
    found = entry(result, scenario)
    if found is None:
        return "not measured in this run"
    if found["summary"] is not None:
        return None
    if found["status"] == "failed_verification":
        names = failed_checks(result, scenario) if brief else []
        return f"failed verification: {', '.join(names) or found['reason']}"
    return found["reason"] or f"no figures ({found['status']})"


def failed_checks(result: dict, scenario: str) -> list[str]:
    """The failed checks that kept a scenario from being measured: its own and those of every scenario."""
    return [
        check["name"]
        for check in result["verification"] or []
        if not check["passed"]
        and check["scenario"] in (scenario, verify.ALL)
        and check["name"] not in verify.NOT_GATING
    ]


def flags(result: dict, scenario: str) -> dict[str, str]:
    """The flags a reader must see next to the figures, by name, each with its detail."""
    found = entry(result, scenario)
    if found is None:
        return {}
    if found["status"] == "failed_verification":
        return {"failed verification": "failed verification"}
    if found["summary"] is None:
        return {"failed": "failed"}
    shown = summary_flags(found["summary"])
    if "pairs" in found:  # version 3: the share comes from the pairs, and so does its stability
        shown.pop("unstable", None)
        ratios = (found.get("share") or {}).get("pairs") or []
        if len(ratios) > 1 and (cv := statistics.stdev(ratios) / statistics.fmean(ratios)) > results.UNSTABLE_CV:
            shown = {"unstable": f"unstable (share CV {cv:.1%})", **shown}
    return shown


def summary_flags(figures: dict) -> dict[str, str]:
    raised = figures["flags"]
    shown = {}
    if raised["unstable"]:
        shown["unstable"] = f"unstable (CV {figures['rps_cv']:.1%})"
    if raised["errors"]:
        shown["errors"] = f"errors ({figures['error_share']:.2%})"
    if raised["client_bound"]:
        shown["client-bound"] = "client-bound"
    return shown
