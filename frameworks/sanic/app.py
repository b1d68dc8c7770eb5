"""The benchmark contract (SPEC.md) as a Sanic app, served by Sanic's own server.

Run as `sanic app:app --single-process` (the registry's command). The app configures
itself for production: uvloop, no access log, no debug, log level warning. JSON is parsed
and written the way Sanic does by default (ujson, which Sanic installs and picks up itself).
Sanic has no validation of its own (Sanic Extensions, a separate package, would extend every
route once installed): the app validates the order with pydantic v2.
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from sanic import Request, Sanic
from sanic.exceptions import BadRequest, Unauthorized
from sanic.log import LOGGING_CONFIG_DEFAULTS
from sanic.response import HTTPResponse, html, json, text

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; json() serializes them per request.
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
    # JSON has no Infinity or NaN, and ujson refuses to write them.
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


# Sanic's default logging configuration, with every logger at warning.
LOG_CONFIG = {
    **LOGGING_CONFIG_DEFAULTS,
    "loggers": {name: {**logger, "level": "WARNING"} for name, logger in LOGGING_CONFIG_DEFAULTS["loggers"].items()},
}

app = Sanic("benchmark", log_config=LOG_CONFIG)
app.config.update(ACCESS_LOG=False, USE_UVLOOP=True, MOTD=False)


async def extra_route(request: Request, part: str | None = None) -> HTTPResponse:
    return text("route")


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.add_route(extra_route, f"/route-{index}", name=f"route-{index}")
for index in range(5):
    app.add_route(extra_route, f"/route-dyn-{index}/<part>", name=f"route-dyn-{index}")


@app.get("/html")
async def html_page(request: Request) -> HTTPResponse:
    return html("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@app.put("/api/users/<user:int>/records/<record:int>")
async def api(request: Request, user: int, record: int) -> HTTPResponse:
    if "authorization" not in request.headers:
        raise Unauthorized("Unauthorized")
    if not request.body:  # Sanic's request.json is None for an empty body
        raise BadRequest("No JSON body")
    # request.json answers 400 (BadRequest) to a body that is not JSON.
    data = request.json
    args = request.get_args(keep_blank_values=True)  # request.args would drop "?name="
    query = {name: args.get(name) for name in args}
    return json({"params": {"user": user, "record": record}, "query": query, "data": data})


@app.post("/upload")
async def upload(request: Request) -> HTTPResponse:
    field = request.files.get("file")
    if field is None:
        raise BadRequest("No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(field.body)
    return text(path)


def query_count(request: Request) -> int:
    """The `count` query parameter, an integer from 1 to 100 (SPEC.md: json, stream)."""
    try:
        count = int(request.args.get("count"))
    except (TypeError, ValueError):  # missing, or not an integer
        raise BadRequest("count: an integer from 1 to 100") from None
    if not 1 <= count <= 100:
        raise BadRequest("count: an integer from 1 to 100")
    return count


@app.get("/items")
async def items(request: Request) -> HTTPResponse:
    return json(ITEMS[: query_count(request)])


# Errors on this route (a body that is not JSON) are answered as JSON.
@app.post("/orders", error_format="json")
async def orders(request: Request) -> HTTPResponse:
    # Sanic parses the JSON body (400 if it is not JSON), pydantic validates it.
    try:
        order = Order.model_validate(request.json)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return json({"detail": errors}, status=422)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return json({"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency})


async def event_stream(count: int) -> AsyncIterator[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


@app.get("/events")
async def events(request: Request) -> None:
    count = query_count(request)
    # Sanic's response streaming: respond() sends the headers (no content length: chunked),
    # then each send() one event.
    response = await request.respond(content_type="text/event-stream")
    async for event in event_stream(count):
        await response.send(event)
    await response.eof()


def add_resource_routes(name: str) -> None:
    """SPEC.md, routing: the four routes of one resource, with an integer id."""

    async def list_items(request: Request) -> HTTPResponse:
        return text(f"{name} list")

    async def get_item(request: Request, item: int) -> HTTPResponse:
        return text(f"{name} get {item}")

    async def delete_item(request: Request, item: int) -> HTTPResponse:
        return text(f"{name} delete {item}")

    async def get_child(request: Request, item: int, child: str) -> HTTPResponse:
        return text(f"{name} child {item} {child}")

    app.add_route(list_items, f"/{name}/items", methods=["GET"], name=f"{name}-list")
    app.add_route(get_item, f"/{name}/items/<item:int>", methods=["GET"], name=f"{name}-get")
    app.add_route(delete_item, f"/{name}/items/<item:int>", methods=["DELETE"], name=f"{name}-delete")
    app.add_route(get_child, f"/{name}/items/<item:int>/children/<child>", methods=["GET"], name=f"{name}-child")


# The 200 routes of the routing scenario come last.
for index in range(50):
    add_resource_routes(f"r{index}")


# SPEC.md, middleware: request and response middleware, attached with app.on_request and
# app.on_response, the form Sanic's middleware guide opens with.
async def block(request: Request) -> HTTPResponse | None:
    """x-block: 1 gets 403: a request middleware that returns a response stops the request there."""
    if request.headers.get("x-block") == "1":
        return text("Forbidden", status=403)
    return None


async def start_timer(request: Request) -> None:
    request.ctx.started = time.perf_counter()


async def add_request_id(request: Request, response: HTTPResponse) -> None:
    """The answer carries the request's x-request-id, or a new one."""
    response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex


async def add_server_timing(request: Request, response: HTTPResponse) -> None:
    """server-timing: app;dur=<ms>, from the request middleware to the response's (its headers)."""
    started = getattr(request.ctx, "started", None)  # none on a request that block stopped
    if started is not None:
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"


if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app.on_request(block)
    app.on_request(start_timer)
    app.on_response(add_request_id)
    app.on_response(add_server_timing)
