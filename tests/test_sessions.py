"""Every nox session the README lists, run the way a user types it: `nox -s …` in a subprocess.

The sessions get a fresh nox envdir of their own, so a session that forgets to install what
its command imports fails here as it would on a fresh clone. Short settings keep it quick.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from scripts.frameworks import ROOT
from scripts.serve import procstats
from scripts.serve.server import free_port

SHORT = (
    "--pairs 1 --pair-duration 1 --duration 1 --warmup 0 --repeat 1 "
    "--fixed-rate-duration 0 --instruction-requests 0 --scenarios html"
).split()
# How this file runs each session of the README's table ("tests" is what CI itself runs); the
# first test keeps the two in step.
EXERCISED = {
    "serve-<name>", "bench-<name>", "tests", "report", "compare", "site", "pipeline", "publish",
    "accuracy", "calibration", "reproduce",
}  # fmt: skip


@pytest.fixture(scope="module")
def envdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nox-envs")


def nox(envdir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    command = ["nox", "--envdir", str(envdir), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def readme_sessions() -> set[str]:
    table = (ROOT / "README.md").read_text().split("## How it runs", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`nox -s ([\w<>-]+)", table))


def test_the_readme_lists_exactly_the_sessions_exercised_here() -> None:
    assert readme_sessions() == EXERCISED


def test_nox_lists_every_session() -> None:
    done = subprocess.run(["nox", "-l"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for session in ("serve-asgi", "bench-starlette", "tests", "report", "compare", "site", "pipeline"):
        assert f"* {session}" in done.stdout or f"- {session}" in done.stdout, session


def test_serve_answers_and_stops_on_ctrl_c(envdir: Path) -> None:
    port = free_port()
    command = ["nox", "--envdir", str(envdir), "-s", "serve-asgi", "--", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/html", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "serve-asgi never answered"
                time.sleep(0.5)
        assert response.status_code == 200 and response.text == "<b>HTML OK</b>"
        tree = procstats.tree(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the foreground group
        process.wait(timeout=60)
        time.sleep(0.5)
        assert not [pid for pid in tree if Path(f"/proc/{pid}").exists()], "a process outlived serve"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/html", timeout=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_bench_pipeline_report_and_compare(envdir: Path, tmp_path: Path) -> None:
    bench_dir, pipeline_dir, site = tmp_path / "bench", tmp_path / "pipeline", tmp_path / "site"
    done = nox(envdir, "-s", "bench-asgi", "--", *SHORT, "--output", str(bench_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((bench_dir / "asgi.json").read_text())["status"] == "ok"

    done = nox(envdir, "-s", "pipeline", "--", "--frameworks", "asgi", "--results", str(pipeline_dir),
               "--site", str(site), "--date", "2026-01-02", *SHORT)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site / "_posts" / "2026-01-02-results.md").exists()

    done = nox(envdir, "-s", "report", "--", "--results", str(bench_dir), "--site", str(site), "--date", "2026-01-03")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "asgi" in (site / "_posts" / "2026-01-03-results.md").read_text()

    done = nox(envdir, "-s", "compare", "--", str(pipeline_dir / "asgi.json"), str(bench_dir / "asgi.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "html" in done.stdout

    done = nox(envdir, "-s", "reproduce", "--", str(pipeline_dir), str(bench_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "'moved beyond the noise' by the noise rule:" in done.stdout


@pytest.mark.parametrize("session", ["site", "publish", "accuracy", "calibration", "reproduce"])
def test_other_sessions_start_and_answer_help(envdir: Path, session: str) -> None:
    done = nox(envdir, "-s", session, "--", "--help")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "usage:" in done.stdout
