"""The benchmark contract (SPEC.md) as a Lihil app: Routes with typed endpoints, msgspec for JSON."""

import os
import tempfile
import time
import uuid
from typing import Annotated, Any, Literal

import msgspec
from lihil import HTTPException, Lihil, Param, Route, Stream, Text, UploadFile
from lihil.interface import ASGIApp, IReceive, IScope, ISend
from lihil.vendors import Headers, Request, Response
from starlette.datastructures import MutableHeaders  # Lihil's vendored Headers has no mutable form
from starlette.formparsers import MultiPartException  # what Lihil's Request (Starlette's) raises
from starlette.types import Message

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


class Unauthorized(HTTPException[str]):
    """No authorization header."""

    __status__ = 401


class BadForm(HTTPException[str]):
    """A malformed multipart body, or one without a `file` field."""

    __status__ = 400


def extra_route(index: int) -> Route:
    route = Route(f"/route-{index}")

    @route.get
    async def extra() -> Text:
        return "route"

    return route


def extra_dynamic_route(index: int) -> Route:
    route = Route(f"/route-dyn-{index}/{{part}}")

    @route.get
    async def extra(part: str) -> Text:
        return "route"

    return route


html_route = Route("/html")


@html_route.get
async def html() -> Response:
    return Response("<b>HTML OK</b>", media_type="text/html", headers={"x-time": str(time.time())})


api_route = Route("/api/users/{user}/records/{record}")


@api_route.put(problems=Unauthorized)
async def api(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Param("body")],
    authorization: Annotated[str | None, Param("header")] = None,
) -> dict[str, Any]:
    if authorization is None:
        raise Unauthorized("Unauthorized")
    return {"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data}


upload_route = Route("/upload")


@upload_route.post
async def upload(request: Request) -> Text:
    # The form is read from the Request: an `UploadFile` parameter answers 500 to a form
    # without its field (a KeyError in lihil/signature/parser.py, file_decoder).
    try:
        async with request.form() as form:
            field = form.get("file")
            if not isinstance(field, UploadFile):
                raise BadForm("No file field")
            handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
            with os.fdopen(handle, "wb") as stored:
                stored.write(await field.read())
    except MultiPartException:
        raise BadForm("Malformed multipart body") from None
    return path


class Owner(msgspec.Struct):
    id: int
    email: str


class Item(msgspec.Struct):
    id: int
    name: str
    price: float
    active: bool
    tags: list[str]
    owner: Owner


# Built once at start-up; Lihil serializes them (msgspec) on every request.
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

items_route = Route("/items")


# A missing, non-integer or out-of-range count fails validation: 422.
@items_route.get
async def items(count: Annotated[int, Param(ge=1, le=100)]) -> list[Item]:
    return ITEMS[:count]


# The body is a msgspec Struct (the form Lihil's docs recommend for a request body);
# Lihil decodes and validates it with msgspec, which takes its bounds from `msgspec.Meta`.
class Customer(msgspec.Struct):
    id: Annotated[int, msgspec.Meta(ge=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


class OrderItem(msgspec.Struct):
    sku: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    unit_price: Annotated[float, msgspec.Meta(ge=0)]


class Order(msgspec.Struct):
    customer: Customer
    items: Annotated[list[OrderItem], msgspec.Meta(min_length=1, max_length=100)]
    currency: Literal["EUR", "USD", "GBP"]
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class OrderAnswer(msgspec.Struct):
    customer: int
    items: int
    total: float
    currency: str


orders_route = Route("/orders")


# A body that breaks the schema, or broken JSON, gets Lihil's 422 problem detail (JSON).
@orders_route.post
async def orders(order: Order) -> OrderAnswer:
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return OrderAnswer(customer=order.customer.id, items=len(order.items), total=total, currency=order.currency)


events_route = Route("/events")


# `Stream[str]` streams each yielded string as text/event-stream. Lihil's own `EventStream` of
# `SSE` records writes an event's fields in the order event, id, data (lihil/interface/struct.py,
# encode_sse), not the `id`, `event`, `data` of SPEC.md.
@events_route.get
async def events(count: Annotated[int, Param(ge=1, le=100)]) -> Stream[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


def resource_routes(k: int) -> list[Route]:
    """The four routes of resource r<k> (SPEC.md, routing); a non-integer id gets 422."""
    collection = Route(f"/r{k}/items")
    item = Route(f"/r{k}/items/{{item_id}}")
    child = Route(f"/r{k}/items/{{item_id}}/children/{{child}}")

    @collection.get
    async def list_items() -> Text:
        return f"r{k} list"

    @item.get
    async def get_item(item_id: int) -> Text:
        return f"r{k} get {item_id}"

    @item.delete
    async def delete_item(item_id: int) -> Text:
        return f"r{k} delete {item_id}"

    @child.get
    async def get_child(item_id: int, child: str) -> Text:
        return f"r{k} child {item_id} {child}"

    return [collection, item, child]


# SPEC.md, middleware: Lihil's one documented form is a middleware factory, a callable that takes
# the next ASGI app and returns an ASGI app (docs, HTTP, Middlewares). The first in the list runs
# first: block, then request id, then timing.
def block_middleware(next_app: ASGIApp) -> ASGIApp:
    async def block(scope: IScope, receive: IReceive, send: ISend) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("x-block") == "1":
            return await Response("Forbidden", status_code=403, media_type="text/plain")(scope, receive, send)
        await next_app(scope, receive, send)

    return block


def request_id_middleware(next_app: ASGIApp) -> ASGIApp:
    async def request_id(scope: IScope, receive: IReceive, send: ISend) -> None:
        if scope["type"] != "http":
            return await next_app(scope, receive, send)
        value = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = value
            await send(message)

        await next_app(scope, receive, send_with_id)

    return request_id


def server_timing_middleware(next_app: ASGIApp) -> ASGIApp:
    async def server_timing(scope: IScope, receive: IReceive, send: ISend) -> None:
        if scope["type"] != "http":
            return await next_app(scope, receive, send)
        start = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                duration = (time.perf_counter() - start) * 1000
                MutableHeaders(scope=message)["server-timing"] = f"app;dur={duration:.3f}"
            await send(message)

        await next_app(scope, receive, send_with_timing)

    return server_timing


routes = [extra_route(index) for index in range(5)]
routes += [extra_dynamic_route(index) for index in range(5)]
routes += [html_route, api_route, upload_route, items_route, orders_route, events_route]
# The 200 routing routes, registered last.
for k in range(50):
    routes += resource_routes(k)

middlewares = None
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middlewares = [block_middleware, request_id_middleware, server_timing_middleware]

app = Lihil(*routes, middlewares=middlewares)
