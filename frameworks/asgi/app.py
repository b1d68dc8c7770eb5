"""The baseline: the contract of SPEC.md as a raw ASGI app, with no framework.

Its figures are the reference that each framework's are read against, so it does the same
work as the others (parse the path, query, JSON body and multipart form) with as little as
possible on top. A reference, not a ceiling: a framework with a faster parser can pass it.
"""

import json
import os
import re
import tempfile
import time
from urllib.parse import parse_qsl

from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
API_PATH = re.compile(r"^/api/users/(\d+)/records/(\d+)$")
STATIC_ROUTES = {f"/route-{index}" for index in range(5)}
DYNAMIC_ROUTE = re.compile(r"^/route-dyn-[0-4]/([^/]+)$")


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
    await send_response(send, 404, b"Not Found", b"text/plain")
