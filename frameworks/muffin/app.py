"""The benchmark contract (SPEC.md) as a Muffin app, served by uvicorn.

Muffin has no validation of its own: the app validates the order with pydantic v2, as Muffin's
users most often do. Its middlewares are Muffin's internal middlewares (app.middleware).
"""

import os
import shutil
import tempfile
import time
import uuid
from typing import Literal

import muffin
from asgi_tools.errors import ASGIDecodeError
from muffin import ResponseError, ResponseHTML, ResponseJSON, ResponseSSE, ResponseText
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; ResponseJSON serializes them per request.
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


app = muffin.Application(DEBUG=False)


def add_extra_routes() -> None:
    for index in range(5):

        @app.route(f"/route-{index}", methods=["GET"])
        async def static_route(request):
            return ResponseText("route")

        @app.route(f"/route-dyn-{index}/{{part}}", methods=["GET"])
        async def dynamic_route(request):
            return ResponseText("route")


add_extra_routes()


@app.on_error(ASGIDecodeError)
async def bad_body(request, exc):
    # request.json() raises ASGIDecodeError on a broken or empty body: a 500 by default.
    return ResponseError.BAD_REQUEST("Invalid JSON body")


@app.route("/html", methods=["GET"])
async def html(request):
    return ResponseHTML("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@app.route("/api/users/{user:int}/records/{record:int}", methods=["PUT"])
async def api(request):
    if "authorization" not in request.headers:
        raise ResponseError.UNAUTHORIZED()
    data = await request.json()
    params = request.path_params  # already ints: the {name:int} converter
    return ResponseJSON(
        {
            "params": {"user": params["user"], "record": params["record"]},
            "query": dict(request.query.items()),
            "data": data,
        }
    )


@app.route("/upload", methods=["POST"])
async def upload(request):
    if request.content_type != "multipart/form-data":
        raise ResponseError.UNSUPPORTED_MEDIA_TYPE()
    try:
        # The form reader refuses more than 1 MiB by default; SPEC.md asks for 10 MiB uploads.
        form = await request.form(max_size=16 * 1024 * 1024)
    except ValueError as exc:  # the multipart parser raises ValueError on a malformed body
        raise ResponseError.BAD_REQUEST("Malformed multipart body") from exc
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise ResponseError.BAD_REQUEST("No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        shutil.copyfileobj(file, stored)
    return ResponseText(path)


def query_count(request) -> int:
    """SPEC.md, json and stream: the `count` query parameter, an integer from 1 to 100."""
    try:
        count = int(request.query["count"])
    except (KeyError, ValueError):
        raise ResponseError.BAD_REQUEST("count: an integer from 1 to 100") from None
    if not 1 <= count <= 100:
        raise ResponseError.BAD_REQUEST("count: an integer from 1 to 100")
    return count


@app.route("/items", methods=["GET"])
async def items(request):
    return ResponseJSON(ITEMS[: query_count(request)])


@app.route("/orders", methods=["POST"])
async def orders(request):
    # Muffin parses the JSON body, pydantic validates it; both errors get a JSON body here
    # (the app-wide ASGIDecodeError handler above answers with a bare message, no content type).
    try:
        order = Order.model_validate(await request.json())
    except ASGIDecodeError:
        return ResponseJSON({"detail": "Invalid JSON body"}, status_code=400)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return ResponseJSON({"detail": errors}, status_code=422)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return ResponseJSON(
        {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
    )


async def token_events(count: int):
    # ResponseSSE writes each dict as `key: value` lines, in order, and ends the event.
    for i in range(count):
        yield {
            "id": i,
            "event": "token",
            "data": f"token {i} of {count}: the quick brown fox jumps over the lazy dog, streamed one event at a time",
        }


@app.route("/events", methods=["GET"])
async def events(request):
    return ResponseSSE(token_events(query_count(request)))


# SPEC.md, middleware: Muffin's internal middlewares, `async def md(handler, request, receive,
# send)` registered with app.middleware (its documentation's form for the app's own ones; the
# other form wraps an external ASGI middleware). They wrap every route alike.
async def block_middleware(handler, request, receive, send):
    """x-block: 1 gets 403, and the route does not run."""
    if request.headers.get("x-block") == "1":
        return ResponseError.FORBIDDEN()
    return await handler(request, receive, send)


async def request_id_middleware(handler, request, receive, send):
    """The answer carries the request's x-request-id, or a new one."""
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    response = await handler(request, receive, send)
    response.headers["x-request-id"] = request_id
    return response


async def server_timing_middleware(handler, request, receive, send):
    """server-timing: app;dur=<ms>, measured around the route."""
    start = time.perf_counter()
    response = await handler(request, receive, send)
    response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
    return response


if os.environ.get("BENCH_MIDDLEWARE") == "1":
    app.middleware(block_middleware)
    app.middleware(request_id_middleware)
    app.middleware(server_timing_middleware)


def add_resource_routes(name: str) -> None:
    """SPEC.md, routing: the four routes of one resource."""

    @app.route(f"/{name}/items", methods=["GET"])
    async def list_items(request):
        return ResponseText(f"{name} list")

    @app.route(f"/{name}/items/{{id:int}}", methods=["GET"])
    async def get_item(request):
        return ResponseText(f"{name} get {request.path_params['id']}")

    @app.route(f"/{name}/items/{{id:int}}", methods=["DELETE"])
    async def delete_item(request):
        return ResponseText(f"{name} delete {request.path_params['id']}")

    @app.route(f"/{name}/items/{{id:int}}/children/{{child}}", methods=["GET"])
    async def get_child(request):
        params = request.path_params
        return ResponseText(f"{name} child {params['id']} {params['child']}")


for index in range(50):
    add_resource_routes(f"r{index}")
