"""The baseline app, but its event loop blocks for a while at a fixed interval of wall time.

A garbage collector or a blocking call does this to a real server. It is the server that a
fixed-rate load must catch stalling and a closed loop hides. The test that serves it sets the
stall's length and interval (seconds) in FAULTY_STALL_S and FAULTY_STALL_EVERY_S.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import baseline_app  # noqa: E402

STALL_S = float(os.environ["FAULTY_STALL_S"])
EVERY_S = float(os.environ["FAULTY_STALL_EVERY_S"])
_next_stall = time.monotonic() + EVERY_S


async def app(scope, receive, send):
    """Stall at the first request on or after each due time, then answer it as the baseline does."""
    global _next_stall
    now = time.monotonic()
    if scope["type"] == "http" and now >= _next_stall:
        _next_stall = now + EVERY_S
        time.sleep(STALL_S)  # blocks the whole server: every connection waits
    await baseline_app.app(scope, receive, send)
