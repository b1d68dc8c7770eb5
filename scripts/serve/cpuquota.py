"""CPU control of a server's processes, through a cgroup made for it and removed afterwards.

Two uses. A quota: the calibration slows the server down this way, as a slower runner would,
to see which figures move with the machine. An equal weight: two servers measured at once on
one core each get a group of the same weight, so that a server with threads of its own gets no
more of the core than one with a single thread. Linux offers both in two forms: cgroup v2
(`cpu.max`, `cpu.weight`), where the cpu controller is enabled for child groups, and cgroup
v1's cpu controller (`cpu.cfs_quota_us`, `cpu.shares`). Creating a group needs root (or a
delegated hierarchy).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scripts.serve import procstats

MOUNTS = Path("/proc/mounts")
PERIOD_US = 100_000
REMOVE_TIMEOUT = 5.0


class QuotaError(RuntimeError):
    """No CPU quota can be set on this machine; the message says why."""


@dataclass(frozen=True)
class Group:
    """A cgroup with a CPU quota; processes added to it share the quota."""

    path: Path
    root: Path

    def add(self, pid: int) -> None:
        """Move the process and its descendants into the group (children forked later follow)."""
        for member in procstats.tree(pid):
            try:
                (self.path / "cgroup.procs").write_text(str(member))
            except ProcessLookupError:
                continue  # it just exited


def hierarchy() -> tuple[Path, int]:
    """The mounted cgroup hierarchy that offers a CPU quota, and its version."""
    try:
        mounts = [line.split()[1:4] for line in MOUNTS.read_text().splitlines()]
    except OSError as error:
        raise QuotaError(f"cannot read {MOUNTS}: {error.strerror}") from None
    refusals = []
    for point, kind, _ in mounts:
        if kind == "cgroup2":
            try:
                enabled = (Path(point) / "cgroup.subtree_control").read_text().split()
            except OSError:
                enabled = []
            if "cpu" in enabled:
                return Path(point), 2
            refusals.append(f"{point} (cgroup v2) does not enable the cpu controller for child groups")
    for point, kind, options in mounts:
        if kind == "cgroup" and "cpu" in options.split(","):
            return Path(point), 1
    refusals.append("no cgroup v1 cpu controller is mounted")
    raise QuotaError("no cgroup offers a CPU quota here: " + "; ".join(refusals))


@contextmanager
def cpu_quota(share: float) -> Iterator[Group]:
    """A new cgroup allowed `share` of one CPU; it is removed on exit, its processes moved out first."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    quota = round(share * PERIOD_US)
    settings = {
        2: {"cpu.max": f"{quota} {PERIOD_US}"},
        1: {"cpu.cfs_period_us": str(PERIOD_US), "cpu.cfs_quota_us": str(quota)},
    }
    with _group("calibration", settings) as group:
        yield group


@contextmanager
def equal_weight(label: str) -> Iterator[Group]:
    """A new cgroup of the default weight: processes in two such groups split a busy core evenly."""
    with _group(label, {2: {"cpu.weight": "100"}, 1: {"cpu.shares": "1024"}}) as group:
        yield group


@contextmanager
def _group(label: str, settings: dict[int, dict[str, str]]) -> Iterator[Group]:
    """A cgroup named for this process and `label`, with the files of `settings` for its version written."""
    root, version = hierarchy()
    path = root / f"bench-{label}-{os.getpid()}"
    try:
        path.mkdir()
    except OSError as error:
        raise QuotaError(f"cannot create a cgroup in {root}: {error.strerror}") from None
    try:
        for name, value in settings[version].items():
            try:
                (path / name).write_text(value)
            except OSError as error:
                raise QuotaError(f"cannot set {name} on {path}: {error.strerror}") from None
        yield Group(path, root)
    finally:
        _remove(path, root)


def _remove(path: Path, root: Path) -> None:
    """Move what is left in the group back to the root group, then remove the group."""
    deadline = time.monotonic() + REMOVE_TIMEOUT
    while True:
        for pid in (path / "cgroup.procs").read_text().split():
            try:
                (root / "cgroup.procs").write_text(pid)
            except ProcessLookupError:
                continue
        try:
            path.rmdir()
            return
        except OSError as error:
            # A process that is exiting still holds the group for a moment.
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
