"""The benchmark contract (SPEC.md) as a FastAPI app: typed path operations and a response model."""

import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import Body, FastAPI, Header, HTTPException, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = FastAPI(debug=False)


@app.exception_handler(RequestValidationError)
async def validation_exception_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Bad input (broken or missing JSON body, no `file` field) is a 400 in this contract, not FastAPI's 422;
    # the body stays FastAPI's own JSON list of errors (SPEC.md, validate: a JSON body).
    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=400)


for index in range(5):

    @app.get(f"/route-{index}", response_class=PlainTextResponse)
    async def extra_route() -> str:
        return "route"

    @app.get(f"/route-dyn-{index}/{{part}}", response_class=PlainTextResponse)
    async def extra_dynamic_route(part: str) -> str:
        return "route"


@app.get("/html", response_class=HTMLResponse)
async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


class Params(BaseModel):
    user: int
    record: int


class ApiAnswer(BaseModel):
    params: Params
    query: dict[str, str]
    data: Any


# The `:int` convertors make a non-integer path segment miss this route (404) rather than fail validation.
@app.put("/api/users/{user:int}/records/{record:int}")
async def api(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Body()],
    authorization: Annotated[str | None, Header()] = None,
) -> ApiAnswer:
    if authorization is None:
        raise HTTPException(status_code=401, detail="Unauthorized")
    return ApiAnswer(params=Params(user=user, record=record), query=dict(request.query_params), data=data)


@app.post("/upload", response_class=PlainTextResponse)
async def upload(file: UploadFile) -> str:
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await file.read())
    return path


if os.environ.get("BENCH_MIDDLEWARE") == "1":
    # SPEC.md, middleware: FastAPI documents custom middleware as `@app.middleware("http")` functions
    # (Tutorial, Middleware). The last one added runs first: block, then request id, then timing.

    @app.middleware("http")
    async def server_timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
        return response

    @app.middleware("http")
    async def request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
        return response

    @app.middleware("http")
    async def block(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.headers.get("x-block") == "1":
            return PlainTextResponse("Forbidden", status_code=403)
        return await call_next(request)


class Owner(BaseModel):
    id: int
    email: str


class Item(BaseModel):
    id: int
    name: str
    price: float
    active: bool
    tags: list[str]
    owner: Owner


# Built once at start-up; the return type makes FastAPI serialize them with Pydantic on every request.
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


@app.get("/items")
async def items(count: Annotated[int, Query(ge=1, le=100)]) -> list[Item]:
    return ITEMS[:count]


class Customer(BaseModel):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(BaseModel):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    unit_price: float = Field(ge=0)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


class OrderAnswer(BaseModel):
    customer: int
    items: int
    total: float
    currency: str


# FastAPI validates the body against `Order`; a body that breaks it gets the 400 above.
@app.post("/orders")
async def orders(order: Order) -> OrderAnswer:
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return OrderAnswer(customer=order.customer.id, items=len(order.items), total=total, currency=order.currency)


class EventStreamResponse(StreamingResponse):
    """A StreamingResponse with the SSE media type (FastAPI's docs subclass it to set one).

    FastAPI's own EventSourceResponse writes an event's fields in the order event, data, id
    (fastapi/sse.py, format_sse_event), not the `id`, `event`, `data` of SPEC.md.
    """

    media_type = "text/event-stream"


@app.get("/events", response_class=EventStreamResponse)
async def events(count: Annotated[int, Query(ge=1, le=100)]) -> AsyncIterable[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


def add_resource(k: int) -> None:
    """The four routes of resource r<k> (SPEC.md, routing)."""

    @app.get(f"/r{k}/items", response_class=PlainTextResponse)
    async def list_items() -> str:
        return f"r{k} list"

    @app.get(f"/r{k}/items/{{item_id}}", response_class=PlainTextResponse)
    async def get_item(item_id: int) -> str:
        return f"r{k} get {item_id}"

    @app.delete(f"/r{k}/items/{{item_id}}", response_class=PlainTextResponse)
    async def delete_item(item_id: int) -> str:
        return f"r{k} delete {item_id}"

    @app.get(f"/r{k}/items/{{item_id}}/children/{{child}}", response_class=PlainTextResponse)
    async def get_child(item_id: int, child: str) -> str:
        return f"r{k} child {item_id} {child}"


# Registered last, after every other route.
for k in range(50):
    add_resource(k)
