"""What every group of checks shares: a check's result, its context (the clients of the running
apps), the registry that `@check(scenario)` fills, and the helpers that say what was expected.

Each group of scenarios is one module (seed, data, routing, stream, middleware); verify runs
them all, in its order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.scenarios import SCENARIOS

ALL = "all"
NO_MIDDLEWARE_SERVER = "no server with BENCH_MIDDLEWARE=1 was given"


@dataclass(frozen=True)
class Check:
    name: str
    scenario: str
    passed: bool
    detail: str = ""


class Failed(Exception):
    """A check did not hold; the message says what was expected and what came."""


@dataclass
class Context:
    client: httpx.Client
    upload_dir: Path | None
    # The same app started with BENCH_MIDDLEWARE=1, for the middleware scenario's checks.
    middleware_client: httpx.Client | None = None
    # The shared temporary folders' entries just before the first upload: taken that late so
    # that files other programs on the machine make meanwhile are rarely mistaken for the app's.
    shared_before: set[Path] = field(default_factory=set)

    @property
    def middleware(self) -> httpx.Client:
        """The client of the app with its middlewares; a check that needs it fails without it."""
        if self.middleware_client is None:
            raise Failed(NO_MIDDLEWARE_SERVER)
        return self.middleware_client


CheckFunction = Callable[[Context], None]


@dataclass(frozen=True)
class Registered:
    name: str
    scenario: str
    function: CheckFunction

    @property
    def module(self) -> str:
        return self.function.__module__


REGISTERED: list[Registered] = []


def check(scenario: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check of `scenario` ("all": it gates every scenario), named by its function."""

    def register(function: CheckFunction) -> CheckFunction:
        REGISTERED.append(Registered(function.__name__, scenario, function))
        return function

    return register


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def expect_status(response: httpx.Response, allowed: set[int], what: str) -> None:
    expect(
        response.status_code in allowed,
        f"{what}: expected status {' or '.join(map(str, sorted(allowed)))}, got {response.status_code} "
        f"({response.text[:120]!r})",
    )


def expect_client_error(response: httpx.Response, what: str) -> None:
    """Bad input must get a 4xx: never a 5xx, never a success."""
    expect(400 <= response.status_code < 500, f"{what}: expected a 4xx, got {response.status_code}")


def expect_content_type(response: httpx.Response, prefix: str, what: str) -> None:
    content_type = response.headers.get("content-type", "")
    expect(content_type.startswith(prefix), f"{what}: content-type should start with {prefix}, got {content_type!r}")


def json_body(response: httpx.Response, what: str) -> object:
    """The answer's body as parsed JSON, announced as application/json."""
    expect_content_type(response, "application/json", what)
    try:
        return response.json()
    except ValueError:
        raise Failed(f"{what}: body is not JSON: {response.text[:120]!r}") from None


def send(ctx: Context, name: str, client: httpx.Client | None = None, **overrides: object) -> httpx.Response:
    """Send a scenario's request, with parts of it replaced (to the plain app unless `client`)."""
    request = SCENARIOS[name].request
    params = {
        "method": request.method,
        "url": request.path,
        "headers": request.headers,
        "content": request.body,
    } | overrides
    return (client or ctx.client).request(**params)
