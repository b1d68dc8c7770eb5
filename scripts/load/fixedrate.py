"""The load generator's fixed-rate mode: an open model, free of coordinated omission.

`python -m scripts.load --url http://127.0.0.1:8000 --scenario html --rate 5000 --duration 10`
prints one JSON object. Why it exists: in the closed loop, each connection sends its next
request only when the previous answer arrives, so a server that stalls is sent fewer requests
while it stalls, and the stall barely shows in the percentiles (coordinated omission). Here
request i is due at t0 + i / rate whatever the server does, and its latency runs from that
due time to its answer, so any wait, in the client or in the server, counts.

Requests and connections: one shared queue, in the order of the schedule, feeds whichever
connection is free (the one idle longest first, so every connection stays in use and none
reaches the server's keep-alive timeout). A request then waits for a connection only while
every connection has a request unanswered, that is while the server is behind: a wait the
server caused, and it counts. A schedule per connection (request i on connection i mod n)
would also count waits, but would make a request wait behind one slow answer on its own
connection while the others sit idle: a wait made by the client's assignment, not by the
server. The queue holds nothing: the requests are identical, so request i is its due time.

Sending on time: the event loop's timers count whole milliseconds (uvloop runs a 0.3 ms
call_later at once), longer than a whole answer from a fast server, so a timerfd is armed at
the next due time in nanoseconds, and only while a connection is idle (otherwise the next
answer frees a connection and takes the due request at once).

The run schedules ceil(duration x rate) requests, then waits for the last answers, at most
the request timeout. rate_achieved is the 2xx answers divided by the time from the first due
time to the later of the window's end and the last answer: a server that keeps up scores the
asked rate, one that falls behind scores what it carried.

`overloaded`: the server could not keep the rate. The queue (requests due but not yet sent,
because every connection was busy) is checked every QUEUE_CHECK_S; the run is overloaded when,
at every check in the last quarter of the window, the queue held more than OVERLOAD_SHARE of
all the run's requests, that is, the run stayed more than OVERLOAD_SHARE of its length behind
schedule. A server short of the rate by that share or more falls ever further behind, and its
latencies measure the queue, not the server. A stall, however late in the run, does not count:
the queue empties after it. (The achieved rate cannot decide this: a 150 ms stall just before
the end of a 10 s run lowers it by 1.5% in a server that carries the rate.)

`client_bound`: the generator itself was the limit. It was busy for CLIENT_BOUND_SHARE of the
run (it could not keep the rate), or its own lateness, at the 99th percentile, reached
LATE_SEND_SHARE of the latency's 99th percentile (the tail was then as much the client's as
the server's). Its own lateness is that of the sends that had a connection free at their due
time: a late wake-up, or a busy or preempted client.
"""

from __future__ import annotations

import asyncio
import ctypes
import math
import os
import sys
from array import array
from collections import deque
from time import monotonic, monotonic_ns, process_time

import uvloop

from scripts.load import loadgen
from scripts.load.drive import CLIENT_BOUND_SHARE

OVERLOAD_SHARE = 0.01
QUEUE_CHECK_S = 0.01
LATE_SEND_SHARE = 0.5
# Exact nearest-rank percentiles, in thousandths: p99.9 is the 999th.
PERCENTILES = {"p50": 500, "p90": 900, "p99": 990, "p99.9": 999}
CONNECT_POLL_S = 0.01

_CLOCK_MONOTONIC = 1
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = os.O_CLOEXEC
_TFD_TIMER_ABSTIME = 1


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class _Timer:
    """A Linux timerfd on CLOCK_MONOTONIC, the clock of time.monotonic_ns, armed at absolute times."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self._settime = libc.timerfd_settime
        self.fd = libc.timerfd_create(_CLOCK_MONOTONIC, _TFD_NONBLOCK | _TFD_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "timerfd_create failed")
        self._spec = _Itimerspec()  # a zero interval: one expiry per arming
        self._value = self._spec.it_value
        self._ref = ctypes.byref(self._spec)

    def arm(self, at_ns: int) -> None:
        """Fire once at at_ns (at once if it has passed); replaces any earlier arming."""
        self._value.tv_sec, self._value.tv_nsec = divmod(at_ns, 1_000_000_000)
        if self._settime(self.fd, _TFD_TIMER_ABSTIME, self._ref, None) != 0:
            raise OSError(ctypes.get_errno(), "timerfd_settime failed")

    def clear(self) -> None:
        try:
            os.read(self.fd, 8)
        except BlockingIOError:
            pass

    def close(self) -> None:
        os.close(self.fd)


class _Schedule:
    """The due times, the queue of idle connections, and what became of every request."""

    def __init__(self, rate: float, duration: float, done: asyncio.Future[None]) -> None:
        self.rate = rate
        self.duration = duration
        self.period_ns = 1e9 / rate
        self.total = math.ceil(duration * rate)
        self.t0 = 0  # the first due time; 0 until the run starts
        self.next = 0  # the next request to send
        self.finished = 0  # answered, or lost with its connection
        self.queued = 0  # sent late because no connection was free when it was due
        self.last_answer_ns = 0
        self.idle: deque[_RateConnection] = deque()
        self.late_sends_ns = array("q")  # the client's own lateness, on sends with a connection free
        self.timer = _Timer()
        self.armed = -1  # the request the timer is armed for
        self.done = done
        # Set when the run ends: its last moment, the CPU time the generator used, the requests
        # never answered, and the smallest queue of the window's last quarter.
        self.end_ns = 0
        self.cpu_s = 0.0
        self.unanswered = 0
        self.least_queue = 0

    def waiting(self, now: int) -> int:
        """How many requests are due and not sent: the queue."""
        due = min(self.total, int((now - self.t0) / self.period_ns) + 1)
        return max(0, due - self.next)

    def start(self, now: int) -> None:
        self.t0 = now
        self._send_due(now)

    def free(self, connection: _RateConnection, now: int) -> None:
        """A connection with nothing in flight: it takes a due request, or joins the idle queue."""
        if self.t0 and not self.idle and self.next < self.total:
            due = self.t0 + int(self.next * self.period_ns)
            if due <= now:  # it fell due while every connection was busy: the server's wait
                self.next += 1
                self.queued += 1
                connection.send(due, now)
                return
        self.idle.append(connection)
        if self.t0:
            self._send_due(now)

    def on_timer(self) -> None:
        self.timer.clear()
        self._send_due(monotonic_ns())

    def _send_due(self, now: int) -> None:
        """Send every due request that has an idle connection; their lateness is the client's own."""
        idle, index, total, t0, period = self.idle, self.next, self.total, self.t0, self.period_ns
        while idle and index < total:
            due = t0 + int(index * period)
            if due > now:
                break
            idle.popleft().send(due, now)
            self.late_sends_ns.append(now - due)
            index += 1
        self.next = index
        if idle:
            self._arm()

    def _arm(self) -> None:
        if self.t0 and self.armed != self.next and self.next < self.total:
            self.armed = self.next
            self.timer.arm(self.t0 + int(self.next * self.period_ns))

    def answered(self, now: int) -> None:
        self.last_answer_ns = now
        self._finish()

    def lost(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self.finished += 1
        if self.finished == self.total and not self.done.done():
            self.done.set_result(None)

    def forget(self, connection: _RateConnection) -> None:
        """Take a connection whose socket is going away out of the idle queue (rare: no hot path)."""
        try:
            self.idle.remove(connection)
        except ValueError:
            pass


class _RateConnection(loadgen.Connection):
    """A connection that sends when the schedule says, not when its previous answer arrives."""

    __slots__ = ("schedule", "due_ns")

    def __init__(self, run: loadgen.Run, schedule: _Schedule) -> None:
        super().__init__(run)
        self.schedule = schedule
        self.due_ns = 0  # when the request in flight was due

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.attach(transport):
            self.schedule.free(self, monotonic_ns())

    def send(self, due: int, now: int) -> None:
        self.due_ns = due
        self.sent_ns = now
        self.write(self.next_request())

    def on_message_complete(self) -> None:
        """The hot path: record the latency from the due time, then free the connection."""
        now = monotonic_ns()
        self.record(now - self.due_ns)
        parser = self.parser
        if 200 <= parser.get_status_code() < 300:
            self.status_2xx += 1
        else:
            self.non_2xx += 1
        self.sent_ns = 0
        self.schedule.answered(now)
        if parser.should_keep_alive():
            self.schedule.free(self, now)
        else:
            self.close()

    def close(self) -> None:
        if self.sent_ns:
            self.schedule.lost()
        self.schedule.forget(self)
        super().close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.sent_ns:
            self.schedule.lost()  # the base class counts the read or write error
        elif not self.closing:
            self.closing = True  # an idle socket the server closed: no request lost, no error
        self.schedule.forget(self)
        super().connection_lost(exc)


def _percentiles(samples_ns: array) -> dict[str, float | None]:
    samples = sorted(samples_ns)
    count = len(samples)
    if not count:
        return dict.fromkeys([*PERCENTILES, "max"])
    # Nearest rank: the smallest sample with at least that share of all samples at or below it.
    figures = {key: loadgen.ms(samples[(rank * count + 999) // 1000 - 1]) for key, rank in PERCENTILES.items()}
    return figures | {"max": loadgen.ms(samples[-1])}


async def _least_queue(schedule: _Schedule, duration: float) -> int:
    """The smallest queue seen in the last quarter of the scheduling window."""
    start_ns = schedule.t0 + int(duration * 0.75e9)
    end_ns = schedule.t0 + int(duration * 1e9)
    await asyncio.sleep(max(0.0, (start_ns - monotonic_ns()) / 1e9))
    least = schedule.total
    now = monotonic_ns()
    while now <= end_ns:
        least = min(least, schedule.waiting(now))
        await asyncio.sleep(QUEUE_CHECK_S)
        now = monotonic_ns()
    return least


async def _load(run: loadgen.Run, rate: float, connections: int, duration: float) -> dict:
    loop = asyncio.get_running_loop()
    schedule = _Schedule(rate, duration, loop.create_future())
    loop.add_reader(schedule.timer.fd, schedule.on_timer)
    slots = [_RateConnection(run, schedule) for _ in range(connections)]
    tasks = [loop.create_task(slot.keep_connected()) for slot in slots]
    tasks.append(loop.create_task(loadgen.sweep_timeouts(slots, run.timeout)))
    try:
        deadline = monotonic() + run.timeout
        while len(schedule.idle) < connections and monotonic() < deadline:
            await asyncio.sleep(CONNECT_POLL_S)
        cpu_before = process_time()
        schedule.start(monotonic_ns())
        least_queue = loop.create_task(_least_queue(schedule, duration))
        tasks.append(least_queue)
        await asyncio.wait([schedule.done], timeout=duration + run.timeout)
        schedule.end_ns = monotonic_ns()
        schedule.cpu_s = process_time() - cpu_before
        schedule.unanswered = schedule.total - schedule.finished
        schedule.least_queue = await least_queue  # it ends with the window: soon, if not yet
    finally:
        run.running = False
        loop.remove_reader(schedule.timer.fd)
        schedule.timer.close()
        for slot in slots:
            slot.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return _summary(run, slots, schedule)


def _summary(run: loadgen.Run, slots: list[_RateConnection], schedule: _Schedule) -> dict:
    elapsed_s = max(schedule.duration, (schedule.last_answer_ns - schedule.t0) / 1e9)
    status_2xx = sum(slot.status_2xx for slot in slots)
    achieved = status_2xx / elapsed_s
    late = _percentiles(schedule.late_sends_ns)
    latency = _percentiles(run.latencies_ns)
    cpu_share = schedule.cpu_s / max(1e-9, (schedule.end_ns - schedule.t0) / 1e9)
    late_tail = (
        late["p99"] is not None and latency["p99"] is not None and late["p99"] >= LATE_SEND_SHARE * latency["p99"]
    )
    return {
        "tool": "python-loadgen",
        "version": loadgen.version(),
        "mode": "fixed-rate",
        "rate_asked": schedule.rate,
        "rate_achieved": round(achieved, 3),
        "overloaded": schedule.least_queue > OVERLOAD_SHARE * schedule.total,
        "duration_s": round(elapsed_s, 6),
        "connections": len(slots),
        "scheduled": schedule.total,
        "requests": len(run.latencies_ns),
        "status_2xx": status_2xx,
        "non_2xx": sum(slot.non_2xx for slot in slots),
        "errors": loadgen.error_counts(slots) | {"unanswered": schedule.unanswered},
        "latency_ms": latency,
        "queued": schedule.queued,
        "least_queue_last_quarter": schedule.least_queue,
        "late_send_ms": late,
        "client_cpu_s": round(schedule.cpu_s, 6),
        "client_cpu_share": round(cpu_share, 4),
        "client_bound": cpu_share >= CLIENT_BOUND_SHARE or late_tail,
    }


def run(url: str, scenario: str, rate: float, connections: int, duration: float, timeout: float = 5.0) -> dict:
    """Send one scenario's request at `rate` per second for `duration` seconds; return the report.

    Raises loadgen.UsageError for bad arguments. Runs its own uvloop event loop, so call it
    from synchronous code.
    """
    prepared = loadgen.prepare(url, scenario, connections, duration, timeout)
    if not (math.isfinite(rate) and rate > 0):
        raise loadgen.UsageError(f"--rate must be a positive number of requests per second (got {rate})")
    if sys.platform != "linux":
        raise loadgen.UsageError("--rate needs Linux: it schedules the requests with a timerfd")
    return uvloop.run(_load(prepared, rate, connections, duration))
