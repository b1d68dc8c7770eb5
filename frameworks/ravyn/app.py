"""The benchmark contract (SPEC.md) as a Ravyn app: decorated handlers with typed parameters, in Gateways.

The JSON body is taken as the handler's `data` (Body), the upload as the form (Form): Ravyn's
`File()` binds the first file of a form whatever its field's name, so a form without a `file`
field could not be told apart (ravyn/parsers.py, handle_multipart_encoding).
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncGenerator
from typing import Any, Literal

# DataUpload: the class of the files in a form Ravyn parses (Ravyn runs on Lilya); Header: Lilya's headers.
from lilya.datastructures import DataUpload, Header
from pydantic import BaseModel, Field
from ravyn import (
    Body,
    Form,
    Gateway,
    HTTPException,
    JSONResponse,
    MiddlewareProtocol,
    Query,
    Ravyn,
    Request,
    Stream,
    delete,
    get,
    post,
    put,
)
from ravyn.responses import HTMLResponse, PlainText
from ravyn.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


def extra_route(path: str) -> Gateway:
    @get(path)
    async def route() -> PlainText:
        return PlainText("route")

    return Gateway(handler=route, name=path)


@get("/html")
async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@put("/api/users/{user:int}/records/{record:int}")
async def api(request: Request, user: int, record: int, data: Any = Body()) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    if data is None:  # Ravyn reads an empty body as JSON null
        raise HTTPException(status_code=400, detail="No JSON body")
    return JSONResponse({"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data})


@post("/upload")
async def upload(data: dict = Form()) -> PlainText:
    field = data.get("file")
    if not isinstance(field, DataUpload):
        raise HTTPException(status_code=400, detail="No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await field.read())
    return PlainText(path)


class Owner(BaseModel):
    id: int
    email: str


class Item(BaseModel):
    id: int
    name: str
    price: float
    active: bool
    tags: list[str]
    owner: Owner


# Built once at start-up as the Pydantic models Ravyn's docs return; Ravyn serializes them on every request.
ITEMS = [
    Item(
        id=i,
        name=f"item-{i}",
        price=round(i * 1.25 + 0.99, 2),
        active=i % 3 != 0,
        tags=[f"t{i % 7}", f"g{i % 5}"],
        owner=Owner(id=1000 + i % 10, email=f"user{i % 10}@example.com"),
    )
    for i in range(100)
]


# A missing, non-integer or out-of-range count fails validation: 400.
@get("/items")
async def items(count: int = Query(ge=1, le=100)) -> list[Item]:
    return ITEMS[:count]


class Customer(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    unit_price: float = Field(ge=0)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


class OrderAnswer(BaseModel):
    customer: int
    items: int
    total: float
    currency: str


# Ravyn validates the `data` body against the Pydantic model (its docs' request model) and answers 400.
# Broken JSON, or a JSON number, still gets 500: Ravyn decodes the body unguarded (ravyn/requests.py,
# Request.json) and tests `"data" in body` (ravyn/routing/core/base.py, _get_response_data), as for `api`.
# A POST answers 201 by default in Ravyn; this contract asks for 200.
@post("/orders", status_code=200)
async def orders(data: Order) -> OrderAnswer:
    total = round(sum(item.quantity * item.unit_price for item in data.items), 2)
    return OrderAnswer(customer=data.customer.id, items=len(data.items), total=total, currency=data.currency)


async def token_events(count: int) -> AsyncGenerator[str, None]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


# Ravyn's documented streaming response (Responses, Streaming Responses). The EventStreamResponse that
# ravyn.responses re-exports from Lilya sends a `: ping` comment first (lilya/responses.py,
# EventStreamResponse._ping), so it does not emit exactly the events of SPEC.md.
# `Stream` is a Pydantic model in Ravyn 0.4, so its iterator is passed by keyword.
@get("/events", media_type="text/event-stream")
async def events(count: int = Query(ge=1, le=100)) -> Stream:
    return Stream(iterator=token_events(count))


def resource_routes(k: int) -> list[Gateway]:
    """The four routes of resource r<k> (SPEC.md, routing); a non-integer id misses the route (404)."""

    @get(f"/r{k}/items")
    async def list_items() -> PlainText:
        return PlainText(f"r{k} list")

    @get(f"/r{k}/items/{{item_id:int}}")
    async def get_item(item_id: int) -> PlainText:
        return PlainText(f"r{k} get {item_id}")

    # A DELETE answers 204 by default in Ravyn; this contract asks for 200 and a body.
    @delete(f"/r{k}/items/{{item_id:int}}", status_code=200)
    async def delete_item(item_id: int) -> PlainText:
        return PlainText(f"r{k} delete {item_id}")

    @get(f"/r{k}/items/{{item_id:int}}/children/{{child}}")
    async def get_child(item_id: int, child: str) -> PlainText:
        return PlainText(f"r{k} child {item_id} {child}")

    return [
        Gateway(handler=list_items, name=f"r{k}-list"),
        Gateway(handler=get_item, name=f"r{k}-get"),
        Gateway(handler=delete_item, name=f"r{k}-delete"),
        Gateway(handler=get_child, name=f"r{k}-child"),
    ]


# SPEC.md, middleware: pure ASGI classes following Ravyn's MiddlewareProtocol, passed to the app's
# `middleware` list (docs, Middleware: "MiddlewareProtocol and the application"; the protocol is the
# Ravyn form, Lilya-style classes in DefineMiddleware the other). The first in the list runs first:
# block, then request id, then timing.
class BlockMiddleware(MiddlewareProtocol):
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Header.ensure_header_instance(scope).get("x-block") == "1":
            await PlainText("Forbidden", status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RequestIdMiddleware(MiddlewareProtocol):
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Header.ensure_header_instance(scope).get("x-request-id") or uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                Header.ensure_header_instance(message)["x-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class ServerTimingMiddleware(MiddlewareProtocol):
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                duration = (time.perf_counter() - start) * 1000
                Header.ensure_header_instance(message)["server-timing"] = f"app;dur={duration:.3f}"
            await send(message)

        await self.app(scope, receive, send_with_timing)


routes = [extra_route(f"/route-{index}") for index in range(5)]
routes += [extra_route(f"/route-dyn-{index}/{{part}}") for index in range(5)]
routes += [Gateway(handler=html), Gateway(handler=api), Gateway(handler=upload)]
routes += [Gateway(handler=items), Gateway(handler=orders), Gateway(handler=events)]
# The 200 routing routes, registered last.
for k in range(50):
    routes += resource_routes(k)

middleware = []
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middleware = [BlockMiddleware, RequestIdMiddleware, ServerTimingMiddleware]

app = Ravyn(debug=False, routes=routes, middleware=middleware)
