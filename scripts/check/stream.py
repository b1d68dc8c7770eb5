"""The stream scenario: server-sent events, streamed (SPEC.md, stream).

Asked for other counts than the load's 20, each answer read to its end.
"""

from __future__ import annotations

import httpx

from scripts.check.core import Context, check, expect, expect_content_type, expect_status, send
from scripts.check.data import BAD_COUNTS, count_url

EVENT_COUNTS = (1, 3, 7)


def events(count: int) -> bytes:
    """The whole body of GET /events?count=<count>."""
    return "".join(
        f"id: {i}\nevent: token\ndata: token {i} of {count}: the quick brown fox jumps over the lazy dog,"
        " streamed one event at a time\n\n"
        for i in range(count)
    ).encode()


def get_events(ctx: Context, count: int) -> httpx.Response:
    # httpx reads the body to its end (a chunked body to its last chunk) before it returns.
    return send(ctx, "stream", url=count_url("/events", str(count)))


@check("stream")
def stream_events(ctx: Context) -> None:
    for count in EVENT_COUNTS:
        what = f"GET /events?count={count}"
        response = get_events(ctx, count)
        expect_status(response, {200}, what)
        expect_content_type(response, "text/event-stream", what)
        got, wanted = response.content, events(count)
        at = next((i for i, (a, b) in enumerate(zip(got, wanted, strict=False)) if a != b), min(len(got), len(wanted)))
        expect(
            got == wanted,
            f"{what}: expected {len(wanted)} bytes, got {len(got)}, first different at byte {at}: "
            f"expected {wanted[at : at + 60]!r}, got {got[at : at + 60]!r}",
        )


@check("stream")
def stream_no_content_length(ctx: Context) -> None:
    """Streamed, so its length is not known in advance: no content-length."""
    for count in EVENT_COUNTS:
        response = get_events(ctx, count)
        expect_status(response, {200}, f"GET /events?count={count}")
        length = response.headers.get("content-length")
        expect(length is None, f"GET /events?count={count}: content-length {length}: the body was not streamed")


@check("stream")
def stream_bad_count(ctx: Context) -> None:
    for count in BAD_COUNTS:
        url = count_url("/events", count)
        expect_status(send(ctx, "stream", url=url), {400, 422}, f"GET {url}")
