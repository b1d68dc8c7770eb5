"""The eight benchmark scenarios and the exact requests each one sends.

The verification checks, the wrk script and the Python load generator all build their
requests from here, so the load is the request that was verified. A scenario sends one
request on every connection, except routing, which sends its 16 in one fixed order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

UPLOAD_BOUNDARY = "benchmarkboundary7d93b1a2"
UPLOAD_CONTENT = b"benchmark upload: " + bytes(range(32, 127)) * 40 + b"\n"
API_BODY = {"name": "benchmark", "tags": ["a", "b"], "active": True, "score": 12.5}
API_USER = 42
API_RECORD = 1337
ITEMS_COUNT = 100
EVENTS_COUNT = 20
ORDER = {
    "customer": {"id": 7, "name": "Ada Lovelace", "email": "ada@example.com"},
    "items": [{"sku": f"SKU-000{n}", "quantity": n, "unit_price": n + 0.5} for n in range(1, 11)],
    "currency": "EUR",
    "note": "leave at the door",
}
# SPEC.md: the middleware scenario's requests carry their own request id.
REQUEST_ID = "benchmark"
ROUTING_RESOURCES = 50
ROUTING_KINDS = ("list", "get", "delete", "child")


@dataclass(frozen=True)
class RouteTarget:
    """One of the routing scenario's requests and the body the app must answer it with."""

    method: str
    path: str
    body: str


def route_target(resource: int, kind: str, item: int, child: str = "") -> RouteTarget:
    """The request for one route of the 200-route table (SPEC.md, routing), and its answer."""
    base = f"/r{resource}/items"
    if kind == "list":
        return RouteTarget("GET", base, f"r{resource} list")
    if kind == "child":
        return RouteTarget("GET", f"{base}/{item}/children/{child}", f"r{resource} child {item} {child}")
    return RouteTarget("DELETE" if kind == "delete" else "GET", f"{base}/{item}", f"r{resource} {kind} {item}")


# 16 targets from the first resource to the last, the four kinds of route in turn.
ROUTING_TARGETS = tuple(
    route_target(round(index * (ROUTING_RESOURCES - 1) / 15), ROUTING_KINDS[index % 4], 100 + index, f"c{index}")
    for index in range(16)
)


def multipart_body(field_name: str, filename: str, content: bytes, boundary: str = UPLOAD_BOUNDARY) -> bytes:
    """A multipart/form-data body holding one file field."""
    return (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def raw(self, host: str) -> bytes:
        """The request as bytes on the wire (HTTP/1.1, keep-alive)."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body or self.method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass(frozen=True)
class Scenario:
    """What one scenario sends: its requests, each connection cycling through them in order
    (one request but for routing), and whether the app runs with BENCH_MIDDLEWARE=1."""

    requests: tuple[Request, ...]
    middleware: bool = False

    @property
    def request(self) -> Request:
        """The first request: the only one of every scenario but routing."""
        return self.requests[0]


def _one(request: Request, middleware: bool = False) -> Scenario:
    return Scenario((request,), middleware)


SCENARIOS: dict[str, Scenario] = {
    "html": _one(Request("GET", "/html")),
    "api": _one(
        Request(
            "PUT",
            f"/api/users/{API_USER}/records/{API_RECORD}?query=test",
            {"Authorization": "Bearer benchmark-token", "Content-Type": "application/json"},
            json.dumps(API_BODY).encode(),
        )
    ),
    "upload": _one(
        Request(
            "POST",
            "/upload",
            {"Content-Type": f"multipart/form-data; boundary={UPLOAD_BOUNDARY}"},
            multipart_body("file", "upload.txt", UPLOAD_CONTENT),
        )
    ),
    "json": _one(Request("GET", f"/items?count={ITEMS_COUNT}")),
    "validate": _one(Request("POST", "/orders", {"Content-Type": "application/json"}, json.dumps(ORDER).encode())),
    "middleware": _one(Request("GET", "/html", {"X-Request-Id": REQUEST_ID}), middleware=True),
    "routing": Scenario(tuple(Request(target.method, target.path) for target in ROUTING_TARGETS)),
    "stream": _one(Request("GET", f"/events?count={EVENTS_COUNT}")),
}
# The seed's three scenarios: their composite stays comparable with every earlier run.
SEED = ("html", "api", "upload")
