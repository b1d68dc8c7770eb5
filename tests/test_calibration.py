"""The CPU quota and the calibration session, on this machine's real cgroups and servers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from scripts.frameworks import ROOT
from scripts.measure import instructions
from scripts.serve import cpuquota


def _quota_reason() -> str | None:
    try:
        with cpuquota.cpu_quota(0.5):
            return None
    except cpuquota.QuotaError as error:
        return str(error)


needs_quota = pytest.mark.skipif(_quota_reason() is not None, reason=str(_quota_reason()))

BURN = "import time\nend = time.monotonic() + 2\nwhile time.monotonic() < end: pass\nprint(time.process_time())"


@needs_quota
def test_a_quota_bounds_the_cpu_of_a_process_and_its_group_is_removed() -> None:
    burner = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
    with cpuquota.cpu_quota(0.25) as group:
        group.add(burner.pid)
        assert str(burner.pid) in (group.path / "cgroup.procs").read_text().split()
        cpu_seconds = float(burner.communicate(timeout=30)[0])
    # 2 s of wall time at a quarter of a CPU, and the moment before it was moved in.
    assert cpu_seconds < 0.25 * 2 + 0.2
    assert not group.path.exists()


@needs_quota
def test_a_process_left_in_the_group_is_moved_out_and_the_group_removed() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with cpuquota.cpu_quota(0.5) as group:
            group.add(sleeper.pid)
        assert not group.path.exists()
        assert sleeper.poll() is None, "moving it out must not stop it"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_bad_input_is_refused_clearly() -> None:
    for arguments in (["--quota", "1.5"], ["--framework", "nosuch"], ["--scenarios", "nosuch"], ["--repeat", "0"]):
        done = subprocess.run(
            [sys.executable, "-m", "scripts.measure.calibration", *arguments], cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 2, arguments
        assert "Traceback" not in done.stderr


@needs_quota
@pytest.mark.skipif(not instructions.available(), reason=str(instructions.unavailable_reason()))
def test_the_session_prints_both_conditions_and_the_count_holds_under_the_quota() -> None:
    command = [sys.executable, "-m", "scripts.measure.calibration", "--framework", "starlette", "--scenarios", "html",
               "--duration", "1", "--repeat", "1"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    ratios = [line.split() for line in done.stdout.splitlines() if re.match(r"(asgi|starlette)\s+html\s+[\d.]+", line)]
    assert {row[0] for row in ratios} == {"asgi", "starlette"}, done.stdout
    for name, _, _, _, counted in ratios:
        assert float(counted) == pytest.approx(1, abs=0.01), f"{name}: the count moved under the quota"
    root, _ = cpuquota.hierarchy()
    assert not list(root.glob("bench-calibration-*"))


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare")
def test_without_a_cgroup_the_session_says_so_and_exits_cleanly() -> None:
    # A private mount namespace with every cgroup mount taken away: a machine that offers none.
    unmount = 'for point in $(grep cgroup /proc/mounts | cut -d" " -f2 | sort -r); do umount -l "$point"; done'
    script = f'{unmount}; exec "$@"'
    command = ["unshare", "--mount", "sh", "-c", script, "sh", sys.executable, "-m", "scripts.measure.calibration"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "cannot slow the server down on this machine, nothing measured" in done.stdout
    assert "no cgroup v1 cpu controller is mounted" in done.stdout
    assert "Traceback" not in done.stderr
