"""JSON out and JSON in: the json scenario (a list of records serialized) and the validate
scenario (a typed body in, a typed answer out), as SPEC.md states them.

Asked with other counts and other orders than the load (SPEC.md, Checks and load), so that no
answer can be written in advance.
"""

from __future__ import annotations

import copy
import json

import httpx

from scripts.check.core import Context, Failed, check, expect, expect_status, json_body, send

# The load asks for 100 records (scenarios.ITEMS_COUNT); the checks for others: the first, a few, half.
ITEM_COUNTS = (1, 7, 55)
# Not an integer, or outside 1 to 100; None: no count at all.
BAD_COUNTS = (None, "seven", "1.5", "0", "101", "-3")
INVALID = {400, 422}


def record(i: int) -> dict:
    """Record i of the 100 (SPEC.md, json)."""
    return {
        "id": i,
        "name": f"item-{i}",
        "price": round(i * 1.25 + 0.99, 2),
        "active": i % 3 != 0,
        "tags": [f"t{i % 7}", f"g{i % 5}"],
        "owner": {"id": 1000 + i % 10, "email": f"user{i % 10}@example.com"},
    }


def count_url(path: str, count: str | None) -> str:
    return path if count is None else f"{path}?count={count}"


# json


@check("json")
def json_records(ctx: Context) -> None:
    for count in ITEM_COUNTS:
        response = send(ctx, "json", url=count_url("/items", str(count)))
        expect_status(response, {200}, f"GET /items?count={count}")
        body = json_body(response, f"GET /items?count={count}")
        expected = [record(i) for i in range(count)]
        expect(isinstance(body, list), f"GET /items?count={count}: expected a JSON array, got {json.dumps(body)[:200]}")
        expect(len(body) == count, f"GET /items?count={count}: expected {count} records, got {len(body)}")
        for got, wanted in zip(body, expected, strict=True):
            expect(got == wanted, f"GET /items?count={count}: expected {json.dumps(wanted)}, got {json.dumps(got)}")


@check("json")
def json_bad_count(ctx: Context) -> None:
    for count in BAD_COUNTS:
        url = count_url("/items", count)
        expect_status(send(ctx, "json", url=url), INVALID, f"GET {url}")


# validate

# A valid order unlike the load's: three items, another customer, USD, an integer price, no note.
OTHER_ORDER = {
    "customer": {"id": 31, "name": "Grace Hopper", "email": "grace@example.org"},
    "items": [
        {"sku": "COBOL-1959", "quantity": 3, "unit_price": 19.99},
        {"sku": "A-0", "quantity": 250, "unit_price": 0.1},
        {"sku": "UNIVAC", "quantity": 1, "unit_price": 5},
    ],
    "currency": "USD",
}
# Every bound of the schema at its edge, which it includes.
EDGE_ORDER = {
    "customer": {"id": 1, "name": "N" * 100, "email": "a@b"},
    "items": [{"sku": "S" * 32, "quantity": 1000, "unit_price": 0}]
    + [{"sku": "x", "quantity": 1, "unit_price": 0.25}] * 99,
    "currency": "GBP",
    "note": "n" * 500,
}


def answer(order: dict) -> dict:
    """What the app answers to a valid order (SPEC.md, validate)."""
    total = round(sum(item["quantity"] * item["unit_price"] for item in order["items"]), 2)
    return {
        "customer": order["customer"]["id"],
        "items": len(order["items"]),
        "total": total,
        "currency": order["currency"],
    }


DELETE = object()  # for `changed`: the field removed


def changed(path: str, value: object) -> dict:
    """OTHER_ORDER with one field replaced; the value DELETE removes it. `path`: dotted, an item by its index."""
    order = copy.deepcopy(OTHER_ORDER)
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    target = order
    for part in parents:
        target = target[part]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return order


def post_order(ctx: Context, body: bytes) -> httpx.Response:
    return send(ctx, "validate", content=body)


def expect_valid(ctx: Context, order: dict, what: str) -> None:
    response = post_order(ctx, json.dumps(order).encode())
    expect_status(response, {200}, what)
    body = json_body(response, what)
    wanted = answer(order)
    expect(body == wanted, f"{what}: expected {json.dumps(wanted)}, got {json.dumps(body)[:300]}")


def expect_refused(ctx: Context, cases: dict[str, object]) -> None:
    """Each body breaks the schema: 400 or 422 with a JSON body (SPEC.md, validate)."""
    for what, order in cases.items():
        body = order if isinstance(order, bytes) else json.dumps(order).encode()
        response = post_order(ctx, body)
        expect_status(response, INVALID, f"an order with {what}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        expect(
            content_type.startswith("application/") and content_type.endswith("json"),
            f"an order with {what}: the refusal should be JSON, got content-type {content_type!r}",
        )
        try:
            response.json()
        except ValueError:
            raise Failed(f"an order with {what}: the refusal is not JSON: {response.text[:120]!r}") from None


@check("validate")
def validate_order(ctx: Context) -> None:
    expect_valid(ctx, OTHER_ORDER, "POST /orders with a valid order")


@check("validate")
def validate_order_at_bounds(ctx: Context) -> None:
    expect_valid(ctx, EDGE_ORDER, "POST /orders with every field at its bound")


@check("validate")
def validate_wrong_type(ctx: Context) -> None:
    expect_refused(
        ctx,
        {
            "a customer that is a string": changed("customer", "Grace Hopper"),
            "a customer id that is a word": changed("customer.id", "thirty-one"),
            "a name that is a number": changed("customer.name", 42),
            "items that are an object": changed("items", {"sku": "A-0"}),
            "a quantity with a fraction": changed("items.0.quantity", 2.5),
            "a unit price that is a word": changed("items.1.unit_price", "free"),
            "a note that is a list": changed("note", ["leave", "it"]),
            "a body that is a JSON array": [OTHER_ORDER],
        },
    )


@check("validate")
def validate_bounds(ctx: Context) -> None:
    expect_refused(
        ctx,
        {
            "customer id 0": changed("customer.id", 0),
            "an empty name": changed("customer.name", ""),
            "a name of 101 characters": changed("customer.name", "N" * 101),
            "an email of 2 characters": changed("customer.email", "a@"),
            "an email of 255 characters": changed("customer.email", "e" * 243 + "@example.com"),
            "no items": changed("items", []),
            "101 items": changed("items", OTHER_ORDER["items"][:1] * 101),
            "an empty sku": changed("items.0.sku", ""),
            "a sku of 33 characters": changed("items.0.sku", "S" * 33),
            "quantity 0": changed("items.1.quantity", 0),
            "quantity 1001": changed("items.1.quantity", 1001),
            "a negative unit price": changed("items.2.unit_price", -0.01),
            "a note of 501 characters": changed("note", "n" * 501),
        },
    )


@check("validate")
def validate_unknown_currency(ctx: Context) -> None:
    expect_refused(
        ctx,
        {"currency JPY": changed("currency", "JPY"), "currency usd": changed("currency", "usd")},
    )


@check("validate")
def validate_missing_field(ctx: Context) -> None:
    expect_refused(
        ctx,
        {
            f"no {path}": changed(path, DELETE)
            for path in ("customer", "customer.id", "customer.name", "customer.email", "items", "currency")
        }
        | {f"no items[0].{name}": changed(f"items.0.{name}", DELETE) for name in ("sku", "quantity", "unit_price")},
    )


@check("validate")
def validate_broken_json(ctx: Context) -> None:
    encoded = json.dumps(OTHER_ORDER).encode()
    expect_refused(
        ctx,
        {
            "a body cut short": encoded[: len(encoded) // 2],
            "a trailing comma": encoded[:-1] + b", }",
            "no body": b"",
        },
    )
