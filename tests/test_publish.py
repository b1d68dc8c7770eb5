"""Publishing against a real bare git repository: first publish, same-day rerun, push race."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.frameworks import ROOT
from scripts.site import publish

RESULTS = ROOT / "tests" / "data" / "results"
DATE = "2026-01-02"
POST = f"_posts/{DATE}-results.md"


def git(cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare repository whose main branch holds the site's static files, as the default branch does."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed))
    publish.seed_static_site(seed)
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "--allow-empty", "-m", "site")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    return bare


def clone(remote: Path, where: Path) -> Path:
    git(where.parent, "clone", "--quiet", str(remote), str(where))
    return where


def tree(remote: Path) -> list[str]:
    return git(remote, "ls-tree", "-r", "--name-only", "main").split()


def test_first_publish_pushes_a_dated_post(remote: Path, tmp_path: Path) -> None:
    site = clone(remote, tmp_path / "site")
    commit = publish.publish(RESULTS, site, DATE)
    assert commit == git(remote, "rev-parse", "main").strip()
    files = tree(remote)
    assert POST in files and "index.md" in files
    assert f"Benchmark results for {DATE}" in git(remote, "log", "-1", "--format=%s", "main")


def test_what_publishing_writes_never_triggers_a_benchmark_run(remote: Path, tmp_path: Path) -> None:
    site = clone(remote, tmp_path / "site")
    publish.publish(RESULTS, site, DATE)
    changed = git(remote, "diff", "--name-only", "main~1", "main").split()
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "benchmarks.yml").read_text())
    ignored = workflow[True]["push"]["paths-ignore"]
    for path in changed:
        assert any(fnmatch.fnmatch(path, pattern.replace("**", "*")) for pattern in ignored), path


def test_same_day_rerun_replaces_the_post(remote: Path, tmp_path: Path) -> None:
    site = clone(remote, tmp_path / "site")
    publish.publish(RESULTS, site, DATE)
    first = git(remote, "show", f"main:{POST}")
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    kept = sorted(RESULTS.glob("*.json"))[:-1]
    for path in kept:
        shutil.copy(path, fewer / path.name)
    assert publish.publish(fewer, site, DATE) is not None
    posts = [path for path in tree(remote) if path.startswith("_posts/")]
    assert posts.count(POST) == 1 and len([p for p in posts if DATE in p]) == 1
    assert git(remote, "show", f"main:{POST}") != first
    assert publish.publish(fewer, site, DATE) is None, "an identical rerun has nothing to publish"


def test_a_push_race_is_retried_and_loses_nothing(remote: Path, tmp_path: Path, capsys) -> None:
    site = clone(remote, tmp_path / "site")
    other = clone(remote, tmp_path / "other")
    # Between publish's fetch and its push, another commit lands on the branch: the first
    # time git is about to push, this hook pushes a commit from the other clone.
    hook = site / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        'marker="$(git rev-parse --git-dir)/raced"\n'
        '[ -e "$marker" ] && exit 0\n'
        'touch "$marker"\n'
        "unset $(git rev-parse --local-env-vars)\n"
        f"cd '{other}' && echo other > other.txt && git add other.txt"
        " && git -c user.name=o -c user.email=o@example.invalid commit -qm 'another commit'"
        " && git push -q origin HEAD:main\n"
    )
    hook.chmod(0o755)
    commit = publish.publish(RESULTS, site, DATE)
    assert (site / ".git" / "raced").exists(), "the race did not happen"
    assert "push rejected" in capsys.readouterr().out
    files = tree(remote)
    assert "other.txt" in files and POST in files
    assert commit == git(remote, "rev-parse", "main").strip()
    assert "another commit" in git(remote, "log", "--format=%s", "main")


def test_a_new_pages_branch_gets_the_static_site(tmp_path: Path) -> None:
    bare = tmp_path / "pages.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=gh-pages", str(bare))
    seed = clone(bare, tmp_path / "seed")
    (seed / "README.md").write_text("pages\n")
    git(seed, "add", "README.md")
    git(seed, "commit", "--quiet", "-m", "empty pages branch")
    git(seed, "push", "--quiet", "origin", "HEAD:gh-pages")
    site = clone(bare, tmp_path / "site")
    publish.publish(RESULTS, site, DATE, branch="gh-pages")
    files = git(bare, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert {"README.md", "_config.yml", "_layouts/post.html", POST} <= set(files)


def test_publish_names_a_bad_site_clearly(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        publish.main(["--results", str(RESULTS), "--site", str(tmp_path)])
    assert exit_info.value.code == 2
