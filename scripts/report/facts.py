"""How a run was measured, as the post's list says it: what every result records about its
machine, load, cores, baseline, instruction count and commit; where results differ, each value
names its frameworks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scripts.report import figures
from scripts.report.batches import Batch
from scripts.scenarios import SCENARIOS


def run_facts(batch: Batch) -> list[tuple[str, str]]:
    """What every result says about how it was measured; where results differ, each value names its frameworks."""
    facts: list[tuple[str, Callable[[dict], str]]] = [
        ("Machine", lambda r: f"{r['machine']['cpu_model']}, {r['machine']['cores']} cores, {r['machine']['os']}"),
        ("Python (harness)", lambda r: r["machine"]["python"]),
        ("Load tool", _tool_text),
        ("Load", _load_text),
        ("Scenarios", lambda r: ", ".join(r["scenarios"]) or "none"),
        ("Cores", _cores_text),
        ("Upload filesystem", lambda r: r["server"]["upload_filesystem"] or figures.UNKNOWN),
        ("Baseline", _baseline_text),
        ("Instructions", _instructions_text),
        ("Commit", _commit_text),
    ]
    found = batch.results.values()
    shown = [(label, _grouped(found, describe)) for label, describe in facts]
    started = min(result["started_at"] for result in found)
    finished = max(result["finished_at"] for result in found)
    return [*shown, ("Measured", f"{started} to {finished} (UTC)")]


def _grouped(found: Iterable[dict], describe: Callable[[dict], str]) -> str:
    values: dict[str, list[str]] = {}
    for result in found:
        values.setdefault(describe(result), []).append(result["framework"])
    if len(values) == 1:
        return next(iter(values))
    return "; ".join(f"{value} ({', '.join(names)})" for value, names in values.items())


def _tool_text(result: dict) -> str:
    tool, version = result["load"]["tool"], result["load"]["version"]
    return version if version.startswith(tool) else f"{tool} {version}"


def _load_text(result: dict) -> str:
    load = result["load"]
    common = f"{load['connections']} keep-alive connections, {load['threads']} thread(s), timeout {load['timeout_s']} s"
    alone = f"{load['warmup_s']} s warm-up, then {load['repeat']} × {load['duration_s']} s measured"
    pairs = load.get("pairs")
    if not pairs:
        return f"{common}; per scenario {alone}"
    rounds = "in rounds, each round on fresh servers" if pairs.get("fresh_servers") else "on one process of each app"
    return (
        f"{common}; per scenario {pairs['repeat']} pairs of {pairs['duration_s']} s, both apps at once with "
        f"{pairs['connections_each']} connections each after a {load['warmup_s']} s warm-up, {rounds} (the share); "
        f"then each app alone, {alone} (the req/s)"
    )


def _cores_text(result: dict) -> str:
    server, client = result["server"]["cpus"], result["load"]["cpus"]
    if not server or not client:
        return "not pinned"
    return f"server on CPU {', '.join(map(str, server))}; load generator on CPU {', '.join(map(str, client))}"


def _baseline_text(result: dict) -> str:
    if result["schema_version"] == 1:
        return f"raw ASGI app, one {result['baseline']['duration_s']} s run a scenario after the framework's (unpaired)"
    if figures.at_once(result):
        groups = result["load"]["pairs"].get("cgroups") or "none"
        return (
            "raw ASGI app, served at the same time as the framework on the same core (cgroups of equal CPU weight: "
            f"{groups}); the share is asgi's CPU time per request over the framework's, pair by pair"
        )
    return "raw ASGI app, one run next to each of the framework's runs, same settings (paired)"


def _instructions_text(result: dict) -> str:
    method = result.get("instructions")
    if not method:
        if result["schema_version"] == 1:
            return "not counted (schema v1)"
        if all(figures.scenario_gap(result, scenario) for scenario in SCENARIOS):
            return "not counted (no scenario was measured)"
        return "not counted (the result does not record why: no valgrind, or the count failed)"
    budget = (
        f" (fewer where they would pass {method['budget']:,} instructions, never fewer than {method['min_requests']}; "
        "the result records how many)"
        if method.get("budget")
        else ""
    )
    return (
        f"{method['tool']} {method['version']}: {method['requests']} requests after {method['warmup_requests']} "
        f"warm-up requests{budget}; {method['method']}"
    )


def _commit_text(result: dict) -> str:
    git = result["git"]
    if not git["commit"]:
        return "unknown"
    return git["commit"][:12] + (" with uncommitted changes" if git["dirty"] else "")
