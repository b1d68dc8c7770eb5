"""scripts/site/comment.py against crafted artifacts: whatever the pull request's code wrote is data.

Each hostile artifact is refused, or neutralised, with one line; the well-formed one is posted
as one comment that carries the marker. The GitHub calls go to a fake API served here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.frameworks import ROOT
from scripts.site.comment import BOT, LIMIT, MARKER

HEAD_SHA = "0123456789abcdef0123456789abcdef01234567"
SUMMARY = """### fastapi

- A: fastapi 0.99.0, install fastapi==0.99.0
- B: fastapi 0.115.0, pinned requirements

| scenario | B / A | interval | verdict |
|:--|--:|--:|:--|
| html | 0.97 | 0.95&#8211;0.99 | slower |
"""


def artifact(
    folder: Path, framework: str = "fastapi", number: object = 7, summary: str | bytes | None = SUMMARY
) -> Path:
    """One downloaded pr-bench artifact as download-artifact lays it out: a folder of summary.md and pr.json."""
    where = folder / f"pr-bench-{framework}"
    where.mkdir(parents=True)
    (where / "pr.json").write_text(json.dumps({"pull_request": number}))
    if summary is not None:
        (where / "summary.md").write_bytes(summary.encode() if isinstance(summary, str) else summary)
    return where


def comment(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scripts.site.comment", str(folder), "--repository", "owner/repo"]
    command += ["--head-sha", HEAD_SHA, *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def dry_run(folder: Path) -> subprocess.CompletedProcess[str]:
    return comment(folder, "--pull-request", "7", "--dry-run")


def refused(done: subprocess.CompletedProcess[str], reason: str) -> None:
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("comment: refused: ") and done.stderr.count("\n") == 1, done.stderr
    assert reason in done.stderr, done.stderr


def test_a_well_formed_summary_is_the_comment_under_its_marker(tmp_path: Path) -> None:
    artifact(tmp_path)
    done = dry_run(tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(MARKER + "\n") and done.stdout.count(MARKER) == 1
    assert SUMMARY.strip() in done.stdout and HEAD_SHA[:12] in done.stdout


def test_an_oversized_summary_is_refused(tmp_path: Path) -> None:
    artifact(tmp_path, summary="x" * (LIMIT + 1))
    refused(dry_run(tmp_path), f"pr-bench-fastapi/summary.md: the summaries exceed {LIMIT:,} bytes")


def test_summaries_that_are_too_large_together_are_refused(tmp_path: Path) -> None:
    artifact(tmp_path, "asgi", summary="x" * (LIMIT // 2 + 1))
    artifact(tmp_path, "fastapi", summary="x" * (LIMIT // 2 + 1))
    refused(dry_run(tmp_path), "pr-bench-fastapi/summary.md: the summaries exceed")


def test_a_summary_too_large_once_made_plain_is_refused(tmp_path: Path) -> None:
    artifact(tmp_path, summary="<" * (LIMIT // 2))
    refused(dry_run(tmp_path), "the comment, made plain, is 120,1")


def test_html_is_shown_as_text(tmp_path: Path) -> None:
    artifact(tmp_path, summary=SUMMARY + "<img src=x onerror=alert(1)>\n<script>alert(1)</script>\n<!-- pr-bench -->\n")
    done = dry_run(tmp_path)
    assert done.returncode == 0
    assert done.stderr == "comment: pr-bench-fastapi: neutralised 8 HTML brackets, mentions, references\n"
    assert "<img" not in done.stdout and "<script" not in done.stdout and "</script" not in done.stdout
    assert "&lt;img src=x onerror=alert(1)&gt;" in done.stdout
    assert done.stdout.count("<") == 1 and done.stdout.count(MARKER) == 1, "only the script's own marker"


def test_mentions_and_references_notify_no_one(tmp_path: Path) -> None:
    spelled = "thanks @octocat and @org/team, see #12 and other/repo#3, or &#64;octocat, &commat;a, &#x23;4\n"
    artifact(tmp_path, summary=SUMMARY + spelled)
    done = dry_run(tmp_path)
    assert done.returncode == 0 and done.stderr.count("\n") == 1 and "neutralised 7" in done.stderr
    assert not re.search(r"@\w|(?<!&)#\d", done.stdout) and "&#8211;" in done.stdout
    assert "@\u200doctocat" in done.stdout and "#\u200d12" in done.stdout


def test_invisible_controls_are_dropped(tmp_path: Path) -> None:
    artifact(tmp_path, summary=SUMMARY + "slower\u202e\x1b[31m\r\n")
    done = dry_run(tmp_path)
    assert (
        done.returncode == 0 and "\u202e" not in done.stdout and "\x1b" not in done.stdout and "\r" not in done.stdout
    )


def test_an_artifact_naming_another_pull_request_is_refused(tmp_path: Path) -> None:
    artifact(tmp_path, "asgi")
    artifact(tmp_path, "fastapi", number=8)
    refused(dry_run(tmp_path), "pr-bench-fastapi names pull request #8, and this run is for #7")


@pytest.mark.parametrize("number", ["7", True, None, [7], 7.0])
def test_a_pull_request_number_that_is_not_a_number_is_refused(tmp_path: Path, number: object) -> None:
    artifact(tmp_path, number=number)
    refused(dry_run(tmp_path), 'pr-bench-fastapi/pr.json is not {"pull_request": N}')


def test_a_pr_json_that_is_not_json_is_refused(tmp_path: Path) -> None:
    (artifact(tmp_path) / "pr.json").write_text("7 or so")
    refused(dry_run(tmp_path), 'pr-bench-fastapi/pr.json is not {"pull_request": N}')


@pytest.mark.parametrize("name", ["other", "pr-bench-Fast API", "pr-bench-"])
def test_an_artifact_of_another_name_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    refused(dry_run(tmp_path), "is not a pr-bench-<framework> artifact")


def test_a_summary_that_links_elsewhere_is_refused(tmp_path: Path) -> None:
    where = artifact(tmp_path, summary=None)
    (where / "summary.md").symlink_to(ROOT / "README.md")
    refused(dry_run(tmp_path), "pr-bench-fastapi/summary.md is not a regular file")


def test_a_summary_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    artifact(tmp_path, summary=b"\xff\xfe html")
    refused(dry_run(tmp_path), "pr-bench-fastapi/summary.md is not UTF-8 text")


def test_a_failed_job_is_said_in_the_comment(tmp_path: Path) -> None:
    artifact(tmp_path, "asgi", summary=None)
    artifact(tmp_path, "fastapi")
    done = dry_run(tmp_path)
    assert done.returncode == 0
    assert "### asgi\n\nNo summary: the job failed" in done.stdout and SUMMARY.strip() in done.stdout


def test_no_artifact_posts_nothing(tmp_path: Path) -> None:
    done = dry_run(tmp_path / "absent")
    assert (done.returncode, done.stdout) == (0, "") and "nothing to post" in done.stderr


class FakeGitHub(BaseHTTPRequestHandler):
    """The REST calls comment.py makes, on canned pull requests and comments; it records every request."""

    pulls: list[dict] = []
    comments: list[dict] = []
    calls: list[tuple[str, str, dict | None]] = []

    def answer(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_call(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length)) if length else None
        self.calls.append((self.command, self.path, payload))
        if self.headers["Authorization"] != "Bearer test-token":
            return self.answer(401, {"message": "Bad credentials"})
        route = (self.command, self.path.split("?")[0])
        if route == ("GET", "/repos/owner/repo/pulls"):
            return self.answer(200, self.pulls)
        if route == ("GET", "/repos/owner/repo/issues/7/comments"):
            return self.answer(200, self.comments if self.path.endswith("page=1") else [])
        if route == ("POST", "/repos/owner/repo/issues/7/comments"):
            return self.answer(201, {"id": 100})
        if route == ("PATCH", "/repos/owner/repo/issues/comments/2"):
            return self.answer(200, {"id": 2})
        self.answer(404, {"message": "Not Found"})

    do_GET = do_POST = do_PATCH = handle_call

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads `calls`."""


@pytest.fixture
def github() -> Iterator[dict[str, str]]:
    """A fake GitHub API on a free port, and the environment that points comment.py at it."""
    FakeGitHub.pulls, FakeGitHub.comments, FakeGitHub.calls = [], [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"GITHUB_API_URL": f"http://127.0.0.1:{server.server_port}", "GITHUB_TOKEN": "test-token"}
    server.shutdown()
    server.server_close()


def test_the_first_run_posts_the_comment(tmp_path: Path, github: dict[str, str]) -> None:
    artifact(tmp_path)
    done = comment(tmp_path, "--pull-request", "7", env=github)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "comment: posted the benchmark comment on #7\n")
    method, path, payload = FakeGitHub.calls[-1]
    assert (method, path) == ("POST", "/repos/owner/repo/issues/7/comments")
    assert payload["body"].startswith(MARKER) and SUMMARY.strip() in payload["body"]


def test_a_later_run_updates_its_own_comment_and_no_one_elses(tmp_path: Path, github: dict[str, str]) -> None:
    FakeGitHub.comments = [
        {"id": 1, "user": {"login": "someone"}, "body": f"{MARKER}\nmine, with the marker copied"},
        {"id": 2, "user": {"login": BOT}, "body": f"{MARKER}\nthe previous run"},
    ]
    artifact(tmp_path)
    done = comment(tmp_path, "--pull-request", "7", env=github)
    assert done.returncode == 0 and "updated" in done.stderr
    assert [(method, path) for method, path, _ in FakeGitHub.calls if method != "GET"] == [
        ("PATCH", "/repos/owner/repo/issues/comments/2")
    ]


def test_a_forks_pull_request_is_found_by_its_head(tmp_path: Path, github: dict[str, str]) -> None:
    FakeGitHub.pulls = [{"number": 7, "head": {"sha": HEAD_SHA}}, {"number": 9, "head": {"sha": "f" * 40}}]
    artifact(tmp_path)
    done = comment(tmp_path, "--pull-request", "", "--head", "author:fast path", env=github)
    assert done.returncode == 0, done.stderr
    assert FakeGitHub.calls[0][1] == "/repos/owner/repo/pulls?state=open&per_page=100&head=author%3Afast%20path"


def test_a_fork_whose_head_matches_no_open_pull_request_is_refused(tmp_path: Path, github: dict[str, str]) -> None:
    FakeGitHub.pulls = [{"number": 9, "head": {"sha": "f" * 40}}]
    artifact(tmp_path)
    refused(comment(tmp_path, "--head", "author:branch", env=github), "0 open pull requests have 'author:branch'")


def test_an_api_error_is_one_line(tmp_path: Path, github: dict[str, str]) -> None:
    artifact(tmp_path)
    refused(comment(tmp_path, "--pull-request", "7", env={**github, "GITHUB_TOKEN": "wrong"}), "401 Unauthorized")
    refused(comment(tmp_path, "--pull-request", "7", env={**github, "GITHUB_TOKEN": ""}), "GITHUB_TOKEN is not set")
