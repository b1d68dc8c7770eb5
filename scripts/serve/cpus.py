"""Which cores the server gets and which the load generator gets, and pinning a child to them.

On Linux the server (one worker) runs alone on the first available core and the load
generator on all the others, so the two never compete for a core. Elsewhere, or on a
one-core machine, nothing is pinned and the result says so.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from dataclasses import dataclass

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class CpuSplit:
    server: frozenset[int]
    client: frozenset[int]


def split() -> CpuSplit:
    if not hasattr(os, "sched_getaffinity"):
        return CpuSplit(frozenset(), frozenset())
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return CpuSplit(frozenset(), frozenset())
    return CpuSplit(frozenset(available[:1]), frozenset(available[1:]))


def child_setup(cpus: frozenset[int] | None) -> None:
    """Runs in a child between fork and exec: pin it, and make it die with the harness.

    The parent-death signal means a harness killed without warning (SIGKILL) still takes
    its server and load generator down with it.
    """
    if cpus:
        os.sched_setaffinity(0, cpus)
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
