"""The benchmark contract (SPEC.md) as a Quart app, served by uvicorn as `app:app`.

Quart has no validation of its own: the app validates the order with pydantic v2 itself.
"""

import os
import tempfile
import time
import uuid
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from quart import Quart, abort, jsonify, make_response, request

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = Quart(__name__)


# The ten extra routes, registered before the benchmark routes.
def make_static_route(index):
    async def static_route():
        return "route", {"content-type": "text/plain"}

    app.add_url_rule(f"/route-{index}", f"route_{index}", static_route, methods=["GET"])


def make_dynamic_route(index):
    async def dynamic_route(part):
        return "route", {"content-type": "text/plain"}

    app.add_url_rule(f"/route-dyn-{index}/<part>", f"route_dyn_{index}", dynamic_route, methods=["GET"])


for index in range(5):
    make_static_route(index)
for index in range(5):
    make_dynamic_route(index)


@app.get("/html")
async def html():
    return "<b>HTML OK</b>", {"x-time": str(time.time())}


@app.put("/api/users/<int:user>/records/<int:record>")
async def api(user, record):
    if "authorization" not in request.headers:
        abort(401)
    data = await request.get_json()  # broken or empty JSON raises BadRequest: 400
    return jsonify(params={"user": user, "record": record}, query=request.args.to_dict(), data=data)


@app.post("/upload")
async def upload():
    # Werkzeug's form parser is silent on a malformed body: it yields no files, so 400 below.
    file = (await request.files).get("file")
    if file is None:
        abort(400, "No file field")
    # Plain blocking I/O, as SPEC.md asks of every app; not Quart's FileStorage.save, which writes
    # through aiofiles, a thread hop of the app's choosing (SPEC.md, upload).
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(file.read())
    return path, {"content-type": "text/plain; charset=utf-8"}


# json: the 100 records, built once at start-up as plain dicts.
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


def count_arg():
    """The `count` query parameter, 1 to 100; anything else is a 400."""
    count = request.args.get("count", type=int)  # None when missing or not an integer
    if count is None or not 1 <= count <= 100:
        abort(400, "count must be an integer from 1 to 100")
    return count


@app.get("/items")
async def items():
    # Quart's documented form for a top-level JSON array (api tutorial).
    return jsonify(ITEMS[: count_arg()])


# validate: the order's schema as pydantic models.
class Customer(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    # JSON has no Infinity or NaN, which pydantic's float would take (as `Infinity` or 1e999).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


@app.post("/orders")
async def orders():
    try:
        # One pass over the raw body: broken JSON is a ValidationError like any other.
        order = Order.model_validate_json(await request.get_data())
    except ValidationError as error:
        # The input is left out: for a body that is not JSON it is the raw bytes, not JSON-serializable.
        return {"detail": error.errors(include_url=False, include_input=False)}, 422
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}


# stream: server-sent events, one event at a time from an async generator.
async def events_source(count):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        ).encode()


@app.get("/events")
async def events():
    # The form of Quart's Server Sent Events guide, without its Accept check (SPEC.md asks for
    # 200 whatever the client accepts); its helper class writes `data` first, so the events
    # are encoded here in the order SPEC.md gives.
    response = await make_response(
        events_source(count_arg()),
        {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "Transfer-Encoding": "chunked"},
    )
    response.timeout = None
    return response


# middleware: three ASGI middlewares, installed only with BENCH_MIDDLEWARE=1. Quart's
# Middleware guide shows them wrapping either the app or its `asgi_app` attribute, and
# recommends `asgi_app` (so that the test client gets them too): that form is used here.
def request_header(scope, name):
    for header, value in scope["headers"]:
        if header == name:  # the server gives header names in lower case
            return value
    return None


class BlockMiddleware:
    """`x-block: 1` gets 403 without reaching Quart."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or request_header(scope, b"x-block") != b"1":
            return await self.app(scope, receive, send)
        await send({"type": "http.response.start", "status": 403, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class RequestIdMiddleware:
    """The answer carries the request's `x-request-id`, or a new one."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = request_header(scope, b"x-request-id") or uuid.uuid4().hex.encode()

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


class TimingMiddleware:
    """The answer carries `server-timing: app;dur=<ms>`, the time until the route answered."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()

        async def send_with_timing(message):
            if message["type"] == "http.response.start":
                timing = f"app;dur={(time.perf_counter() - start) * 1000:.3f}".encode()
                message["headers"] = [*message["headers"], (b"server-timing", timing)]
            await send(message)

        await self.app(scope, receive, send_with_timing)


# The last one wrapped runs first: a blocked request's 403 carries its request id too, and
# the timing sits next to the app.
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app.asgi_app = TimingMiddleware(app.asgi_app)
    app.asgi_app = BlockMiddleware(app.asgi_app)
    app.asgi_app = RequestIdMiddleware(app.asgi_app)


# routing: 200 more routes, 50 resources of four routes each, registered after all others.
def make_resource_routes(resource):
    async def list_items():
        return f"r{resource} list", {"content-type": "text/plain"}

    async def get_item(id):
        return f"r{resource} get {id}", {"content-type": "text/plain"}

    async def delete_item(id):
        return f"r{resource} delete {id}", {"content-type": "text/plain"}

    async def get_child(id, child):
        return f"r{resource} child {id} {child}", {"content-type": "text/plain"}

    base = f"/r{resource}/items"
    app.add_url_rule(base, f"r{resource}_list", list_items, methods=["GET"])
    app.add_url_rule(f"{base}/<int:id>", f"r{resource}_get", get_item, methods=["GET"])
    app.add_url_rule(f"{base}/<int:id>", f"r{resource}_delete", delete_item, methods=["DELETE"])
    app.add_url_rule(f"{base}/<int:id>/children/<child>", f"r{resource}_child", get_child, methods=["GET"])


for resource in range(50):
    make_resource_routes(resource)
