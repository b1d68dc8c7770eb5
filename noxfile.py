"""Every way to run the project, as nox sessions: `nox -l` lists them.

Sessions per framework (serve-<name>, bench-<name>) are generated from the registry,
frameworks/frameworks.toml, so adding a framework there adds its sessions. Each app runs in
its own venv under .venvs/ (the frameworks' pins conflict), built by scripts/serve/appenv.py;
the sessions' own venvs hold only the harness.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent))  # nox does not put the noxfile's folder on the path
from scripts import frameworks  # noqa: E402

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

HARNESS = ("-r", "scripts/requirements.txt")
# A server gets time to stop on Ctrl-C before nox escalates.
STOP = {"interrupt_timeout": 15.0, "terminate_timeout": 5.0}


def _serve_session(name: str) -> None:
    @nox.session(name=f"serve-{name}")
    def serve(session: nox.Session) -> None:
        session.install(*HARNESS)
        session.run("python", "-m", "scripts.serve.server", name, *session.posargs, **STOP)

    serve.__doc__ = f"Serve the {name} app as the benchmark runs it (-- --port P, --install REQ); Ctrl-C stops it."


def _bench_session(name: str) -> None:
    @nox.session(name=f"bench-{name}")
    def bench(session: nox.Session) -> None:
        session.install(*HARNESS)
        session.run("python", "-m", "scripts.measure.bench", name, *session.posargs, **STOP)

    bench.__doc__ = f"Benchmark {name}, write results/{name}.json (-- --duration, --repeat, --client, …)."


for _name in frameworks.names():
    _serve_session(_name)
    _bench_session(_name)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite: the contract against every app on its real server, and the harness."""
    session.install("-r", "tests/requirements.txt")
    session.run("pytest", *session.posargs, **STOP)


@nox.session
def publish(session: nox.Session) -> None:
    """Render the report into a Pages-branch clone, commit and push (-- --results DIR --site DIR)."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.site.publish", *session.posargs)


@nox.session
def pipeline(session: nox.Session) -> None:
    """The workflow's steps on one machine: discover, bench each framework, report (-- --frameworks a,b …)."""
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="nox -s pipeline --")
    parser.add_argument("--frameworks", default="all", help="comma-separated names, or 'all'")
    parser.add_argument("--date", help="the post's date (default: today, UTC)")
    parser.add_argument("--results", default="results", help="directory for the result files")
    parser.add_argument("--site", help="root of the Jekyll site to render into (default: this checkout)")
    parser.add_argument("--replicas", type=int, default=1, help="runs of each framework, one after the other "
                        "here (the workflow gives each its own runner); the report merges them")  # fmt: skip
    args, bench_args = parser.parse_known_args(session.posargs)
    session.install(*HARNESS)
    listed = session.run("python", "-m", "scripts.frameworks", "--select", args.frameworks, silent=True)
    results = Path(args.results)
    for name in json.loads(listed):
        for k in range(1, args.replicas + 1):
            replica = ["--replica", f"{k}/{args.replicas}"] if args.replicas > 1 else []
            output = results / f"replica-{k}" if replica else results
            # A failed framework still writes its failure record; the pipeline goes on, as the matrix does.
            session.run("python", "-m", "scripts.measure.bench", name, *bench_args, *replica, "--output", str(output),
                        success_codes=[0, 1], **STOP)  # fmt: skip
            if replica and (output / f"{name}.json").exists():  # laid out as the workflow lays out its artifacts
                (output / f"{name}.json").replace(results / f"{name}-{k}.json")
                if not any(output.iterdir()):
                    output.rmdir()
    report_args = [*(["--date", args.date] if args.date else []), *(["--site", args.site] if args.site else [])]
    session.run("python", "-m", "scripts.report.render", "--results", args.results, *report_args)


@nox.session
def accuracy(session: nox.Session) -> None:
    """Measure the Python load generator against wrk on the same app, side by side; print the ratios."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.measure.accuracy", *session.posargs, **STOP)


@nox.session
def calibration(session: nox.Session) -> None:
    """Measure apps as is and with the server's CPU quota-limited; print req/s, share of asgi, instructions."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.measure.calibration", *session.posargs, **STOP)


@nox.session
def report(session: nox.Session) -> None:
    """Render results/*.json into the site: the dated post, index and methodology (-- --results DIR --date D)."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.report.render", *session.posargs)


@nox.session
def compare(session: nox.Session) -> None:
    """Compare two results, or two folders of them, scenario by scenario, with a verdict (-- OLD NEW [--markdown])."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.report.compare", *session.posargs)


@nox.session
def reproduce(session: nox.Session) -> None:
    """How far run B reproduces run A: Kendall's tau, share ratios, false 'moved' verdicts (-- A B)."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.report.reproduce", *session.posargs)


@nox.session
def site(session: nox.Session) -> None:
    """Build the site with Jekyll and check it in headless Chromium (-- --results DIR; default: the test fixtures)."""
    session.install(*HARNESS)
    session.run("python", "-m", "scripts.site.check", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Lint and check the formatting of the Python code with ruff."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
