"""Passes verification, then dies mid-run: the process exits after a few thousand requests."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import baseline_app  # noqa: E402

LIMIT = 3000
served = 0


async def app(scope, receive, send):
    global served
    served += 1
    if served > LIMIT:
        print(f"faulty-crash: exiting on purpose after {LIMIT} requests", flush=True)
        os._exit(3)
    await baseline_app.app(scope, receive, send)
