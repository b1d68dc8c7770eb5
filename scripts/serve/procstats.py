"""CPU time and peak memory of a server's whole process tree, read from Linux's /proc.

A server may fork workers or helpers, so every figure sums the process and all of its
descendants. Where /proc is missing (not Linux), the readings are None and the results
say so rather than print a zero.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return (PROC / "self" / "stat").exists()


def _stat_fields(stat: str) -> list[str]:
    """The fields of a /proc/<pid>/stat text after the command name, which may hold spaces."""
    return stat[stat.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """The pid and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat_fields((entry / "stat").read_text())[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def _read_each(pid: int, name: str) -> list[str]:
    """The /proc/<member>/<name> file of each process in the tree; one that just exited is skipped."""
    texts = []
    for member in tree(pid):
        try:
            texts.append((PROC / str(member) / name).read_text())
        except OSError:
            continue
    return texts


@dataclass(frozen=True)
class CpuTimes:
    """CPU seconds of a process tree: in user space (the server's own code) and in the kernel
    (its system calls, much of the network's work)."""

    user: float
    system: float

    def __sub__(self, earlier: CpuTimes) -> CpuTimes:
        return CpuTimes(self.user - earlier.user, self.system - earlier.system)


def cpu_times(pid: int) -> CpuTimes | None:
    """User and system CPU time of the tree, reaped children included."""
    if not available():
        return None
    user = system = 0
    for text in _read_each(pid, "stat"):
        # utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the name.
        fields = _stat_fields(text)
        user += int(fields[11]) + int(fields[13])
        system += int(fields[12]) + int(fields[14])
    return CpuTimes(user / _TICKS, system / _TICKS)


def steal_seconds() -> float | None:
    """CPU time the hypervisor gave to other guests, over every CPU of this machine since boot
    (/proc/stat's steal): a virtual machine whose neighbours take its cores runs slower and noisier."""
    try:
        fields = (PROC / "stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    return int(fields[8]) / _TICKS if fields[0] == "cpu" and len(fields) > 8 else None


def reset_peak_rss(pid: int) -> None:
    """Start a new peak-RSS window for the tree (Linux 4.0+; silently skipped if refused)."""
    for member in tree(pid):
        try:
            (PROC / str(member) / "clear_refs").write_text("5")
        except OSError:
            pass


def peak_rss_bytes(pid: int) -> int | None:
    """Sum of each process's peak resident set size (VmHWM) since the last reset."""
    if not available():
        return None
    return sum(
        int(line.split()[1]) * 1024
        for text in _read_each(pid, "status")
        for line in text.splitlines()
        if line.startswith("VmHWM:")
    )


def waiting(pid: int) -> bool:
    """Whether every thread of the process sleeps (state S): the server waits for its next input."""
    states = []
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            states.append(_stat_fields((task / "stat").read_text())[0])
        except OSError:
            continue  # a thread that just exited
    return bool(states) and all(state == "S" for state in states)
