"""The benchmark contract (SPEC.md) as a tornado.web app, served by tornado's own HTTP server on uvloop.

Run as `python -m app --host H --port P`. JSON is tornado's own (tornado.escape, on the
standard library's json): tornado has no hook for another JSON library. tornado has no
validation of its own: the app validates the order with pydantic v2, as tornado's users most
often do.
"""

import argparse
import asyncio
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Literal

import tornado.escape
import tornado.web
import uvloop
from pydantic import BaseModel, Field, ValidationError

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# SPEC.md, json: the 100 records, built once as plain dicts; tornado's json_encode serializes them per request.
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
    # JSON has no Infinity or NaN (Python's json module reads them all the same).
    unit_price: float = Field(ge=0, allow_inf_nan=False)


class Order(BaseModel):
    customer: Customer
    items: list[OrderItem] = Field(min_length=1, max_length=100)
    currency: Literal["EUR", "USD", "GBP"]
    note: str | None = Field(default=None, max_length=500)


class Middleware(tornado.web.RequestHandler):
    """SPEC.md, middleware: tornado has no middleware. The way its guide shows to run code around
    every handler is a base class that overrides RequestHandler's methods, which every handler
    of the app derives from."""

    started: float | None = None

    def set_default_headers(self) -> None:
        # The answer carries the request's x-request-id, or a new one. Set here, not in prepare():
        # tornado resets the headers on an error and then calls this method again.
        self.set_header("x-request-id", self.request.headers.get("x-request-id") or uuid.uuid4().hex)

    def prepare(self) -> None:
        # x-block: 1 gets 403, and the route does not run.
        if self.request.headers.get("x-block") == "1":
            raise tornado.web.HTTPError(403)
        self.started = time.perf_counter()

    def flush(self, include_footers: bool = False) -> "asyncio.Future[None]":
        # server-timing: app;dur=<ms>, from prepare() to the first flush, which sends the
        # headers (from finish() after the handler, or from a streaming handler's first flush).
        if self.started is not None:
            self.set_header("server-timing", f"app;dur={(time.perf_counter() - self.started) * 1000:.3f}")
            self.started = None
        return super().flush(include_footers)


# Every handler derives from this base: the middlewares only with BENCH_MIDDLEWARE=1.
BaseHandler = Middleware if os.environ.get("BENCH_MIDDLEWARE") == "1" else tornado.web.RequestHandler


class ExtraRoute(BaseHandler):
    def get(self, part: str | None = None) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write("route")


class Html(BaseHandler):
    def get(self) -> None:
        # tornado's default content type is text/html; charset=UTF-8.
        self.set_header("x-time", str(time.time()))
        self.write("<b>HTML OK</b>")


class Api(BaseHandler):
    SUPPORTED_METHODS = ("PUT",)

    def put(self, user: str, record: str) -> None:
        if "Authorization" not in self.request.headers:
            raise tornado.web.HTTPError(401)
        try:
            data = tornado.escape.json_decode(self.request.body)
        except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
            raise tornado.web.HTTPError(400, reason="Invalid JSON") from None
        query = {name: self.get_query_argument(name, strip=False) for name in self.request.query_arguments}
        # A dict given to write() is sent as application/json.
        self.write({"params": {"user": int(user), "record": int(record)}, "query": query, "data": data})


class Upload(BaseHandler):
    # Checked before tornado parses the body: any other method gets 405, whatever its body.
    SUPPORTED_METHODS = ("POST",)

    def post(self) -> None:
        # tornado parses the multipart body itself, and answers 400 to a malformed one.
        files = self.request.files.get("file")
        if not files:
            raise tornado.web.HTTPError(400, reason="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(files[0].body)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(path)


def query_count(handler: tornado.web.RequestHandler) -> int:
    """The `count` query parameter, an integer from 1 to 100 (SPEC.md: json, stream); missing, 400."""
    try:
        count = int(handler.get_query_argument("count"))
    except ValueError:
        raise tornado.web.HTTPError(400, reason="count: an integer from 1 to 100") from None
    if not 1 <= count <= 100:
        raise tornado.web.HTTPError(400, reason="count: an integer from 1 to 100")
    return count


class Items(BaseHandler):
    def get(self) -> None:
        # write() sends a dict as JSON but refuses a list (tornado/web.py, RequestHandler.write),
        # so the array goes through the same encoder and content type that write() uses for a dict.
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.write(tornado.escape.json_encode(ITEMS[: query_count(self)]))


class Orders(BaseHandler):
    def post(self) -> None:
        # tornado parses the JSON body, pydantic validates it.
        try:
            order = Order.model_validate(tornado.escape.json_decode(self.request.body))
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            self.set_status(422)
            self.write({"detail": errors})
            return
        except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
            self.set_status(400)
            self.write({"detail": "Invalid JSON body"})
            return
        total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
        self.write(
            {"customer": order.customer.id, "items": len(order.items), "total": total, "currency": order.currency}
        )


async def event_stream(count: int) -> AsyncIterator[str]:
    for i in range(count):
        yield (
            f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
            " streamed one event at a time\n\n"
        )


class Events(BaseHandler):
    async def get(self) -> None:
        count = query_count(self)
        # No content length: tornado sends a response flushed before finish() chunked.
        self.set_header("Content-Type", "text/event-stream")
        async for event in event_stream(count):
            self.write(event)
            await self.flush()


class ResourceList(BaseHandler):
    """SPEC.md, routing: GET /r<k>/items; the resource's name comes from the route's kwargs."""

    def initialize(self, name: str) -> None:
        self.name = name

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(f"{self.name} list")


class ResourceItem(BaseHandler):
    """GET and DELETE /r<k>/items/<int id>."""

    def initialize(self, name: str) -> None:
        self.name = name

    def get(self, item: str) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(f"{self.name} get {int(item)}")

    def delete(self, item: str) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(f"{self.name} delete {int(item)}")


class ResourceChild(BaseHandler):
    """GET /r<k>/items/<int id>/children/<child>."""

    def initialize(self, name: str) -> None:
        self.name = name

    def get(self, item: str, child: str) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(f"{self.name} child {int(item)} {child}")


def resource_routes(name: str) -> list[tornado.web.URLSpec]:
    """The four routes of one resource (three URL specs: GET and DELETE share a handler)."""
    return [
        tornado.web.url(rf"/{name}/items", ResourceList, {"name": name}),
        tornado.web.url(rf"/{name}/items/(\d+)", ResourceItem, {"name": name}),
        tornado.web.url(rf"/{name}/items/(\d+)/children/([^/]+)", ResourceChild, {"name": name}),
    ]


def no_access_log(handler: tornado.web.RequestHandler) -> None:
    """The application's log_function: no access log."""


def make_app() -> tornado.web.Application:
    # The ten extra routes come first, so that routing does real work.
    extra = [(rf"/route-{index}", ExtraRoute) for index in range(5)]
    extra += [(rf"/route-dyn-{index}/([^/]+)", ExtraRoute) for index in range(5)]
    return tornado.web.Application(
        [
            *extra,
            (r"/html", Html),
            (r"/api/users/(\d+)/records/(\d+)", Api),
            (r"/upload", Upload),
            (r"/items", Items),
            (r"/orders", Orders),
            (r"/events", Events),
            # The 200 routes of the routing scenario come last.
            *(spec for index in range(50) for spec in resource_routes(f"r{index}")),
        ],
        debug=False,
        log_function=no_access_log,
    )


async def main(host: str, port: int) -> None:
    app = make_app()
    app.listen(port, address=host)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the tornado benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(main(args.host, args.port))
