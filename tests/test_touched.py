"""Which frameworks a diff touches, on real git repositories made here: what a pull request measures."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts import frameworks
from scripts.frameworks import ROOT

REGISTRY = (ROOT / "frameworks" / "frameworks.toml").read_text()
ENTRIES = tomllib.loads(REGISTRY)["frameworks"]
HARNESS = tomllib.loads(REGISTRY)["harness_set"]


def git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args]
    return subprocess.run(command, cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str = "change") -> None:
    """Write (or, for None, delete) the files and commit them."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with the real registry, every app, the harness and docs on main, and a branch `pr` off it."""
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    files = {"frameworks/frameworks.toml": REGISTRY, "noxfile.py": "# nox\n", "scripts/measure/bench.py": "# bench\n"}
    files |= {f"frameworks/{name}/app.py": f"# {name}\n" for name in ENTRIES}
    files |= {"README.md": "# read me\n", "_posts/2026-01-01-results.md": "results\n", "index.md": "index\n"}
    commit(tmp_path, files, "base")
    git(tmp_path, "checkout", "--quiet", "-b", "pr")
    return tmp_path


def registry_with(old: str, new: str) -> str:
    assert REGISTRY.count(old) == 1, old
    return REGISTRY.replace(old, new)


def on(server: str) -> list[str]:
    return [name for name, entry in ENTRIES.items() if entry["server"] == server]


def test_a_change_in_an_app_touches_that_framework(repo: Path) -> None:
    commit(repo, {"frameworks/falcon/app.py": "# faster\n", "frameworks/falcon/requirements.txt": "falcon==9\n"})
    assert frameworks.touched("main", "pr", repo) == ["falcon"]


def test_a_file_moved_out_of_an_app_touches_it(repo: Path) -> None:
    git(repo, "mv", "frameworks/sanic/app.py", "elsewhere.py")
    git(repo, "commit", "--quiet", "-m", "move")
    assert frameworks.touched("main", "pr", repo) == ["sanic"]


def test_a_registry_entry_touches_that_framework_and_a_comment_nothing(repo: Path) -> None:
    commit(repo, {"frameworks/frameworks.toml": registry_with('package = "muffin"', 'package = "muffin"  # why')})
    assert frameworks.touched("main", "pr", repo) == []
    commit(repo, {"frameworks/frameworks.toml": registry_with('package = "muffin"', 'package = "muffin2"')})
    assert frameworks.touched("main", "pr", repo) == ["muffin"]


def test_a_server_entry_touches_the_harness_set_on_it_or_else_the_frameworks_on_it(repo: Path) -> None:
    changed = registry_with("--loop uvloop", "--loop asyncio")
    commit(repo, {"frameworks/frameworks.toml": changed})
    expected = [name for name in on("uvicorn") if name in HARNESS]
    assert frameworks.touched("main", "pr", repo) == expected and len(on("uvicorn")) > len(expected) > 0
    commit(repo, {"frameworks/frameworks.toml": changed.replace("--no-motd", "--no-motd --debug")})
    assert frameworks.touched("pr~1", "pr", repo) == on("sanic") == ["sanic"]


def test_the_harness_touches_the_registrys_harness_set(repo: Path) -> None:
    commit(repo, {"scripts/measure/bench.py": "# bench, changed\n"})
    expected = [name for name in ENTRIES if name in HARNESS]
    assert frameworks.touched("main", "pr", repo) == expected
    commit(repo, {"noxfile.py": "# nox, changed\n"})
    assert frameworks.touched("pr~1", "pr", repo) == expected
    commit(repo, {"frameworks/frameworks.toml": registry_with("replicas = 3", "replicas = 5")})
    assert frameworks.touched("pr~1", "pr", repo) == expected


def test_the_harness_set_is_small_holds_the_baseline_and_names_real_frameworks() -> None:
    assert frameworks.BASELINE in HARNESS and set(HARNESS) <= set(ENTRIES) and len(HARNESS) <= 4


def test_docs_only_touch_nothing(repo: Path) -> None:
    docs = {"README.md": "# changed\n", "_posts/2026-01-02-results.md": "new\n", "index.md": "changed\n"}
    commit(repo, docs | {"frameworks/falcon/NOTES.md": "why\n"})
    assert frameworks.touched("main", "pr", repo) == []


def test_only_the_branchs_own_changes_count_not_what_main_did_since(repo: Path) -> None:
    commit(repo, {"frameworks/falcon/app.py": "# pr\n"})
    git(repo, "checkout", "--quiet", "main")
    commit(repo, {"frameworks/sanic/app.py": "# main moved on\n"})
    assert frameworks.touched("main", "pr", repo) == ["falcon"]


def test_an_app_and_the_harness_together_in_registry_order(repo: Path) -> None:
    commit(repo, {"frameworks/tornado/app.py": "# changed\n", "scripts/measure/bench.py": "# changed\n"})
    assert frameworks.touched("main", "pr", repo) == [name for name in ENTRIES if name in {*HARNESS, "tornado"}]


def test_an_unknown_revision_is_one_clear_line(repo: Path) -> None:
    with pytest.raises(frameworks.DiffError, match="unknown revision 'nope'"):
        frameworks.touched("nope", "pr", repo)
    with pytest.raises(frameworks.DiffError, match="unknown revision '--output=x'"):
        frameworks.touched("main", "--output=x", repo)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts.frameworks", *args], cwd=ROOT, capture_output=True, text=True)


def test_the_command_line_prints_json_and_refuses_bad_input_with_exit_2() -> None:
    done = cli("--touched", "HEAD", "HEAD")
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")
    done = cli("--touched", "no-such-revision", "HEAD")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("frameworks: unknown revision 'no-such-revision'") and done.stderr.count("\n") == 1
