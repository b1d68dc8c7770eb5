"""The benchmark contract (SPEC.md) as a Django-Bolt API, served by Django-Bolt's own Rust server.

Run as `python -m manage runbolt --host H --port P --processes 1 --workers 1` (settings.py
names this API). JSON is Django-Bolt's own (msgspec). Python 3.11 gets django-bolt 0.3, the
newest release for it, and later Pythons 0.13: their file parameter differs (a dict holding
the bytes in 0.3, an UploadFile in 0.13), and the upload handler takes either.

django-bolt 0.3 ignores two things that this app declares as Bolt documents them, so that
Python 3.11 fails those checks: the bounds of a query parameter (`Query(ge=1, le=100)`: its
query extractor converts the type only, django_bolt/binding.py, create_query_extractor and
convert_primitive), and Python middleware (it turns each entry of `BoltAPI(middleware=...)`
into route metadata for its Rust middleware, django_bolt/middleware/compiler.py,
middleware_to_dict, and its dispatch never calls one, django_bolt/api.py, _dispatch).
"""

import os
import tempfile
import time
import uuid
from typing import Annotated, Any, Literal

import msgspec
from django_bolt import BoltAPI, Request
from django_bolt.exceptions import BadRequest, Forbidden, Unauthorized
from django_bolt.middleware import Middleware
from django_bolt.param_functions import Body, File, Header, Query
from django_bolt.responses import HTML, PlainText, StreamingResponse
from msgspec import Meta

try:
    from django_bolt import UploadFile  # django-bolt 0.13: a file parameter is an UploadFile
except ImportError:  # django-bolt 0.3, the newest for Python 3.11: a dict holding the file's bytes
    UploadFile = dict

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


# The middleware scenario (SPEC.md): Bolt's class-based middleware, the form its documentation
# shows for middleware on every route (Middleware, Custom middleware: a `Middleware` subclass whose
# `process_request` awaits `self.get_response`, the classes passed to `BoltAPI(middleware=[...])`).


class BlockMiddleware(Middleware):
    async def process_request(self, request):
        if request.headers.get("x-block") == "1":
            raise Forbidden(detail="Forbidden")
        return await self.get_response(request)


class RequestIdMiddleware(Middleware):
    async def process_request(self, request):
        response = await self.get_response(request)
        response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
        return response


class ServerTimingMiddleware(Middleware):
    async def process_request(self, request):
        start = time.perf_counter()
        response = await self.get_response(request)
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
        return response


# The first one runs first: block, then request id, then timing. Without BENCH_MIDDLEWARE=1, none.
api = BoltAPI(
    middleware=[BlockMiddleware, RequestIdMiddleware, ServerTimingMiddleware]
    if os.environ.get("BENCH_MIDDLEWARE") == "1"
    else None
)
urlpatterns: list = []  # Django needs a URL configuration; Bolt routes outside it

for index in range(5):

    @api.get(f"/route-{index}")
    async def extra_route() -> PlainText:
        return PlainText("route")

    @api.get(f"/route-dyn-{index}/{{part}}")
    async def extra_dynamic_route(part: str) -> PlainText:
        return PlainText("route")


@api.get("/html")
async def html() -> HTML:
    return HTML("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@api.put("/api/users/{user}/records/{record}")
async def api_record(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Body()],
    query: str | None = None,  # declared, so that Bolt parses the query string for request["query"]
    authorization: Annotated[str | None, Header()] = None,
) -> dict:
    if authorization is None:
        raise Unauthorized(detail="Unauthorized")
    return {"params": {"user": user, "record": record}, "query": dict(request["query"]), "data": data}


@api.post("/upload")
async def upload(file: Annotated[UploadFile | None, File()] = None) -> PlainText:
    if file is None:
        raise BadRequest(detail="No file field")
    content = file["content"] if isinstance(file, dict) else await file.read()
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(content)
    return PlainText(path)


# Built once at start-up as plain dicts; Bolt serializes them with msgspec on every request
# (a bare `list` return type is not validated on the way out).
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


@api.get("/items")
async def items(count: Annotated[int, Query(ge=1, le=100)]) -> list:
    return ITEMS[:count]


class Customer(msgspec.Struct):
    id: Annotated[int, Meta(ge=1)]
    name: Annotated[str, Meta(min_length=1, max_length=100)]
    email: Annotated[str, Meta(min_length=3, max_length=254)]


class OrderItem(msgspec.Struct):
    sku: Annotated[str, Meta(min_length=1, max_length=32)]
    quantity: Annotated[int, Meta(ge=1, le=1000)]
    unit_price: Annotated[float, Meta(ge=0)]


class Order(msgspec.Struct):
    customer: Customer
    items: Annotated[list[OrderItem], Meta(min_length=1, max_length=100)]
    currency: Literal["EUR", "USD", "GBP"]
    note: Annotated[str, Meta(max_length=500)] | None = None


class OrderAnswer(msgspec.Struct):
    customer: int
    items: int
    total: float
    currency: str


# Bolt decodes and validates the body as `Order` with msgspec (a body that breaks it gets 422);
# the return type is the answer's struct.
@api.post("/orders")
async def orders(order: Order) -> OrderAnswer:
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return OrderAnswer(customer=order.customer.id, items=len(order.items), total=total, currency=order.currency)


async def event_stream(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


# Bolt's streaming response with the SSE media type, as its documentation streams SSE. 0.13's
# EventSourceResponse writes an event's fields in the order event, data, id
# (django_bolt/responses.py, format_sse_event), not the `id`, `event`, `data` of SPEC.md.
@api.get("/events")
async def events(count: Annotated[int, Query(ge=1, le=100)]) -> StreamingResponse:
    return StreamingResponse(event_stream(count), media_type="text/event-stream")


def add_resource(k: int) -> None:
    """The four routes of resource r<k> (SPEC.md, routing)."""

    @api.get(f"/r{k}/items")
    async def list_items() -> PlainText:
        return PlainText(f"r{k} list")

    @api.get(f"/r{k}/items/{{item_id}}")
    async def get_item(item_id: int) -> PlainText:
        return PlainText(f"r{k} get {item_id}")

    @api.delete(f"/r{k}/items/{{item_id}}")
    async def delete_item(item_id: int) -> PlainText:
        return PlainText(f"r{k} delete {item_id}")

    @api.get(f"/r{k}/items/{{item_id}}/children/{{child}}")
    async def get_child(item_id: int, child: str) -> PlainText:
        return PlainText(f"r{k} child {item_id} {child}")


# Registered last, after every other route.
for k in range(50):
    add_resource(k)
