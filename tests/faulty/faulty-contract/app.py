"""The baseline app with one fault of the new scenarios' contract, picked by FAULTY_CONTRACT.

Each fault is a small ASGI wrapper around the real baseline app (with its middlewares when
BENCH_MIDDLEWARE=1): it changes the request on its way in or the answer on its way out, the
way a faulty app would get it wrong. tests/test_checks.py serves each fault and asserts that
the check meant to catch it fails. Without FAULTY_CONTRACT, the baseline app as it is.
"""

import json
import os
import re
import sys
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from baseline import baseline_app  # noqa: E402


def header(scope, name):
    return dict(scope["headers"]).get(name)


def without_header(scope, name):
    return {**scope, "headers": [(key, value) for key, value in scope["headers"] if key != name]}


def with_header(scope, name, value):
    return {**without_header(scope, name), "headers": [*without_header(scope, name)["headers"], (name, value)]}


def with_query(scope, query):
    return {**scope, "query_string": query}


def replay(body):
    """A receive that gives `body` again, once read by the fault."""

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def answered(inner, scope, receive):
    """The inner app's whole answer: its status, headers (a list) and body."""
    parts = {"body": b""}

    async def capture(message):
        if message["type"] == "http.response.start":
            parts["status"], parts["headers"] = message["status"], list(message.get("headers", []))
        else:
            parts["body"] += message.get("body", b"")

    await inner(scope, receive, capture)
    return parts["status"], parts["headers"], parts["body"]


async def answer(send, status, headers, body):
    """An answer in one piece, its content-length made for its body."""
    headers = [(key, value) for key, value in headers if key != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def drop(headers, name):
    return [(key, value) for key, value in headers if key != name]


def headers_edited(send, edit):
    """A send that passes the answer's headers (a list) through edit()."""

    async def edited(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": edit(list(message.get("headers", [])))}
        await send(message)

    return edited


def on_path(pattern, wrapper):
    """The wrapper for the paths matching pattern; the inner app as it is for every other."""
    compiled = re.compile(pattern)

    def wrap(inner):
        faulty = wrapper(inner)

        async def app(scope, receive, send):
            if scope["type"] == "http" and compiled.fullmatch(scope["path"]):
                return await faulty(scope, receive, send)
            await inner(scope, receive, send)

        return app

    return wrap


def count_of(scope):
    count = dict(parse_qsl(scope["query_string"].decode())).get("count", "")
    return int(count) if count.isdigit() and 1 <= int(count) <= 100 else None


def unchecked_count(inner):
    """`count` taken as 1 where it is missing or wrong, not refused."""

    async def app(scope, receive, send):
        if count_of(scope) is None:
            scope = with_query(scope, b"count=1")
        await inner(scope, receive, send)

    return app


def order_edited(edit):
    """A wrapper that passes the order, parsed, through edit() before the app reads it."""

    def wrap(inner):
        async def app(scope, receive, send):
            body = await baseline_app.read_body(receive)
            try:
                body = json.dumps(edit(json.loads(body))).encode()
            except (ValueError, TypeError, KeyError, AttributeError):
                pass
            await inner(scope, replay(body), send)

        return app

    return wrap


# json


def wrong_price(inner):
    async def app(scope, receive, send):
        status, headers, body = await answered(inner, scope, receive)
        if status == 200:
            records = json.loads(body)
            records[-1]["price"] = round(records[-1]["price"] + 0.01, 2)
            body = json.dumps(records).encode()
        await answer(send, status, headers, body)

    return app


# validate


def total_one_decimal(inner):
    async def app(scope, receive, send):
        status, headers, body = await answered(inner, scope, receive)
        if status == 200:
            result = json.loads(body)
            body = json.dumps(result | {"total": round(result["total"], 1)}).encode()
        await answer(send, status, headers, body)

    return app


def bound_excluded(inner):
    """quantity < 1000 where the schema says at most 1000."""

    async def app(scope, receive, send):
        body = await baseline_app.read_body(receive)
        if b'"quantity": 1000' in body:
            return await answer(send, 422, [(b"content-type", b"application/json")], b'{"detail": "quantity"}')
        await inner(scope, replay(body), send)

    return app


def each_item(edit):
    return lambda order: order | {"items": [item | edit(item) for item in order["items"]]}


def broken_json_500(inner):
    async def app(scope, receive, send):
        body = await baseline_app.read_body(receive)
        try:
            json.loads(body)
        except ValueError:
            return await answer(send, 500, [(b"content-type", b"text/plain")], b"Internal Server Error")
        await inner(scope, replay(body), send)

    return app


def refusal_text(inner):
    async def app(scope, receive, send):
        status, headers, body = await answered(inner, scope, receive)
        if status != 200:
            headers, body = [(b"content-type", b"text/plain")], b"invalid order"
        await answer(send, status, headers, body)

    return app


# routing


def not_found(inner):
    async def app(scope, receive, send):
        await answer(send, 404, [(b"content-type", b"text/plain")], b"Not Found")

    return app


HTML = (b"content-type", b"text/html; charset=utf-8")


def answered_as_html(inner):
    async def app(scope, receive, send):
        await inner(scope, receive, headers_edited(send, lambda headers: [*drop(headers, b"content-type"), HTML]))

    return app


def any_id(inner):
    """A route for any id, not only an integer one."""

    async def app(scope, receive, send):
        resource, item = scope["path"].split("/")[1], scope["path"].split("/")[3]
        await answer(send, 200, [(b"content-type", b"text/plain")], f"{resource} get {item}".encode())

    return app


def method_ignored(inner):
    async def app(scope, receive, send):
        await inner({**scope, "method": "GET"}, receive, send)

    return app


# stream


def wrong_event(inner):
    """The third event's id without its space."""

    async def app(scope, receive, send):
        async def edited(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": message.get("body", b"").replace(b"id: 2\n", b"id:2\n")}
            await send(message)

        await inner(scope, receive, edited)

    return app


def buffered(inner):
    """The events gathered and sent in one body, with its content-length."""

    async def app(scope, receive, send):
        await answer(send, *(await answered(inner, scope, receive)))

    return app


# middleware (the server started with BENCH_MIDDLEWARE=1, but for middleware-always)


def request_header_dropped(name):
    def wrap(inner):
        async def app(scope, receive, send):
            await inner(without_header(scope, name), receive, send)

        return app

    return wrap


def answer_headers_edited(edit):
    def wrap(inner):
        async def app(scope, receive, send):
            await inner(scope, receive, headers_edited(send, edit))

        return app

    return wrap


def blocks_after_route(inner):
    async def app(scope, receive, send):
        if header(scope, b"x-block") != b"1":
            return await inner(scope, receive, send)
        _, headers, _ = await answered(inner, without_header(scope, b"x-block"), receive)
        await answer(send, 403, headers, b"Forbidden")

    return app


FIXED_ID = uuid.uuid4().hex.encode()


def fixed_id(inner):
    """One id for every request without one: made once, not per request."""

    async def app(scope, receive, send):
        if header(scope, b"x-request-id") is None:
            scope = with_header(scope, b"x-request-id", FIXED_ID)
        await inner(scope, receive, send)

    return app


def timing_in_ms(headers):
    return [(key, value + b"ms" if key == b"server-timing" else value) for key, value in headers]


def no_middleware_headers(headers):
    return drop(drop(headers, b"x-request-id"), b"server-timing")


def middleware_always(inner):
    """The three middlewares installed without BENCH_MIDDLEWARE=1 too."""
    if os.environ.get("BENCH_MIDDLEWARE") == "1":
        return inner
    return baseline_app.block(baseline_app.request_id(baseline_app.server_timing(inner)))


FAULTS = {
    "json-wrong-price": on_path("/items", wrong_price),
    "json-count-unchecked": on_path("/items", unchecked_count),
    "validate-total-one-decimal": on_path("/orders", total_one_decimal),
    "validate-bound-excluded": on_path("/orders", bound_excluded),
    # A fraction dropped from an integer, a bound clamped, a currency in any case, a default currency.
    "validate-truncated-quantity": on_path(
        "/orders", order_edited(each_item(lambda item: {"quantity": int(item["quantity"])}))
    ),
    "validate-clamped-quantity": on_path(
        "/orders", order_edited(each_item(lambda item: {"quantity": min(max(item["quantity"], 1), 1000)}))
    ),
    "validate-currency-any-case": on_path(
        "/orders", order_edited(lambda order: order | {"currency": order["currency"].upper()})
    ),
    "validate-currency-default": on_path("/orders", order_edited(lambda order: {"currency": "EUR"} | order)),
    "validate-broken-json-500": on_path("/orders", broken_json_500),
    "validate-refusal-text": on_path("/orders", refusal_text),
    "routing-49-resources": on_path(r"/r49/.*", not_found),
    "routing-as-html": on_path(r"/r\d+/items.*", answered_as_html),
    "routing-any-id": on_path(r"/r\d+/items/[^/]*[^/0-9][^/]*", any_id),
    "routing-method-ignored": on_path(r"/r\d+/items", method_ignored),
    "stream-wrong-event": on_path("/events", wrong_event),
    "stream-content-length": on_path("/events", buffered),
    "stream-count-unchecked": on_path("/events", unchecked_count),
    "middleware-ignores-block": request_header_dropped(b"x-block"),
    "middleware-blocks-after-route": blocks_after_route,
    "middleware-no-echo": request_header_dropped(b"x-request-id"),
    "middleware-fixed-id": fixed_id,
    "middleware-timing-in-ms": answer_headers_edited(timing_in_ms),
    "middleware-drops-route-headers": answer_headers_edited(lambda headers: drop(headers, b"x-time")),
    "middleware-html-only": on_path(r"/(?!html$).*", answer_headers_edited(no_middleware_headers)),
    "middleware-not-on-streams": on_path("/events", answer_headers_edited(no_middleware_headers)),
    "middleware-always": middleware_always,
}
FAULT = os.environ.get("FAULTY_CONTRACT", "")
app = FAULTS[FAULT](baseline_app.app) if FAULT else baseline_app.app
