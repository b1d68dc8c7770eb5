"""Passes verification, then hangs mid-run: its event loop blocks after a few thousand requests."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import baseline_app  # noqa: E402

LIMIT = 3000
served = 0


async def app(scope, receive, send):
    global served
    served += 1
    if served > LIMIT:
        time.sleep(3600)  # blocks the whole server, as a deadlocked app would
    await baseline_app.app(scope, receive, send)
