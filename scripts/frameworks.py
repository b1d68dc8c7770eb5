"""The list of frameworks and how each one is served, read from frameworks/frameworks.toml.

Everything that starts an app (nox sessions, tests, the benchmark runner, the workflow's
matrix) asks this module, so the registry file is the only place that says it.
"""

from __future__ import annotations

import os
import shlex
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
class Framework:
    name: str
    server: str
    app: str
    package: str
    command_template: str

    @property
    def directory(self) -> Path:
        return FRAMEWORKS_DIR / self.name

    @property
    def requirements(self) -> Path:
        return self.directory / "requirements.txt"

    def command(self, python: str, host: str, port: int) -> list[str]:
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
        )
        for name, entry in data["frameworks"].items()
    }


def names() -> list[str]:
    return list(load())


def get(name: str) -> Framework:
    frameworks = load()
    if name not in frameworks:
        known = ", ".join(frameworks)
        raise UnknownFramework(f"unknown framework {name!r}; known: {known}")
    return frameworks[name]
