"""The benchmark contract (SPEC.md) as a Baize app: a Router of request_response views.

Baize is a toolkit: its Router matches paths only and leaves HTTP exceptions to the app, so
two view decorators (baize's `decorator`) restrict the method and turn the HTTPException that
baize raises for malformed input into its response.
"""

import os
import tempfile
import time
from collections.abc import Awaitable, Callable

from baize.asgi import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Request,
    Response,
    Router,
    decorator,
    request_response,
)
from baize.datastructures import UploadFile
from baize.exceptions import HTTPException, abort

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

View = Callable[[Request], Awaitable[Response]]


@decorator
async def http_errors(request: Request, next_call: View) -> Response:
    try:
        return await next_call(request)
    except HTTPException as exc:
        detail = exc.content if exc.content is not None else exc.args[1]
        return PlainTextResponse(str(detail), exc.status_code, exc.headers)


def only(method: str) -> Callable[[View], View]:
    @decorator
    async def check_method(request: Request, next_call: View) -> Response:
        if request.method != method:
            return PlainTextResponse("Method Not Allowed", 405, {"Allow": method})
        return await next_call(request)

    return check_method


@request_response
@only("GET")
async def extra_route(request: Request) -> Response:
    return PlainTextResponse("route")


@request_response
@only("GET")
async def html(request: Request) -> Response:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@request_response
@http_errors
@only("PUT")
async def api(request: Request) -> Response:
    if "authorization" not in request.headers:
        abort(401)
    data = await request.json  # raises MalformedJSON (400) or UnsupportedMediaType (415)
    return JSONResponse(
        {
            "params": {"user": request.path_params["user"], "record": request.path_params["record"]},
            "query": dict(request.query_params),
            "data": data,
        }
    )


@request_response
@http_errors
@only("POST")
async def upload(request: Request) -> Response:
    form = await request.form  # raises MalformedMultipart (400) or UnsupportedMediaType (415)
    try:
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            abort(400, content="No file field")
        # Plain blocking I/O, as SPEC.md asks of every app (asave would hop to a thread).
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(upload_file.read())
    finally:
        await request.close()
    return PlainTextResponse(path)


app = Router(
    *[(f"/route-{index}", extra_route) for index in range(5)],
    *[(f"/route-dyn-{index}/{{part}}", extra_route) for index in range(5)],
    ("/html", html),
    ("/api/users/{user:int}/records/{record:int}", api),
    ("/upload", upload),
)
