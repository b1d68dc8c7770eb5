"""The baseline: the contract of SPEC.md as a raw ASGI app, with no framework.

Its figures are the reference that each framework's are read against, so it does the same
work as the others (parse the path, query, JSON body and multipart form) with as little as
possible on top. A reference, not a ceiling: a framework with a faster parser can pass it.
"""

import json
import math
import os
import re
import tempfile
import time
import uuid
from functools import partial
from urllib.parse import parse_qsl

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
API_PATH = re.compile(r"^/api/users/(\d+)/records/(\d+)$")
STATIC_ROUTES = {f"/route-{index}" for index in range(5)}
DYNAMIC_ROUTE = re.compile(r"^/route-dyn-[0-4]/([^/]+)$")
# SPEC.md, json: the 100 records, built once; json.dumps serializes them on every request.
ITEMS = [
    {
        "id": i,
        "name": f"item-{i}",
        "price": round(i * 1.25 + 0.99, 2),
        "active": i % 3 != 0,
        "tags": [f"t{i % 7}", f"g{i % 5}"],
        "owner": {"id": 1000 + i % 10, "email": f"user{i % 10}@example.com"},
    }
    for i in range(100)
]
CURRENCIES = {"EUR", "USD", "GBP"}


async def send_response(send, status, body, content_type, extra_headers=()):
    headers = [(b"content-type", content_type), *extra_headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive):
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def header(scope, name):
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


async def html(scope, receive, send):
    x_time = str(time.time()).encode()
    await send_response(send, 200, b"<b>HTML OK</b>", b"text/html; charset=utf-8", [(b"x-time", x_time)])


async def api(scope, receive, send, user, record):
    if header(scope, b"authorization") is None:
        return await send_response(send, 401, b"Unauthorized", b"text/plain")
    try:
        data = json.loads(await read_body(receive))
    except ValueError:
        return await send_response(send, 400, b"Invalid JSON", b"text/plain")
    query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    body = {"params": {"user": user, "record": record}, "query": query, "data": data}
    await send_response(send, 200, json.dumps(body).encode(), b"application/json")


async def upload(scope, receive, send):
    content_type, options = parse_options_header(header(scope, b"content-type") or b"")
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        return await send_response(send, 400, b"Expected multipart/form-data", b"text/plain")
    stored = {}
    state = {"name": None, "headers": {}, "header_field": b"", "header_value": b"", "file": None}

    def on_header_field(data, start, end):
        state["header_field"] += data[start:end]

    def on_header_value(data, start, end):
        state["header_value"] += data[start:end]

    def on_header_end():
        state["headers"][state["header_field"].lower()] = state["header_value"]
        state["header_field"] = state["header_value"] = b""

    def on_headers_finished():
        _, disposition = parse_options_header(state["headers"].get(b"content-disposition", b""))
        state["name"] = disposition.get(b"name")
        if state["name"] == b"file" and "file" not in stored:
            handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
            state["file"] = os.fdopen(handle, "wb")
            stored["file"] = path

    def on_part_data(data, start, end):
        if state["file"] is not None:
            state["file"].write(data[start:end])

    def on_part_end():
        if state["file"] is not None:
            state["file"].close()
        state.update(name=None, headers={}, file=None)

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        more = True
        while more:
            message = await receive()
            parser.write(message.get("body", b""))
            more = message.get("more_body", False)
        parser.finalize()
    except MultipartParseError:
        if state["file"] is not None:
            state["file"].close()
        return await send_response(send, 400, b"Malformed multipart body", b"text/plain")
    if "file" not in stored:
        return await send_response(send, 400, b"No file field", b"text/plain")
    await send_response(send, 200, stored["file"].encode(), b"text/plain; charset=utf-8")


def query_count(scope):
    """The `count` query parameter as an int from 1 to 100, or None (SPEC.md: json, stream)."""
    value = dict(parse_qsl(scope["query_string"].decode("latin-1"))).get("count", "")
    try:
        count = int(value)
    except ValueError:
        return None
    return count if 1 <= count <= 100 else None


async def items(scope, receive, send):
    count = query_count(scope)
    if count is None:
        return await send_response(send, 400, b"count: an integer from 1 to 100", b"text/plain")
    await send_response(send, 200, json.dumps(ITEMS[:count]).encode(), b"application/json")


def is_int(value, low, high=None):
    # bool is an int in Python, but not in JSON.
    return type(value) is int and value >= low and (high is None or value <= high)


def is_str(value, low, high):
    return isinstance(value, str) and low <= len(value) <= high


def order_error(order):
    """What breaks SPEC.md's order schema, checked by hand in plain Python; None if nothing."""
    if not isinstance(order, dict):
        return "body: not an object"
    customer = order.get("customer")
    if not isinstance(customer, dict):
        return "customer: not an object"
    if not is_int(customer.get("id"), 1):
        return "customer.id: an integer of at least 1"
    if not is_str(customer.get("name"), 1, 100):
        return "customer.name: a string of 1 to 100 characters"
    if not is_str(customer.get("email"), 3, 254):
        return "customer.email: a string of 3 to 254 characters"
    lines = order.get("items")
    if not isinstance(lines, list) or not 1 <= len(lines) <= 100:
        return "items: a list of 1 to 100 items"
    for line in lines:
        if not isinstance(line, dict):
            return "items: an item is not an object"
        if not is_str(line.get("sku"), 1, 32):
            return "items.sku: a string of 1 to 32 characters"
        if not is_int(line.get("quantity"), 1, 1000):
            return "items.quantity: an integer from 1 to 1000"
        price = line.get("unit_price")
        # json.loads reads NaN and Infinity, which are not JSON numbers: the comparison refuses both.
        if not isinstance(price, int | float) or isinstance(price, bool) or not 0 <= price < math.inf:
            return "items.unit_price: a number of at least 0"
    if order.get("currency") not in CURRENCIES:
        return "currency: one of EUR, USD, GBP"
    note = order.get("note")
    if note is not None and not is_str(note, 0, 500):
        return "note: a string of at most 500 characters"
    return None


async def orders(scope, receive, send):
    try:
        order = json.loads(await read_body(receive))
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        error = "body: invalid JSON"
    else:
        error = order_error(order)
    if error is not None:
        return await send_response(send, 422, json.dumps({"detail": error}).encode(), b"application/json")
    total = round(sum(line["quantity"] * line["unit_price"] for line in order["items"]), 2)
    answer = {
        "customer": order["customer"]["id"],
        "items": len(order["items"]),
        "total": total,
        "currency": order["currency"],
    }
    await send_response(send, 200, json.dumps(answer).encode(), b"application/json")


async def event_stream(count):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


async def events(scope, receive, send):
    count = query_count(scope)
    if count is None:
        return await send_response(send, 400, b"count: an integer from 1 to 100", b"text/plain")
    # No content-length: the server sends the body chunked, one message per event.
    headers = [(b"content-type", b"text/event-stream; charset=utf-8")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    async for event in event_stream(count):
        await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def resource_list(name, send):
    await send_response(send, 200, f"{name} list".encode(), b"text/plain; charset=utf-8")


async def resource_get(name, send, item):
    await send_response(send, 200, f"{name} get {int(item)}".encode(), b"text/plain; charset=utf-8")


async def resource_delete(name, send, item):
    await send_response(send, 200, f"{name} delete {int(item)}".encode(), b"text/plain; charset=utf-8")


async def resource_child(name, send, item, child):
    await send_response(send, 200, f"{name} child {int(item)} {child}".encode(), b"text/plain; charset=utf-8")


# SPEC.md, routing: 50 resources of four routes each, a table of real routes: the static
# paths in a dict, the others as regexes tried in order, each with its handlers by method.
RESOURCE_PATHS = {}
RESOURCE_ROUTES = []
for k in range(50):
    name = f"r{k}"
    RESOURCE_PATHS[f"/{name}/items"] = {"GET": partial(resource_list, name)}
    item_handlers = {"GET": partial(resource_get, name), "DELETE": partial(resource_delete, name)}
    RESOURCE_ROUTES.append((re.compile(rf"^/{name}/items/(\d+)$"), item_handlers))
    child_handlers = {"GET": partial(resource_child, name)}
    RESOURCE_ROUTES.append((re.compile(rf"^/{name}/items/(\d+)/children/([^/]+)$"), child_handlers))


async def method_not_allowed(send):
    await send_response(send, 405, b"Method Not Allowed", b"text/plain")


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    # The ten extra routes come first, as every framework app registers them first.
    if path in STATIC_ROUTES or DYNAMIC_ROUTE.match(path):
        return await send_response(send, 200, b"route", b"text/plain")
    if path == "/html":
        if method != "GET":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await html(scope, receive, send)
    match = API_PATH.match(path)
    if match:
        if method != "PUT":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await api(scope, receive, send, int(match[1]), int(match[2]))
    if path == "/upload":
        if method != "POST":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await upload(scope, receive, send)
    if path == "/items":
        if method != "GET":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await items(scope, receive, send)
    if path == "/orders":
        if method != "POST":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await orders(scope, receive, send)
    if path == "/events":
        if method != "GET":
            return await send_response(send, 405, b"Method Not Allowed", b"text/plain")
        return await events(scope, receive, send)
    # The 200 routes of the routing scenario come last.
    handlers = RESOURCE_PATHS.get(path)
    if handlers is not None:
        handler = handlers.get(method)
        return await (handler(send) if handler else method_not_allowed(send))
    for pattern, handlers in RESOURCE_ROUTES:
        match = pattern.match(path)
        if match:
            handler = handlers.get(method)
            return await (handler(send, *match.groups()) if handler else method_not_allowed(send))
    await send_response(send, 404, b"Not Found", b"text/plain")


# SPEC.md, middleware: three plain ASGI middlewares, each wrapping the app it is given.
def block(inner):
    """x-block: 1 gets 403, and the route does not run."""

    async def middleware(scope, receive, send):
        if scope["type"] == "http" and header(scope, b"x-block") == b"1":
            return await send_response(send, 403, b"Forbidden", b"text/plain")
        await inner(scope, receive, send)

    return middleware


def request_id(inner):
    """The answer carries the request's x-request-id, or a new one."""

    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        value = header(scope, b"x-request-id") or uuid.uuid4().hex.encode()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-request-id", value)]
            await send(message)

        await inner(scope, receive, send_with_id)

    return middleware


def server_timing(inner):
    """server-timing: app;dur=<ms>, from the call to the start of the answer (its headers)."""

    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        start = time.perf_counter()

        async def send_with_timing(message):
            if message["type"] == "http.response.start":
                duration = f"app;dur={(time.perf_counter() - start) * 1000:.3f}".encode()
                message["headers"] = [*message["headers"], (b"server-timing", duration)]
            await send(message)

        await inner(scope, receive, send_with_timing)

    return middleware


if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app = block(request_id(server_timing(app)))
