"""The GitHub workflows: valid, secure (both linters, offline), and of the agreed shape."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts import frameworks
from scripts.frameworks import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
BENCHMARKS = WORKFLOWS / "benchmarks.yml"
TESTS = WORKFLOWS / "tests.yml"
BIN = Path(sys.executable).parent


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec["steps"]]


def test_workflows_are_valid() -> None:
    files = [str(path) for path in WORKFLOWS.glob("*.yml")]
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    dependabot = [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml"]
    done = subprocess.run(dependabot, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    command = [str(BIN / "zizmor"), "--offline", ".github/workflows"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


@pytest.mark.parametrize("path", [BENCHMARKS, TESTS], ids=lambda path: path.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    for job, step in steps(load(path)):
        assert "${{" not in step.get("run", ""), f"{path.name}: {job}: pass expressions through env:"


@pytest.mark.parametrize("path", [BENCHMARKS, TESTS], ids=lambda path: path.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    writers = [job for job, spec in workflow["jobs"].items() if spec.get("permissions", {}).get("contents") == "write"]
    assert writers == (["publish"] if path == BENCHMARKS else [])


def test_only_the_pages_checkout_keeps_its_credentials() -> None:
    keep = []
    for job, step in steps(load(BENCHMARKS)) + steps(load(TESTS)):
        if step.get("uses", "").startswith("actions/checkout@"):
            if step.get("with", {}).get("persist-credentials") is not False:
                keep.append((job, step.get("with", {}).get("path")))
    assert keep == [("publish", "site")]


def test_actions_are_pinned_to_a_commit() -> None:
    for _, step in steps(load(BENCHMARKS)) + steps(load(TESTS)):
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_triggers() -> None:
    triggers = load(BENCHMARKS)["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert {"_posts/**", "_data/**", "index.md", "methodic.md"} <= set(triggers["push"]["paths-ignore"])
    assert set(triggers["workflow_dispatch"]["inputs"]) >= {"frameworks", "duration", "repeat", "python"}
    assert set(load(TESTS)["on"]) == {"push", "pull_request"}


def test_the_matrix_comes_from_discovery() -> None:
    jobs = load(BENCHMARKS)["jobs"]
    assert "python -m scripts.frameworks --select" in jobs["discover"]["steps"][-1]["run"]
    bench = jobs["bench"]
    assert bench["needs"] == "discover"
    assert bench["strategy"]["fail-fast"] is False
    assert bench["strategy"]["matrix"]["framework"] == "${{ fromJSON(needs.discover.outputs.frameworks) }}"
    assert any('nox -s "bench-$FRAMEWORK"' in step.get("run", "") for step in bench["steps"])
    upload = next(step for step in bench["steps"] if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert "!cancelled()" in upload["if"], "a failed framework must still upload its failure record"


def test_the_apps_run_on_the_python_input() -> None:
    """The bench job's Python is the workflow's `python` input, or its default on a push;
    test_requirements.py checks that default is the newest on which every app resolves."""
    workflow = load(BENCHMARKS)
    default = workflow["on"]["workflow_dispatch"]["inputs"]["python"]["default"]
    assert re.fullmatch(r"3\.\d+", default), default
    assert workflow["env"]["PYTHON"] == f"${{{{ inputs.python || '{default}' }}}}"
    steps = workflow["jobs"]["bench"]["steps"]
    setup = [step for step in steps if step.get("uses", "").startswith("actions/setup-python@")]
    assert [step["with"]["python-version"] for step in setup] == ["${{ env.PYTHON }}"]


def test_publish_runs_after_failures_but_not_when_cancelled_nor_for_pull_requests() -> None:
    publish = load(BENCHMARKS)["jobs"]["publish"]
    assert publish["needs"] == "bench"
    assert "!cancelled()" in publish["if"] and "pull_request" in publish["if"]
    assert publish["concurrency"]["cancel-in-progress"] is False
    assert any("nox -s publish" in step.get("run", "") for step in publish["steps"])


def test_discovery_lists_every_app_on_disk() -> None:
    done = subprocess.run([sys.executable, "-m", "scripts.frameworks"], cwd=ROOT, capture_output=True, text=True)
    listed = json.loads(done.stdout)
    on_disk = sorted(path.parent.name for path in (ROOT / "frameworks").glob("*/app.py"))
    assert sorted(listed) == on_disk == sorted(frameworks.names())
    assert len(listed) == 21


def test_discovery_rejects_an_unknown_name_clearly() -> None:
    command = [sys.executable, "-m", "scripts.frameworks", "--select", "fastapi,$(reboot)"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "unknown framework '$(reboot)'" in done.stderr
    assert done.stdout == ""
