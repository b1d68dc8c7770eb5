"""Passes verification, then dies mid-run: the process exits after a few thousand requests."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import failing_after  # noqa: E402


def crash():
    print("faulty-crash: exiting on purpose", flush=True)
    os._exit(3)


app = failing_after(crash)
