"""The benchmark contract (SPEC.md) as a Falcon ASGI app, served by uvicorn.

Falcon validates the order with its own JSON Schema validator (falcon.media.validators.jsonschema,
the only one it provides). Its middlewares are middleware component classes.
"""

import os
import tempfile
import time
import uuid

import falcon
import falcon.asgi
from falcon.media.validators import jsonschema

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; resp.media serializes them per request.
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
# SPEC.md, validate: the order's schema, as JSON Schema.
ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "customer": {
            "type": "object",
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "email": {"type": "string", "minLength": 3, "maxLength": 254},
            },
            "required": ["id", "name", "email"],
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string", "minLength": 1, "maxLength": 32},
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
                    "unit_price": {"type": "number", "minimum": 0},
                },
                "required": ["sku", "quantity", "unit_price"],
            },
        },
        "currency": {"enum": ["EUR", "USD", "GBP"]},
        "note": {"type": ["string", "null"], "maxLength": 500},
    },
    "required": ["customer", "items", "currency"],
}


class StaticRoute:
    async def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "route"


class DynamicRoute:
    async def on_get(self, req, resp, part):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "route"


class HTMLResource:
    async def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_HTML
        resp.set_header("x-time", str(time.time()))
        resp.text = "<b>HTML OK</b>"


class RecordResource:
    async def on_put(self, req, resp, user, record):
        if req.get_header("authorization") is None:
            raise falcon.HTTPUnauthorized(title="Missing authorization header")
        # An empty body raises MediaNotFoundError, broken JSON MediaMalformedError: both 400.
        data = await req.get_media()
        query = {name: req.get_param(name) for name in req.params}
        resp.media = {"params": {"user": user, "record": record}, "query": query, "data": data}


class UploadResource:
    async def on_post(self, req, resp):
        if not (req.content_type or "").startswith(falcon.MEDIA_MULTIPART):
            raise falcon.HTTPUnsupportedMediaType(title="Expected multipart/form-data")
        stored = None
        # A malformed form raises MultipartParseError (a MediaMalformedError): a 400.
        form = await req.get_media()
        async for part in form:
            if part.name == "file" and stored is None:
                handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
                with os.fdopen(handle, "wb") as destination:
                    async for chunk in part.stream:
                        destination.write(chunk)
        if stored is None:
            raise falcon.HTTPBadRequest(title="No file field")
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = stored


def query_count(req) -> int:
    """SPEC.md, json and stream: count, an integer from 1 to 100; anything else raises a 400."""
    return req.get_param_as_int("count", required=True, min_value=1, max_value=100)


class ItemsResource:
    async def on_get(self, req, resp):
        resp.media = ITEMS[: query_count(req)]


class OrdersResource:
    # A body that breaks the schema raises MediaValidationError, broken JSON MediaMalformedError,
    # an empty body MediaNotFoundError: all 400, with Falcon's JSON error body.
    @jsonschema.validate(req_schema=ORDER_SCHEMA)
    async def on_post(self, req, resp):
        order = await req.get_media()  # parsed once: the validator already read it
        total = round(sum(item["quantity"] * item["unit_price"] for item in order["items"]), 2)
        resp.media = {
            "customer": order["customer"]["id"],
            "items": len(order["items"]),
            "total": total,
            "currency": order["currency"],
        }


async def token_events(count: int):
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        ).encode()


class EventsResource:
    # resp.stream, not resp.sse: Falcon's SSEvent writes its `event:` line before its `id:` line
    # (falcon/asgi/structures.py, SSEvent.serialize), and SPEC.md fixes the order id, event, data.
    async def on_get(self, req, resp):
        count = query_count(req)
        resp.content_type = "text/event-stream"
        resp.stream = token_events(count)


def resource_routes(app: falcon.asgi.App, name: str) -> None:
    """SPEC.md, routing: one resource's four routes, on three URI templates (Falcon routes a
    template to one resource, whose on_<method> responders answer each method)."""

    class ItemList:
        async def on_get(self, req, resp):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{name} list"

    class Item:
        async def on_get(self, req, resp, id):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{name} get {id}"

        async def on_delete(self, req, resp, id):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{name} delete {id}"

    class ItemChild:
        async def on_get(self, req, resp, id, child):
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = f"{name} child {id} {child}"

    app.add_route(f"/{name}/items", ItemList())
    app.add_route(f"/{name}/items/{{id:int}}", Item())
    app.add_route(f"/{name}/items/{{id:int}}/children/{{child}}", ItemChild())


# SPEC.md, middleware: Falcon middleware components, the form its middleware page documents.
class BlockMiddleware:
    """x-block: 1 gets 403, and the route does not run."""

    async def process_request(self, req, resp):
        if req.get_header("x-block") == "1":
            raise falcon.HTTPForbidden()


# Falcon calls every component's process_response, also when an earlier process_request
# refused the request: these two rely on nothing that a skipped process_request would set.
class RequestIdMiddleware:
    """The answer carries the request's x-request-id, or a new one."""

    async def process_response(self, req, resp, resource, req_succeeded):
        resp.set_header("x-request-id", req.get_header("x-request-id") or uuid.uuid4().hex)


class ServerTimingMiddleware:
    """server-timing: app;dur=<ms>, measured around the route (none where it did not run)."""

    async def process_request(self, req, resp):
        req.context.start = time.perf_counter()

    async def process_response(self, req, resp, resource, req_succeeded):
        start = req.context.get("start")
        if start is not None:
            duration = (time.perf_counter() - start) * 1000
            resp.set_header("server-timing", f"app;dur={duration:.3f}")


middleware = []
if os.environ.get("BENCH_MIDDLEWARE") == "1":
    middleware = [BlockMiddleware(), RequestIdMiddleware(), ServerTimingMiddleware()]

app = falcon.asgi.App(middleware=middleware)

for index in range(5):
    app.add_route(f"/route-{index}", StaticRoute())
    app.add_route(f"/route-dyn-{index}/{{part}}", DynamicRoute())
app.add_route("/html", HTMLResource())
app.add_route("/api/users/{user:int}/records/{record:int}", RecordResource())
app.add_route("/upload", UploadResource())
app.add_route("/items", ItemsResource())
app.add_route("/orders", OrdersResource())
app.add_route("/events", EventsResource())
for index in range(50):
    resource_routes(app, f"r{index}")
