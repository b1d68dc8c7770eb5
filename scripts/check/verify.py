"""The contract of SPEC.md as named checks against a live app, over real HTTP.

The conformance tests call `verify()` for every app, and the benchmark calls it before any
load: a scenario whose checks fail is recorded as failed and not measured. Checks tagged
"all" (routing, and the server still serving after bad input) gate every scenario.

    python -m scripts.check.verify http://127.0.0.1:8000   # prints each check, exit 1 on a failure
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from scripts.scenarios import API_BODY, API_RECORD, API_USER, SCENARIOS, UPLOAD_CONTENT, multipart_body

ALL = "all"
TIME_TOLERANCE = 5.0
LARGE_UPLOAD = 10 * 1024 * 1024  # SPEC.md: files up to 10 MiB are stored whole
# Shared temporary folders, where nothing of a run may appear: a framework's spooled files
# belong in the server's own TMPDIR, inside the run's folder.
SHARED_TMP_DIRS = (Path("/tmp"), Path("/dev/shm"), Path(tempfile.gettempdir()))


@dataclass(frozen=True)
class Check:
    name: str
    scenario: str
    passed: bool
    detail: str = ""


class Failed(Exception):
    """A check did not hold; the message says what was expected and what came."""


@dataclass
class Context:
    client: httpx.Client
    upload_dir: Path | None
    # The shared temporary folders' entries just before the first upload: taken that late so
    # that files other programs on the machine make meanwhile are rarely mistaken for the app's.
    shared_before: set[Path] = field(default_factory=set)


CheckFunction = Callable[[Context], None]
_CHECKS: list[tuple[str, str, CheckFunction]] = []


def check(scenario: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        _CHECKS.append((function.__name__, scenario, function))
        return function

    return register


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def expect_status(response: httpx.Response, allowed: set[int], what: str) -> None:
    expect(
        response.status_code in allowed,
        f"{what}: expected status {' or '.join(map(str, sorted(allowed)))}, got {response.status_code} "
        f"({response.text[:120]!r})",
    )


def expect_client_error(response: httpx.Response, what: str) -> None:
    """Bad input must get a 4xx: never a 5xx, never a success."""
    expect(400 <= response.status_code < 500, f"{what}: expected a 4xx, got {response.status_code}")


def send(ctx: Context, name: str, **overrides: object) -> httpx.Response:
    """Send a scenario's request, with parts of it replaced."""
    request = SCENARIOS[name].request
    params = {
        "method": request.method,
        "url": request.path,
        "headers": request.headers,
        "content": request.body,
    } | overrides
    return ctx.client.request(**params)


# Routing: the ten extra routes every app registers.


@check(ALL)
def static_routes(ctx: Context) -> None:
    for index in range(5):
        expect_status(ctx.client.get(f"/route-{index}"), {200}, f"GET /route-{index}")


@check(ALL)
def dynamic_routes(ctx: Context) -> None:
    for index in range(5):
        expect_status(ctx.client.get(f"/route-dyn-{index}/part{index}"), {200}, f"GET /route-dyn-{index}/part{index}")


@check(ALL)
def unknown_route(ctx: Context) -> None:
    expect_status(ctx.client.get("/no-such-route"), {404}, "GET /no-such-route")


# html


@check("html")
def html_page(ctx: Context) -> None:
    response = send(ctx, "html")
    expect_status(response, {200}, "GET /html")
    content_type = response.headers.get("content-type", "")
    expect(content_type.startswith("text/html"), f"content-type should start with text/html, got {content_type!r}")
    expect(response.text == "<b>HTML OK</b>", f"body should be '<b>HTML OK</b>', got {response.text[:120]!r}")


def _x_time(response: httpx.Response) -> float:
    value = response.headers.get("x-time")
    expect(value is not None, "no x-time header")
    try:
        return float(value)
    except ValueError:
        raise Failed(f"x-time should be a decimal number, got {value!r}") from None


@check("html")
def html_x_time(ctx: Context) -> None:
    stamp = _x_time(send(ctx, "html"))
    expect(abs(stamp - time.time()) < TIME_TOLERANCE, f"x-time {stamp} is not the current Unix time")


@check("html")
def html_x_time_per_request(ctx: Context) -> None:
    first = _x_time(send(ctx, "html"))
    time.sleep(1.05)
    second = _x_time(send(ctx, "html"))
    expect(second > first, f"x-time did not advance over 1 s ({first} then {second}): not computed per request")


# api


def _api_json(response: httpx.Response) -> object:
    content_type = response.headers.get("content-type", "")
    expect(
        content_type.startswith("application/json"), f"content-type should be application/json, got {content_type!r}"
    )
    try:
        return response.json()
    except ValueError:
        raise Failed(f"body is not JSON: {response.text[:120]!r}") from None


@check("api")
def api_answer(ctx: Context) -> None:
    response = send(ctx, "api")
    expect_status(response, {200}, "PUT /api/users/…/records/…")
    expected = {"params": {"user": API_USER, "record": API_RECORD}, "query": {"query": "test"}, "data": API_BODY}
    body = _api_json(response)
    expect(body == expected, f"expected {json.dumps(expected)}, got {json.dumps(body)[:300]}")


@check("api")
def api_every_query_parameter(ctx: Context) -> None:
    response = send(ctx, "api", url="/api/users/1/records/2?query=test&page=3&q=a+b", content=b"[1, null]")
    expect_status(response, {200}, "PUT with three query parameters")
    expected = {
        "params": {"user": 1, "record": 2},
        "query": {"query": "test", "page": "3", "q": "a b"},
        "data": [1, None],
    }
    body = _api_json(response)
    expect(body == expected, f"expected {json.dumps(expected)}, got {json.dumps(body)[:300]}")


@check("api")
def api_any_json_value(ctx: Context) -> None:
    for value in ([1, "two", {"three": 3.5}], "a string", 42, 12.5):
        response = send(ctx, "api", content=json.dumps(value).encode())
        expect_status(response, {200}, f"PUT with the JSON body {json.dumps(value)}")
        body = _api_json(response)
        expect(
            isinstance(body, dict) and body.get("data") == value,
            f"data should echo {json.dumps(value)}, got {json.dumps(body)[:300]}",
        )


@check("api")
def api_chunked_body(ctx: Context) -> None:
    encoded = json.dumps(API_BODY).encode()

    def chunks() -> Iterator[bytes]:  # no length known in advance: httpx sends it chunked
        yield encoded[:10]
        yield encoded[10:]

    response = send(ctx, "api", content=chunks())
    expect(response.request.headers.get("transfer-encoding") == "chunked", "the request was not sent chunked")
    expect_status(response, {200}, "PUT with a chunked JSON body")
    body = _api_json(response)
    expect(body.get("data") == API_BODY, f"data should echo the chunked body, got {json.dumps(body)[:300]}")


@check("api")
def api_without_authorization(ctx: Context) -> None:
    headers = {"Content-Type": "application/json"}
    expect_status(send(ctx, "api", headers=headers), {401}, "PUT without an authorization header")


@check("api")
def api_broken_json(ctx: Context) -> None:
    expect_client_error(send(ctx, "api", content=b'{"name": "broken", '), "broken JSON")


@check("api")
def api_empty_body(ctx: Context) -> None:
    expect_client_error(send(ctx, "api", content=b""), "no JSON body")


@check("api")
def api_path_types(ctx: Context) -> None:
    for path in ("/api/users/abc/records/1", "/api/users/1/records/1.5", "/api/users/1/records/"):
        expect_status(send(ctx, "api", url=path + "?query=test"), {404}, f"PUT {path} (not an integer)")


@check("api")
def api_other_methods(ctx: Context) -> None:
    for method in ("GET", "POST", "DELETE"):
        response = send(ctx, "api", method=method)
        expect_status(response, {404, 405}, f"{method} on the api path")


# upload


@check("upload")
def upload_stored(ctx: Context) -> None:
    ctx.shared_before = _shared_tmp_entries()  # the first upload check: see Context
    paths = []
    for _ in range(2):
        response = send(ctx, "upload")
        expect_status(response, {200}, "POST /upload")
        content_type = response.headers.get("content-type", "")
        expect(
            content_type.startswith("text/plain"), f"content-type should start with text/plain, got {content_type!r}"
        )
        paths.append(response.text.strip())
    expect(paths[0] != paths[1], f"two uploads answered the same path {paths[0]!r}: each needs a new file")
    for answered in paths:
        _expect_stored(ctx, answered, UPLOAD_CONTENT)


def _expect_stored(ctx: Context, answered: str, content: bytes) -> None:
    """The answered path is a new file in the upload directory, holding exactly the bytes sent."""
    if ctx.upload_dir is None:
        return
    stored = Path(answered).resolve()
    expect(stored.is_relative_to(ctx.upload_dir.resolve()), f"{answered!r} is not in the upload directory")
    expect(stored.is_file(), f"{answered!r} does not exist")
    size = stored.stat().st_size
    expect(size == len(content), f"{answered!r} holds {size} bytes, {len(content)} were sent")
    expect(stored.read_bytes() == content, f"{answered!r} does not hold the uploaded bytes")


@check("upload")
def upload_10_mib(ctx: Context) -> None:
    content = bytes(range(256)) * (LARGE_UPLOAD // 256)
    response = send(ctx, "upload", content=multipart_body("file", "large.bin", content))
    expect_status(response, {200}, "POST /upload with a 10 MiB file")
    _expect_stored(ctx, response.text.strip(), content)


@check("upload")
def upload_without_file_field(ctx: Context) -> None:
    body = multipart_body("other", "other.txt", b"not the file field")
    response = send(ctx, "upload", content=body)
    expect_status(response, {400}, "multipart body without a 'file' field")


@check("upload")
def upload_not_multipart(ctx: Context) -> None:
    response = send(ctx, "upload", headers={"Content-Type": "application/json"}, content=b'{"file": "x"}')
    expect_status(response, {400, 415}, "a JSON body instead of multipart")


@check("upload")
def upload_without_body(ctx: Context) -> None:
    response = send(ctx, "upload", headers={}, content=b"")
    expect_status(response, {400, 415}, "POST /upload with no body")


@check("upload")
def upload_broken_multipart(ctx: Context) -> None:
    response = send(ctx, "upload", content=b"--not-the-boundary\r\ngarbage without an end")
    expect_client_error(response, "broken multipart body")


@check("upload")
def upload_other_methods(ctx: Context) -> None:
    for method in ("GET", "PUT"):
        response = send(ctx, "upload", method=method, content=b"")
        expect_status(response, {404, 405}, f"{method} /upload")


@check("upload")
def upload_leaves_nothing_outside_the_run(ctx: Context) -> None:
    """Whatever a framework spools must go to the server's TMPDIR, inside the run's folder,
    which the harness removes with the run; the shared temporary folders get nothing."""
    new = sorted(str(path) for path in _shared_tmp_entries() - ctx.shared_before if path.exists())
    expect(not new, f"the uploads left {', '.join(new)[:300]} outside the run's folder")


def _shared_tmp_entries() -> set[Path]:
    entries = set()
    for folder in SHARED_TMP_DIRS:
        try:
            entries.update(folder.iterdir())
        except OSError:
            continue
    return entries


# Last: the bad input above must not have broken the server.


@check(ALL)
def still_serving(ctx: Context) -> None:
    expect_status(send(ctx, "html"), {200}, "GET /html after the bad input")


def check_names() -> list[str]:
    return [name for name, _, _ in _CHECKS]


def verify(base_url: str, upload_dir: Path | None = None, timeout: float = 30.0) -> list[Check]:
    """Run every check against the app at base_url, in order; never raises for a failed check.

    upload_dir (the server's BENCH_UPLOAD_DIR) lets the upload checks read what was stored;
    without it that part is skipped."""
    results = []
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        ctx = Context(client, upload_dir)
        for name, scenario, function in _CHECKS:
            try:
                function(ctx)
            except Failed as failure:
                results.append(Check(name, scenario, False, str(failure)))
            except httpx.HTTPError as error:
                results.append(Check(name, scenario, False, f"{type(error).__name__}: {error}"))
            else:
                results.append(Check(name, scenario, True))
    return results


# Checks recorded in every result but not gating a benchmark: the shared temporary folders
# are shared, so on a busy machine another program's file can appear while the uploads run.
# The conformance tests, on a machine doing nothing else, hold every app to them.
NOT_GATING = {"upload_leaves_nothing_outside_the_run"}


def failures_by_scenario(checks: list[Check], scenarios: list[str]) -> dict[str, list[Check]]:
    """For each scenario, the failed checks that gate it (its own and the 'all' ones)."""
    gating = [c for c in checks if not c.passed and c.name not in NOT_GATING]
    return {name: [c for c in gating if c.scenario in (name, ALL)] for name in scenarios}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m scripts.check.verify BASE_URL", file=sys.stderr)
        return 2
    checks = verify(argv[0])
    for item in checks:
        print(f"{'PASS' if item.passed else 'FAIL'}  {item.scenario:7} {item.name:28} {item.detail}")
    failed = sum(not item.passed for item in checks)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
