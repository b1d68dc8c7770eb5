"""Passes verification, then hangs mid-run: its event loop blocks after a few thousand requests."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import failing_after  # noqa: E402

app = failing_after(lambda: time.sleep(3600))  # blocks the whole server, as a deadlocked app would
