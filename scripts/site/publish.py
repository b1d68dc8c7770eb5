"""Publish a report: render it into the Pages branch's work tree, commit, and push.

    python -m scripts.site.publish --results DIR --site DIR [--date YYYY-MM-DD] [--remote origin] [--branch main]

`--site` is a clone of the branch that GitHub Pages serves. The report is rendered on top of
the remote's tip and committed; when another commit lands on the branch between the fetch
and the push, the push is rejected, and the publish starts again from the new tip: the
generated files are rendered anew there (they derive from results, so rendering is the
right merge), so nothing of either side is lost. The workflow's publish job calls this;
the tests call it against a real bare repository.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from scripts.frameworks import ROOT
from scripts.report import render

ATTEMPTS = 5
AUTHOR = ("benchmark bot", "benchmark-bot@users.noreply.github.com")


class PublishError(RuntimeError):
    """A git step failed; the message carries git's own words."""


def git(site: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    name, email = AUTHOR
    command = ["git", "-c", f"user.name={name}", "-c", f"user.email={email}", *args]
    done = subprocess.run(command, cwd=site, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")
    return done


def render_report(results: Path, site: Path, date: str) -> None:
    command = [
        sys.executable,
        "-m",
        "scripts.report.render",
        "--results",
        str(results),
        "--site",
        str(site),
        "--date",
        date,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    print(done.stdout, end="")
    if done.returncode != 0:
        raise PublishError(f"the report failed:\n{done.stderr.strip()}")


def seed_static_site(site: Path) -> None:
    """Give a Pages branch that lacks them the project's layouts, config and styles."""
    for name in render.STATIC_SITE:
        source, target = ROOT / name, site / name
        if target.exists() or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def publish(results: Path, site: Path, date: str, remote: str = "origin", branch: str = "main") -> str | None:
    """Render, commit and push; return the pushed commit, or None when nothing changed."""
    for attempt in range(1, ATTEMPTS + 1):
        git(site, "fetch", "--quiet", remote, branch)
        git(site, "checkout", "--quiet", "--force", "-B", branch, f"{remote}/{branch}")
        seed_static_site(site)
        render_report(results, site, date)
        git(site, "add", "--all", ".")
        if not git(site, "status", "--porcelain").stdout.strip():
            print(f"nothing new to publish for {date}")
            return None
        git(site, "commit", "--quiet", "-m", f"Benchmark results for {date}")
        pushed = git(site, "push", "--quiet", remote, f"HEAD:{branch}", check=False)
        if pushed.returncode == 0:
            commit = git(site, "rev-parse", "HEAD").stdout.strip()
            print(f"published {date} as {commit[:12]} to {remote}/{branch}")
            return commit
        print(f"push rejected (attempt {attempt}/{ATTEMPTS}), starting again from the new tip: "
              f"{pushed.stderr.strip().splitlines()[-1] if pushed.stderr.strip() else ''}")  # fmt: skip
    raise PublishError(f"could not push to {remote}/{branch} after {ATTEMPTS} attempts")


def _date(text: str) -> str:
    try:
        return datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="publish", description="Render the report and push it to the Pages branch.")
    parser.add_argument("--results", type=Path, required=True, help="directory of result JSON files")
    parser.add_argument("--site", type=Path, required=True, help="a clone of the Pages branch")
    parser.add_argument("--date", type=_date, default=datetime.now(UTC).strftime("%Y-%m-%d"))
    parser.add_argument("--remote", default="origin")
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    if not (args.site / ".git").exists():
        parser.error(f"--site {args.site} is not a git clone")
    try:
        publish(args.results.resolve(), args.site.resolve(), args.date, args.remote, args.branch)
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
