"""The benchmark contract (SPEC.md) as a BlackSheep app, served by uvicorn.

BlackSheep has no validation of its own: its FromJSON binder validates the order with a
pydantic v2 model (the framework calls pydantic). Its middlewares are plain async functions.
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterable
from functools import partial
from typing import Literal

from blacksheep import (
    Application,
    FromFile,
    FromJSON,
    HTTPException,
    Request,
    bad_request,
    forbidden,
    html,
    json,
    text,
    unauthorized,
)
from blacksheep.server.sse import ServerSentEventsResponse, TextServerSentEvent
from pydantic import BaseModel, Field, ValidationError

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
    # JSON has no Infinity or NaN (Python's json module, BlackSheep's default, reads them).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


class OrderSummary(BaseModel):
    customer: int
    items: int
    total: float
    currency: str


app = Application(show_error_details=False)
get = app.router.get
put = app.router.put
post = app.router.post
delete = app.router.delete


def add_extra_routes() -> None:
    for index in range(5):

        async def static_route():
            return text("route")

        async def dynamic_route(part: str):
            return text("route")

        get(f"/route-{index}")(static_route)
        get(f"/route-dyn-{index}/{{part}}")(dynamic_route)


add_extra_routes()


@get("/html")
async def html_page():
    response = html("<b>HTML OK</b>")
    response.add_header(b"x-time", str(time.time()).encode())
    return response


@put("/api/users/{int:user}/records/{int:record}")
async def api(request: Request, user: int, record: int):
    if not request.has_header(b"authorization"):
        return unauthorized("Missing authorization header")
    data = await request.json()  # broken JSON raises BadRequestFormat: a 400
    if data is None:  # no body, or not declared as JSON
        return bad_request("Expected a JSON body")
    query = {name: values[-1] for name, values in request.query.items()}
    return json({"params": {"user": user, "record": record}, "query": query, "data": data})


@post("/upload")
async def upload(file: FromFile):
    # FromFile reads the multipart part named like the parameter; a body without
    # it (or not multipart at all) raises MissingParameterError: a 400.
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        async for chunk in file.value.stream():
            stored.write(chunk)
    return text(path)


@app.exception_handler(400)
async def bad_request_as_json(app: Application, request: Request, exc: HTTPException):
    """A 400 carries a JSON body: pydantic's errors for a body that breaks the schema, else the reason.

    For every route. BlackSheep's default handler answers pydantic's errors as JSON but any other
    400 (broken JSON, an empty body) as plain text: the documented exceptions_handlers replace it.
    """
    error = exc.__context__
    if isinstance(error, ValidationError):
        return json({"detail": error.errors(include_url=False, include_context=False)}, status=400)
    return json({"detail": str(exc)}, status=400)


def count_is_invalid(count: int) -> bool:
    """SPEC.md, json and stream: count is an integer from 1 to 100 (BlackSheep's binder refuses a non-integer)."""
    return not 1 <= count <= 100


@get("/items")
async def items(count: int):
    if count_is_invalid(count):
        return bad_request("count: an integer from 1 to 100")
    return json(ITEMS[:count])


@post("/orders")
async def orders(order: FromJSON[Order]) -> OrderSummary:
    # The binder validates the body with Order.model_validate: a body that breaks the schema
    # raises pydantic's ValidationError there, answered with 400 (bad_request_as_json).
    value = order.value
    total = round(sum(item.quantity * item.unit_price for item in value.items), 2)
    return OrderSummary(customer=value.customer.id, items=len(value.items), total=total, currency=value.currency)


async def token_events(count: int) -> AsyncIterable[TextServerSentEvent]:
    # TextServerSentEvent sends its data as it is (ServerSentEvent would send it as JSON).
    for i in range(count):
        yield TextServerSentEvent(
            f"token {i} of {count}: the quick brown fox jumps over the lazy dog, streamed one event at a time",
            event="token",
            id=str(i),
        )


@get("/events")
async def events(count: int):
    # The documented form that keeps the Response: count is checked before the stream starts.
    if count_is_invalid(count):
        return bad_request("count: an integer from 1 to 100")
    return ServerSentEventsResponse(partial(token_events, count))


# SPEC.md, middleware: BlackSheep's middlewares, plain async functions appended to
# app.middlewares (the first form its middleware page shows).
async def block_middleware(request: Request, handler):
    """x-block: 1 gets 403, and the route does not run."""
    if request.get_first_header(b"x-block") == b"1":
        return forbidden("Blocked")
    return await handler(request)


async def request_id_middleware(request: Request, handler):
    """The answer carries the request's x-request-id, or a new one."""
    request_id = request.get_first_header(b"x-request-id") or uuid.uuid4().hex.encode()
    response = await handler(request)
    response.add_header(b"x-request-id", request_id)
    return response


async def server_timing_middleware(request: Request, handler):
    """server-timing: app;dur=<ms>, measured around the route."""
    start = time.perf_counter()
    response = await handler(request)
    duration = (time.perf_counter() - start) * 1000
    response.add_header(b"server-timing", f"app;dur={duration:.3f}".encode())
    return response


if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app.middlewares.append(block_middleware)
    app.middlewares.append(request_id_middleware)
    app.middlewares.append(server_timing_middleware)


def add_resource_routes(name: str) -> None:
    """SPEC.md, routing: the four routes of one resource."""

    async def list_items():
        return text(f"{name} list")

    async def get_item(id: int):
        return text(f"{name} get {id}")

    async def delete_item(id: int):
        return text(f"{name} delete {id}")

    async def get_child(id: int, child: str):
        return text(f"{name} child {id} {child}")

    get(f"/{name}/items")(list_items)
    get(f"/{name}/items/{{int:id}}")(get_item)
    delete(f"/{name}/items/{{int:id}}")(delete_item)
    get(f"/{name}/items/{{int:id}}/children/{{child}}")(get_child)


for index in range(50):
    add_resource_routes(f"r{index}")
