"""Drive load against a running app with wrk, or with the built-in Python generator.

Both run as a child process pinned to the load generator's cores and report the same
figures, so everything after this module is the same whichever tool made the load.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scripts.frameworks import ROOT
from scripts.scenarios import SCENARIOS
from scripts.serve import cpus
from scripts.serve.server import raise_if_stopped

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
TIMEOUT_S = 5
# Beyond its duration, a load run gets this long to report before it counts as hung.
GRACE_S = 30
# A load run is client-bound when the load generator used this share of the cores it had.
CLIENT_BOUND_SHARE = 0.9

Progress = Callable[[float], None]


class LoadError(RuntimeError):
    """The load generator failed or gave no figures."""


def choose_client(requested: str) -> str:
    """'wrk' when asked for or, by default, when it is installed; 'python' otherwise."""
    if requested == "wrk" and not shutil.which("wrk"):
        raise LoadError("--client wrk: wrk is not installed (apt-get install wrk), or use --client python")
    if requested == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    return requested


def version(client: str) -> str:
    if client == "wrk":
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        return (done.stdout or done.stderr).split("Copyright")[0].strip()
    from scripts.load import loadgen

    return loadgen.version()


def threads(client: str, cores: frozenset[int]) -> int:
    """wrk runs a thread per client core; the Python generator is one process on one core."""
    return max(1, len(cores)) if client == "wrk" else 1


def _command(
    client: str,
    url: str,
    scenario: str,
    connections: int,
    duration: int,
    cores: frozenset[int],
    rate: float | None = None,
) -> list[str]:
    if client == "wrk":
        path = SCENARIOS[scenario].request.path
        return [
            "wrk", f"-t{threads(client, cores)}", f"-c{connections}", f"-d{duration}s",
            f"--timeout={TIMEOUT_S}s", "-s", str(WRK_SCRIPT), url + path,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "scripts.load", "--url", url, "--scenario", scenario,
        "--connections", str(connections), "--duration", str(duration), "--timeout", str(TIMEOUT_S),
        *(["--rate", str(rate)] if rate is not None else []),
    ]  # fmt: skip


def _request_file(scenario: str) -> str:
    """The scenario's requests in the plain format that wrk.lua reads: for each, the method and
    path on one line, one "Name: value" header a line, an empty line, the body's length in bytes
    on a line of its own, then the body and a newline."""
    handle, path = tempfile.mkstemp(prefix="bench-request-", suffix=".txt")
    with os.fdopen(handle, "wb") as file:
        for request in SCENARIOS[scenario].requests:
            head = "\n".join([f"{request.method} {request.path}", *(f"{n}: {v}" for n, v in request.headers.items())])
            file.write(head.encode() + f"\n\n{len(request.body)}\n".encode() + request.body + b"\n")
    return path


def _from_wrk(output: str) -> dict:
    line = next((line for line in reversed(output.splitlines()) if line.startswith("{")), None)
    if line is None:
        raise LoadError(f"wrk printed no figures:\n{output[-1000:]}")
    raw = json.loads(line)
    requests = raw["requests"]
    return {
        "duration_s": raw["duration_us"] / 1e6,
        "requests": requests,
        "status_2xx": requests - raw["non_2xx"],
        "non_2xx": raw["non_2xx"],
        "errors": raw["errors"],
        "latency_ms": {key: value / 1000 for key, value in raw["latency_us"].items()},
    }


def run(
    client: str,
    url: str,
    scenario: str,
    connections: int,
    duration: int,
    cores: frozenset[int],
    progress: Progress | None = None,
) -> dict:
    """One load run; returns its figures and the generator's own CPU use."""
    request_file = _request_file(scenario) if client == "wrk" else None
    env = {**os.environ, **({"BENCH_REQUEST_FILE": request_file} if request_file else {})}
    try:
        output, cpu = _child(client, _command(client, url, scenario, connections, duration, cores), env, cores,
                             duration, progress)  # fmt: skip
    finally:
        if request_file:
            os.unlink(request_file)
    return _figures(client, output, cpu, threads(client, cores))


def _figures(client: str, output: str, cpu: float, client_threads: int) -> dict:
    figures = _from_wrk(output) if client == "wrk" else json.loads(output)
    return {
        "duration_s": figures["duration_s"],
        "requests": figures["requests"],
        "status_2xx": figures["status_2xx"],
        "non_2xx": figures["non_2xx"],
        "errors": figures["errors"],
        "latency_ms": figures["latency_ms"],
        "client_cpu_s": cpu,
        "client_threads": client_threads,
    }


def run_together(
    client: str,
    urls: list[str],
    scenario: str,
    connections: int,
    duration: int,
    cores: frozenset[int],
    progress: Progress | None = None,
) -> list[dict]:
    """One load run on several servers at once: a generator each, started together on the
    client's cores, so that whatever the machine does meanwhile falls on every server alike.

    Each run's `client_cpu_s` is the generators' CPU time together: they share the cores, and
    only their sum says whether the client was the limit.
    """
    request_file = _request_file(scenario) if client == "wrk" else None
    env = {**os.environ, **({"BENCH_REQUEST_FILE": request_file} if request_file else {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes: list[subprocess.Popen[str]] = []
    try:
        for url in urls:
            processes.append(_spawn(_command(client, url, scenario, connections, duration, cores), env, cores))
        outputs = [
            _wait(process, duration, progress if index == 0 else None) for index, process in enumerate(processes)
        ]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
        if request_file:
            os.unlink(request_file)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    runs = []
    for process, (output, errors) in zip(processes, outputs, strict=True):
        if process.returncode != 0:
            raise LoadError(f"{client} exited with code {process.returncode}: {(errors or output).strip()[-1000:]}")
        runs.append(_figures(client, output, cpu, threads(client, cores) * len(urls)))
    return runs


def fixed_rate(
    url: str,
    scenario: str,
    rate: float,
    connections: int,
    seconds: int,
    cores: frozenset[int],
    progress: Progress | None = None,
) -> dict:
    """Latency at a fixed rate, free of coordinated omission (scripts/load/fixedrate.py says how and why).

    Returns the fields of scenarios.<s>.fixed_rate, plus client_bound. Always the Python
    generator: wrk has no open model, and wrk2, which has one, is not packaged by Debian.
    `errors` counts every request that got no 2xx answer, and connection failures.
    """
    command = _command("python", url, scenario, connections, seconds, cores, rate)
    output, _ = _child("python", command, dict(os.environ), cores, seconds, progress)
    figures = json.loads(output)
    return {
        "rate_asked": figures["rate_asked"],
        "rate_achieved": figures["rate_achieved"],
        "overloaded": figures["overloaded"],
        "duration_s": figures["duration_s"],
        "connections": figures["connections"],
        "requests": figures["requests"],
        "errors": sum(figures["errors"].values()) + figures["non_2xx"],
        "latency_ms": {key: figures["latency_ms"][key] for key in ("p50", "p90", "p99", "p99.9", "max")},
        "client_bound": figures["client_bound"],
    }


def _child(
    client: str,
    command: list[str],
    env: dict[str, str],
    cores: frozenset[int],
    duration: int,
    progress: Progress | None,
) -> tuple[str, float]:
    """Run the generator pinned to `cores`; its standard output and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = _spawn(command, env, cores)
    output, errors = _wait(process, duration, progress)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise LoadError(f"{client} exited with code {process.returncode}: {(errors or output).strip()[-1000:]}")
    return output, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _spawn(command: list[str], env: dict[str, str], cores: frozenset[int]) -> subprocess.Popen[str]:
    """The generator, started pinned to `cores`."""
    return subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: cpus.child_setup(cores),
    )


def _wait(process: subprocess.Popen[str], duration: int, progress: Progress | None) -> tuple[str, str]:
    """Wait for the generator, reporting progress each second; kill it if it hangs or on Ctrl-C."""
    waited = 0.0
    try:
        while True:
            try:
                return process.communicate(timeout=1)
            except subprocess.TimeoutExpired:
                raise_if_stopped()  # a Ctrl-C whose `Stopped` was lost still ends the load within a second
                waited += 1
                if progress:
                    progress(max(0.0, duration - waited))
                if waited > duration + GRACE_S:
                    raise LoadError(f"the load generator did not finish within {duration + GRACE_S} s") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
