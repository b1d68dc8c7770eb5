"""The benchmark contract (SPEC.md) as an aiohttp.web app, served by aiohttp's own server on uvloop.

Run as `python -m app --host H --port P`. JSON is parsed and written the way aiohttp does
by default (the standard library's json). aiohttp has no validation of its own: the app
validates the order with pydantic v2, as aiohttp's users most often do.
"""

import argparse
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

import uvloop
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# aiohttp refuses bodies over 1 MiB by default; SPEC.md asks for 10 MiB uploads.
MAX_BODY = 16 * 1024 * 1024
# SPEC.md, json: the 100 records, built once as plain dicts; json_response serializes them per request.
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


class Customer(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    # JSON has no Infinity or NaN (Python's json module reads them all the same).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


async def extra_route(request: web.Request) -> web.Response:
    return web.Response(text="route")


async def html(request: web.Request) -> web.Response:
    return web.Response(text="<b>HTML OK</b>", content_type="text/html", headers={"x-time": str(time.time())})


async def api(request: web.Request) -> web.Response:
    if "Authorization" not in request.headers:
        raise web.HTTPUnauthorized(text="Unauthorized")
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
        raise web.HTTPBadRequest(text="Invalid JSON") from None
    body = {
        "params": {"user": int(request.match_info["user"]), "record": int(request.match_info["record"])},
        "query": dict(request.query),
        "data": data,
    }
    return web.json_response(body)


async def upload(request: web.Request) -> web.Response:
    try:
        form = await request.post()
    except (ValueError, RuntimeError):  # what aiohttp's multipart reader raises on a malformed body or part
        raise web.HTTPBadRequest(text="Malformed multipart body") from None
    field = form.get("file")
    if not isinstance(field, web.FileField):
        raise web.HTTPBadRequest(text="No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(field.file.read())
    return web.Response(text=path)


def query_count(request: web.Request) -> int:
    """The `count` query parameter, an integer from 1 to 100 (SPEC.md: json, stream)."""
    try:
        count = int(request.query["count"])
    except (KeyError, ValueError):
        raise web.HTTPBadRequest(text="count: an integer from 1 to 100") from None
    if not 1 <= count <= 100:
        raise web.HTTPBadRequest(text="count: an integer from 1 to 100")
    return count


async def items(request: web.Request) -> web.Response:
    return web.json_response(ITEMS[: query_count(request)])


async def orders(request: web.Request) -> web.Response:
    # aiohttp parses the JSON body, pydantic validates it.
    try:
        order = Order.model_validate(await request.json())
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return web.json_response({"detail": errors}, status=422)
    except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
        return web.json_response({"detail": "Invalid JSON body"}, status=400)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return web.json_response(
        {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
    )


async def event_stream(count: int) -> AsyncIterator[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


async def events(request: web.Request) -> web.StreamResponse:
    count = query_count(request)
    # No content length: aiohttp sends the prepared response chunked, one write per event.
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    async for event in event_stream(count):
        await response.write(event.encode())
    await response.write_eof()
    return response


def resource_routes(name: str) -> list[web.RouteDef]:
    """SPEC.md, routing: the four routes of one resource, with an integer id."""

    async def list_items(request: web.Request) -> web.Response:
        return web.Response(text=f"{name} list")

    async def get_item(request: web.Request) -> web.Response:
        return web.Response(text=f"{name} get {int(request.match_info['id'])}")

    async def delete_item(request: web.Request) -> web.Response:
        return web.Response(text=f"{name} delete {int(request.match_info['id'])}")

    async def get_child(request: web.Request) -> web.Response:
        item = int(request.match_info["id"])
        return web.Response(text=f"{name} child {item} {request.match_info['child']}")

    return [
        web.get(f"/{name}/items", list_items),
        web.get(rf"/{name}/items/{{id:\d+}}", get_item),
        web.delete(rf"/{name}/items/{{id:\d+}}", delete_item),
        web.get(rf"/{name}/items/{{id:\d+}}/children/{{child}}", get_child),
    ]


# SPEC.md, middleware: new-style middlewares, the form aiohttp's documentation shows (its
# Middlewares section); aiohttp 3 still needs the @web.middleware mark on them. A middleware
# changes the headers of a response that is not prepared yet: a streamed response (/events)
# has sent its headers before the handler returns, so it gets neither header below.
@web.middleware
async def block(request: web.Request, handler: Handler) -> web.StreamResponse:
    """x-block: 1 gets 403, and the route does not run."""
    if request.headers.get("x-block") == "1":
        raise web.HTTPForbidden(text="Forbidden")
    return await handler(request)


@web.middleware
async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The answer carries the request's x-request-id, or a new one."""
    response = await handler(request)
    if not response.prepared:
        response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
    return response


@web.middleware
async def server_timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    """server-timing: app;dur=<ms>, measured around the handler."""
    start = time.perf_counter()
    response = await handler(request)
    if not response.prepared:
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
    return response


def create_app() -> web.Application:
    middlewares = [block, request_id, server_timing] if os.environ.get("BENCH_MIDDLEWARE") == "1" else []
    app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    # The ten extra routes come first, so that routing does real work.
    app.router.add_routes([web.get(f"/route-{index}", extra_route) for index in range(5)])
    app.router.add_routes([web.get(f"/route-dyn-{index}/{{part}}", extra_route) for index in range(5)])
    app.router.add_routes(
        [
            web.get("/html", html),
            web.put(r"/api/users/{user:\d+}/records/{record:\d+}", api),
            web.post("/upload", upload),
            web.get("/items", items),
            web.post("/orders", orders),
            web.get("/events", events),
        ]
    )
    # The 200 routes of the routing scenario come last.
    for index in range(50):
        app.router.add_routes(resource_routes(f"r{index}"))
    return app


app = create_app()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the aiohttp benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None, loop=uvloop.new_event_loop())
