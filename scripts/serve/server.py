"""Start one framework app exactly as the benchmark runs it, and stop it without leftovers.

`python -m scripts.serve.server <name> --port P` (what `nox -s serve-<name>` calls) runs it in the
foreground until Ctrl-C or SIGTERM. The benchmark and the tests use the `Server` class, so
all three start an app the same way: the command from the registry, in the app's own venv,
in its own process group (so that stopping it reaches every child), with a fresh run folder
that is removed when the server stops. The run folder holds the upload directory and the
server's TMPDIR, so whatever a framework spools to temporary files by itself is in memory
too, and goes with the run.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import itertools
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from scripts import frameworks
from scripts.frameworks import Framework
from scripts.serve import appenv, cpus, override

HOST = "127.0.0.1"
# Uploads go to memory where the machine has a RAM-backed folder: the upload scenario then
# measures the framework's multipart handling, not the disk (on disk, its runs varied by 20%).
RAM_DIR = Path("/dev/shm")
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
OUTPUT_LINES = 40


class ServerError(RuntimeError):
    """The app could not be started, or died; the message names it and its last output."""


# Where connect() takes the local ports of client connections (wrk's included).
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
SERVER_PORTS = 8192
_next_ports: Iterator[int] | None = None


def server_ports() -> range:
    """The ports apps get: just below the ephemeral range. A port from bind(0) lies inside it,
    so a client connection to another app could take it before this app binds it."""
    try:
        low = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(max(1024, low - SERVER_PORTS), low)


def free_port(host: str = HOST) -> int:
    """A port free now, and not handed out by this process in its last SERVER_PORTS calls: the
    servers of a run pick their ports before any starts, so a free port alone could repeat."""
    global _next_ports
    ports = server_ports()
    if _next_ports is None:
        start = random.randrange(len(ports))
        _next_ports = itertools.cycle([*ports[start:], *ports[:start]])
    for port in itertools.islice(_next_ports, len(ports)):
        if _bindable(host, port):
            return port
    raise ServerError(f"no free port on {host} in {ports.start}–{ports.stop - 1}")


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as sock:
        # As the servers do: a port held only by closing connections (TIME_WAIT) is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def run_root() -> Path:
    """Where run folders are made: BENCH_UPLOAD_ROOT if set, else RAM, else the temp folder."""
    if os.environ.get("BENCH_UPLOAD_ROOT"):
        return Path(os.environ["BENCH_UPLOAD_ROOT"])
    if RAM_DIR.is_dir() and os.access(RAM_DIR, os.W_OK):
        return RAM_DIR
    return Path(tempfile.gettempdir())


def filesystem_of(path: Path) -> str:
    """The type of the filesystem holding path (e.g. tmpfs, ext4), from /proc/mounts."""
    try:
        mounts = [line.split()[1:3] for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    resolved = str(path.resolve())
    matches = [
        (point, kind) for point, kind in mounts if resolved == point or resolved.startswith(point.rstrip("/") + "/")
    ]
    return max(matches, key=lambda match: len(match[0]))[1] if matches else "unknown"


def check_port_free(host: str, port: int) -> None:
    if not _bindable(host, port):
        raise ServerError(f"port {port} on {host} is already in use")


class Server:
    """One running app. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        framework: Framework,
        port: int | None = None,
        host: str = HOST,
        cores: frozenset[int] | None = None,
        capture: bool = True,
        wrapper: Sequence[str] = (),
        install: override.Installed | None = None,
        middleware: bool = False,
    ) -> None:
        self.framework = framework
        self.host = host
        self.port = port or free_port(host)
        self.cores = cores
        self.capture = capture
        # SPEC.md, middleware: the app installs its three middlewares when started with BENCH_MIDDLEWARE=1.
        self.middleware = middleware
        # `install`: another version of the framework (bench --install), built once by the caller
        # so that every server of a run runs the same tree; None: the pins.
        self.install = install.record if install else None
        self.python = install.python if install else appenv.ensure(framework)
        # A wrapper (a profiler, valgrind) goes before the command the registry gives; in it,
        # "{python}" stands for the app's interpreter.
        wrapped = [word.replace("{python}", str(self.python)) for word in wrapper]
        self.command = [*wrapped, *framework.command(str(self.python), host, self.port)]
        self.run_dir: Path | None = None
        self.process: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES)
        self._reader: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def portable_command(self) -> list[str]:
        """The command as results print it: paths relative to the repository, the port as {port},
        so that the same app gives the same command on every machine."""
        python = self.python.relative_to(frameworks.ROOT) if self.python.is_relative_to(frameworks.ROOT) else "{python}"
        return self.framework.command(str(python), self.host, "{port}")

    @property
    def upload_dir(self) -> Path | None:
        """Where the app stores uploaded files (BENCH_UPLOAD_DIR)."""
        return self.run_dir / "uploads" if self.run_dir else None

    @property
    def tmp_dir(self) -> Path | None:
        """The server's TMPDIR: where a framework spools uploads by itself."""
        return self.run_dir / "tmp" if self.run_dir else None

    @property
    def output_tail(self) -> str:
        return "".join(self._output)

    def start(self, ready_timeout: float = READY_TIMEOUT) -> Server:
        check_port_free(self.host, self.port)
        try:  # from the first thing made: whatever stops the start (Ctrl-C included) leaves nothing
            self.run_dir = Path(tempfile.mkdtemp(prefix=f"bench-run-{self.framework.name}-", dir=run_root()))
            self.upload_dir.mkdir()
            self.tmp_dir.mkdir()
            self._spawn()
            self._wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self) -> None:
        env = {
            **os.environ,
            "BENCH_UPLOAD_DIR": str(self.upload_dir),
            "TMPDIR": str(self.tmp_dir),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("BENCH_MIDDLEWARE", None)
        if self.middleware:
            env["BENCH_MIDDLEWARE"] = "1"
        self.process = subprocess.Popen(
            self.command,
            cwd=self.framework.directory,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.capture else None,
            stderr=subprocess.STDOUT if self.capture else None,
            text=True,
            process_group=0,
            preexec_fn=lambda: cpus.child_setup(self.cores),
        )
        if self.capture:
            self._reader = threading.Thread(target=self._read_output, daemon=True)
            self._reader.start()

    def _read_output(self) -> None:
        assert self.process and self.process.stdout
        for line in self.process.stdout:
            self._output.append(line)

    def _wait_ready(self, timeout: float) -> None:
        """Poll until the app answers any HTTP request, or fail naming it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServerError(self._describe(f"exited with code {self.process.returncode} while starting"))
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
                connection.request("GET", "/html")
                connection.getresponse().read()
                connection.close()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        raise ServerError(self._describe(f"did not answer within {timeout:.0f} s"))

    def _describe(self, what: str) -> str:
        tail = self.output_tail.strip() or "(no output)"
        return f"{self.framework.name} {what}.\ncommand: {' '.join(self.command)}\nlast output:\n{tail}"

    def clear_uploads(self) -> None:
        """Remove the files stored so far, so long upload runs do not fill the disk."""
        if self.upload_dir is not None:
            for stored in self.upload_dir.iterdir():
                if stored.is_file():
                    stored.unlink()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the whole process group (SIGTERM, then SIGKILL) and remove the run folder."""
        if self.process is not None:
            group = self.process.pid
            _signal_group(group, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
            while time.monotonic() < deadline and _group_alive(group):
                time.sleep(0.05)
            _signal_group(group, signal.SIGKILL)
            self.process.wait()
            if self._reader:
                self._reader.join(timeout=2)
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(group: int, sig: signal.Signals) -> None:
    try:
        os.killpg(group, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


class Stopped(BaseException):
    """Ctrl-C or SIGTERM reached the harness: stop everything, then exit."""


_stopped_by: list[str] = []  # the signal that stopped the harness, once one has


def stop_on_signals() -> None:
    """Turn the first Ctrl-C or SIGTERM into `Stopped`; ignore later ones so cleanup runs to the end.
    The signal is also remembered, for `raise_if_stopped`: a `Stopped` raised while Python runs a
    finaliser is printed and dropped, and the run would go on with every later signal ignored."""

    def handler(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stopped_by.append(signal.Signals(signum).name)
        raise Stopped(_stopped_by[0])

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def raise_if_stopped() -> None:
    """Raise `Stopped` again if a signal came and its first `Stopped` was lost."""
    if _stopped_by:
        raise Stopped(_stopped_by[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="serve", description="Serve one framework app as the benchmark runs it.")
    parser.add_argument("framework", help="framework name, as in frameworks/frameworks.toml")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default=HOST)
    parser.add_argument("--install", metavar="REQUIREMENT", help="the framework from a release, git URL or path, "
                        "not its pin, as `bench --install` takes it")  # fmt: skip
    args = parser.parse_args(argv)
    stop_on_signals()
    try:
        framework = frameworks.get(args.framework)
        installed = override.ensure(framework, args.install) if args.install else None
        server = Server(framework, port=args.port, host=args.host, capture=False, install=installed)
    except (frameworks.UnknownFramework, appenv.EnvError, override.InstallError, ServerError) as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    except Stopped as stop:  # while a venv was being built: nothing was started
        print(f"serve: interrupted ({stop})", file=sys.stderr)
        return 130
    try:
        server.start()
        print(f"serving {framework.name} at {server.base_url} (Ctrl-C stops it)", flush=True)
        print(f"command: {' '.join(server.command)}", flush=True)
        if installed:
            print(f"installed: {framework.package} {installed.record['version']} from {args.install}", flush=True)
        code = server.process.wait()
        print(f"serve: {framework.name} exited with code {code}", file=sys.stderr)
        return 1
    except Stopped:
        return 0
    except ServerError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
