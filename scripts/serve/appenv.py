"""One virtualenv per framework app, because the frameworks' pins conflict.

Each app runs from `.venvs/<name>/` (BENCH_VENVS_DIR moves the folder, for the tests), built
from `frameworks/<name>/requirements.txt`. A stamp holding the requirements' hash lets a
warm venv be reused at no cost; uv builds it when installed (fast), the standard venv
module and pip otherwise.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.frameworks import FRAMEWORKS_DIR, ROOT, Framework

VENVS_DIR = Path(os.environ.get("BENCH_VENVS_DIR") or ROOT / ".venvs")


class EnvError(RuntimeError):
    """The app's virtualenv could not be built; `output` is the installer's own account."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def interpreter(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_dir(framework: Framework) -> Path:
    """`.venvs/<name>`; for another checkout's app folder whose pins differ, a venv of its own
    named by their hash, so that the two sides of an A/B run never rebuild each other's."""
    pins = framework.requirements.read_bytes()
    if framework.folder is None or pins == (FRAMEWORKS_DIR / framework.name / "requirements.txt").read_bytes():
        return VENVS_DIR / framework.name
    return VENVS_DIR / f"{framework.name}@{hashlib.sha256(pins).hexdigest()[:12]}"


def python_path(framework: Framework) -> Path:
    return interpreter(venv_dir(framework))


def ensure(framework: Framework, quiet: bool = True) -> Path:
    """Build (or reuse) the app's venv and return its interpreter."""
    venv = venv_dir(framework)
    stamp = venv / ".requirements.sha256"
    digest = hashlib.sha256(framework.requirements.read_bytes()).hexdigest()
    python = interpreter(venv)
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    build(venv, ["-r", str(framework.requirements)], framework.name, quiet)
    stamp.write_text(digest)
    return python


def build(venv: Path, install_args: list[str], label: str, quiet: bool = True) -> None:
    """Make `venv` afresh and install `install_args` (pip's arguments) into it; remove it again
    if that fails or is interrupted, so a half-built venv is never mistaken for a warm one."""
    shutil.rmtree(venv, ignore_errors=True)
    python = interpreter(venv)
    uv = shutil.which("uv")
    if uv:
        steps = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", str(python), *install_args],
        ]
    else:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", *install_args],
        ]
    try:
        for step in steps:
            done = subprocess.run(step, capture_output=quiet, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
            if done.returncode != 0:
                output = (done.stderr or done.stdout or "").strip()[-2000:]
                raise EnvError(f"{label}: could not build its venv ({' '.join(step[:3])} …):\n{output}", output)
    except BaseException:
        shutil.rmtree(venv, ignore_errors=True)
        raise
