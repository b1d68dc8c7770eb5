"""Which event loop, HTTP parser and JSON library served an app's requests, as observed.

A result names the libraries on the request path, not those merely loaded: the app is
started once more under `scripts/check/probe.py`, serves each scenario's request a few times while
the probe records every function called, and the rules below turn those calls into labels.
What no rule recognises (a parser written in Rust, say) is labelled "unknown", never guessed.

    python -m scripts.check.labels starlette   # prints the labels of one app
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from scripts import frameworks
from scripts.scenarios import SCENARIOS
from scripts.serve import override
from scripts.serve.server import Server, ServerError

PROBE = Path(__file__).with_name("probe.py")
REQUESTS_PER_SCENARIO = 3
WAIT_S = 15.0
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Rule:
    """A recorded call starting with `prefix` (and none starting with `unless`) means `label`."""

    prefix: str
    label: str
    distribution: str | None  # the installed distribution whose version the label carries
    role: str = ""
    unless: str | None = None


# Parsers written in Cython (httptools, aiohttp's C parser) are invisible to Python's
# profiler, so each rule names the Python code that only runs when that parser does: the
# protocol class uvicorn picks for `--http httptools` (uvicorn/protocols/http/), or aiohttp's
# request handler with its pure-Python parser not running (aiohttp/http_parser.py: the C
# parser replaces `HttpRequestParser` when it imports).
PARSER_RULES = (
    Rule("py uvicorn/protocols/http/httptools_impl.py:HttpToolsProtocol.data_received", "httptools", "httptools"),
    Rule("py uvicorn/protocols/http/h11_impl.py:H11Protocol.data_received", "h11", "h11"),
    Rule("py aiohttp/http_parser.py:HttpParser.feed_data", "aiohttp (Python parser)", "aiohttp"),
    Rule(
        "py aiohttp/web_protocol.py:RequestHandler.data_received",
        "aiohttp (C parser)",
        "aiohttp",
        unless="py aiohttp/http_parser.py:HttpParser.feed_data",
    ),
    Rule("py sanic/http/http1.py:Http.http1", "sanic (own parser, Python)", "sanic"),
    Rule("py tornado/http1connection.py:HTTP1Connection._read_message", "tornado (own parser, Python)", "tornado"),
    Rule("py microdot/microdot.py:Request.create", "microdot (own parser, Python)", "microdot"),
)
# The api scenario's body is decoded and its answer encoded by one of these.
JSON_RULES = (
    Rule("c orjson.loads", "orjson", "orjson", "decode"),
    Rule("c orjson.dumps", "orjson", "orjson", "encode"),
    Rule("c ujson.loads", "ujson", "ujson", "decode"),
    Rule("c ujson.dumps", "ujson", "ujson", "encode"),
    Rule("c msgspec.json.Decoder.decode", "msgspec", "msgspec", "decode"),
    Rule("c msgspec.json.decode", "msgspec", "msgspec", "decode"),
    Rule("c msgspec.json.Encoder.encode", "msgspec", "msgspec", "encode"),
    Rule("c msgspec.json.encode", "msgspec", "msgspec", "encode"),
    Rule("c msgspec._core.json_decode", "msgspec", "msgspec", "decode"),
    Rule("c msgspec._core.json_encode", "msgspec", "msgspec", "encode"),
    Rule("c pydantic_core._pydantic_core.SchemaValidator.validate_json", "pydantic-core", "pydantic-core", "decode"),
    Rule("c pydantic_core._pydantic_core.from_json", "pydantic-core", "pydantic-core", "decode"),
    Rule("c pydantic_core._pydantic_core.SchemaSerializer.to_json", "pydantic-core", "pydantic-core", "encode"),
    Rule("c pydantic_core._pydantic_core.to_json", "pydantic-core", "pydantic-core", "encode"),
    Rule("py json/decoder.py:JSONDecoder.decode", "json (stdlib)", None, "decode"),
    Rule("py json/encoder.py:JSONEncoder.encode", "json (stdlib)", None, "encode"),
)
# The type of the loop running in the threads that served requests.
LOOP_RULES = (
    Rule("loop uvloop.", "uvloop", "uvloop"),
    Rule("loop asyncio.", "asyncio", None),
)


class ProbeError(RuntimeError):
    """The app could not be observed; the message says why."""


def observe_calls(
    framework: frameworks.Framework,
    cores: frozenset[int] | None = None,
    install: override.Installed | None = None,
) -> dict[str, set[str]]:
    """Start the app under the probe (with the framework from `install` if given, as the bench
    runs it), send each scenario's requests a few times, and return, per scenario, every call
    recorded while they were served. The middleware scenario is left out: its app is started
    with BENCH_MIDDLEWARE=1, and its path is html's with three middlewares on top."""
    observed: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-probe-") as folder:
        control, output = Path(folder) / "control", Path(folder) / "calls"
        wrapper = ["{python}", str(PROBE), str(control), str(output), "--"]
        with Server(framework, cores=cores, wrapper=wrapper, install=install) as server:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                for name, scenario in SCENARIOS.items():
                    if scenario.middleware:
                        continue
                    done = output.with_name(f"{output.name}.{name}")
                    control.write_text(f"record {name}")
                    _wait_for(done.with_name(f"{done.name}.recording"), server, f"start recording {name}")
                    for _ in range(REQUESTS_PER_SCENARIO):
                        for request in scenario.requests:
                            client.request(request.method, request.path, headers=request.headers,
                                           content=request.body)  # fmt: skip
                    control.write_text(f"stop {name}")
                    _wait_for(done, server, f"write what it recorded for {name}")
                    observed[name] = set(done.read_text().splitlines())
    return observed


def _wait_for(path: Path, server: Server, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        if not server.alive() or time.monotonic() > deadline:
            raise ProbeError(f"the probe in {server.framework.name} did not {what}:\n{server.output_tail[-1000:]}")
        time.sleep(0.05)


def _matches(calls: set[str], rules: tuple[Rule, ...]) -> list[Rule]:
    def seen(prefix: str) -> bool:
        return any(call.startswith(prefix) for call in calls)

    return [rule for rule in rules if seen(rule.prefix) and not (rule.unless and seen(rule.unless))]


def classify(observed: dict[str, set[str]], installed: dict[str, str]) -> dict:
    """Turn the recorded calls into the result's labels (`versions` of the JSON result): the
    loop and parser over every scenario, the JSON library on the api scenario (the seed's), each
    scenario's JSON libraries, and which library validated the validate scenario, called by whom."""
    every = set().union(*observed.values()) if observed else set()

    def first(rules: tuple[Rule, ...]) -> dict:
        found = _matches(every, rules)
        if not found:
            return {"name": UNKNOWN, "version": None}
        return {"name": found[0].label, "version": installed.get(found[0].distribution or "")}

    return {
        "event_loop": first(LOOP_RULES),
        "http_parser": first(PARSER_RULES),
        "json": _json_libraries(observed.get("api", every), installed),
        "json_by_scenario": {name: _json_libraries(calls, installed) for name, calls in observed.items()},
        "validation": _validation(observed.get("validate"), installed),
    }


def _json_libraries(calls: set[str], installed: dict[str, str]) -> list[dict]:
    found: dict[str, dict] = {}
    for rule in _matches(calls, JSON_RULES):
        entry = found.setdefault(
            rule.label, {"name": rule.label, "version": installed.get(rule.distribution or ""), "used_for": []}
        )
        if rule.role not in entry["used_for"]:
            entry["used_for"].append(rule.role)
    return list(found.values()) or [{"name": UNKNOWN, "version": None, "used_for": []}]


def _validation(calls: set[str] | None, installed: dict[str, str]) -> dict | None:
    """Which validation library the validate scenario entered, and from where: the app's own file
    (a path outside site-packages), or a package (the framework, or a library it calls)."""
    if calls is None:
        return None
    entered: dict[str, set[str]] = {}  # library: the files it was entered from
    for call in calls:
        if call.startswith("validate "):
            _, library, _, where = call.split(" ", 3)
            entered.setdefault(library.removesuffix("_core"), set()).add(where)
    if not entered:
        # No library, and the app's own code seen serving: it validated by hand. Nothing of the app
        # seen at all (Django-Bolt's Rust threads): nothing can be said.
        if any(call.startswith("py /") for call in calls):
            return {"library": "none observed", "version": None, "called_by": "the app, by hand"}
        return {"library": UNKNOWN, "version": None, "called_by": UNKNOWN}
    # Where the framework validated at all, it validated the request; the app may validate its answer too.
    framework = {library: sorted({where.split("/", 1)[0] for where in callers if not where.startswith("/")})
                 for library, callers in entered.items()}  # fmt: skip
    by_framework = sorted(library for library, packages in framework.items() if packages)
    if by_framework:
        library = by_framework[0]
        called_by = f"the framework ({', '.join(framework[library])})"
    else:
        library, called_by = sorted(entered)[0], "the app"
    return {"library": library, "version": installed.get(library), "called_by": called_by}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="labels", description="Print what served an app's requests, as observed.")
    parser.add_argument("framework", choices=frameworks.names())
    parser.add_argument("--calls", action="store_true", help="also print every recorded call")
    args = parser.parse_args(argv)
    try:
        calls = observe_calls(frameworks.get(args.framework))
    except (ProbeError, ServerError) as error:
        print(f"labels: {error}", file=sys.stderr)
        return 1
    if args.calls:
        print("\n".join(sorted(set().union(*calls.values()))))
    print(json.dumps(classify(calls, {}), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
