"""The real baseline app, loaded by file path, and a wrapper that makes it fail on cue."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("baseline_app", Path(__file__).parent / "asgi" / "app.py")
baseline_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline_app)

# Enough for verification to pass, few enough that the first measured run reaches it.
LIMIT = 3000


def failing_after(fail):
    """The baseline app, which calls fail() on every request after the first LIMIT."""
    served = 0

    async def app(scope, receive, send):
        nonlocal served
        served += 1
        if served > LIMIT:
            fail()
        await baseline_app.app(scope, receive, send)

    return app
