"""`bench --install`: another version of a framework, from PyPI, a git URL or a local checkout,
in a venv of its own beside the untouched pinned one; what got installed is what the result says.

Everything is real: uv installs from PyPI, a real starlette source is fetched with pip and
committed with git, the apps run and answer the contract. Every venv lives in a temporary
folder (BENCH_VENVS_DIR), removed at the end of the session.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import frameworks
from scripts.check import verify
from scripts.frameworks import ROOT
from scripts.measure import results
from scripts.serve import appenv, override
from scripts.serve.server import Server, free_port

# A starlette release older than its pin that still passes the contract.
OLDER = "1.9.0"
# Short, one scenario, no half-load run and no instruction count: these tests are about the venv.
QUICK = (
    "--pairs 1 --pair-duration 1 --duration 1 --warmup 0 --repeat 1 --scenarios html "
    "--fixed-rate-duration 0 --instruction-requests 0"
).split()
IDENTITY = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]


@pytest.fixture(scope="session")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("venvs")
    yield folder
    shutil.rmtree(folder)  # venvs are large: pytest would keep them with its last runs' folders


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """starlette's own source release, unpacked and committed to a fresh git repository."""
    folder = tmp_path_factory.mktemp("source")
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
                f"starlette=={OLDER}", "--dest", str(folder)]  # fmt: skip
    subprocess.run(download, check=True, capture_output=True, timeout=300)
    [archive] = folder.glob("starlette-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    source = folder / f"starlette-{OLDER}"
    git(source, "init", "--quiet", "--initial-branch", "main")
    git(source, "add", "--all")
    git(source, *IDENTITY, "commit", "--quiet", "--message", f"starlette {OLDER}")
    return source


@pytest.fixture
def in_venvs(venvs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """In-process calls build their venvs in the session's folder too."""
    monkeypatch.setattr(appenv, "VENVS_DIR", venvs)
    return venvs


def git(where: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True, text=True).stdout.strip()


def bench(tmp_path: Path, venvs: Path, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """The bench command with its own empty temp and upload folders, so any leftover file shows."""
    scratch = Path(tempfile.mkdtemp(prefix="tmp-", dir=tmp_path))
    env = {**os.environ, "TMPDIR": str(scratch), "BENCH_UPLOAD_ROOT": str(scratch), "BENCH_VENVS_DIR": str(venvs)}
    output = tmp_path / "results"
    command = [sys.executable, "-m", "scripts.measure.bench", *args, "--output", str(output)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert list(scratch.iterdir()) == [], "the run left temporary files behind"
    return done, output


def installed_version(venv: Path, package: str) -> str:
    snippet = f"import importlib.metadata as m; print(m.version({package!r}))"
    return subprocess.run([str(appenv.interpreter(venv)), "-c", snippet], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def override_result(output: Path) -> tuple[Path, dict]:
    [path] = (output / "installs").glob("starlette+*.json")
    result = json.loads(path.read_text())
    results.validate(result)
    return path, result


def test_an_older_release_beside_the_untouched_pinned_one(tmp_path: Path, venvs: Path) -> None:
    done, output = bench(tmp_path, venvs, "starlette", *QUICK)
    assert done.returncode == 0, done.stderr
    pinned = json.loads((output / "starlette.json").read_text())
    pinned_version = pinned["versions"]["framework"]["version"]
    assert pinned["install"] is None and pinned_version != OLDER
    stamp = venvs / "starlette" / ".requirements.sha256"
    before = (stamp.read_text(), stamp.stat().st_mtime_ns)

    done, output = bench(tmp_path, venvs, "starlette", *QUICK, "--install", f"starlette=={OLDER}")
    assert done.returncode == 0, done.stderr
    path, result = override_result(output)
    assert result["status"] == "ok", result["error"]
    assert result["install"] == {
        "requirement": f"starlette=={OLDER}", "kind": "pypi", "version": OLDER, "commit": None, "dirty": None
    }  # fmt: skip
    assert result["versions"]["framework"] == {"name": "starlette", "version": OLDER}
    assert installed_version(venvs / path.stem, "starlette") == OLDER
    # The pinned venv and the pinned result are as they were.
    assert (stamp.read_text(), stamp.stat().st_mtime_ns) == before
    assert installed_version(venvs / "starlette", "starlette") == pinned_version
    assert json.loads((output / "starlette.json").read_text()) == pinned


def test_a_local_checkout_records_its_commit_and_its_changes(tmp_path: Path, in_venvs: Path, checkout: Path) -> None:
    source = tmp_path / "starlette"
    shutil.copytree(checkout, source, symlinks=True)
    head = git(source, "rev-parse", "HEAD")
    done, output = bench(tmp_path, in_venvs, "starlette", *QUICK, "--install", str(source))
    assert done.returncode == 0, done.stderr
    path, result = override_result(output)
    assert result["status"] == "ok", result["error"]
    assert result["install"] == {
        "requirement": str(source), "kind": "path", "version": OLDER, "commit": head, "dirty": False
    }  # fmt: skip

    # An edit rebuilds the same venv from the edited tree, and the record says the tree was dirty.
    routing = source / "starlette" / "routing.py"
    routing.write_text(routing.read_text() + "# edited by test_install\n")
    installed = override.ensure(frameworks.get("starlette"), str(source))
    assert installed.venv == in_venvs / path.stem
    assert installed.record | {"dirty": None} == result["install"] | {"dirty": None}
    assert installed.record["dirty"] is True
    copies = list(installed.venv.glob("lib/python*/site-packages/starlette/routing.py"))
    assert [copy.read_text().endswith("# edited by test_install\n") for copy in copies] == [True]


def test_a_folder_git_does_not_track_records_no_commit(tmp_path: Path, in_venvs: Path, checkout: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / "README").write_text("an unrelated repository\n")
    git(outer, "init", "--quiet")
    git(outer, "add", "README")
    git(outer, *IDENTITY, "commit", "--quiet", "--message", "unrelated")
    source = outer / "starlette"
    shutil.copytree(checkout, source, ignore=shutil.ignore_patterns(".git"))
    installed = override.ensure(frameworks.get("starlette"), str(source))
    assert installed.record == {"requirement": str(source), "kind": "path", "version": OLDER, "commit": None,
                                "dirty": None}  # fmt: skip


def test_a_git_url_records_the_commit_it_installed(tmp_path: Path, in_venvs: Path, checkout: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(checkout), str(clone))
    first = git(clone, "rev-parse", "HEAD")
    on_main = f"git+{clone.as_uri()}@main"
    with Server(frameworks.get("starlette"), install=override.ensure(frameworks.get("starlette"), on_main)) as server:
        checks = verify.verify(server.base_url, server.upload_dir)
        record = server.install
    # Only the middleware scenario's checks ask for the app started with BENCH_MIDDLEWARE=1, not served here.
    assert [check.name for check in checks if not check.passed and check.scenario != "middleware"] == []
    assert record == {"requirement": on_main, "kind": "git", "version": OLDER, "commit": first, "dirty": False}

    # The branch moves on: the same venv is rebuilt from the new commit; a pinned commit stays where it was.
    (clone / "NEWS").write_text("moved on\n")
    git(clone, "add", "NEWS")
    git(clone, *IDENTITY, "commit", "--quiet", "--message", "moved on")
    second = git(clone, "rev-parse", "HEAD")
    assert override.ensure(frameworks.get("starlette"), on_main).record["commit"] == second
    at_first = f"starlette @ git+{clone.as_uri()}@{first[:10]}"
    assert override.ensure(frameworks.get("starlette"), at_first).record["commit"] == first


def test_serve_runs_the_same_override_venv_and_answers_the_contract(tmp_path: Path, venvs: Path) -> None:
    """`serve --install` builds (or reuses) the venv that `bench --install` would measure and serves from it."""
    port = free_port()
    env = {**os.environ, "BENCH_VENVS_DIR": str(venvs)}
    requirement = f"starlette=={OLDER}"
    command = [sys.executable, "-m", "scripts.serve.server", "starlette", "--port", str(port), "--install", requirement]
    serve = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [serve.stdout.readline() for _ in range(3)]
        assert lines[0].startswith(f"serving starlette at http://127.0.0.1:{port}"), lines
        [venv] = [path for path in venvs.glob("starlette+*") if lines[1].startswith(f"command: {path}/")]
        assert lines[2] == f"installed: starlette {OLDER} from {requirement}\n"
        assert installed_version(venv, "starlette") == OLDER
        checks = verify.verify(f"http://127.0.0.1:{port}")
        assert [check.name for check in checks if not check.passed and check.scenario != "middleware"] == []
        serve.send_signal(signal.SIGINT)
        assert serve.wait(30) == 0
    finally:
        serve.kill()
        serve.wait()


def test_serve_names_a_bad_install_in_one_line(tmp_path: Path, venvs: Path) -> None:
    env = {**os.environ, "BENCH_VENVS_DIR": str(venvs)}
    command = [sys.executable, "-m", "scripts.serve.server", "starlette", "--install", "starlette==!!"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("serve: --install starlette==!!: not a requirement") and done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "name, requirement, message",
    [
        ("starlette", "starlette==!!", "not a requirement, a git URL (git+…) or a path (./…)"),
        ("starlette", "starlette==0.0.999", "could not be installed: "),
        ("starlette", "{missing}", "no such directory: "),
        ("starlette", "{empty}", "holds no Python project"),
        ("starlette", "{other}", "names the project 'other', not starlette's 'starlette'"),
        ("starlette", "fastapi==0.165.0", "names the project 'fastapi', not starlette's 'starlette'"),
        ("starlette", "starlette; python_version < '3'", "an environment marker has no place here"),
        ("starlette", "git+{checkout}@no-such-branch", "has no branch or tag named 'no-such-branch'"),
        ("starlette", "git+{missing_uri}", "cannot read the git repository"),
        ("fastapi", "git+{checkout}", "installs 'starlette', not fastapi's 'fastapi'"),
        ("asgi", f"starlette=={OLDER}", "asgi is the raw ASGI baseline: it has no framework package to replace"),
    ],
)
def test_bad_input_gets_one_clear_line_and_leaves_nothing(
    tmp_path: Path, venvs: Path, checkout: Path, name: str, requirement: str, message: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "1.0"\n')
    requirement = requirement.format(
        missing=tmp_path / "missing", missing_uri=(tmp_path / "missing").as_uri(), empty=tmp_path / "empty",
        other=tmp_path / "other", checkout=checkout.as_uri(),
    )  # fmt: skip
    venvs_before = sorted(venvs.iterdir())
    done, output = bench(tmp_path, venvs, name, *QUICK, "--install", requirement)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()], "not one line"
    assert done.stderr.startswith(f"bench: --install {requirement}: ") and message in done.stderr
    assert sorted(venvs.iterdir()) == venvs_before
    assert not output.exists()


def test_an_ab_run_measures_an_override_against_the_pin_and_renders_its_verdict(tmp_path: Path, venvs: Path) -> None:
    """An A/B run, as a pull request's job runs it: both sides at once, each pair's ratio, the verdict
    from its interval; then the markdown a pull request gets, rendered from that real result."""
    args = ["--pairs", "3", "--pair-duration", "1", "--warmup", "0", "--scenarios", "html,api",
            "--instruction-requests", "0"]  # fmt: skip
    done, output = bench(tmp_path, venvs, "starlette", *args, "--install", f"starlette=={OLDER}",
                         "--against-app", "frameworks/starlette")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((output / "ab" / "starlette.json").read_text())
    assert result["candidate"]["install"]["version"] == OLDER and result["reference"]["requirement"] == "the pin"
    command = [sys.executable, "-m", "scripts.report.compare", "--markdown", str(output / "ab" / "starlette.json")]
    shown = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    for name in ("html", "api"):
        entry = result["scenarios"][name]
        ratio = entry["ratio"]
        assert len(entry["pairs"]) == 3 and ratio["low"] <= ratio["median"] <= ratio["high"]
        expected = "faster" if ratio["low"] > 1 else "slower" if ratio["high"] < 1 else "no difference"
        assert ratio["verdict"] == expected
        interval = f"{ratio['low']:.3f}–{ratio['high']:.3f} ({ratio['confidence']:.0%})"
        assert f"| {name} | {ratio['median']:.3f} | {interval} | {expected} | not counted |" in shown.stdout
    assert f"candidate: starlette=={OLDER}, {OLDER}, app frameworks/starlette" in shown.stdout


def test_an_ab_run_against_a_folder_that_is_no_app_is_refused_in_one_line(tmp_path: Path, venvs: Path) -> None:
    done, _ = bench(tmp_path, venvs, "starlette", *QUICK, "--against-app", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"bench: --against-app {tmp_path / 'nowhere'}: no app folder there "
                                                "(no requirements.txt)"]  # fmt: skip
