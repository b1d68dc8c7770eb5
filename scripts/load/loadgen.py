"""The project's own HTTP load generator, used when wrk is not installed.

`python -m scripts.load --url http://127.0.0.1:8000 --scenario html --connections 64 --duration 15`
prints one JSON object. It sends exactly the request that scripts/scenarios.py defines (so the
load is the request that was verified), over HTTP/1.1 keep-alive connections with one request
in flight per connection, as wrk does. This is the closed loop: each connection sends its next
request when the previous answer arrives. With `--rate R`, scripts/load/fixedrate.py sends at a
fixed rate instead (the open model).

It runs on one core against a server on another, and must not be what limits the figures. So
all per-request work happens in callbacks: an asyncio Protocol on uvloop, parsed by httptools'
C parser, with no coroutine, task, future or timer per request. The request is encoded once,
each connection keeps its parser, latencies go into one flat integer array, and timeouts are
found by a sweep over the connections a few times a second instead of a timer per request.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from array import array
from collections.abc import Callable
from time import perf_counter_ns
from typing import cast
from urllib.parse import urlsplit

import httptools
import uvloop
from httptools import HttpParserError, HttpResponseParser

from scripts.scenarios import SCENARIOS

__version__ = "1.0"
CONNECT_BACKOFF_S = 0.05
MAX_SWEEP_INTERVAL_S = 0.1
PERCENTILES = (50, 75, 90, 99)


def version() -> str:
    """The loadgen's version with those of the two libraries that decide its speed."""
    return f"{__version__} (uvloop {uvloop.__version__}, httptools {httptools.__version__})"


class UsageError(ValueError):
    """A bad argument to run(); the message says which and why."""


class Run:
    """What every connection of one run shares: the target, the requests' bytes and the clock."""

    def __init__(self, host: str, port: int, requests: tuple[bytes, ...], timeout: float) -> None:
        self.host = host
        self.port = port
        self.requests = requests
        self.timeout = timeout
        self.running = True
        self.first_sent_ns = 0
        self.latencies_ns = array("q")


class Connection(asyncio.Protocol):
    """One of the concurrent connections; the same object is the protocol of each socket it reopens.

    A socket is reopened only after connection_lost of the previous one, so one object never
    serves two sockets at once.
    """

    __slots__ = (
        "run",
        "next_request",
        "record",
        "transport",
        "write",
        "parser",
        "sent_ns",
        "closing",
        "lost",
        "status_2xx",
        "non_2xx",
        "connect_errors",
        "read_errors",
        "write_errors",
        "timeouts",
    )

    def __init__(self, run: Run) -> None:
        self.run = run
        # Each connection sends the scenario's requests in their order, over and over.
        self.next_request = itertools.cycle(run.requests).__next__
        self.record = run.latencies_ns.append
        self.transport: asyncio.Transport | None = None
        # Set by connection_made, before any callback that uses them can run.
        self.write: Callable[[bytes], None]
        self.parser: HttpResponseParser
        self.sent_ns = 0  # when the request in flight was written; 0: none in flight
        self.closing = False  # the loadgen closes this socket itself: its loss is no error
        self.lost: asyncio.Future[None] | None = None
        self.status_2xx = 0
        self.non_2xx = 0
        self.connect_errors = 0
        self.read_errors = 0
        self.write_errors = 0
        self.timeouts = 0

    async def keep_connected(self) -> None:
        """Open a socket, let the callbacks drive it, reopen it when it closes; until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            self.lost = loop.create_future()
            try:
                async with asyncio.timeout(self.run.timeout):
                    await loop.create_connection(lambda: self, self.run.host, self.run.port)
            except (OSError, TimeoutError):
                self.connect_errors += 1
                await asyncio.sleep(CONNECT_BACKOFF_S)
                continue
            await self.lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self.attach(transport):
            return
        self.sent_ns = perf_counter_ns()
        if not self.run.first_sent_ns:
            self.run.first_sent_ns = self.sent_ns
        self.write(self.next_request())

    def attach(self, transport: asyncio.BaseTransport) -> bool:
        """Take a new socket for this connection; False (and the socket dropped) once the run is over."""
        tcp = cast(asyncio.Transport, transport)
        if not self.run.running:
            tcp.abort()
            return False
        self.transport = tcp
        self.write = tcp.write
        self.parser = HttpResponseParser(self)
        self.closing = False
        return True

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except HttpParserError:
            self.read_errors += 1
            self.close()

    def on_message_complete(self) -> None:
        """httptools' callback: a whole response is in. The hot path: record it, send the next."""
        self.record(perf_counter_ns() - self.sent_ns)
        parser = self.parser
        if 200 <= parser.get_status_code() < 300:
            self.status_2xx += 1
        else:
            self.non_2xx += 1
        if parser.should_keep_alive():
            self.sent_ns = perf_counter_ns()
            self.write(self.next_request())
        else:
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closing and self.run.running:
            # The server closed it or the socket failed. EPIPE only comes from a write.
            if isinstance(exc, BrokenPipeError):
                self.write_errors += 1
            else:
                self.read_errors += 1
        self.transport = None
        self.sent_ns = 0
        if self.lost is not None and not self.lost.done():
            self.lost.set_result(None)

    def expire(self, now_ns: int, timeout_ns: int) -> None:
        """Count a timeout and drop the socket if its request has waited longer than timeout_ns."""
        if self.sent_ns and now_ns - self.sent_ns > timeout_ns:
            self.timeouts += 1
            self.close()

    def close(self) -> None:
        """Drop the socket at once (abort: nothing is left to send); keep_connected reopens it."""
        self.closing = True
        self.sent_ns = 0
        if self.transport is not None:
            self.transport.abort()


async def sweep_timeouts(connections: list[Connection], timeout: float) -> None:
    """Expire late requests; a timeout is seen at most one interval after it passes."""
    timeout_ns = int(timeout * 1e9)
    interval = min(MAX_SWEEP_INTERVAL_S, timeout / 10)
    while True:
        await asyncio.sleep(interval)
        now_ns = perf_counter_ns()
        for connection in connections:
            connection.expire(now_ns, timeout_ns)


async def _load(run: Run, connections: int, duration: float) -> dict:
    """Run the load for `duration` seconds, stop everything at once, and summarise it."""
    loop = asyncio.get_running_loop()
    start_ns = perf_counter_ns()
    slots = [Connection(run) for _ in range(connections)]
    tasks = [loop.create_task(slot.keep_connected()) for slot in slots]
    tasks.append(loop.create_task(sweep_timeouts(slots, run.timeout)))
    await asyncio.sleep(duration)
    # One synchronous step: no response can be counted after end_ns, and the requests in
    # flight now are dropped uncounted.
    end_ns = perf_counter_ns()
    run.running = False
    for slot in slots:
        slot.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return _summary(run, slots, (end_ns - (run.first_sent_ns or start_ns)) / 1e9)


def ms(ns: float) -> float:
    """Nanoseconds as milliseconds, to the microsecond."""
    return round(ns / 1e6, 3)


def error_counts(slots: list[Connection]) -> dict[str, int]:
    return {
        "connect": sum(slot.connect_errors for slot in slots),
        "read": sum(slot.read_errors for slot in slots),
        "write": sum(slot.write_errors for slot in slots),
        "timeout": sum(slot.timeouts for slot in slots),
    }


def _summary(run: Run, slots: list[Connection], duration_s: float) -> dict:
    samples = sorted(run.latencies_ns)
    count = len(samples)
    if count:
        # Nearest rank: the smallest sample with at least p% of all samples at or below it.
        latency = {f"p{p}": ms(samples[(p * count + 99) // 100 - 1]) for p in PERCENTILES}
        latency |= {"max": ms(samples[-1]), "mean": ms(sum(samples) / count)}
    else:
        latency = {f"p{p}": 0.0 for p in PERCENTILES} | {"max": 0.0, "mean": 0.0}
    return {
        "tool": "python-loadgen",
        "version": version(),
        "duration_s": round(duration_s, 6),
        "requests": count,
        "status_2xx": sum(slot.status_2xx for slot in slots),
        "non_2xx": sum(slot.non_2xx for slot in slots),
        "errors": error_counts(slots),
        "latency_ms": latency,
    }


def _target(url: str) -> tuple[str, int, str]:
    """(host to connect to, port, Host header) from a base URL such as http://127.0.0.1:8000."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise UsageError(f"--url must start with http:// (got {url!r}; https is not supported)")
    if not parts.hostname or parts.username or parts.password:
        raise UsageError(f"--url must name a host, without user info (got {url!r})")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"--url names the server only; the scenario sets the path (got {url!r})")
    try:
        port = parts.port or 80
    except ValueError:
        raise UsageError(f"--url has an invalid port (got {url!r})") from None
    return parts.hostname, port, parts.netloc


def prepare(url: str, scenario: str, connections: int, duration: float, timeout: float) -> Run:
    """Check the arguments common to both modes (UsageError naming the bad one) and set up the run."""
    host, port, host_header = _target(url)
    if scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    if connections < 1:
        raise UsageError(f"--connections must be at least 1 (got {connections})")
    if not (math.isfinite(duration) and duration > 0):
        raise UsageError(f"--duration must be a positive number of seconds (got {duration})")
    if not (math.isfinite(timeout) and timeout > 0):
        raise UsageError(f"--timeout must be a positive number of seconds (got {timeout})")
    return Run(host, port, tuple(request.raw(host_header) for request in SCENARIOS[scenario].requests), timeout)


def run(url: str, scenario: str, connections: int, duration: float, timeout: float = 5.0) -> dict:
    """Load `url` with one scenario's request and return the report (see the module docstring).

    Raises UsageError for bad arguments. Runs its own uvloop event loop, so call it from
    synchronous code, not from inside a running event loop.
    """
    return uvloop.run(_load(prepare(url, scenario, connections, duration, timeout), connections, duration))
