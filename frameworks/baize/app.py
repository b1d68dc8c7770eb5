"""The benchmark contract (SPEC.md) as a Baize app: a Router of request_response views.

Baize is a toolkit: its Router matches paths only and leaves HTTP exceptions to the app, so
two view decorators (baize's `decorator`) restrict the method and turn the HTTPException that
baize raises for malformed input into its response. Baize has no validation of its own: the
app validates the order with pydantic v2. Its three middlewares are view decorators too (see
`endpoint`): baize's other form, `middleware`, hangs as soon as they are nested.
"""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal

from baize.asgi import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Request,
    Response,
    Router,
    SendEventResponse,
    decorator,
    request_response,
)
from baize.datastructures import UploadFile
from baize.exceptions import HTTPException, abort
from baize.typing import ASGIApp, ServerSentEvent
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; JSONResponse serializes them per request.
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

View = Callable[[Request], Awaitable[Response]]


class Customer(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    # JSON has no Infinity or NaN (Python's json module reads them, JSONResponse refuses to write them).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


@decorator
async def http_errors(request: Request, next_call: View) -> Response:
    try:
        return await next_call(request)
    except HTTPException as exc:
        detail = exc.content if exc.content is not None else exc.args[1]
        return PlainTextResponse(str(detail), exc.status_code, exc.headers)


def only(method: str) -> Callable[[View], View]:
    @decorator
    async def check_method(request: Request, next_call: View) -> Response:
        if request.method != method:
            return PlainTextResponse("Method Not Allowed", 405, {"Allow": method})
        return await next_call(request)

    return check_method


def by_method(**views: View) -> View:
    """One path with a view per method (the Router matches paths only)."""

    async def dispatch(request: Request) -> Response:
        view = views.get(request.method)
        if view is None:
            return PlainTextResponse("Method Not Allowed", 405, {"Allow": ", ".join(views)})
        return await view(request)

    return dispatch


# SPEC.md, middleware: baize documents two forms, `decorator` for views and `middleware` for
# an ASGI app. `middleware` cannot be used here: its NextResponse.from_app runs the wrapped app
# to its end while the body waits in a PipeStream of one chunk (baize/asgi/middleware.py, lines
# 20 and 82), so a second body message never gets through: a streamed answer hangs, and two
# nested middlewares hang on every answer. So the three are `decorator`s, put around every view.
@decorator
async def block(request: Request, next_call: View) -> Response:
    """x-block: 1 gets 403, and the route does not run."""
    if request.headers.get("x-block") == "1":
        return PlainTextResponse("Forbidden", 403)
    return await next_call(request)


@decorator
async def request_id(request: Request, next_call: View) -> Response:
    """The answer carries the request's x-request-id, or a new one."""
    value = request.headers.get("x-request-id") or uuid.uuid4().hex
    response = await next_call(request)
    response.headers["x-request-id"] = value
    return response


@decorator
async def server_timing(request: Request, next_call: View) -> Response:
    """server-timing: app;dur=<ms>, measured around the view."""
    start = time.perf_counter()
    response = await next_call(request)
    response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
    return response


MIDDLEWARE = [block, request_id, server_timing] if os.environ.get("BENCH_MIDDLEWARE") == "1" else []


def endpoint(view: View) -> ASGIApp:
    """The view as an ASGI app (request_response), inside the middlewares, the first outermost."""
    for wrap in reversed(MIDDLEWARE):
        view = wrap(view)
    return request_response(view)


@endpoint
@only("GET")
async def extra_route(request: Request) -> Response:
    return PlainTextResponse("route")


@endpoint
@only("GET")
async def html(request: Request) -> Response:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@endpoint
@http_errors
@only("PUT")
async def api(request: Request) -> Response:
    if "authorization" not in request.headers:
        abort(401)
    data = await request.json  # raises MalformedJSON (400) or UnsupportedMediaType (415)
    return JSONResponse(
        {
            "params": {"user": request.path_params["user"], "record": request.path_params["record"]},
            "query": dict(request.query_params),
            "data": data,
        }
    )


@endpoint
@http_errors
@only("POST")
async def upload(request: Request) -> Response:
    form = await request.form  # raises MalformedMultipart (400) or UnsupportedMediaType (415)
    try:
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            abort(400, content="No file field")
        # Plain blocking I/O, as SPEC.md asks of every app (asave would hop to a thread).
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(upload_file.read())
    finally:
        await request.close()
    return PlainTextResponse(path)


def query_count(request: Request) -> int:
    """The `count` query parameter, an integer from 1 to 100 (SPEC.md: json, stream)."""
    try:
        count = int(request.query_params["count"])
    except (KeyError, ValueError):
        abort(400, content="count: an integer from 1 to 100")
    if not 1 <= count <= 100:
        abort(400, content="count: an integer from 1 to 100")
    return count


@endpoint
@http_errors
@only("GET")
async def items(request: Request) -> Response:
    return JSONResponse(ITEMS[: query_count(request)])


@endpoint
@only("POST")
async def orders(request: Request) -> Response:
    # Baize parses the JSON body, pydantic validates it.
    try:
        data = await request.json
    except HTTPException as exc:  # MalformedJSON (400) or UnsupportedMediaType (415)
        detail = exc.content if exc.content is not None else exc.args[1]
        return JSONResponse({"detail": str(detail)}, exc.status_code, exc.headers)
    except ValueError:  # a body that is not UTF-8
        return JSONResponse({"detail": "Invalid JSON body"}, 400)
    try:
        order = Order.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        return JSONResponse({"detail": errors}, 422)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return JSONResponse(
        {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
    )


async def event_stream(count: int) -> AsyncIterator[ServerSentEvent]:
    for i in range(count):
        data = f"token {i} of {count}: the quick brown fox jumps over the lazy dog, streamed one event at a time"
        yield {"id": str(i), "event": "token", "data": data}


@endpoint
@http_errors
@only("GET")
async def events(request: Request) -> Response:
    return SendEventResponse(event_stream(query_count(request)))


def resource_routes(name: str) -> list[tuple[str, ASGIApp]]:
    """SPEC.md, routing: the four routes of one resource, on three paths."""

    async def list_items(request: Request) -> Response:
        return PlainTextResponse(f"{name} list")

    async def get_item(request: Request) -> Response:
        return PlainTextResponse(f"{name} get {request.path_params['id']}")

    async def delete_item(request: Request) -> Response:
        return PlainTextResponse(f"{name} delete {request.path_params['id']}")

    async def get_child(request: Request) -> Response:
        return PlainTextResponse(f"{name} child {request.path_params['id']} {request.path_params['child']}")

    return [
        (f"/{name}/items", endpoint(only("GET")(list_items))),
        (f"/{name}/items/{{id:int}}", endpoint(by_method(GET=get_item, DELETE=delete_item))),
        (f"/{name}/items/{{id:int}}/children/{{child}}", endpoint(only("GET")(get_child))),
    ]


app = Router(
    *[(f"/route-{index}", extra_route) for index in range(5)],
    *[(f"/route-dyn-{index}/{{part}}", extra_route) for index in range(5)],
    ("/html", html),
    ("/api/users/{user:int}/records/{record:int}", api),
    ("/upload", upload),
    ("/items", items),
    ("/orders", orders),
    ("/events", events),
    *[route for index in range(50) for route in resource_routes(f"r{index}")],
)
