"""The benchmark contract (SPEC.md) as a Litestar app: typed route handlers, msgspec-parsed bodies."""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from litestar import Litestar, MediaType, Request, Response, delete, get, post, put
from litestar.datastructures import Headers, MutableScopeHeaders, UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.params import Body, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


def extra_routes() -> list:
    handlers = []
    for index in range(5):

        @get(f"/route-{index}", media_type=MediaType.TEXT, name=f"route-{index}")
        async def static_route() -> str:
            return "route"

        @get(f"/route-dyn-{index}/{{part:str}}", media_type=MediaType.TEXT, name=f"route-dyn-{index}")
        async def dynamic_route(part: str) -> str:
            return "route"

        handlers += [static_route, dynamic_route]
    return handlers


@get("/html", media_type=MediaType.HTML)
async def html() -> Response[str]:
    return Response("<b>HTML OK</b>", media_type=MediaType.HTML, headers={"x-time": str(time.time())})


# Path parameters that do not parse as int miss the route: Litestar answers 404.
# A broken or missing JSON body makes Litestar answer 400 itself.
@put("/api/users/{user:int}/records/{record:int}")
async def api(
    request: Request,
    user: int,
    record: int,
    data: Any,
    authorization: Annotated[str | None, Parameter(header="authorization")] = None,
) -> dict[str, Any]:
    if authorization is None:
        raise NotAuthorizedException()
    return {"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data}


@dataclass
class UploadForm:
    file: UploadFile


# A body without the `file` field, or one that is not multipart, fails validation: 400.
@post("/upload", media_type=MediaType.TEXT, status_code=200)
async def upload(data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> str:
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await data.file.read())
    return path


@dataclass
class Owner:
    id: int
    email: str


@dataclass
class Item:
    id: int
    name: str
    price: float
    active: bool
    tags: list[str]
    owner: Owner


# Built once at start-up; Litestar serializes them (msgspec) on every request.
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
async def items(count: Annotated[int, Parameter(ge=1, le=100)]) -> list[Item]:
    return ITEMS[:count]


# The body is declared with dataclasses (the first typed form of Litestar's Requests docs);
# Litestar validates it with msgspec, which takes its bounds from `msgspec.Meta`.
@dataclass
class Customer:
    id: Annotated[int, msgspec.Meta(ge=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


@dataclass
class OrderItem:
    sku: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    unit_price: Annotated[float, msgspec.Meta(ge=0)]


@dataclass
class Order:
    customer: Customer
    items: Annotated[list[OrderItem], msgspec.Meta(min_length=1, max_length=100)]
    currency: Literal["EUR", "USD", "GBP"]
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


@dataclass
class OrderAnswer:
    customer: int
    items: int
    total: float
    currency: str


# A body that breaks the schema, or broken JSON, gets Litestar's 400 with a JSON body.
@post("/orders", status_code=200)
async def orders(data: Order) -> OrderAnswer:
    total = round(sum(item.quantity * item.unit_price for item in data.items), 2)
    return OrderAnswer(customer=data.customer.id, items=len(data.items), total=total, currency=data.currency)


async def token_events(count: int) -> AsyncGenerator[ServerSentEventMessage, None]:
    for i in range(count):
        # `sep="\n"`: SPEC.md's events end their lines with LF; Litestar's default separator is CRLF.
        yield ServerSentEventMessage(
            id=i,
            event="token",
            data=f"token {i} of {count}: the quick brown fox jumps over the lazy dog, streamed one event at a time",
            sep="\n",
        )


@get("/events")
async def events(count: Annotated[int, Parameter(ge=1, le=100)]) -> ServerSentEvent:
    return ServerSentEvent(token_events(count))


def resource_routes(k: int) -> list:
    """The four routes of resource r<k> (SPEC.md, routing)."""

    @get(f"/r{k}/items", media_type=MediaType.TEXT)
    async def list_items() -> str:
        return f"r{k} list"

    @get(f"/r{k}/items/{{item_id:int}}", media_type=MediaType.TEXT)
    async def get_item(item_id: int) -> str:
        return f"r{k} get {item_id}"

    # Litestar answers a DELETE with 204 by default; this contract asks for 200 and a body.
    @delete(f"/r{k}/items/{{item_id:int}}", media_type=MediaType.TEXT, status_code=200)
    async def delete_item(item_id: int) -> str:
        return f"r{k} delete {item_id}"

    @get(f"/r{k}/items/{{item_id:int}}/children/{{child:str}}", media_type=MediaType.TEXT)
    async def get_child(item_id: int, child: str) -> str:
        return f"r{k} child {item_id} {child}"

    return [list_items, get_item, delete_item, get_child]


# SPEC.md, middleware: subclasses of ASGIMiddleware, the form Litestar's docs recommend
# (Creating Middleware). The first in the list runs first: block, then request id, then timing.
class BlockMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if Headers.from_scope(scope).get("x-block") == "1":
            raise PermissionDeniedException()
        await next_app(scope, receive, send)


class RequestIdMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request_id = Headers.from_scope(scope).get("x-request-id") or uuid.uuid4().hex

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message=message)["x-request-id"] = request_id
            await send(message)

        await next_app(scope, receive, send_wrapper)


class ServerTimingMiddleware(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                duration = (time.perf_counter() - start) * 1000
                MutableScopeHeaders.from_message(message=message)["server-timing"] = f"app;dur={duration:.3f}"
            await send(message)

        await next_app(scope, receive, send_wrapper)


middleware = []
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middleware = [BlockMiddleware(), RequestIdMiddleware(), ServerTimingMiddleware()]

route_handlers = [*extra_routes(), html, api, upload, items, orders, events]
# The 200 routing routes, registered last.
for k in range(50):
    route_handlers += resource_routes(k)

# Litestar refuses bodies over 10,000,000 bytes by default; SPEC.md asks for 10 MiB uploads.
app = Litestar(
    route_handlers=route_handlers, middleware=middleware, debug=False, request_max_body_size=16 * 1024 * 1024
)
