"""The benchmark contract (SPEC.md) as a single-file Django project with async views.

Served by uvicorn as `app:application`. No database, no templates, no apps: only the URL
configuration below, with production settings (DEBUG off) and no middleware. Django itself
installs none: the list in a new project's settings comes from its project template, not
from the framework's defaults (SPEC.md, fairness policy). BENCH_MIDDLEWARE=1 puts the three
middlewares of the middleware scenario, defined below, in MIDDLEWARE.

Django validates form data (django.forms), not a nested JSON body: the order is validated with
pydantic, called by the app (SPEC.md, validate).
"""

import json
import os
import tempfile
import time
import uuid
from typing import Literal

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
from django.http import (  # noqa: E402
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import path  # noqa: E402
from django.utils.decorators import async_only_middleware  # noqa: E402
from django.views.decorators.http import require_GET, require_http_methods, require_POST  # noqa: E402
from pydantic import BaseModel, Field, ValidationError  # noqa: E402


@require_GET
async def route(request, part=None):
    return HttpResponse("route", content_type="text/plain")


@require_GET
async def html(request):
    return HttpResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@require_http_methods(["PUT"])
async def api(request, user, record):
    if "authorization" not in request.headers:
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("Invalid JSON", content_type="text/plain")
    return JsonResponse({"params": {"user": user, "record": record}, "query": request.GET.dict(), "data": data})


@require_POST
async def upload(request):
    # A malformed multipart body raises MultiPartParserError, which Django answers with 400.
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return HttpResponseBadRequest("No file field", content_type="text/plain")
    handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as destination:
        for chunk in uploaded.chunks():
            destination.write(chunk)
    return HttpResponse(stored, content_type="text/plain; charset=utf-8")


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


def query_count(request):
    """The `count` query parameter as an int from 1 to 100, or None (SPEC.md, json and stream)."""
    try:
        count = int(request.GET["count"])
    except (KeyError, ValueError):
        return None
    return count if 1 <= count <= 100 else None


# Built once at start-up as plain dicts; JsonResponse serializes them on every request.
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


@require_GET
async def items(request):
    count = query_count(request)
    if count is None:
        return HttpResponseBadRequest("count must be an integer from 1 to 100", content_type="text/plain")
    # A list is not a dict: Django's JsonResponse asks for safe=False to serialize it.
    return JsonResponse(ITEMS[:count], safe=False)


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


@require_POST
async def orders(request):
    try:
        # Pydantic parses and validates the raw body in one step; broken JSON is a ValidationError too.
        order = Order.model_validate_json(request.body)
    except ValidationError as error:
        return JsonResponse({"detail": error.errors(include_url=False, include_input=False)}, status=400)
    total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
    return JsonResponse(
        {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
    )


async def event_stream(count):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: "
            "the quick brown fox jumps over the lazy dog, streamed one event at a time\n\n"
        )


@require_GET
async def events(request):
    count = query_count(request)
    if count is None:
        return HttpResponseBadRequest("count must be an integer from 1 to 100", content_type="text/plain")
    # Django has no SSE response; StreamingHttpResponse iterates an async generator under ASGI.
    return StreamingHttpResponse(event_stream(count), content_type="text/event-stream")


# The routing scenario (SPEC.md): one view per kind of route, each resource's name passed to it
# as an extra option of path(). Django routes by path, not by method: GET and DELETE on an item
# share one route, and the view answers by the request's method.


@require_GET
async def list_items(request, resource):
    return HttpResponse(f"{resource} list", content_type="text/plain")


@require_http_methods(["GET", "DELETE"])
async def item(request, resource, item_id):
    kind = "delete" if request.method == "DELETE" else "get"
    return HttpResponse(f"{resource} {kind} {item_id}", content_type="text/plain")


@require_GET
async def item_child(request, resource, item_id, child):
    return HttpResponse(f"{resource} child {item_id} {child}", content_type="text/plain")


urlpatterns = [
    *(path(f"route-{index}", route) for index in range(5)),
    *(path(f"route-dyn-{index}/<str:part>", route) for index in range(5)),
    path("html", html),
    path("api/users/<int:user>/records/<int:record>", api),
    path("upload", upload),
    path("items", items),
    path("orders", orders),
    path("events", events),
]

# Registered last, after every other route: r0 … r49, four routes each.
for k in range(50):
    resource = {"resource": f"r{k}"}
    urlpatterns += [
        path(f"r{k}/items", list_items, resource),
        path(f"r{k}/items/<int:item_id>", item, resource),
        path(f"r{k}/items/<int:item_id>/children/<str:child>", item_child, resource),
    ]

application = get_asgi_application()
