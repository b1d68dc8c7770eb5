"""The seed's html and api scenarios, and the ten extra routes every app registers before them
(SPEC.md, Endpoints): the checks the benchmark began with, but upload's (scripts.check.upload)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from scripts.check.core import ALL, Context, Failed, check, expect, expect_client_error, expect_status, json_body, send
from scripts.scenarios import API_BODY, API_RECORD, API_USER

TIME_TOLERANCE = 5.0


# The ten extra routes every app registers.


@check(ALL)
def static_routes(ctx: Context) -> None:
    for index in range(5):
        expect_status(ctx.client.get(f"/route-{index}"), {200}, f"GET /route-{index}")


@check(ALL)
def dynamic_routes(ctx: Context) -> None:
    for index in range(5):
        expect_status(ctx.client.get(f"/route-dyn-{index}/part{index}"), {200}, f"GET /route-dyn-{index}/part{index}")


@check(ALL)
def unknown_route(ctx: Context) -> None:
    expect_status(ctx.client.get("/no-such-route"), {404}, "GET /no-such-route")


# html


@check("html")
def html_page(ctx: Context) -> None:
    response = send(ctx, "html")
    expect_status(response, {200}, "GET /html")
    content_type = response.headers.get("content-type", "")
    expect(content_type.startswith("text/html"), f"content-type should start with text/html, got {content_type!r}")
    expect(response.text == "<b>HTML OK</b>", f"body should be '<b>HTML OK</b>', got {response.text[:120]!r}")


def _x_time(response: httpx.Response) -> float:
    value = response.headers.get("x-time")
    expect(value is not None, "no x-time header")
    try:
        return float(value)
    except ValueError:
        raise Failed(f"x-time should be a decimal number, got {value!r}") from None


@check("html")
def html_x_time(ctx: Context) -> None:
    stamp = _x_time(send(ctx, "html"))
    expect(abs(stamp - time.time()) < TIME_TOLERANCE, f"x-time {stamp} is not the current Unix time")


@check("html")
def html_x_time_per_request(ctx: Context) -> None:
    first = _x_time(send(ctx, "html"))
    time.sleep(1.05)
    second = _x_time(send(ctx, "html"))
    expect(second > first, f"x-time did not advance over 1 s ({first} then {second}): not computed per request")


# api


@check("api")
def api_answer(ctx: Context) -> None:
    response = send(ctx, "api")
    expect_status(response, {200}, "PUT /api/users/…/records/…")
    expected = {"params": {"user": API_USER, "record": API_RECORD}, "query": {"query": "test"}, "data": API_BODY}
    body = json_body(response, "the api answer")
    expect(body == expected, f"expected {json.dumps(expected)}, got {json.dumps(body)[:300]}")


@check("api")
def api_every_query_parameter(ctx: Context) -> None:
    response = send(ctx, "api", url="/api/users/1/records/2?query=test&page=3&q=a+b", content=b"[1, null]")
    expect_status(response, {200}, "PUT with three query parameters")
    expected = {
        "params": {"user": 1, "record": 2},
        "query": {"query": "test", "page": "3", "q": "a b"},
        "data": [1, None],
    }
    body = json_body(response, "the api answer")
    expect(body == expected, f"expected {json.dumps(expected)}, got {json.dumps(body)[:300]}")


@check("api")
def api_any_json_value(ctx: Context) -> None:
    for value in ([1, "two", {"three": 3.5}], "a string", 42, 12.5):
        response = send(ctx, "api", content=json.dumps(value).encode())
        expect_status(response, {200}, f"PUT with the JSON body {json.dumps(value)}")
        body = json_body(response, "the api answer")
        expect(
            isinstance(body, dict) and body.get("data") == value,
            f"data should echo {json.dumps(value)}, got {json.dumps(body)[:300]}",
        )


@check("api")
def api_chunked_body(ctx: Context) -> None:
    encoded = json.dumps(API_BODY).encode()

    def chunks() -> Iterator[bytes]:  # no length known in advance: httpx sends it chunked
        yield encoded[:10]
        yield encoded[10:]

    response = send(ctx, "api", content=chunks())
    expect(response.request.headers.get("transfer-encoding") == "chunked", "the request was not sent chunked")
    expect_status(response, {200}, "PUT with a chunked JSON body")
    body = json_body(response, "the api answer")
    expect(body.get("data") == API_BODY, f"data should echo the chunked body, got {json.dumps(body)[:300]}")


@check("api")
def api_without_authorization(ctx: Context) -> None:
    headers = {"Content-Type": "application/json"}
    expect_status(send(ctx, "api", headers=headers), {401}, "PUT without an authorization header")


@check("api")
def api_broken_json(ctx: Context) -> None:
    expect_client_error(send(ctx, "api", content=b'{"name": "broken", '), "broken JSON")


@check("api")
def api_empty_body(ctx: Context) -> None:
    expect_client_error(send(ctx, "api", content=b""), "no JSON body")


@check("api")
def api_path_types(ctx: Context) -> None:
    for path in ("/api/users/abc/records/1", "/api/users/1/records/1.5", "/api/users/1/records/"):
        expect_status(send(ctx, "api", url=path + "?query=test"), {404}, f"PUT {path} (not an integer)")


@check("api")
def api_other_methods(ctx: Context) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = send(ctx, "api", method=method)
        expect_status(response, {404, 405}, f"{method} on the api path")
