"""Post a pull request's A/B benchmark as its one comment, from artifacts that are untrusted data.

    python -m scripts.site.comment ARTIFACTS --repository OWNER/NAME --head-sha SHA
        (--pull-request N | --head OWNER:BRANCH) [--dry-run]

The comment workflow runs this with a token that may write to pull requests, on what the pull
request's own code produced (ARTIFACTS/pr-bench-<name>/summary.md and pr.json): so every artifact
must name the pull request that the run belongs to, the summaries stay under a size limit, and
their markdown is made plain (no HTML, no mention, no reference) before this script adds the
marker by which it finds its comment again and updates it. Anything else is refused in one line.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

MARKER = "<!-- pr-bench -->"
# Bytes of all the summaries together: under GitHub's limit on a comment, with room for the header.
LIMIT = 60_000
COMMENT_LIMIT = 65_536  # characters, GitHub's
ARTIFACT = re.compile(r"pr-bench-([a-z0-9][a-z0-9-]{0,63})")
REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+")
# GitHub's runners set it (GitHub Enterprise has its own); the tests point it at a fake server.
API = os.environ.get("GITHUB_API_URL", "https://api.github.com")
# The author of the comments that the workflow's GITHUB_TOKEN writes: only such a comment is ever edited.
BOT = "github-actions[bot]"
ZWJ = "\u200d"
# Controls, and the bidirectional overrides that make text read other than it is.
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# An HTML tag or comment needs `<`; a mention `@name`; a reference (which notifies the issue it names) `#123`,
# unlike the character reference `&#123;` that plain markdown escapes with.
HTML = re.compile("[<>]")
MENTION = re.compile(r"(?<=@)(?=\w)|(?<=(?<!&)#)(?=\d)")
# A character reference that GitHub would decode to `@` or `#` (`&#64;`, `&commat;`) before it looks for mentions.
REFERENCE = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+);")
REFUSED = 1


class Refused(Exception):
    """Why the artifacts, or GitHub's answer, cannot be used: one line for the log."""


@dataclass(frozen=True)
class Summary:
    framework: str
    markdown: str | None  # None: the job left no summary, because it failed


def read_bounded(path: Path, limit: int, too_large: str) -> bytes:
    """A regular file's bytes, reading no more than the limit allows; a link could point at a secret."""
    name = f"{path.parent.name}/{path.name}"
    if path.is_symlink() or not path.is_file():
        raise Refused(f"{name} is not a regular file")
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"{name}: {too_large}")
    return data


def pull_request_named(artifact: Path) -> int:
    """The pull request number that the artifact's pr.json says it was made for."""
    try:
        number = json.loads(read_bounded(artifact / "pr.json", 100, "over 100 bytes"))["pull_request"]
    except (ValueError, TypeError, KeyError):
        number = None
    if type(number) is not int:
        raise Refused(f'{artifact.name}/pr.json is not {{"pull_request": N}}')
    return number


def read_artifacts(folder: Path, pull_request: int) -> list[Summary]:
    """Every pr-bench artifact's summary, refused whole if any one is not for this pull request or too large."""
    summaries, budget = [], LIMIT
    for artifact in sorted(folder.iterdir()) if folder.is_dir() else []:
        name = ARTIFACT.fullmatch(artifact.name)
        if not name or artifact.is_symlink() or not artifact.is_dir():
            raise Refused(f"{artifact.name[:80]!r} is not a pr-bench-<framework> artifact")
        if (named := pull_request_named(artifact)) != pull_request:
            raise Refused(f"{artifact.name} names pull request #{named}, and this run is for #{pull_request}")
        summary = artifact / "summary.md"
        if not summary.exists():
            summaries.append(Summary(name.group(1), None))
            continue
        data = read_bounded(summary, budget, f"the summaries exceed {LIMIT:,} bytes")
        budget -= len(data)
        try:
            summaries.append(Summary(name.group(1), data.decode("utf-8")))
        except UnicodeDecodeError:
            raise Refused(f"{artifact.name}/summary.md is not UTF-8 text") from None
    return summaries


def plain(markdown: str) -> tuple[str, int]:
    """Markdown that GitHub shows as written, and how many things were neutralised to make it so."""
    text = REFERENCE.sub(_spelled_out, INVISIBLE.sub("", markdown.replace("\r\n", "\n")))
    text, tags = HTML.subn(lambda match: html.escape(match.group()), text)
    text, mentions = MENTION.subn(ZWJ, text)
    return text, tags + mentions


def _spelled_out(match: re.Match[str]) -> str:
    """`&#64;` as `@`, so that the mention rule sees it; any other character reference stays as it is."""
    char = html.unescape(match.group())
    return char if char in ("@", "#") else match.group()


def body(summaries: list[Summary], head_sha: str) -> tuple[str, list[str]]:
    """The comment: the marker, a header, each framework's plain summary; and a note per neutralised summary."""
    parts = [MARKER, "## Benchmark of this pull request against its base", ""]
    parts += [f"Commit {head_sha[:12]}, each framework on its own runner, head and base paired in one run.", ""]
    notes = []
    for summary in summaries:
        if summary.markdown is None:
            parts += [f"### {summary.framework}", "", "No summary: the job failed; its log in the checks says why.", ""]
            continue
        text, neutralised = plain(summary.markdown)
        if neutralised:
            notes.append(f"pr-bench-{summary.framework}: neutralised {neutralised} HTML brackets, mentions, references")
        parts += [text.strip(), ""]
    return "\n".join(parts), notes


@dataclass(frozen=True)
class GitHub:
    """The few REST calls this needs, with urllib and the workflow's token."""

    repository: str
    token: str
    api: str = API

    def call(self, method: str, path: str, payload: dict | None = None) -> Any:
        if not self.token:
            raise Refused("GITHUB_TOKEN is not set")
        request = urllib.request.Request(
            f"{self.api}/repos/{self.repository}{path}",
            data=None if payload is None else json.dumps(payload).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "pr-bench-comment",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise Refused(f"GitHub answered {method} {path.split('?')[0]} with {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            raise Refused(f"GitHub could not be reached: {error.reason}") from None

    def pull_request_of(self, head: str, head_sha: str) -> int:
        """The open pull request whose head is the run's commit: the event names none for a fork's pull request."""
        pulls = self.call("GET", f"/pulls?state=open&per_page=100&head={quote(head, safe='')}")
        numbers = [pull["number"] for pull in pulls if pull["head"]["sha"] == head_sha]
        if len(numbers) != 1:
            raise Refused(f"{len(numbers)} open pull requests have {head[:100]!r} at {head_sha[:12]}, not one")
        return numbers[0]

    def post(self, pull_request: int, text: str) -> str:
        """Update this workflow's comment on the pull request, or post it when there is none yet."""
        page = 1
        while comments := self.call("GET", f"/issues/{pull_request}/comments?per_page=100&page={page}"):
            for comment in comments:
                if comment["user"]["login"] == BOT and comment["body"].startswith(MARKER):
                    self.call("PATCH", f"/issues/comments/{comment['id']}", {"body": text})
                    return "updated"
            page += 1
        self.call("POST", f"/issues/{pull_request}/comments", {"body": text})
        return "posted"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="comment", description="Post the pull request's benchmark as one comment.")
    parser.add_argument("artifacts", type=Path, help="the folder the pr-bench-<framework> artifacts were downloaded to")
    parser.add_argument("--repository", required=True, help="OWNER/NAME, where the pull request is")
    parser.add_argument("--head-sha", required=True, help="the commit the run measured")
    parser.add_argument("--pull-request", default="", help="the run's pull request; empty for a fork's, then --head")
    parser.add_argument("--head", default="", help="OWNER:BRANCH of the pull request, to find it by --head-sha")
    parser.add_argument("--dry-run", action="store_true", help="print the comment instead of posting it")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if not REPOSITORY.fullmatch(args.repository) or not re.fullmatch(r"[0-9a-f]{40}", args.head_sha):
            raise Refused("--repository must be OWNER/NAME and --head-sha a full commit hash")
        github = GitHub(args.repository, os.environ.get("GITHUB_TOKEN", ""))
        if args.pull_request:
            if not args.pull_request.isdigit():
                raise Refused(f"--pull-request {args.pull_request[:20]!r} is not a number")
            number = int(args.pull_request)
        elif args.head:
            number = github.pull_request_of(args.head, args.head_sha)
        else:
            raise Refused("no --pull-request, and no --head to find it by")
        summaries = read_artifacts(args.artifacts, number)
        if not summaries:
            print(f"comment: no pr-bench artifact in {args.artifacts}: nothing to post", file=sys.stderr)
            return 0
        text, notes = body(summaries, args.head_sha)
        if len(text) > COMMENT_LIMIT:
            raise Refused(f"the comment, made plain, is {len(text):,} characters, over GitHub's {COMMENT_LIMIT:,}")
        for note in notes:
            print(f"comment: {note}", file=sys.stderr)
        if args.dry_run:
            print(text, end="")
        else:
            print(f"comment: {github.post(number, text)} the benchmark comment on #{number}", file=sys.stderr)
    except Refused as error:
        print(f"comment: refused: {error}", file=sys.stderr)
        return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
