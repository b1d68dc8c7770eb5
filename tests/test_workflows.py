"""The GitHub workflows: valid, secure (both linters, offline), and of the agreed shape.

Steps whose script is the workflow's own logic (discovery, laying out the replicas) are run
here with bash, as the runner runs them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scripts import frameworks
from scripts.frameworks import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
BENCHMARKS = WORKFLOWS / "benchmarks.yml"
TESTS = WORKFLOWS / "tests.yml"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
COMMENT = WORKFLOWS / "pull-request-comment.yml"
ALL = [BENCHMARKS, TESTS, PULL_REQUEST, COMMENT]
BIN = Path(sys.executable).parent
REPLICAS = tomllib.loads((ROOT / "frameworks" / "frameworks.toml").read_text())["replicas"]


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow: dict) -> list[tuple[str, dict]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec["steps"]]


def named(workflow: dict, job: str, name: str) -> dict:
    return next(step for step in workflow["jobs"][job]["steps"] if step.get("name", "").startswith(name))


def uses(workflow: dict, job: str, action: str) -> list[dict]:
    return [step for step in workflow["jobs"][job]["steps"] if step.get("uses", "").startswith(f"actions/{action}@")]


def run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script under bash -e, as the runner runs it, with this Python first on the PATH."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True)


def test_workflows_are_valid() -> None:
    files = [str(path) for path in WORKFLOWS.glob("*.yml")]
    assert sorted(files) == sorted(map(str, ALL))
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


def test_every_ignored_zizmor_finding_says_why() -> None:
    for path in ALL:
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "zizmor: ignore[" in line:
                reason = line.split("]", 1)[1].strip(" -#")
                assert len(reason) > 20, f"{path.name}:{number + 1}: say why the finding is ignored"


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    for job, step in steps(load(path)):
        assert "${{" not in step.get("run", ""), f"{path.name}: {job}: pass expressions through env:"


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_every_script_parses_in_bash(path: Path) -> None:
    for job, step in steps(load(path)):
        if "run" in step:
            done = subprocess.run(["bash", "-n", "-c", step["run"]], capture_output=True, text=True)
            assert done.returncode == 0, f"{path.name}: {job}: {done.stderr}"


@pytest.mark.parametrize("path", [BENCHMARKS, TESTS, PULL_REQUEST], ids=lambda path: path.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    granted = {job: spec["permissions"] for job, spec in workflow["jobs"].items() if "permissions" in spec}
    assert granted == ({"publish": {"contents": "write"}} if path == BENCHMARKS else {})


def test_the_comment_workflow_holds_only_what_commenting_needs_and_no_secret() -> None:
    workflow = load(COMMENT)
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["comment"]["permissions"] == {
        "actions": "read",
        "contents": "read",
        "pull-requests": "write",
    }
    for path in ALL:
        assert "secrets." not in path.read_text(), f"{path.name}: the workflows use the run's own token only"


def test_only_the_pages_checkout_keeps_its_credentials() -> None:
    keep = []
    for path in ALL:
        for job, step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                if step.get("with", {}).get("persist-credentials") is not False:
                    keep.append((path.name, job, step.get("with", {}).get("path")))
    assert keep == [("benchmarks.yml", "publish", "site")]


def test_actions_are_pinned_to_a_commit() -> None:
    for path in ALL:
        for _, step in steps(load(path)):
            if "uses" in step:
                assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_triggers() -> None:
    triggers = load(BENCHMARKS)["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert {"_posts/**", "_data/**", "index.md", "methodic.md"} <= set(triggers["push"]["paths-ignore"])
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert set(inputs) >= {"frameworks", "duration", "repeat", "python", "install", "replicas"}
    assert inputs["install"]["default"] == inputs["replicas"]["default"] == ""
    assert set(load(TESTS)["on"]) == {"push", "pull_request"}
    assert load(PULL_REQUEST)["on"] == {"pull_request": {"paths": ["frameworks/**", "scripts/**", "noxfile.py"]}}
    pull_request = load(PULL_REQUEST)["name"]
    assert load(COMMENT)["on"] == {"workflow_run": {"workflows": [pull_request], "types": ["completed"]}}


def test_the_matrix_is_each_framework_times_its_replicas_from_discovery() -> None:
    jobs = load(BENCHMARKS)["jobs"]
    assert "python -m scripts.frameworks" in jobs["discover"]["steps"][-1]["run"]
    bench = jobs["bench"]
    assert bench["needs"] == "discover"
    assert bench["strategy"]["fail-fast"] is False
    assert bench["strategy"]["matrix"] == {"include": "${{ fromJSON(needs.discover.outputs.matrix) }}"}
    script = named(load(BENCHMARKS), "bench", "Benchmark")
    assert 'nox -s "bench-$FRAMEWORK"' in script["run"] and '--replica "$REPLICA/$REPLICAS"' in script["run"]
    assert script["env"]["REPLICA"] == "${{ matrix.replica }}" and script["env"]["REPLICAS"] == "${{ matrix.replicas }}"
    upload = next(
        step for step in uses(load(BENCHMARKS), "bench", "upload-artifact") if "result-" in step["with"]["name"]
    )
    assert "!cancelled()" in upload["if"], "a failed framework must still upload its failure record"
    assert upload["with"]["name"] == "result-${{ matrix.framework }}-${{ matrix.replica }}"


@pytest.mark.parametrize(
    ("selected", "replicas", "jobs"),
    [("all", "", 21 * REPLICAS), ("fastapi,asgi", "", 2 * REPLICAS), ("fastapi,asgi", "2", 4)],
)
def test_discovery_plans_a_job_per_framework_and_replica(
    tmp_path: Path, selected: str, replicas: str, jobs: int
) -> None:
    output = tmp_path / "output"
    env = {"SELECTED": selected, "INSTALL": "", "REPLICAS": replicas, "GITHUB_OUTPUT": str(output)}
    done = run_step(load(BENCHMARKS)["jobs"]["discover"]["steps"][-1], ROOT, env)
    assert done.returncode == 0, done.stderr
    matrix = json.loads(output.read_text().removeprefix("matrix="))
    count = int(replicas or REPLICAS)
    assert len(matrix) == jobs and {job["replicas"] for job in matrix} == {count}
    assert sorted(job["replica"] for job in matrix if job["framework"] == "fastapi") == list(range(1, count + 1))


def test_an_install_benches_exactly_one_framework_on_one_runner(tmp_path: Path) -> None:
    step = load(BENCHMARKS)["jobs"]["discover"]["steps"][-1]
    output = tmp_path / "output"
    for selected in ("all", "fastapi,asgi"):
        env = {"SELECTED": selected, "INSTALL": "fastapi==0.99", "REPLICAS": "", "GITHUB_OUTPUT": str(output)}
        done = run_step(step, ROOT, env)
        assert done.returncode != 0 and "::error::install benches one framework" in done.stdout
    env = {"SELECTED": "fastapi", "INSTALL": "fastapi==0.99", "REPLICAS": "4", "GITHUB_OUTPUT": str(output)}
    assert run_step(step, ROOT, env).returncode == 0
    assert json.loads(output.read_text().removeprefix("matrix=")) == [
        {"framework": "fastapi", "replica": 1, "replicas": 1}
    ]


def test_an_install_is_compared_with_the_pin_in_the_job_summary_and_never_published() -> None:
    workflow = load(BENCHMARKS)
    script = named(workflow, "bench", "Benchmark")
    assert script["env"]["INSTALL"] == "${{ inputs.install }}"
    assert '--install "$INSTALL" --against-app "frameworks/$FRAMEWORK"' in script["run"]
    assert 'nox -s compare -- --markdown "results/ab/$FRAMEWORK.json" > summary.md' in script["run"]
    assert 'cat summary.md >> "$GITHUB_STEP_SUMMARY"' in script["run"]
    result, ab = sorted(uses(workflow, "bench", "upload-artifact"), key=lambda step: step["with"]["name"], reverse=True)
    assert "!inputs.install" in result["if"] and "&& inputs.install" in ab["if"]
    assert "!inputs.install" in workflow["jobs"]["publish"]["if"]


def test_the_apps_run_on_the_python_input() -> None:
    """The bench job's Python is the workflow's `python` input, or its default on a push;
    test_requirements.py checks that default is the newest on which every app resolves."""
    workflow = load(BENCHMARKS)
    default = workflow["on"]["workflow_dispatch"]["inputs"]["python"]["default"]
    assert re.fullmatch(r"3\.\d+", default), default
    assert workflow["env"]["PYTHON"] == f"${{{{ inputs.python || '{default}' }}}}"
    assert load(PULL_REQUEST)["env"]["PYTHON"] == default
    for path in (BENCHMARKS, PULL_REQUEST):
        setup = uses(load(path), "bench", "setup-python")
        assert [step["with"]["python-version"] for step in setup] == ["${{ env.PYTHON }}"]


def test_publish_runs_after_failures_but_not_when_cancelled_nor_for_pull_requests() -> None:
    publish = load(BENCHMARKS)["jobs"]["publish"]
    assert publish["needs"] == "bench"
    assert "!cancelled()" in publish["if"] and "pull_request" in publish["if"]
    assert publish["concurrency"]["cancel-in-progress"] is False
    assert any("nox -s publish -- --results results" in step.get("run", "") for step in publish["steps"])


def test_publish_lays_out_every_replica_as_its_own_result(tmp_path: Path) -> None:
    workflow = load(BENCHMARKS)
    download = uses(workflow, "publish", "download-artifact")[0]["with"]
    assert download == {"pattern": "result-*", "path": "artifacts"}
    for name, replica in [("fastapi", 1), ("fastapi", 2), ("django-bolt", 1)]:
        folder = tmp_path / "artifacts" / f"result-{name}-{replica}"
        folder.mkdir(parents=True)
        (folder / f"{name}.json").write_text(json.dumps({"framework": name, "replica": replica}))
    done = run_step(named(workflow, "publish", "Lay out the replicas"), tmp_path, {})
    assert done.returncode == 0, done.stderr
    laid = {path.name: json.loads(path.read_text()) for path in (tmp_path / "results").iterdir()}
    assert laid == {
        "fastapi-1.json": {"framework": "fastapi", "replica": 1},
        "fastapi-2.json": {"framework": "fastapi", "replica": 2},
        "django-bolt-1.json": {"framework": "django-bolt", "replica": 1},
    }


def test_a_pull_request_benches_what_it_touches_against_its_base() -> None:
    workflow = load(PULL_REQUEST)
    touched = workflow["jobs"]["touched"]
    assert uses(workflow, "touched", "checkout")[0]["with"] == {"fetch-depth": 0, "persist-credentials": False}
    find = named(workflow, "touched", "Find the frameworks")
    assert find["env"] == {"BASE": "${{ github.event.pull_request.base.sha }}"}
    assert 'python -m scripts.frameworks --touched "$BASE" HEAD' in find["run"]
    assert touched["outputs"]["frameworks"] == "${{ steps.touched.outputs.frameworks }}"
    bench = workflow["jobs"]["bench"]
    assert bench["needs"] == "touched" and "!= '[]'" in bench["if"]
    assert bench["strategy"]["fail-fast"] is False
    assert bench["strategy"]["matrix"] == {"framework": "${{ fromJSON(needs.touched.outputs.frameworks) }}"}
    head, base = uses(workflow, "bench", "checkout")
    assert "ref" not in head["with"]
    assert base["with"] == {
        "ref": "${{ github.event.pull_request.base.sha }}",
        "path": "base",
        "persist-credentials": False,
    }
    script = named(workflow, "bench", "Benchmark")["run"]
    assert 'nox -s "bench-$FRAMEWORK" -- --against-app "base/frameworks/$FRAMEWORK" --output results' in script
    assert 'nox -s compare -- --markdown "results/ab/$FRAMEWORK.json" > summary.md' in script
    assert 'cat summary.md >> "$GITHUB_STEP_SUMMARY"' in script
    install = named(workflow, "bench", "Install wrk")["run"]
    assert install == named(load(BENCHMARKS), "bench", "Install wrk")["run"]


def test_a_framework_new_in_the_pull_request_says_it_has_nothing_to_compare_with(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    env = {"FRAMEWORK": "newcomer", "GITHUB_STEP_SUMMARY": str(summary)}
    done = run_step(named(load(PULL_REQUEST), "bench", "Benchmark"), tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "summary.md").read_text() == summary.read_text()
    assert summary.read_text().startswith("### newcomer\nNew in this pull request")


def test_a_pull_requests_artifact_is_its_summary_and_its_number(tmp_path: Path) -> None:
    workflow = load(PULL_REQUEST)
    number = named(workflow, "bench", "Name the pull request")
    assert number["env"] == {"PULL_REQUEST": "${{ github.event.pull_request.number }}"}
    assert run_step(number, tmp_path, {"PULL_REQUEST": "42"}).returncode == 0
    assert json.loads((tmp_path / "pr.json").read_text()) == {"pull_request": 42}
    (upload,) = uses(workflow, "bench", "upload-artifact")
    assert upload["with"]["name"] == "pr-bench-${{ matrix.framework }}"
    assert upload["with"]["path"].split() == ["summary.md", "pr.json"]
    assert "!cancelled()" in upload["if"]


def test_the_comment_workflow_never_runs_the_pull_requests_code() -> None:
    workflow = load(COMMENT)
    job = workflow["jobs"]["comment"]
    assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
    (checkout,) = uses(workflow, "comment", "checkout")
    # No ref and no repository: the default branch's own scripts.
    assert checkout["with"] == {"persist-credentials": False}
    assert "head" not in json.dumps(checkout)
    (download,) = uses(workflow, "comment", "download-artifact")
    assert download["with"] == {
        "pattern": "pr-bench-*",
        "path": "${{ runner.temp }}/pr-bench",
        "run-id": "${{ github.event.workflow_run.id }}",
        "github-token": "${{ github.token }}",
    }
    scripts = [step["run"] for step in job["steps"] if "run" in step]
    assert len(scripts) == 1 and scripts[0].startswith('python -m scripts.site.comment "$ARTIFACTS"')
    post = named(workflow, "comment", "Post or update")
    assert post["env"]["PULL_REQUEST"] == "${{ github.event.workflow_run.pull_requests[0].number }}"
    assert post["env"]["HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"


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


@pytest.mark.parametrize("replicas", ["0", "13"])
def test_discovery_refuses_replicas_github_cannot_run(replicas: str) -> None:
    command = [sys.executable, "-m", "scripts.frameworks", "--matrix", "--replicas", replicas]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert "at least 1" in done.stderr if replicas == "0" else "at most 256" in done.stderr
