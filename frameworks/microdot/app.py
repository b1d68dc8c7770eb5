"""The benchmark contract (SPEC.md) as a Microdot app, served by Microdot's own asyncio server on uvloop.

Run as `python -m app --host H --port P`. Microdot is made for MicroPython first: its own
server is its primary way to run, and ASGI an optional adapter, so it runs on its own server
(SPEC.md). JSON: Microdot imports orjson in place of the standard library's json when it is
installed (microdot/microdot.py), and it is, as in every venv here. Microdot has no
validation of its own: the app validates the order with pydantic v2 itself.
"""

import argparse
import os
import tempfile
import time
import uuid
from typing import Literal

import uvloop
from microdot import Microdot, Request, abort
from microdot.multipart import FileUpload, with_form_data
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# Microdot refuses bodies over 16 KiB by default; SPEC.md asks for 10 MiB uploads.
Request.max_content_length = 16 * 1024 * 1024

app = Microdot()


async def extra_route(request: Request, part: str | None = None) -> str:
    return "route"


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.get(f"/route-{index}")(extra_route)
for index in range(5):
    app.get(f"/route-dyn-{index}/<part>")(extra_route)


@app.get("/html")
async def html(request: Request) -> tuple:
    return "<b>HTML OK</b>", 200, {"Content-Type": "text/html; charset=UTF-8", "x-time": str(time.time())}


@app.put("/api/users/<int:user>/records/<int:record>")
async def api(request: Request, user: int, record: int) -> dict:
    if "Authorization" not in request.headers:
        abort(401)
    if not request.body:
        abort(400, "No JSON body")
    try:
        data = request.json  # parsed by orjson, for an application/json body
    except ValueError:  # orjson.JSONDecodeError, or a body that is not UTF-8
        abort(400, "Invalid JSON body")
    query = {name: request.args[name] for name in request.args}
    return {"params": {"user": user, "record": record}, "query": query, "data": data}


@app.post("/upload")
@with_form_data
async def upload(request: Request) -> str:
    field = (request.files or {}).get("file")
    if not isinstance(field, FileUpload):
        abort(400, "No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await field.read())
    return path


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


def count_arg(request: Request) -> int:
    """The `count` query parameter, 1 to 100; anything else is a 400."""
    try:
        count = int(request.args["count"])
    except (KeyError, ValueError):
        count = 0
    if not 1 <= count <= 100:
        abort(400, "count must be an integer from 1 to 100")
    return count


@app.get("/items")
async def items(request: Request) -> list:
    return ITEMS[: count_arg(request)]  # a list: Microdot's Response writes it as JSON


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
async def orders(request: Request) -> tuple | dict:
    try:
        # One pass over the raw body: broken JSON is a ValidationError like any other.
        order = Order.model_validate_json(request.body)
    except ValidationError as error:
        # The input is left out: for a body that is not JSON it is the raw bytes, not JSON-serializable.
        return {"detail": error.errors(include_url=False, include_input=False)}, 422
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}


# stream: server-sent events, one event at a time from an async generator (Microdot's
# streaming response). Microdot's SSE extension sends events that a task queues, with `event`
# before `id` (microdot/sse.py), so the events are written here in the order SPEC.md gives.
async def events_source(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


@app.get("/events")
async def events(request: Request) -> tuple:
    return events_source(count_arg(request)), {"Content-Type": "text/event-stream"}


# middleware: only with BENCH_MIDDLEWARE=1, Microdot's application-wide before- and
# after-request handlers, with the start time in `request.g`, as its guide shows them
# (Defining Routes, Before and After Request Handlers). Microdot calls after-request handlers
# for successful requests only, so the two that add headers are after-error-request handlers
# too, for the answers to an abort().
if os.environ.get("BENCH_MIDDLEWARE") == "1":

    @app.before_request
    async def start_timer(request: Request) -> None:
        request.g.start_time = time.perf_counter()

    @app.before_request
    async def block(request: Request) -> tuple | None:
        if request.headers.get("x-block") == "1":
            return "Forbidden", 403
        return None

    @app.after_request
    @app.after_error_request
    async def add_request_id(request: Request | None, response):
        if request is not None:  # None: the request could not be parsed
            response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
        return response

    @app.after_request
    @app.after_error_request
    async def add_server_timing(request: Request | None, response):
        start = getattr(request.g, "start_time", None) if request is not None else None
        if start is not None:  # None when no route was found, so no before-request handler ran
            response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
        return response


# routing: 200 more routes, 50 resources of four routes each, registered after all others.
def add_resource_routes(resource: int) -> None:
    async def list_items(request: Request) -> str:
        return f"r{resource} list"

    async def get_item(request: Request, id: int) -> str:
        return f"r{resource} get {id}"

    async def delete_item(request: Request, id: int) -> str:
        return f"r{resource} delete {id}"

    async def get_child(request: Request, id: int, child: str) -> str:
        return f"r{resource} child {id} {child}"

    base = f"/r{resource}/items"
    app.get(base)(list_items)
    app.get(f"{base}/<int:id>")(get_item)
    app.delete(f"{base}/<int:id>")(delete_item)
    app.get(f"{base}/<int:id>/children/<child>")(get_child)


for resource in range(50):
    add_resource_routes(resource)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the Microdot benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvloop.run(app.start_server(host=args.host, port=args.port, debug=False))
