"""An A/B run: two versions of one framework's app measured in one run, the way the share of
asgi is, so that a change of a few percent can be told from the machine's noise.

    nox -s bench-<name> -- --install REQ --against REQ2      (two versions of the framework)
    nox -s bench-<name> -- --against-app ../base/frameworks/<name>   (two versions of the app)

The candidate is the app of this checkout with its pins, or --install's version; the
reference is --against's version (default: the pin) with --against-app's folder (default: this
checkout's). Both are verified, then loaded at the same time on one core, pair by pair; the
ratio of a pair is the reference's CPU time per request over the candidate's (above 1: the
candidate is faster). The verdict rests on a distribution-free confidence interval of the
median ratio: "faster" or "slower" only when it excludes 1. Instructions per request of both
are counted too, the figure that carries across machines. The result goes to
OUTPUT/ab/<name>.json; `nox -s compare -- --markdown OUTPUT/ab/<name>.json` renders it.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from scripts import frameworks
from scripts.check import verify
from scripts.frameworks import ROOT, Framework
from scripts.load import drive
from scripts.measure import results
from scripts.measure.steps import BenchError, Line, Run, Settings, Side, count_apps, together
from scripts.serve import appenv, cpus, override
from scripts.serve.server import Server, ServerError, Stopped

KIND = "ab"
CONFIDENCE = 0.95
# Instructions per request hold within 0.4% from machine to machine: a change beyond this is real.
INSTRUCTIONS_TOLERANCE = 0.01


@dataclass(frozen=True)
class Version:
    """One side of the comparison: the app's folder and the framework's requirement."""

    framework: Framework
    requirement: str | None  # None: the pin
    installed: override.Installed | None

    def describe(self) -> dict:
        folder = self.framework.directory.resolve()
        return {
            "requirement": self.requirement or "the pin",
            "app": str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder),
            "install": self.installed.record if self.installed else None,
        }


def version(framework: Framework, requirement: str | None, folder: Path | None) -> Version:
    """A side, its venv built now, so that bad input stops the run before anything is measured."""
    if folder is not None:
        if not (folder / "requirements.txt").is_file():
            raise override.InstallError(f"--against-app {folder}: no app folder there (no requirements.txt)")
        framework = replace(framework, folder=folder.resolve())
    installed = override.ensure(framework, requirement) if requirement else None
    if installed is None:
        appenv.ensure(framework)
    return Version(framework, requirement, installed)


def median_interval(values: list[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """A distribution-free confidence interval of the median: the k-th smallest to the k-th
    largest value, k as large as keeps the coverage (from the binomial law of the sign test) at
    `confidence`; with too few values, the whole range and its smaller coverage."""
    ordered, n = sorted(values), len(values)
    best_k, best_coverage = 1, 1 - 2 * 0.5**n
    for k in range(1, n // 2 + 1):
        coverage = 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2**n
        if coverage >= confidence:
            best_k, best_coverage = k, coverage
    return ordered[best_k - 1], ordered[n - best_k], best_coverage


def ratio(pairs: list[dict]) -> dict:
    """The reference's cost over the candidate's, pair by pair, with the median's interval and the verdict."""
    share = results.cost_share(pairs)
    low, high, coverage = median_interval(share["pairs"])
    verdict = "faster" if low > 1 else "slower" if high < 1 else "no difference"
    return {"median": share["median"], "low": low, "high": high, "confidence": coverage, "pairs": share["pairs"],
            "method": share["method"], "verdict": verdict}  # fmt: skip


def _failed_checks(side: Side, scenarios: list[str], label: str) -> dict[str, list[str]]:
    """Per scenario, a line for each check this side fails that gates it."""
    middleware = side.middleware.base_url if side.middleware else None
    checks = verify.verify(side.plain.base_url, side.plain.upload_dir, middleware_url=middleware)
    gates = verify.failures_by_scenario(checks, scenarios)
    return {name: [f"{label}: {check.name}: {check.detail}" for check in found] for name, found in gates.items()}


def _side(version: Version, run: Run, middleware: bool) -> Side:
    def server(with_middleware: bool) -> Server:
        return Server(version.framework, cores=run.split.server, install=version.installed, middleware=with_middleware)

    return Side(server(False), server(True) if middleware else None)


def measure(run: Run, candidate: Version, reference: Version, line: Line) -> dict:
    """Verify both sides, pair them on every scenario both pass, count both sides' instructions."""
    settings = run.settings
    scenarios = list(settings.scenarios)
    middleware = "middleware" in scenarios
    sides = (_side(candidate, run, middleware), _side(reference, run, middleware))
    entries = {name: {"status": "ok", "reason": None, "pairs": [], "ratio": None, "instructions": None}
               for name in scenarios}  # fmt: skip
    try:
        for side in sides:
            for server in side.servers():
                server.start()
        failed = [_failed_checks(side, scenarios, label) for side, label in zip(sides, ("candidate", "reference"),
                                                                                 strict=True)]  # fmt: skip
        for name in scenarios:
            if lines := [line for found in failed for line in found[name]]:
                entries[name] |= {"status": "failed_verification", "reason": "; ".join(lines)}
        passing = [name for name in scenarios if entries[name]["status"] == "ok"]
        cgroups, measured = together(run, *sides, passing, line)
    finally:
        for side in sides:
            for server in side.servers():
                server.stop()
    for name, pairs in measured.items():
        entries[name]["pairs"] = [{"candidate": pair["framework"], "reference": pair["baseline"]} for pair in pairs]
        entries[name]["ratio"] = ratio(pairs)
    _count_instructions(run, candidate, reference, entries, sorted(measured))
    return {"cgroups": cgroups, "scenarios": entries}


def _count_instructions(run: Run, candidate: Version, reference: Version, entries: dict, scenarios: list[str]) -> None:
    sides = [(candidate.framework, candidate.installed), (reference.framework, reference.installed)]
    counted = count_apps(run, sides, scenarios)
    if counted is None:
        return
    for name in scenarios:
        mine, theirs = counted[0][name]["per_request"], counted[1][name]["per_request"]
        change = mine / theirs - 1
        entries[name]["instructions"] = {
            "candidate": counted[0][name],
            "reference": counted[1][name],
            "change": change,
            "verdict": "more" if change > INSTRUCTIONS_TOLERANCE else "fewer" if change < -INSTRUCTIONS_TOLERANCE
            else "no difference",
        }  # fmt: skip


def run_ab(name: str, settings: Settings, client: str) -> int:
    """The whole A/B run from the command line's settings; exit code 2 on bad input."""
    framework = frameworks.get(name)
    try:
        candidate = version(framework, settings.install, None)
        reference = version(framework, settings.against, settings.against_app)
    except (override.InstallError, appenv.EnvError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except Stopped as stop:
        print(f"\nbench: interrupted ({stop}); nothing written", file=sys.stderr)
        return 130
    run = Run(framework, settings, client, cpus.split())
    started = results.now()
    print(f"bench {name}: A/B, {settings.pairs} pairs × {settings.pair_duration} s per scenario, {client}",
          file=sys.stderr)  # fmt: skip
    try:
        measured = measure(run, candidate, reference, Line())
        status, error = "ok", None
    except (ServerError, BenchError, drive.LoadError) as failure:
        measured, status, error = {"cgroups": None, "scenarios": {}}, "failed", str(failure)
    except Stopped as stop:
        print(f"\nbench: interrupted ({stop}); nothing written", file=sys.stderr)
        return 130
    result = {
        "kind": KIND,
        "framework": name,
        "status": status,
        "error": error,
        "started_at": started,
        "finished_at": results.now(),
        "git": results.git_commit(),
        "machine": results.machine(),
        "load": {
            "tool": client,
            "version": drive.version(client),
            "connections_each": max(1, settings.connections // 2),
            "pair_duration_s": settings.pair_duration,
            "pairs": settings.pairs,
            "warmup_s": settings.warmup,
            "cgroups": measured["cgroups"],
            "confidence": CONFIDENCE,
        },  # fmt: skip
        "candidate": candidate.describe(),
        "reference": reference.describe(),
        "scenarios": measured["scenarios"],
    }
    path = settings.output / KIND / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.portable(result), indent=2) + "\n")
    for scenario, entry in result["scenarios"].items():
        found = entry["ratio"]
        text = (f"{found['median']:.3f} ({found['low']:.3f}–{found['high']:.3f}, {found['confidence']:.0%}): "
                f"{found['verdict']}") if found else entry["reason"] or entry["status"]  # fmt: skip
        print(f"{scenario:11s} candidate vs reference {text}")
    print(f"wrote {path}")
    return 0 if status == "ok" and all(e["status"] == "ok" for e in result["scenarios"].values()) else 1
