"""The list of frameworks and how each one is served, read from frameworks/frameworks.toml.

Everything that starts an app (nox sessions, tests, the benchmark runner, the workflow's
matrix) asks this module, so the registry file is the only place that says it. It also says
which frameworks a git diff touches, so that a pull request measures exactly those.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The servers and the project-wide settings (replicas, harness_set) always come from the
# project's registry; the tests point the list of frameworks at a folder of deliberately broken apps.
SERVERS_REGISTRY = ROOT / "frameworks" / "frameworks.toml"
FRAMEWORKS_DIR = Path(os.environ.get("BENCH_FRAMEWORKS_DIR", ROOT / "frameworks"))
REGISTRY = FRAMEWORKS_DIR / "frameworks.toml"
BASELINE = "asgi"
REGISTRY_PATH = "frameworks/frameworks.toml"  # as git names it, relative to the repository
# GitHub runs at most this many jobs from one matrix.
MATRIX_LIMIT = 256
# What measures the apps rather than being one: a change here measures the registry's harness_set.
HARNESS = ("scripts/", "noxfile.py")


class Refused(ValueError):
    """A question the registry cannot answer; the message says why, in one line for the user."""


class UnknownFramework(Refused):
    """A name that is not in the registry."""


class DiffError(Refused):
    """A diff whose touched frameworks cannot be told (an unknown revision, a registry that does not parse)."""


@dataclass(frozen=True)
class Limit:
    """A check of the contract that a framework cannot pass at all, and why (found in its source)."""

    check: str
    reason: str
    # Set when only the older release that older Pythons get has the limit: it holds below this Python.
    python_below: str | None = None

    def applies(self, python: str) -> bool:
        """Whether the limit holds for an app venv of this Python version ("3.11.7")."""
        return self.python_below is None or _release(python) < _release(self.python_below)


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:2])


@dataclass(frozen=True)
class Framework:
    name: str
    server: str
    app: str
    package: str
    command_template: str
    limits: tuple[Limit, ...] = ()
    # Why the framework fails the maintenance rule, with the evidence; None while it is maintained.
    unmaintained: str | None = None
    # Another checkout's folder of this app (bench --against-app): its app and its pins; None: the registry's.
    folder: Path | None = None

    @property
    def directory(self) -> Path:
        return self.folder or FRAMEWORKS_DIR / self.name

    @property
    def requirements(self) -> Path:
        return self.directory / "requirements.txt"

    def cannot(self, python: str) -> dict[str, str]:
        """The checks this framework cannot pass on that Python, with the reason for each."""
        return {limit.check: limit.reason for limit in self.limits if limit.applies(python)}

    def command(self, python: str, host: str, port: int | str) -> list[str]:
        """The exact argv that starts this app, as the benchmark runs it."""
        words = shlex.split(self.command_template)
        values = {"python": python, "app": self.app, "host": host, "port": str(port)}
        return [word.format(**values) for word in words]


def load() -> dict[str, Framework]:
    """Every framework in the registry, by name, in the registry's order."""
    data = tomllib.loads(REGISTRY.read_text())
    servers = tomllib.loads(SERVERS_REGISTRY.read_text())["servers"]
    return {
        name: Framework(
            name=name,
            server=entry["server"],
            app=entry["app"],
            package=entry["package"],
            command_template=servers[entry["server"]]["command"],
            limits=tuple(_limit(check, value) for check, value in entry.get("cannot", {}).items()),
            unmaintained=entry.get("unmaintained"),
        )
        for name, entry in data["frameworks"].items()
    }


def _limit(check: str, value: str | dict) -> Limit:
    """A [frameworks.X.cannot] entry: a reason, or a table of a reason and the Python it holds below."""
    if isinstance(value, str):
        return Limit(check, value)
    return Limit(check, value["reason"], value.get("python_below"))


def names() -> list[str]:
    return list(load())


def get(name: str) -> Framework:
    frameworks = load()
    if name not in frameworks:
        known = ", ".join(frameworks)
        raise UnknownFramework(f"unknown framework {name!r}; known: {known}")
    return frameworks[name]


def select(text: str) -> list[str]:
    """The frameworks named in a comma-separated list ('' or 'all' for every one), in registry order."""
    known = names()
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    if not wanted or wanted == ["all"]:
        return known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UnknownFramework(f"unknown framework {', '.join(map(repr, unknown))}; known: {', '.join(known)}")
    return [name for name in known if name in wanted]


def replicas() -> int:
    """How many runners measure each framework by default: the registry's `replicas`, which the methodology reads."""
    return tomllib.loads(SERVERS_REGISTRY.read_text())["replicas"]


def matrix(selected: list[str], count: int) -> list[dict[str, str | int]]:
    """The workflow's matrix: one job per framework and replica, each knowing its place (K of R)."""
    jobs = [{"framework": name, "replica": k, "replicas": count} for name in selected for k in range(1, count + 1)]
    if len(jobs) > MATRIX_LIMIT:
        raise Refused(f"{len(jobs)} jobs, and GitHub runs at most {MATRIX_LIMIT} from one matrix: ask fewer replicas")
    return jobs


def touched(base: str, head: str, repo: Path = ROOT) -> list[str]:
    """The frameworks that the diff base...head changes, in head's registry order: what a pull request measures.

    A file under frameworks/<name>/ or the framework's registry entry: that framework; a
    [servers.X] entry: the harness_set's frameworks on that server, or where none is, every one
    on it; the harness or a top-level setting:
    the registry's harness_set; Markdown and anything else: none.
    """
    base, head = _commit(repo, base), _commit(repo, head)
    fork = _git(repo, "merge-base", base, head)
    if fork.returncode != 0:
        raise DiffError(f"{base[:12]} and {head[:12]} have no common ancestor")
    old, new = _registry_at(repo, fork.stdout.strip()), _registry_at(repo, head)
    known = new.get("frameworks", {})
    harness = new.get("harness_set", [])
    if unknown := [name for name in harness if name not in known]:
        raise DiffError(f"{REGISTRY_PATH} at {head[:12]}: harness_set names unknown {', '.join(unknown)}")
    found = set(_by_registry(old, new))
    # --no-renames: a file moved out of an app's folder touches that app too; -z: names as they are.
    for path in _git(repo, "diff", "--no-renames", "--name-only", "-z", f"{base}...{head}").stdout.split("\0"):
        found.update(_by_path(path, known, harness))
    return [name for name in known if name in found]


def _by_path(path: str, known: dict, harness: list[str]) -> list[str]:
    """The frameworks one changed file touches (the registry file itself is diffed by entry)."""
    parts = path.split("/")
    if path.endswith(".md") or path == REGISTRY_PATH:
        return []
    if parts[0] == "frameworks" and len(parts) > 2 and parts[1] in known:
        return [parts[1]]
    return harness if path.startswith(HARNESS) else []


def _by_registry(old: dict, new: dict) -> list[str]:
    """The frameworks whose entry, or whose server's entry, differs between two parsed registries."""
    entries = new.get("frameworks", {})
    servers = _differing(old.get("servers", {}), new.get("servers", {}))
    settings = _differing({**old, "frameworks": {}, "servers": {}}, {**new, "frameworks": {}, "servers": {}})
    changed = _differing(old.get("frameworks", {}), entries)
    harness = new.get("harness_set", [])
    for server in servers:
        on = [name for name, entry in entries.items() if entry.get("server") == server]
        # A server that the harness set runs on is measured through that set; another, through its own apps.
        changed |= set([name for name in on if name in harness] or on)
    return [*changed, *(harness if settings else [])]


def _differing(old: dict, new: dict) -> set[str]:
    """The keys whose values differ between two tables, added and removed ones included."""
    return {key for key in {*old, *new} if old.get(key) != new.get(key)}


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)


def _commit(repo: Path, revision: str) -> str:
    """The commit a revision names; --end-of-options keeps a revision from being read as an option."""
    done = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0:
        raise DiffError(f"unknown revision {revision!r} in {repo}")
    return done.stdout.strip()


def _registry_at(repo: Path, commit: str) -> dict:
    """The registry as it was at a commit, parsed; empty where the commit has none."""
    shown = _git(repo, "show", f"{commit}:{REGISTRY_PATH}")
    if shown.returncode != 0:
        return {}
    try:
        return tomllib.loads(shown.stdout)
    except tomllib.TOMLDecodeError as error:
        raise DiffError(f"{REGISTRY_PATH} at {commit[:12]} does not parse: {error}") from None


def main(argv: list[str] | None = None) -> int:
    """Print the selected frameworks, the workflow's matrix, or the frameworks a diff touches, as JSON."""
    parser = argparse.ArgumentParser(prog="frameworks", description=main.__doc__)
    parser.add_argument("--select", default="all", help="comma-separated names, or 'all' (the default)")
    parser.add_argument("--matrix", action="store_true", help="print the matrix: each selected framework per replica")
    parser.add_argument("--replicas", type=int, help="runners per framework in --matrix (default: the registry's)")
    parser.add_argument("--touched", nargs=2, metavar=("BASE", "HEAD"), help="the frameworks that BASE...HEAD changes")
    args = parser.parse_args(argv)
    if args.replicas is not None and (not args.matrix or args.replicas < 1):
        parser.error("--replicas takes a whole number of at least 1, with --matrix")
    try:
        if args.touched:
            print(json.dumps(touched(*args.touched)))
        elif args.matrix:
            print(json.dumps(matrix(select(args.select), args.replicas or replicas())))
        else:
            print(json.dumps(select(args.select)))
    except Refused as error:
        print(f"frameworks: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
