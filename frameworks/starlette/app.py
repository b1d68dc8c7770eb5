"""The benchmark contract (SPEC.md) as a Starlette app: plain routes, Request and Response classes.

Starlette has no validation of its own: the app validates the order with pydantic v2, as
Starlette's users most often do. Its middlewares are pure ASGI middleware classes.
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


async def extra_route(request: Request) -> PlainTextResponse:
    return PlainTextResponse("route")


async def html(request: Request) -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


async def api(request: Request) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        raise HTTPException(status_code=400, detail="Invalid JSON body") from None
    return JSONResponse(
        {
            "params": {"user": request.path_params["user"], "record": request.path_params["record"]},
            "query": dict(request.query_params),
            "data": data,
        }
    )


async def upload(request: Request) -> PlainTextResponse:
    # A malformed multipart body makes request.form() raise HTTPException(400) itself.
    async with request.form() as form:
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            raise HTTPException(status_code=400, detail="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(await upload_file.read())
    return PlainTextResponse(path)


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
    # Starlette parses the JSON body, pydantic validates it.
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
    return StreamingResponse(event_stream(query_count(request)), media_type="text/event-stream")


def resource_routes(name: str) -> list[Route]:
    """SPEC.md, routing: the four routes of one resource."""

    async def list_items(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} list")

    async def get_item(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} get {request.path_params['id']}")

    async def delete_item(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} delete {request.path_params['id']}")

    async def get_child(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{name} child {request.path_params['id']} {request.path_params['child']}")

    return [
        Route(f"/{name}/items", list_items, methods=["GET"]),
        Route(f"/{name}/items/{{id:int}}", get_item, methods=["GET"]),
        Route(f"/{name}/items/{{id:int}}", delete_item, methods=["DELETE"]),
        Route(f"/{name}/items/{{id:int}}/children/{{child}}", get_child, methods=["GET"]),
    ]


# SPEC.md, middleware: pure ASGI middleware, the form Starlette's documentation recommends
# (its middleware page: it "overcomes the limitations of BaseHTTPMiddleware", and it is how
# Starlette's own middleware classes are written).
class BlockMiddleware:
    """x-block: 1 gets 403, and the route does not run."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("x-block") == "1":
            response = PlainTextResponse("Forbidden", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestIdMiddleware:
    """The answer carries the request's x-request-id, or a new one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        await self.app(scope, receive, send_with_request_id)


class ServerTimingMiddleware:
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
                MutableHeaders(scope=message).append("server-timing", f"app;dur={duration:.3f}")
            await send(message)

        await self.app(scope, receive, send_with_timing)


routes = [Route(f"/route-{index}", extra_route, methods=["GET"]) for index in range(5)]
routes += [Route(f"/route-dyn-{index}/{{part}}", extra_route, methods=["GET"]) for index in range(5)]
routes += [
    Route("/html", html, methods=["GET"]),
    Route("/api/users/{user:int}/records/{record:int}", api, methods=["PUT"]),
    Route("/upload", upload, methods=["POST"]),
    Route("/items", items, methods=["GET"]),
    Route("/orders", orders, methods=["POST"]),
    Route("/events", events, methods=["GET"]),
]
for index in range(50):
    routes += resource_routes(f"r{index}")

middleware = []
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middleware = [Middleware(BlockMiddleware), Middleware(RequestIdMiddleware), Middleware(ServerTimingMiddleware)]

app = Starlette(debug=False, routes=routes, middleware=middleware)
