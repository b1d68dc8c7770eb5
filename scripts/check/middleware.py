"""The middleware scenario: the html page through the app's three middlewares, on the same app
started with BENCH_MIDDLEWARE=1 (SPEC.md, middleware); and, on the app started without it, none.

Asked with other request ids than the load's (scenarios.REQUEST_ID).
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid

import httpx

from scripts.check.core import ALL, Context, Failed, check, expect, expect_content_type, expect_status, send
from scripts.check.data import OTHER_ORDER
from scripts.scenarios import SCENARIOS

HTML_BODY = "<b>HTML OK</b>"
SERVER_TIMING = re.compile(r"app;dur=(\d+(?:\.\d+)?)")
HEX_ID = re.compile(r"[0-9a-f]{32}")
# Ids the checks send; the load sends scenarios.REQUEST_ID.
OTHER_IDS = ("check-7f3a", uuid.UUID(int=0x5EED).hex)
BLOCKED = {"x-block": "1"}


def expect_request_id(response: httpx.Response, sent: str, what: str) -> None:
    got = response.headers.get("x-request-id")
    expect(got == sent, f"{what}: x-request-id should echo {sent!r}, got {got!r}")


def expect_server_timing(response: httpx.Response, what: str) -> None:
    value = response.headers.get("server-timing")
    expect(value is not None, f"{what}: no server-timing header")
    match = SERVER_TIMING.fullmatch(value.strip())
    expect(match is not None, f"{what}: server-timing should be app;dur=<milliseconds>, got {value!r}")
    duration = float(match.group(1))
    expect(math.isfinite(duration) and duration < 60_000, f"{what}: server-timing {value!r} is no duration of a route")


def get_html(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    return client.get("/html", headers=headers)


@check("middleware")
def middleware_blocks(ctx: Context) -> None:
    """x-block: 1 gets 403, before the route runs: the page's x-time is not there."""
    response = get_html(ctx.middleware, BLOCKED)
    expect_status(response, {403}, "GET /html with x-block: 1")
    expect("x-time" not in response.headers, "GET /html with x-block: 1: the answer has x-time: the route ran")
    expect(response.text != HTML_BODY, "GET /html with x-block: 1: the answer is the page: the route ran")
    for name, url, method in (("json", "/items?count=2", "GET"), ("routing", "/r9/items/3", "DELETE")):
        what = f"{method} {url} with x-block: 1"
        expect_status(send(ctx, name, ctx.middleware, method=method, url=url, headers=BLOCKED), {403}, what)
    order = json.dumps(OTHER_ORDER).encode()
    blocked = send(
        ctx, "validate", ctx.middleware, headers={"Content-Type": "application/json", **BLOCKED}, content=order
    )
    expect_status(blocked, {403}, "POST /orders with x-block: 1")


@check("middleware")
def middleware_request_id_echoed(ctx: Context) -> None:
    for sent in OTHER_IDS:
        expect_request_id(get_html(ctx.middleware, {"x-request-id": sent}), sent, f"GET /html with x-request-id {sent}")


@check("middleware")
def middleware_request_id_fresh(ctx: Context) -> None:
    """Without x-request-id, each answer carries a new random UUID in hex."""
    seen = []
    for _ in range(3):
        value = get_html(ctx.middleware, {}).headers.get("x-request-id")
        expect(value is not None, "GET /html without x-request-id: the answer has none")
        expect(HEX_ID.fullmatch(value) is not None, f"x-request-id {value!r} is not a UUID in hex (32 hex digits)")
        expect(uuid.UUID(hex=value).version == 4, f"x-request-id {value!r} is not a random UUID (version 4)")
        seen.append(value)
    expect(len(set(seen)) == len(seen), f"the same x-request-id for different requests: {seen}")


@check("middleware")
def middleware_server_timing(ctx: Context) -> None:
    for sent in OTHER_IDS:
        expect_server_timing(get_html(ctx.middleware, {"x-request-id": sent}), "GET /html")


@check("middleware")
def middleware_html_unchanged(ctx: Context) -> None:
    """Through the middlewares, the page is the page: its status, type, body and x-time."""
    response = get_html(ctx.middleware, {"x-request-id": OTHER_IDS[0]})
    expect_status(response, {200}, "GET /html through the middlewares")
    expect_content_type(response, "text/html", "GET /html through the middlewares")
    expect(response.text == HTML_BODY, f"body should be {HTML_BODY!r}, got {response.text[:120]!r}")
    stamp = response.headers.get("x-time", "")
    try:
        expect(abs(float(stamp) - time.time()) < 5.0, f"x-time {stamp!r} is not the current Unix time")
    except ValueError:
        raise Failed(f"x-time should be the current Unix time, got {stamp!r}") from None


@check("middleware")
def middleware_every_route(ctx: Context) -> None:
    """SPEC.md: the middlewares are installed for every route, not the page alone."""
    requests = (
        ("json", {"url": "/items?count=2"}),
        ("validate", {"content": json.dumps(OTHER_ORDER).encode()}),
        ("api", {}),
        ("routing", {"method": "GET", "url": "/r11/items/77"}),
        ("routing", {"method": "DELETE", "url": "/r11/items/77"}),
        ("routing", {"method": "GET", "url": "/route-2"}),
    )
    for index, (name, overrides) in enumerate(requests):
        sent = f"route-check-{index}"
        request = overrides | {"headers": {**SCENARIOS[name].request.headers, "x-request-id": sent}}
        response = send(ctx, name, ctx.middleware, **request)
        what = f"{response.request.method} {response.request.url.raw_path.decode()}"
        expect_status(response, {200}, what)
        expect_request_id(response, sent, what)
        expect_server_timing(response, what)


@check("middleware")
def middleware_streamed_answer(ctx: Context) -> None:
    """The middlewares reach a streamed answer too: its headers go before its body is made."""
    response = send(ctx, "stream", ctx.middleware, url="/events?count=2", headers={"x-request-id": OTHER_IDS[1]})
    expect_status(response, {200}, "GET /events?count=2 through the middlewares")
    expect_request_id(response, OTHER_IDS[1], "GET /events?count=2")
    expect_server_timing(response, "GET /events?count=2")


@check(ALL)
def middleware_absent_without_the_variable(ctx: Context) -> None:
    """Started without BENCH_MIDDLEWARE=1, the app installs none: no headers of theirs, x-block ignored."""
    for headers in ({}, {"x-request-id": OTHER_IDS[0]}, BLOCKED):
        response = get_html(ctx.client, headers)
        what = f"GET /html with {json.dumps(headers)} on the app without BENCH_MIDDLEWARE"
        expect_status(response, {200}, what)
        expect(response.text == HTML_BODY, f"{what}: body should be {HTML_BODY!r}, got {response.text[:120]!r}")
        for name in ("x-request-id", "server-timing"):
            value = response.headers.get(name)
            expect(value is None, f"{what}: the answer has {name}: {value!r}")
