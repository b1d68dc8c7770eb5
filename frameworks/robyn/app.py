"""The benchmark contract (SPEC.md) as a Robyn app, served by Robyn's own Rust server.

Run as `python -m app --host H --port P --processes 1 --workers 1 --log-level WARNING`: Robyn
reads its own options from the command line, and with one process it serves in this very
process (no fork). Robyn's server runs its Python handlers on uvloop by itself; JSON is
Robyn's own (its Rust parser reads the body, orjson writes the answer). Robyn validates a
body annotated with a pydantic model itself (its optional pydantic integration).
"""

import argparse
import os
import tempfile
import time
import uuid
from contextvars import ContextVar
from typing import Literal

from pydantic import BaseModel, Field
from robyn import Request, Response, Robyn, SSEResponse, jsonify

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = Robyn(__file__)


def text(body: str, status: int = 200) -> Response:
    return Response(status_code=status, headers={"Content-Type": "text/plain; charset=utf-8"}, description=body)


async def extra_route(request: Request) -> Response:
    return text("route")


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.get(f"/route-{index}")(extra_route)
for index in range(5):
    app.get(f"/route-dyn-{index}/:part")(extra_route)


@app.get("/html")
async def html(request: Request) -> Response:
    headers = {"Content-Type": "text/html; charset=utf-8", "x-time": str(time.time())}
    return Response(status_code=200, headers=headers, description="<b>HTML OK</b>")


@app.put("/api/users/:user/records/:record")
async def api(request: Request) -> Response:
    user, record = request.path_params["user"], request.path_params["record"]
    if not (user.isdigit() and record.isdigit()):  # Robyn's router has no typed parameters
        return text("Not Found", 404)
    if request.headers.get("authorization") is None:
        return text("Unauthorized", 401)
    try:
        data = request.json()
    except ValueError:  # Robyn's parser raises ValueError for a body that is not JSON
        return text("Invalid JSON body", 400)
    query = {name: request.query_params.get(name, None) for name in request.query_params.to_dict()}
    body = {"params": {"user": int(user), "record": int(record)}, "query": query, "data": data}
    return Response(status_code=200, headers={"Content-Type": "application/json"}, description=jsonify(body))


@app.post("/upload")
async def upload(request: Request) -> Response:
    # Robyn keys the files of a form by their file names: the form field's name is not kept
    # (src/types/request.rs, handle_multipart), so the app takes the form's one file.
    if len(request.files) != 1:
        return text("Expected one file", 400)
    (content,) = request.files.values()
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(content)
    return text(path)


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
BAD_COUNT = "count must be an integer from 1 to 100"


# `count: int` is one of Robyn's easy-access parameters: missing or not an integer, Robyn
# answers 400 before the handler runs; the range is checked here.
@app.get("/items")
async def items(count: int):
    if not 1 <= count <= 100:
        return text(BAD_COUNT, 400)
    return ITEMS[:count]  # a list: Robyn serializes it as JSON (orjson) itself


# validate: the order's schema as pydantic models, which Robyn validates the body against.
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


class OrderSummary(BaseModel):
    customer: int
    items: int
    total: float
    currency: str


# A body that breaks the schema (broken JSON too) gets Robyn's own 422 with the errors as JSON.
@app.post("/orders")
async def orders(order: Order) -> OrderSummary:
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return OrderSummary(customer=order.customer.id, items=len(order.items), total=total, currency=order.currency)


# stream: server-sent events, one event at a time from an async generator. Robyn's SSEMessage
# writes `event` before `id`, so the events are written here in the order SPEC.md gives.
async def events_source(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


@app.get("/events")
async def events(count: int):
    if not 1 <= count <= 100:
        return text(BAD_COUNT, 400)
    return SSEResponse(events_source(count))


# middleware: only with BENCH_MIDDLEWARE=1, Robyn's global before_request and after_request
# hooks (no endpoint: every route), as its middleware page shows them; the start time goes
# through a ContextVar, the form of its monitoring page (Robyn shares one context across a
# request's hooks and handler). Robyn's server runs after_request hooks on standard responses
# only, not on a streamed one (src/server.rs, index), so /events gets no x-request-id nor
# server-timing; the block hook runs before every route, /events too.
request_start: ContextVar[float] = ContextVar("request_start")

if os.environ.get("BENCH_MIDDLEWARE") == "1":

    @app.before_request()
    def block(request: Request):
        if request.headers.get("x-block") == "1":
            return Response(status_code=403, headers={"Content-Type": "text/plain"}, description="Forbidden")
        return request

    @app.before_request()
    def start_timer(request: Request):
        request_start.set(time.perf_counter())
        return request

    @app.after_request()
    def add_request_id(request: Request, response: Response):
        response.headers.set("x-request-id", request.headers.get("x-request-id") or uuid.uuid4().hex)
        return response

    @app.after_request()
    def add_server_timing(response: Response):
        start = request_start.get(None)
        if start is not None:  # None when the block hook answered before the timer started
            response.headers.set("server-timing", f"app;dur={(time.perf_counter() - start) * 1000:.3f}")
        return response


# routing: 200 more routes, 50 resources of four routes each, registered after all others.
# `id: int` makes Robyn answer 400 for a path whose id is not an integer.
def add_resource_routes(resource: int) -> None:
    async def list_items():
        return f"r{resource} list"

    async def get_item(id: int):
        return f"r{resource} get {id}"

    async def delete_item(id: int):
        return f"r{resource} delete {id}"

    async def get_child(id: int, child: str):
        return f"r{resource} child {id} {child}"

    base = f"/r{resource}/items"
    app.get(base)(list_items)
    app.get(f"{base}/:id")(get_item)
    app.delete(f"{base}/:id")(delete_item)
    app.get(f"{base}/:id/children/:child")(get_child)


for resource in range(50):
    add_resource_routes(resource)


if __name__ == "__main__":
    # Robyn takes --processes, --workers and --log-level itself; the address comes from here.
    parser = argparse.ArgumentParser(description="Serve the Robyn benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args, _ = parser.parse_known_args()
    app.start(host=args.host, port=args.port, _check_port=False)
