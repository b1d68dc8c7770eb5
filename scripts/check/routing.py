"""The routing scenario: the table of 200 routes after every other route (SPEC.md, routing).

Every route is asked, each with other ids and children than the load's (SPEC.md, Checks and
load), and the load's 16 routes once more with ids of their own.
"""

from __future__ import annotations

import httpx

from scripts.check.core import Context, check, expect, expect_client_error, expect_content_type, expect_status
from scripts.scenarios import ROUTING_KINDS, ROUTING_RESOURCES, ROUTING_TARGETS, RouteTarget, route_target


def other_id(resource: int, kind: str) -> int:
    """An id for the table's checks: 1000 and up, where the load's are 100 to 115."""
    return 1000 + 10 * resource + ROUTING_KINDS.index(kind)


def expect_route(client: httpx.Client, target: RouteTarget) -> None:
    """The route answers 200, text/plain, exactly its body."""
    what = f"{target.method} {target.path}"
    response = client.request(target.method, target.path)
    expect_status(response, {200}, what)
    expect_content_type(response, "text/plain", what)
    expect(response.text == target.body, f"{what}: expected the body {target.body!r}, got {response.text[:120]!r}")


@check("routing")
def routing_table(ctx: Context) -> None:
    for resource in range(ROUTING_RESOURCES):
        for kind in ROUTING_KINDS:
            expect_route(ctx.client, route_target(resource, kind, other_id(resource, kind), f"child-{resource}"))


@check("routing")
def routing_targets(ctx: Context) -> None:
    """The load's 16 requests, their method and route, with ids and children of the check's own."""
    for index, target in enumerate(ROUTING_TARGETS):
        name, kind = target.body.split()[:2]
        expect_route(ctx.client, route_target(int(name.removeprefix("r")), kind, 9000 + index, f"other{index}"))


@check("routing")
def routing_integer_id(ctx: Context) -> None:
    """A non-integer id is not the route: a 4xx, never 200 nor 5xx."""
    for method, path in (
        ("GET", "/r3/items/abc"),
        ("GET", "/r3/items/1.5"),
        ("DELETE", "/r17/items/x1"),
        ("GET", "/r49/items/seven/children/a1"),
    ):
        expect_client_error(ctx.client.request(method, path), f"{method} {path} (not an integer id)")


@check("routing")
def routing_methods(ctx: Context) -> None:
    """GET and DELETE on one path reach their own routes; a method without a route is a 4xx."""
    for resource in (0, 24, 49):
        for kind in ("get", "delete"):
            expect_route(ctx.client, route_target(resource, kind, 4242))
    for method, path in (("POST", "/r24/items/5"), ("DELETE", "/r24/items"), ("DELETE", "/r24/items/5/children/a")):
        expect_client_error(ctx.client.request(method, path), f"{method} {path} (no such route)")
