"""Reading results: one result file, or a folder of them as one dated run (a Batch).

The report and `compare` both read results through here, so both accept exactly the same
files and name a file that cannot be used with the same one-line reason. Schema versions 1
and 2 are both accepted (result.schema.json validates each against its own version).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jsonschema

from scripts import frameworks
from scripts.measure import results
from scripts.report import audit, replicas

NO_FILE = "no result file in this run"


class ResultError(Exception):
    """A result, or a folder of them, that cannot be used: the message is for the user."""


@dataclass(frozen=True)
class Problem:
    """A framework without a usable result, and why: the pages show it as "no result"."""

    framework: str
    file: str | None
    reason: str

    @property
    def text(self) -> str:
        return f"{self.file}: {self.reason}" if self.file else self.reason


@dataclass(frozen=True)
class Batch:
    """Every result of one dated run, by framework name, and the files that could not be used."""

    date: str
    results: dict[str, dict]
    problems: list[Problem] = field(default_factory=list)

    def to_data(self) -> dict:
        return {
            "date": self.date,
            "results": list(self.results.values()),
            "problems": [asdict(problem) for problem in self.problems],
        }

    @classmethod
    def from_data(cls, data: dict) -> Batch:
        found = {result["framework"]: result for result in data["results"]}
        return cls(data["date"], found, [Problem(**problem) for problem in data["problems"]])

    def unused(self) -> list[Problem]:
        """Files that leave a framework without a result; a stray second file for a framework that has one is not."""
        return [problem for problem in self.problems if problem.file and problem.framework not in self.results]

    def without_file(self) -> list[str]:
        """Registry frameworks that had no file at all in this run."""
        return [problem.framework for problem in self.problems if not problem.file]

    def names(self) -> list[str]:
        """Every framework this run names: with a result, with an unusable file, or without a file."""
        return sorted({*self.results, *(problem.framework for problem in self.problems)})


def read_result(path: Path) -> dict:
    """The result in the file, or ResultError saying in one line why it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ResultError(f"unreadable: {error}") from None
    try:
        result = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    try:
        results.validate(result)
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise ResultError(f"does not match the result schema at {where}: {shorten(error.message)}") from None
    try:
        audit.audit(result)
    except audit.Untrue as error:
        raise ResultError(f"refused, a figure cannot be true: {shorten(str(error))}") from None
    if result["schema_version"] == 1:
        result["server"]["command"] = _portable_command(result["server"]["command"])
    return result


def _portable_command(words: list[str]) -> list[str]:
    """A schema-1 start command with placeholders: it held the measuring machine's venv
    interpreter and the run's port, and nothing rendered from a result may show either
    (every registry command starts with {python} and takes --port {port})."""
    words = list(words)
    if words and (os.path.isabs(words[0]) or words[0] == "python"):
        words[0] = "{python}"
    return ["{port}" if index and words[index - 1] == "--port" else word for index, word in enumerate(words)]


def shorten(text: str, limit: int = 160) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def unpinned(result: dict) -> str | None:
    """Why a result must not be published: it ran with --install instead of the pinned requirements."""
    install = result.get("install")
    if not install:
        return None
    requirement = install["requirement"]
    return f"benchmarked with --install {requirement}, not the pinned requirements: compare it, never publish it"


def load_run_file(path: Path) -> Batch:
    """A dated run as the site serves it (downloads/<date>.json), to render its pages again from
    the published data alone; ResultError says in one line why a file cannot be used."""
    try:
        batch = Batch.from_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise ResultError(f"{path} is not a run's data file (downloads/<date>.json): {shorten(str(error))}") from None
    for name, result in batch.results.items():
        try:
            results.validate(result)
        except jsonschema.ValidationError as error:
            raise ResultError(f"{path}: the result of {name} does not match the result schema: "
                              f"{shorten(error.message)}") from None  # fmt: skip
        try:
            audit.audit(result)
        except audit.Untrue as error:
            raise ResultError(f"{path}: the result of {name} is refused, a figure cannot be true: "
                              f"{shorten(str(error))}") from None  # fmt: skip
    return batch


def load_batch(directory: Path, day: str) -> Batch:
    """Every *.json in the folder is a result file; each one is either used or named as a problem.

    Only pinned results are used: a run with an --install override is named, with that reason.
    """
    if not directory.is_dir():
        raise ResultError(f"no results folder at {directory}")
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise ResultError(f"no result files (*.json) in {directory}")
    found: dict[str, dict] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    sets: dict[str, list[tuple[str, dict]]] = {}
    for path in paths:
        try:
            result = read_result(path)
        except ResultError as error:
            problems.append(Problem(path.stem, path.name, str(error)))
            continue
        name = result["framework"]
        if reason := unpinned(result):
            problems.append(Problem(name, path.name, reason))
            continue
        if replicas.is_replica(result):
            sets.setdefault(name, []).append((path.name, result))
            continue
        if name in found:
            problems.append(Problem(name, path.name, f"a second result for {name}; {origin[name]} is used"))
            continue
        found[name] = result
        origin[name] = path.name
    for name, members in sets.items():
        files = ", ".join(file for file, _ in members)
        if name in found:
            problems += [Problem(name, file, f"a replica beside a single result for {name}; {origin[name]} is used")
                         for file, _ in members]  # fmt: skip
            continue
        try:
            replicas.check_set([result for _, result in members])
        except replicas.ReplicaError as error:
            problems += [Problem(name, file, f"{error}; none of {files} is used") for file, _ in members]
            continue
        found[name] = replicas.merge([result for _, result in members])
        origin[name] = files
    named = set(found) | {problem.framework for problem in problems}
    problems += [Problem(name, None, NO_FILE) for name in frameworks.names() if name not in named]
    return Batch(day, found, problems)
