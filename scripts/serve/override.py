"""Another version of an app's framework in place of its pin: what `bench --install REQUIREMENT` runs on.

REQUIREMENT is a PyPI requirement (`starlette==0.40.0`), a git URL (`git+https://…@ref`) or a
local path (`./starlette`). It is installed with the app's other pins into a venv of its own,
`.venvs/<name>+<tag>/` (tag: a hash of the requirement, a path taken absolute), so the pinned
venv is never touched. Its stamp holds what it was built from (the pins, the commit a git ref
points at, the content of a checkout), so a moved branch or an edited checkout rebuilds it.
What got installed is read back from the venv, never assumed: the version, the commit (from
PEP 610's direct_url.json for git, from git itself for a checkout), and whether the checkout
had uncommitted changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from scripts.frameworks import Framework
from scripts.serve import appenv

STAMP = ".install.json"
PATH_PREFIXES = ("/", "./", "../", "~")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
GIT_ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
GIT_TIMEOUT = 120
# Read in the app's venv: every distribution, its version and its PEP 610 origin.
_DISTRIBUTIONS_SNIPPET = """
import importlib.metadata as m, json
def origin(d):
    try:
        return json.loads(d.read_text("direct_url.json") or "null")
    except ValueError:
        return None
print(json.dumps([{"name": d.metadata["Name"], "version": d.version, "origin": origin(d)} for d in m.distributions()]))
"""


class InstallError(ValueError):
    """--install input that is wrong or cannot be installed: one line for the user, exit code 2."""


@dataclass(frozen=True)
class Source:
    """REQUIREMENT as understood before installing it."""

    requirement: str  # as given
    kind: str  # "pypi", "git" or "path"
    target: str  # what the installer is given: a checkout's absolute path, else the requirement
    name: str | None  # the project it names, where that is known before installing


@dataclass(frozen=True)
class Installed:
    """A built override venv and what it holds: `record` is the result's `install` field."""

    venv: Path
    python: Path
    record: dict


def ensure(framework: Framework, requirement: str, quiet: bool = True) -> Installed:
    """Build (or reuse) the venv of the app with REQUIREMENT in place of its framework's pin."""
    try:
        source = parse(framework, requirement)
        pins = other_pins(framework)
        digest = hashlib.sha256(json.dumps([pins, source.target, _state(source)]).encode()).hexdigest()
        venv = venv_dir(framework, source)
        python = appenv.interpreter(venv)
        stamp = venv / STAMP
        if python.exists() and stamp.exists():
            built = json.loads(stamp.read_text())
            if built["digest"] == digest:
                return Installed(venv, python, built["install"])
        # A checkout is read before it is installed: the record is of the tree that went in.
        commit, dirty = checkout_state(Path(source.target)) if source.kind == "path" else (None, None)
        try:
            appenv.build(venv, [*pins, source.target], venv.name, quiet)
        except appenv.EnvError as error:
            raise InstallError(f"could not be installed: {_one_line(error.output)}") from None
        try:
            record = _record(framework, source, python, commit, dirty)
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            raise
        stamp.write_text(json.dumps({"digest": digest, "install": record}))
        return Installed(venv, python, record)
    except InstallError as error:
        raise InstallError(f"--install {requirement}: {error}") from None


def parse(framework: Framework, requirement: str) -> Source:
    """Which kind REQUIREMENT is, checked as far as can be without installing it."""
    text = requirement.strip()
    if not framework.package:
        raise InstallError(f"{framework.name} is the raw ASGI baseline: it has no framework package to replace")
    if not text:
        raise InstallError("expected a requirement, a git URL (git+…) or a path (./…)")
    if text.startswith(PATH_PREFIXES) or text in (".", "..") or ("/" in text and "://" not in text):
        source = _path_source(text)
    elif text.startswith("git+"):
        source = Source(text, "git", text, None)
    else:
        try:
            parsed = Requirement(text)
        except InvalidRequirement as error:
            reason = str(error).splitlines()[0]
            raise InstallError(f"not a requirement, a git URL (git+…) or a path (./…): {reason}") from None
        if parsed.marker:
            raise InstallError("an environment marker has no place here: the requirement must apply")
        if parsed.url and not parsed.url.startswith("git+"):
            raise InstallError("a direct URL other than git+… is not supported; give a local path instead")
        source = Source(text, "git" if parsed.url else "pypi", text, parsed.name)
    if source.name is not None and canonicalize_name(source.name) != canonicalize_name(framework.package):
        raise InstallError(f"names the project {source.name!r}, not {framework.name}'s {framework.package!r}")
    return source


def _path_source(text: str) -> Source:
    path = Path(text).expanduser().resolve()
    if not path.is_dir():
        raise InstallError(f"no such directory: {path}")
    if not any((path / name).is_file() for name in PROJECT_FILES):
        raise InstallError(f"{path} holds no Python project (no {', '.join(PROJECT_FILES)})")
    try:
        declared = tomllib.loads((path / "pyproject.toml").read_text()).get("project", {}).get("name")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        declared = None  # a setup.py project, or a pyproject.toml whose error the build will report
    return Source(text, "path", str(path), declared if isinstance(declared, str) else None)


def venv_dir(framework: Framework, source: Source) -> Path:
    tag = hashlib.sha256(f"{source.kind}\n{source.target}".encode()).hexdigest()[:12]
    return appenv.VENVS_DIR / f"{framework.name}+{tag}"


def other_pins(framework: Framework) -> list[str]:
    """The app's pins less every line of its framework's own (a line may carry an environment marker)."""
    kept = []
    package = canonicalize_name(framework.package)
    for number, line in enumerate(framework.requirements.read_text().splitlines(), 1):
        text = re.sub(r"(^|\s)#.*", "", line).strip()
        if not text:
            continue
        try:
            name = canonicalize_name(Requirement(text).name)
        except InvalidRequirement:
            raise InstallError(f"{framework.requirements} line {number} is not a plain requirement") from None
        if name != package:
            kept.append(text)
    return kept


def _state(source: Source) -> str:
    """What besides the requirement decides the venv's content: a git ref's commit, a checkout's files."""
    if source.kind == "git":
        return _remote_ref(source.target)
    if source.kind == "path":
        return _tree_digest(Path(source.target))
    return ""


def _remote_ref(requirement: str) -> str:
    """The commit(s) the URL's ref names now (a commit hash names itself), so that a moved branch rebuilds."""
    url = requirement[requirement.index("git+") + len("git+") :].split("#", 1)[0]
    parts = urlsplit(url)
    path, at, ref = parts.path.rpartition("@")
    if not at:
        path, ref = parts.path, ""
    url = urlunsplit(parts._replace(path=path))
    try:
        done = subprocess.run(["git", "ls-remote", url, ref or "HEAD"], capture_output=True, text=True,
                              env=GIT_ENV, timeout=GIT_TIMEOUT)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InstallError(f"cannot read the git repository {url}: {error}") from None
    if done.returncode != 0:
        raise InstallError(f"cannot read the git repository {url}: {_one_line(done.stderr)}")
    if done.stdout.strip():
        return done.stdout
    if re.fullmatch(r"[0-9a-fA-F]{7,40}", ref):
        return ref
    raise InstallError(f"{url} has no branch or tag named {ref!r}")


def _tree_digest(root: Path) -> str:
    """A hash of every file's path and content, less hidden folders (.git, .venv…) and bytecode."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and name != "__pycache__")
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            try:
                digest.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
            except OSError as error:
                digest.update(str(error).encode())
    return digest.hexdigest()


def checkout_state(path: Path) -> tuple[str | None, bool | None]:
    """The commit and uncommitted changes of a git checkout at path; (None, None) when it is not one,
    including a folder git does not track inside some other repository."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                                  env=GIT_ENV, timeout=GIT_TIMEOUT)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    if not git("ls-files", "--", "."):
        return None, None
    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--", ".")
    return (commit.strip() if commit else None), (bool(status.strip()) if status is not None else None)


def _record(framework: Framework, source: Source, python: Path, commit: str | None, dirty: bool | None) -> dict:
    """The result's `install` field, read from the venv; fails when REQUIREMENT installed another project."""
    done = subprocess.run([str(python), "-c", _DISTRIBUTIONS_SNIPPET], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise InstallError(f"could not read what got installed: {_one_line(done.stderr)}")
    distributions = json.loads(done.stdout)
    origin_url = Path(source.target).as_uri() if source.kind == "path" else None

    def from_source(distribution: dict) -> bool:
        origin = distribution["origin"] or {}
        if source.kind == "git":
            return "vcs_info" in origin
        if source.kind == "path":
            return "dir_info" in origin and origin.get("url") == origin_url
        return not origin

    package = canonicalize_name(framework.package)
    found = [d for d in distributions if canonicalize_name(d["name"]) == package and from_source(d)]
    if not found:
        others = sorted(d["name"] for d in distributions if source.kind != "pypi" and from_source(d))
        what = f"installs {', '.join(map(repr, others))}" if others else "did not install"
        raise InstallError(f"{what}, not {framework.name}'s {framework.package!r}")
    installed = found[0]
    if source.kind == "git":
        commit, dirty = installed["origin"]["vcs_info"].get("commit_id"), False
    return {
        "requirement": source.requirement,
        "kind": source.kind,
        "version": installed["version"],
        "commit": commit,
        "dirty": dirty,
    }


def _one_line(output: str) -> str:
    """An installer's or git's message as one line: its first statement, and uv's last cause."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "no reason given"
    causes = [line for line in lines[1:] if line.startswith("cause:")]
    text = ": ".join(re.sub(r"^(error|cause|fatal|ERROR):\s*", "", line) for line in [lines[0], *causes[-1:]])
    return text if len(text) <= 400 else text[:399] + "…"
