"""The real baseline app, loaded by file path so that a faulty app can wrap it."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("baseline_app", Path(__file__).parent / "asgi" / "app.py")
baseline_app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline_app)
