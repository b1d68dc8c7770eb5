"""Serving: an app starts as the benchmark runs it, and stopping it leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scripts import frameworks
from scripts.frameworks import ROOT
from scripts.scenarios import SCENARIOS
from scripts.serve import procstats
from scripts.serve.server import RAM_DIR, Server, ServerError, filesystem_of, free_port, server_ports


def _wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def _environ_path(pid: int, name: str) -> Path:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    value = next(item for item in environ if item.startswith(name.encode() + b"="))
    return Path(value.split(b"=", 1)[1].decode())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_command_stops_every_process_and_removes_uploads(sig: signal.Signals) -> None:
    port = free_port()
    command = [sys.executable, "-m", "scripts.serve.server", frameworks.BASELINE, "--port", str(port)]
    serve = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/html")
        children = [pid for pid in procstats.tree(serve.pid) if pid != serve.pid]
        assert children, "the server should run as a child of serve"
        upload_dir = _environ_path(children[0], "BENCH_UPLOAD_DIR")
        tmp_dir = _environ_path(children[0], "TMPDIR")
        assert upload_dir.is_dir() and tmp_dir.is_dir()
        assert upload_dir.parent == tmp_dir.parent, "uploads and TMPDIR should share the run's folder"
        serve.send_signal(sig)
        assert serve.wait(30) == 0
    finally:
        serve.kill()
        serve.wait()
    for pid in children:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} outlived serve"
    assert not upload_dir.parent.exists(), "the run's folder outlived serve"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/html", timeout=2)


def test_serve_names_an_unknown_framework() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.serve.server", "nosuch"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "unknown framework 'nosuch'" in done.stderr
    assert "Traceback" not in done.stderr


def test_port_in_use_is_reported_clearly() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = Server(frameworks.get(frameworks.BASELINE), port=port)
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            server.start()
    assert server.upload_dir is None


def test_ports_lie_outside_the_ephemeral_range_and_do_not_repeat() -> None:
    # The servers of a run pick their ports before any starts, and wrk's connections take
    # local ports from the ephemeral range: a repeat or a port in that range failed a run.
    low, high = (int(word) for word in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
    assert all(port < low or port > high for port in ports)


def test_a_port_taken_by_another_program_is_not_handed_out() -> None:
    # Ports are handed out in turn: hold the one after the last, which would come next.
    last = free_port()
    following = last + 1 if last + 1 in server_ports() else server_ports().start
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", following))
        holder.listen()
        assert free_port() not in (last, following)


def test_a_server_is_pinned_to_the_cores_it_is_given() -> None:
    cores = frozenset(sorted(os.sched_getaffinity(0))[:1])
    with Server(frameworks.get(frameworks.BASELINE), cores=cores) as server:
        assert os.sched_getaffinity(server.process.pid) == cores


def test_uploads_go_to_memory_where_the_machine_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_UPLOAD_ROOT", raising=False)
    if not RAM_DIR.is_dir():
        pytest.skip(f"{RAM_DIR} does not exist here")
    with Server(frameworks.get(frameworks.BASELINE)) as server:
        assert server.run_dir.parent == RAM_DIR
        assert filesystem_of(server.upload_dir) == "tmpfs"
        assert filesystem_of(server.tmp_dir) == "tmpfs"
    assert filesystem_of(Path("/proc/self")) == "proc"


def test_what_a_framework_spools_stays_in_the_run_and_goes_with_it() -> None:
    """Emmett spools every upload to a new mime_multipart* folder under $TMPDIR: the harness's
    TMPDIR must catch it, and stopping the server must remove it."""
    shared = [Path("/tmp"), RAM_DIR]
    before = {path for folder in shared if folder.is_dir() for path in folder.glob("mime_multipart*")}
    request = SCENARIOS["upload"].request
    with Server(frameworks.get("emmett")) as server:
        for _ in range(3):
            answer = httpx.post(server.base_url + "/upload", headers=request.headers, content=request.body)
            assert answer.status_code == 200, answer.text
        spooled = list(server.tmp_dir.glob("mime_multipart*"))
        run_dir = server.run_dir
    assert spooled, "emmett's spooled uploads did not land in the server's TMPDIR"
    assert not run_dir.exists()
    after = {path for folder in shared if folder.is_dir() for path in folder.glob("mime_multipart*")}
    assert after <= before, f"left behind: {sorted(after - before)}"
