"""One virtualenv per framework app, because the frameworks' pins conflict.

Each app runs from `.venvs/<name>/`, built from `frameworks/<name>/requirements.txt`. A
stamp holding the requirements' hash lets a warm venv be reused at no cost; uv builds it
when installed (fast), the standard venv module and pip otherwise.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.frameworks import ROOT, Framework

VENVS_DIR = ROOT / ".venvs"


class EnvError(RuntimeError):
    """The app's virtualenv could not be built."""


def python_path(framework: Framework) -> Path:
    return VENVS_DIR / framework.name / "bin" / "python"


def ensure(framework: Framework, quiet: bool = True) -> Path:
    """Build (or reuse) the app's venv and return its interpreter."""
    venv = VENVS_DIR / framework.name
    stamp = venv / ".requirements.sha256"
    digest = hashlib.sha256(framework.requirements.read_bytes()).hexdigest()
    python = python_path(framework)
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    uv = shutil.which("uv")
    if uv:
        steps = [
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(framework.requirements)],
        ]
    else:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(framework.requirements)],
        ]
    for step in steps:
        done = subprocess.run(step, capture_output=quiet, text=True)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            output = (done.stderr or done.stdout or "").strip()[-2000:]
            raise EnvError(f"{framework.name}: could not build its venv ({' '.join(step[:3])} …):\n{output}")
    stamp.write_text(digest)
    return python
