"""CPU time and peak memory of a server's whole process tree, read from Linux's /proc.

A server may fork workers or helpers, so every figure sums the process and all of its
descendants. Where /proc is missing (not Linux), the readings are None and the results
say so rather than print a zero.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return (PROC / "self" / "stat").exists()


def _stat_fields(pid: int) -> list[str]:
    text = (PROC / str(pid) / "stat").read_text()
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text[text.rindex(")") + 2 :].split()


def tree(pid: int) -> list[int]:
    """The pid and every live descendant."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat_fields(int(entry.name))[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of the tree, reaped children included."""
    if not available():
        return None
    total = 0
    for member in tree(pid):
        try:
            fields = _stat_fields(member)
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the name.
        total += sum(int(value) for value in fields[11:15])
    return total / _TICKS


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
    total = 0
    for member in tree(pid):
        try:
            for line in (PROC / str(member) / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def loaded_libraries(pid: int) -> set[str]:
    """Paths of the shared objects mapped into the tree: which C extensions are really in use."""
    paths: set[str] = set()
    for member in tree(pid):
        try:
            lines = (PROC / str(member) / "maps").read_text().splitlines()
        except OSError:
            continue
        paths.update(line.split()[-1] for line in lines if line.rstrip().endswith(".so") or ".so." in line)
    return paths
