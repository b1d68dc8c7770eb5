"""The benchmark contract (SPEC.md) as a Django Ninja API in a single-file Django project.

Served by uvicorn as `app:application`, with Django's production settings (DEBUG off) and no
middleware: Django itself installs none (SPEC.md, fairness policy). Ninja answers bad input
with 422; the contract asks 400 for a form without its file, so one exception handler, the
way Ninja's documentation shows, turns its validation errors into 400.

Ninja has no middleware of its own: it runs inside Django, whose MIDDLEWARE takes the three
middlewares of the middleware scenario (defined below) when BENCH_MIDDLEWARE=1.
"""

import os
import tempfile
import time
import uuid
from typing import Annotated, Any, Literal

from django.conf import settings

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    # SPEC.md, middleware: the first one runs first (block, then request id, then timing).
    MIDDLEWARE=(
        [f"{__name__}.block_middleware", f"{__name__}.request_id_middleware", f"{__name__}.server_timing_middleware"]
        if os.environ.get("BENCH_MIDDLEWARE") == "1"
        else []
    ),
)

from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, StreamingHttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.decorators import async_only_middleware  # noqa: E402
from ninja import Body, Field, File, NinjaAPI, Query, Schema, UploadedFile  # noqa: E402
from ninja.errors import HttpError, ValidationError  # noqa: E402

api = NinjaAPI()


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=400)


for index in range(5):

    @api.get(f"/route-{index}")
    async def extra_route(request: HttpRequest) -> HttpResponse:
        return HttpResponse("route", content_type="text/plain")

    @api.get(f"/route-dyn-{index}/{{part}}")
    async def extra_dynamic_route(request: HttpRequest, part: str) -> HttpResponse:
        return HttpResponse("route", content_type="text/plain")


@api.get("/html")
async def html(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@api.put("/api/users/{int:user}/records/{int:record}")
async def api_record(request: HttpRequest, user: int, record: int, data: Any = Body(...)) -> dict:
    if "authorization" not in request.headers:
        raise HttpError(401, "Unauthorized")
    return {"params": {"user": user, "record": record}, "query": request.GET.dict(), "data": data}


@api.post("/upload")
async def upload(request: HttpRequest, file: UploadedFile = File(...)) -> HttpResponse:
    handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as destination:
        for chunk in file.chunks():
            destination.write(chunk)
    return HttpResponse(stored, content_type="text/plain; charset=utf-8")


# Built once at start-up as plain dicts; Ninja's JSON renderer serializes them on every request.
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
async def items(request: HttpRequest, count: Annotated[int, Query(ge=1, le=100)]) -> list:
    return ITEMS[:count]


class Customer(Schema):
    id: int = Field(ge=1)
    name: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=3, max_length=254)


class OrderItem(Schema):
    sku: str = Field(min_length=1, max_length=32)
    quantity: int = Field(ge=1, le=1000)
    unit_price: float = Field(ge=0)


class Order(Schema):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


class OrderAnswer(Schema):
    customer: int
    items: int
    total: float
    currency: str


# Ninja validates the body against `Order` (a body that breaks it gets the 400 above) and the answer
# against `OrderAnswer`.
@api.post("/orders", response=OrderAnswer)
async def orders(request: HttpRequest, order: Order) -> dict:
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}


async def event_stream(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


# Ninja's own `response=SSE[...]` writes each item as `data: <its JSON>` only, with no `id:` or
# `event:` line (ninja/streaming.py, SSE.format_chunk): the view returns Django's streaming response.
@api.get("/events")
async def events(request: HttpRequest, count: Annotated[int, Query(ge=1, le=100)]) -> StreamingHttpResponse:
    return StreamingHttpResponse(event_stream(count), content_type="text/event-stream")


def add_resource(k: int) -> None:
    """The four routes of resource r<k> (SPEC.md, routing); Ninja dispatches GET and DELETE of a path by method."""

    @api.get(f"/r{k}/items")
    async def list_items(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f"r{k} list", content_type="text/plain")

    @api.get(f"/r{k}/items/{{int:item_id}}")
    async def get_item(request: HttpRequest, item_id: int) -> HttpResponse:
        return HttpResponse(f"r{k} get {item_id}", content_type="text/plain")

    @api.delete(f"/r{k}/items/{{int:item_id}}")
    async def delete_item(request: HttpRequest, item_id: int) -> HttpResponse:
        return HttpResponse(f"r{k} delete {item_id}", content_type="text/plain")

    @api.get(f"/r{k}/items/{{int:item_id}}/children/{{child}}")
    async def get_child(request: HttpRequest, item_id: int, child: str) -> HttpResponse:
        return HttpResponse(f"r{k} child {item_id} {child}", content_type="text/plain")


# Registered last, after every other route.
for k in range(50):
    add_resource(k)


# The middleware scenario (SPEC.md): Django's function form of middleware, the first form its
# documentation shows, marked async-only as its "Asynchronous support" section describes. The
# views are async and the server is ASGI, so no middleware makes Django switch to a thread.


@async_only_middleware
def block_middleware(get_response):
    async def middleware(request):
        if request.headers.get("x-block") == "1":
            return HttpResponseForbidden("Forbidden", content_type="text/plain")
        return await get_response(request)

    return middleware


@async_only_middleware
def request_id_middleware(get_response):
    async def middleware(request):
        response = await get_response(request)
        response.headers["x-request-id"] = request.headers.get("x-request-id") or uuid.uuid4().hex
        return response

    return middleware


@async_only_middleware
def server_timing_middleware(get_response):
    async def middleware(request):
        start = time.perf_counter()
        response = await get_response(request)
        response.headers["server-timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
        return response

    return middleware


urlpatterns = [path("", api.urls)]

application = get_asgi_application()
