"""Run a server with a profiler that records which functions serve its requests.

    python probe.py CONTROL OUTPUT -- PYTHON -m module args…   (or: -- PYTHON script.py args…)

It runs inside the app's own venv, so it uses the standard library only, and `scripts.check.labels`
starts it and reads what it wrote. Loading a library proves nothing (FastAPI imports orjson
and never calls it; Sanic imports httptools and parses HTTP itself), so this records the
functions actually called while requests are served: the profiler stays idle until CONTROL
holds "record TAG", and when it holds "stop TAG" every function called in between is written to
OUTPUT.TAG, one per line, as "c module.qualname" (a C function), "py file:qualname" (Python),
"loop module.class" (the event loop running in a thread that served a request) or
"validate LIBRARY by FILE" (a validation library entered from code outside it: who called it).

Python's profiler does not see a C function called from C (Sanic calls ujson.dumps through
functools.partial), so the JSON libraries' module functions are wrapped before the app
imports them, in this probing run only, to record each call.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import os
import re
import runpy
import sys
import threading
import time
from pathlib import Path

POLL_S = 0.05
WRAPPED = {"orjson": ("loads", "dumps"), "ujson": ("loads", "dumps")}
_recording = False
_seen: set[str] = set()
_threads_seen: set[int] = set()
# Validation libraries, by where their code lives (Python) or their module (C), and the calls
# that validate (not those that serialize): one of these called from code outside every
# validation library says which library validated and who asked it to.
VALIDATORS = ("pydantic", "pydantic_core", "msgspec", "jsonschema")
VALIDATING = re.compile(
    r"(BaseModel\.(__init__|model_validate(_json|_strings)?)|TypeAdapter\.validate_\w+|SchemaValidator\.validate_\w+"
    r"|(^|\.)convert|Decoder\.decode|json\.decode|msgpack\.decode|json_decode|(^|\.)(validate|iter_errors))$"
)
# Where a Python file lives, shortened to what names it: after "site-packages/", or the stdlib's folder.
_SHORTEN = (re.compile(r"^.*/site-packages/"), re.compile(r"^.*/lib/python3\.\d+/"))


def _shorten(filename: str) -> str:
    for pattern in _SHORTEN:
        if pattern.match(filename):
            return pattern.sub("", filename, count=1)
    return filename


def _name_of_c_function(function: object) -> str:
    owner = getattr(function, "__self__", None)
    module = getattr(function, "__module__", None)
    if module is None and owner is not None:
        module = type(owner).__module__
    return f"c {module}.{getattr(function, '__qualname__', '?')}"


def _library(path_or_module: str) -> str | None:
    """The validation library a shortened file ("pydantic/main.py") or a module belongs to."""
    top = path_or_module.split("/", 1)[0].split(".", 1)[0]
    return top if top in VALIDATORS else None


def _note_validation(library: str | None, function: str, caller: object) -> None:
    if library is None or caller is None or not VALIDATING.search(function):
        return
    where = _shorten(caller.f_code.co_filename)  # type: ignore[attr-defined]
    if _library(where) is None and not where.startswith("<"):  # "<frozen …>", "<attrs generated …>": not a caller
        _seen.add(f"validate {library} by {where}")


def _profile(frame: object, event: str, arg: object) -> None:
    if not _recording:
        return
    if event == "c_call":
        name = _name_of_c_function(arg)
        _seen.add(name)
        _note_validation(_library(name[2:]), name, frame)
    elif event == "call":
        code = frame.f_code  # type: ignore[attr-defined]
        where = _shorten(code.co_filename)
        _seen.add(f"py {where}:{code.co_qualname}")
        _note_validation(_library(where), code.co_qualname, frame.f_back)  # type: ignore[attr-defined]
        if threading.get_ident() not in _threads_seen:
            _threads_seen.add(threading.get_ident())
            loop = asyncio._get_running_loop()
            if loop is not None:
                _seen.add(f"loop {type(loop).__module__}.{type(loop).__qualname__}")


def _wrap_json_libraries() -> None:
    for module_name, names in WRAPPED.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            setattr(module, name, _recorded(module_name, name, getattr(module, name)))


def _recorded(module_name: str, name: str, function: object) -> object:
    label = f"c {module_name}.{name}"

    @functools.wraps(function)
    def call(*args: object, **kwargs: object) -> object:
        if _recording:
            _seen.add(label)
        return function(*args, **kwargs)

    return call


def _follow(control: Path, output: Path) -> None:
    """Start and stop recording as the control file says; write what was seen at each stop."""
    global _recording
    while True:
        time.sleep(POLL_S)
        try:
            order, _, tag = control.read_text().strip().partition(" ")
        except OSError:
            continue
        done = output.with_name(f"{output.name}.{tag}")
        if order == "record" and not _recording and not done.exists():
            _seen.clear()
            _threads_seen.clear()
            _recording = True
            done.with_name(f"{done.name}.recording").touch()
        elif order == "stop" and _recording:
            _recording = False
            partial = done.with_name(f"{done.name}.partial")
            partial.write_text("".join(f"{name}\n" for name in sorted(_seen)))
            partial.replace(done)


def main() -> None:
    control, output, separator, _python, *command = sys.argv[1:]
    if separator != "--" or not command:
        sys.exit("usage: probe.py CONTROL OUTPUT -- PYTHON (-m MODULE | SCRIPT) ARGS…")
    _wrap_json_libraries()
    # The follower thread starts before the profiler is set, so that it is never profiled itself.
    threading.Thread(target=_follow, args=(Path(control), Path(output)), daemon=True).start()
    threading.setprofile(_profile)
    sys.setprofile(_profile)
    if command[0] == "-m":
        sys.argv = [command[1], *command[2:]]
        sys.path[0] = os.getcwd()  # as `python -m` does
        runpy.run_module(command[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = command
        sys.path[0] = str(Path(command[0]).resolve().parent)  # as `python script.py` does
        runpy.run_path(command[0], run_name="__main__")


if __name__ == "__main__":
    main()
