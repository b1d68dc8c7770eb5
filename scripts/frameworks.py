"""The list of frameworks and how each one is served, read from frameworks/frameworks.toml.

Everything that starts an app (nox sessions, tests, the benchmark runner, the workflow's
matrix) asks this module, so the registry file is the only place that says it.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The servers always come from the project's registry; the tests point the list of
# frameworks at a folder of deliberately broken apps.
SERVERS_REGISTRY = ROOT / "frameworks" / "frameworks.toml"
FRAMEWORKS_DIR = Path(os.environ.get("BENCH_FRAMEWORKS_DIR", ROOT / "frameworks"))
REGISTRY = FRAMEWORKS_DIR / "frameworks.toml"
BASELINE = "asgi"


class UnknownFramework(ValueError):
    """A name that is not in the registry."""


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

    @property
    def directory(self) -> Path:
        return FRAMEWORKS_DIR / self.name

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


def main(argv: list[str] | None = None) -> int:
    """Print the selected frameworks as a JSON list: the workflow's matrix and the pipeline's plan."""
    parser = argparse.ArgumentParser(prog="frameworks", description=main.__doc__)
    parser.add_argument("--select", default="all", help="comma-separated names, or 'all' (the default)")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(select(args.select)))
    except UnknownFramework as error:
        print(f"frameworks: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
