"""Every app's requirements resolve on each supported Python, with binary wheels only.

uv resolves for a Python version and a platform that need not be installed, against the real
package index, so these tests prove it for 3.11 to 3.14 on any machine. Where the newest
release of a framework needs a newer Python, its requirements pin each release behind an
environment marker; the tests check that each Python gets the pin meant for it, and that the
newer pin really does not install on the Pythons that get the older one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts import frameworks
from scripts.frameworks import ROOT

PYTHONS = ("3.11", "3.12", "3.13", "3.14")
# The oldest manylinux that the runners and this machine both satisfy.
PLATFORM = "x86_64-manylinux_2_28"
UV = Path(sys.executable).parent / "uv"
BENCHMARKS = ROOT / ".github" / "workflows" / "benchmarks.yml"


def resolve(requirements: list[str], python: str) -> subprocess.CompletedProcess[str]:
    """uv's resolution of requirements (lines of a requirements file) for one Python, wheels only."""
    command = [
        str(UV), "pip", "compile", "-", "--python-version", python, "--python-platform", PLATFORM,
        "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet", "--no-config",
        # The Python at hand runs uv's resolver; the target Python is never installed nor fetched.
        "--python", sys.executable, "--no-python-downloads",
    ]  # fmt: skip
    return subprocess.run(command, input="\n".join(requirements), capture_output=True, text=True, timeout=300)


def pins_text(name: str) -> list[str]:
    """The lines of the app's requirements file."""
    return frameworks.get(name).requirements.read_text().splitlines()


def pins(framework: str) -> list[Requirement]:
    """The app's pinned requirements, markers included."""
    stripped = (line.split("#")[0].strip() for line in pins_text(framework))
    return [Requirement(line) for line in stripped if line]


def applies(requirement: Requirement, python: str) -> bool:
    if requirement.marker is None:
        return True
    return requirement.marker.evaluate({"python_version": python, "python_full_version": f"{python}.0"})


def resolved_versions(output: str) -> dict[str, str]:
    found = (re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line) for line in output.splitlines())
    return {canonicalize_name(match[1]): match[2] for match in found if match}


def _version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement}: pin with =="
    return specifier.version


@pytest.fixture(scope="module")
def resolutions() -> dict[tuple[str, str], subprocess.CompletedProcess[str]]:
    """Every app on every Python, resolved side by side: each resolution mostly waits on the index."""
    pairs = [(name, python) for name in frameworks.names() for python in PYTHONS]
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = pool.map(lambda pair: resolve(pins_text(pair[0]), pair[1]), pairs)
        return dict(zip(pairs, done, strict=True))


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("name", frameworks.names())
def test_requirements_resolve(
    name: str, python: str, resolutions: dict[tuple[str, str], subprocess.CompletedProcess[str]]
) -> None:
    done = resolutions[(name, python)]
    assert done.returncode == 0, f"{name} on Python {python}:\n{done.stderr[-2000:]}"
    resolved = resolved_versions(done.stdout)
    for requirement in pins(name):
        if applies(requirement, python):
            assert resolved.get(canonicalize_name(requirement.name)) == _version(requirement), (
                f"{name} on Python {python}: {requirement} was not the version chosen ({done.stdout})"
            )


def _marker_splits() -> list[tuple[str, str, Requirement, Requirement, str]]:
    """(app, package, the older pin, the newest pin, a Python that gets the older one), for every split pin."""
    cases = []
    for name in frameworks.names():
        by_package: dict[str, list[Requirement]] = defaultdict(list)
        for requirement in pins(name):
            by_package[canonicalize_name(requirement.name)].append(requirement)
        for package, requirements in by_package.items():
            if len(requirements) < 2:
                continue
            newest = max(requirements, key=lambda item: tuple(int(part) for part in _version(item).split(".")))
            for python in PYTHONS:
                chosen = [item for item in requirements if applies(item, python)]
                assert len(chosen) == 1, f"{name}: {package} has {len(chosen)} pins on Python {python}"
                if chosen[0] is not newest:
                    cases.append((name, package, chosen[0], newest, python))
    return cases


def test_some_pins_are_split_by_python() -> None:
    """Django 6 and django-bolt 0.13 need Python 3.12, Quart 0.23 needs 3.13: these apps split their pins."""
    assert {case[0] for case in _marker_splits()} >= {"django", "django-ninja", "django-bolt", "quart"}


@pytest.mark.parametrize(
    ("name", "package", "older", "newest", "python"),
    _marker_splits(),
    ids=lambda value: str(value) if not isinstance(value, Requirement) else None,
)
def test_an_older_pin_is_there_because_the_newest_needs_a_newer_python(
    name: str, package: str, older: Requirement, newest: Requirement, python: str
) -> None:
    alone = Requirement(f"{newest.name}=={_version(newest)}")
    done = resolve([str(alone)], python)
    assert done.returncode != 0, f"{name}: {alone} installs on Python {python}, yet that Python gets {older}"


def _workflow_default() -> str:
    workflow = yaml.safe_load(BENCHMARKS.read_text())
    triggers = workflow.get("on", workflow.get(True))
    default = triggers["workflow_dispatch"]["inputs"]["python"]["default"]
    assert workflow["env"]["PYTHON"] == f"${{{{ inputs.python || '{default}' }}}}", "a push must get the same default"
    return default


def test_the_workflow_default_is_the_newest_python_every_app_resolves_for() -> None:
    default = _workflow_default()
    assert default in PYTHONS, f"the workflow's default Python {default} is not among those tested: {PYTHONS}"
    major, minor = default.split(".")
    following = f"{major}.{int(minor) + 1}"
    names = frameworks.names()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda name: resolve(pins_text(name), following).returncode, names))
    failing = [name for name, code in zip(names, codes, strict=True) if code != 0]
    assert failing, f"every app resolves on Python {following} too: the workflow's default should move up"
