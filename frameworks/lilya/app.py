"""The benchmark contract (SPEC.md) as a Lilya app: Path routes with convertors, Request and responses.

Lilya has no validation of its own ("not tied to any particular validation library"): the
app validates the order with pydantic v2. Its middlewares are MiddlewareProtocol classes.
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from lilya.apps import Lilya
from lilya.datastructures import Header, UploadFile
from lilya.exceptions import HTTPException
from lilya.middleware import DefineMiddleware
from lilya.protocols.middleware import MiddlewareProtocol
from lilya.requests import Request
from lilya.responses import HTMLResponse, JSONResponse, PlainText, StreamingResponse
from lilya.routing import Path
from lilya.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; JSONResponse serializes them per request.
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
    # JSON has no Infinity or NaN (Python's json module reads them, JSONResponse refuses to write them).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


async def extra_route() -> PlainText:
    return PlainText("route")


async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


async def api(request: Request, user: int, record: int) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    if not await request.body():  # Lilya reads an empty body as JSON null
        raise HTTPException(status_code=400, detail="No JSON body")
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        raise HTTPException(status_code=400, detail="Invalid JSON body") from None
    return JSONResponse({"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data})


async def upload(request: Request) -> PlainText:
    # A malformed multipart body makes request.form() raise HTTPException(400) itself.
    async with request.form() as form:
        field = form.get("file")
        if not isinstance(field, UploadFile):
            raise HTTPException(status_code=400, detail="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(await field.read())
    return PlainText(path)


def query_count(request: Request) -> int:
    """The `count` query parameter, an integer from 1 to 100 (SPEC.md: json, stream)."""
    try:
        count = int(request.query_params["count"])
    except (KeyError, ValueError):
        raise HTTPException(status_code=400, detail="count: an integer from 1 to 100") from None
    if not 1 <= count <= 100:
        raise HTTPException(status_code=400, detail="count: an integer from 1 to 100")
    return count


async def items(request: Request) -> JSONResponse:
    return JSONResponse(ITEMS[: query_count(request)])


async def orders(request: Request) -> JSONResponse:
    # Lilya parses the JSON body, pydantic validates it.
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        return JSONResponse({"detail": "Invalid JSON body"}, status_code=400)
    try:
        order = Order.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return JSONResponse({"detail": errors}, status_code=422)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return JSONResponse(
        {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
    )


async def event_stream(count: int) -> AsyncIterator[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


async def events(request: Request) -> StreamingResponse:
    # Not Lilya's EventStreamResponse: it writes its own ": ping" comment into the stream, one
    # at once and one every 15 s (lilya/responses.py, EventStreamResponse._ping), so its body is
    # not the SPEC's bytes.
    return StreamingResponse(event_stream(query_count(request)), media_type="text/event-stream")


def resource_routes(name: str) -> list[Path]:
    """SPEC.md, routing: the four routes of one resource."""

    async def list_items() -> PlainText:
        return PlainText(f"{name} list")

    async def get_item(id: int) -> PlainText:
        return PlainText(f"{name} get {id}")

    async def delete_item(id: int) -> PlainText:
        return PlainText(f"{name} delete {id}")

    async def get_child(id: int, child: str) -> PlainText:
        return PlainText(f"{name} child {id} {child}")

    return [
        Path(f"/{name}/items", list_items, methods=["GET"]),
        Path(f"/{name}/items/{{id:int}}", get_item, methods=["GET"]),
        Path(f"/{name}/items/{{id:int}}", delete_item, methods=["DELETE"]),
        Path(f"/{name}/items/{{id:int}}/children/{{child}}", get_child, methods=["GET"]),
    ]


# SPEC.md, middleware: pure ASGI middleware written to Lilya's MiddlewareProtocol, the form its
# middleware page encourages (and the one Lilya's own middleware classes use).
class BlockMiddleware(MiddlewareProtocol):
    """x-block: 1 gets 403, and the route does not run."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Header.ensure_header_instance(scope).get("x-block") == "1":
            await PlainText("Forbidden", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestIdMiddleware(MiddlewareProtocol):
    """The answer carries the request's x-request-id, or a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Header.ensure_header_instance(scope).get("x-request-id") or uuid.uuid4().hex

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                Header.ensure_header_instance(message).add("x-request-id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_request_id)


class ServerTimingMiddleware(MiddlewareProtocol):
    """server-timing: app;dur=<ms>, from the call to the start of the answer (its headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                duration = (time.perf_counter() - start) * 1000
                Header.ensure_header_instance(message).add("server-timing", f"app;dur={duration:.3f}")
            await send(message)

        await self.app(scope, receive, send_with_timing)


routes = [Path(f"/route-{index}", extra_route, methods=["GET"]) for index in range(5)]
routes += [Path(f"/route-dyn-{index}/{{part}}", extra_route, methods=["GET"]) for index in range(5)]
routes += [
    Path("/html", html, methods=["GET"]),
    Path("/api/users/{user:int}/records/{record:int}", api, methods=["PUT"]),
    Path("/upload", upload, methods=["POST"]),
    Path("/items", items, methods=["GET"]),
    Path("/orders", orders, methods=["POST"]),
    Path("/events", events, methods=["GET"]),
]
for index in range(50):
    routes += resource_routes(f"r{index}")

middleware = []
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middleware = [
        DefineMiddleware(BlockMiddleware),
        DefineMiddleware(RequestIdMiddleware),
        DefineMiddleware(ServerTimingMiddleware),
    ]

app = Lilya(debug=False, routes=routes, middleware=middleware)
