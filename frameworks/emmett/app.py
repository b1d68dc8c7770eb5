"""The benchmark contract (SPEC.md) as an Emmett app, served by uvicorn through its ASGI interface.

Emmett's forms validate flat fields only: the app validates the nested order with pydantic v2.
Its middlewares are pipes of the application pipeline.
"""

import os
import tempfile
import time
import uuid
from contextvars import ContextVar
from typing import Literal

from emmett import App, Pipe, abort, request, response
from emmett.parsers import Parsers
from emmett.tools import service
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; service.json serializes them per request.
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
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


# SPEC.md, middleware: pipes, Emmett's middleware, each with the `pipe` method its pipeline
# page shows. A route takes the application pipeline when it is declared, so it is set here,
# before the first route.
# The request's start, from the timing pipe's `pipe` to its `on_stream` (one context per request).
request_start: ContextVar[float] = ContextVar("request_start")


class BlockPipe(Pipe):
    """x-block: 1 gets 403, and the route does not run."""

    async def pipe(self, next_pipe, **kwargs):
        if request.headers.get("x-block") == "1":
            abort(403)
        return await next_pipe(**kwargs)


class RequestIdPipe(Pipe):
    """The answer carries the request's x-request-id, or a new one."""

    async def pipe(self, next_pipe, **kwargs):
        response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
        return await next_pipe(**kwargs)


class ServerTimingPipe(Pipe):
    """server-timing: app;dur=<ms>, measured around the route.

    A streamed answer sends its headers while the route still runs: Emmett calls its pipes'
    `on_stream` just before (emmett_core/protocols/asgi/helpers.py, ResponseStream), as its own
    session pipe uses it, so the time runs from the call to the start of the answer there.
    """

    async def pipe(self, next_pipe, **kwargs):
        request_start.set(time.perf_counter())
        result = await next_pipe(**kwargs)
        self.set_header()
        return result

    def on_stream(self):
        self.set_header()

    def set_header(self):
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - request_start.get()) * 1000:.3f}"


app = App(__name__)
app.config.debug = False
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app.pipeline = [BlockPipe(), RequestIdPipe(), ServerTimingPipe()]

# Emmett's own JSON decoder (orjson when installed, as here).
json_loads = Parsers.get_for("json")


def add_extra_routes() -> None:
    for index in range(5):

        @app.route(f"/route-{index}", name=f"route_{index}", methods="get", output="str")
        async def static_route():
            return "route"

        @app.route(f"/route-dyn-{index}/<str:part>", name=f"route_dyn_{index}", methods="get", output="str")
        async def dynamic_route(part):
            return "route"


add_extra_routes()


@app.route("/html", methods="get", output="str")
async def html():
    response.content_type = "text/html; charset=utf-8"
    response.headers["x-time"] = str(time.time())
    return "<b>HTML OK</b>"


@app.route("/api/users/<int:user>/records/<int:record>", methods="put")
@service.json
async def api(user, record):
    if "authorization" not in request.headers:
        abort(401)
    # request.body_params would turn broken JSON into {} and cannot hold a JSON array,
    # so the raw body is decoded with Emmett's JSON parser.
    try:
        data = json_loads(await request.body)
    except ValueError:
        abort(400, "Invalid JSON body")
    # query_params holds a list for a repeated key: keep one string, the last.
    query = {key: value if isinstance(value, str) else value[-1] for key, value in request.query_params.items()}
    return {"params": {"user": user, "record": record}, "query": query, "data": data}


@app.route("/upload", methods="post", output="str")
async def upload():
    # A malformed multipart body makes Emmett answer 400 itself.
    file = (await request.files).file
    if file is None:
        abort(400, "No file field")
    if isinstance(file, list):  # several parts named 'file': keep the first
        file = file[0]
    # Plain blocking I/O, as SPEC.md asks of every app (FileStorage.save would hop to a thread).
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        for chunk in file:  # the part as Emmett spooled it (under $TMPDIR), read in chunks
            stored.write(chunk)
    return path


def query_count() -> int:
    """SPEC.md, json and stream: the `count` query parameter, an integer from 1 to 100."""
    try:
        count = int(request.query_params.count)  # None when missing, a list when repeated: TypeError
    except (TypeError, ValueError):
        abort(400, "count: an integer from 1 to 100")
    if not 1 <= count <= 100:
        abort(400, "count: an integer from 1 to 100")
    return count


@app.route("/items", methods="get")
@service.json
async def items():
    return ITEMS[: query_count()]


@app.route("/orders", methods="post")
@service.json
async def orders():
    # Decoded as the api route does (body_params would turn broken JSON into {}), then
    # validated by pydantic; both errors answer with a JSON body.
    try:
        data = json_loads(await request.body)
    except ValueError:
        response.status = 400
        return {"detail": "Invalid JSON body"}
    try:
        order = Order.model_validate(data)
    except ValidationError as exc:
        response.status = 422
        return {"detail": exc.errors(include_url=False, include_context=False, include_input=False)}
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}


async def token_events(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


# output="http": response.stream sends the answer itself and returns a no-op response, which
# the default "auto" output would turn into text and send again (on ASGI its noop_response is
# no HTTPResponse: emmett_core/protocols/asgi/helpers.py).
@app.route("/events", methods="get", output="http")
async def events():
    # response.stream, not the sse decorator: Emmett's ServerSentEvent ends its lines with \r\n
    # (emmett_core/http/wrappers/response.py, ServerSentEvent.encode) where SPEC.md has \n, and
    # a route written as the generator itself could not refuse a bad count with a 400.
    count = query_count()
    response.content_type = "text/event-stream"
    return await response.stream(token_events(count))


def add_resource_routes(name: str) -> None:
    """SPEC.md, routing: the four routes of one resource."""

    @app.route(f"/{name}/items", name=f"{name}_list", methods="get", output="str")
    async def list_items():
        return f"{name} list"

    @app.route(f"/{name}/items/<int:id>", name=f"{name}_get", methods="get", output="str")
    async def get_item(id):
        return f"{name} get {id}"

    @app.route(f"/{name}/items/<int:id>", name=f"{name}_delete", methods="delete", output="str")
    async def delete_item(id):
        return f"{name} delete {id}"

    @app.route(f"/{name}/items/<int:id>/children/<str:child>", name=f"{name}_child", methods="get", output="str")
    async def get_child(id, child):
        return f"{name} child {id} {child}"


for index in range(50):
    add_resource_routes(f"r{index}")
