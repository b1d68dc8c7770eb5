"""The benchmark contract (SPEC.md) as a Muffin app, served by uvicorn."""

import os
import shutil
import tempfile
import time

import muffin
from asgi_tools.errors import ASGIDecodeError
from muffin import ResponseError, ResponseHTML, ResponseJSON, ResponseText

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = muffin.Application(DEBUG=False)


def add_extra_routes() -> None:
    for index in range(5):

        @app.route(f"/route-{index}", methods=["GET"])
        async def static_route(request):
            return ResponseText("route")

        @app.route(f"/route-dyn-{index}/{{part}}", methods=["GET"])
        async def dynamic_route(request):
            return ResponseText("route")


add_extra_routes()


@app.on_error(ASGIDecodeError)
async def bad_body(request, exc):
    # request.json() raises ASGIDecodeError on a broken or empty body: a 500 by default.
    return ResponseError.BAD_REQUEST("Invalid JSON body")


@app.route("/html", methods=["GET"])
async def html(request):
    return ResponseHTML("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@app.route("/api/users/{user:int}/records/{record:int}", methods=["PUT"])
async def api(request):
    if "authorization" not in request.headers:
        raise ResponseError.UNAUTHORIZED()
    data = await request.json()
    params = request.path_params  # already ints: the {name:int} converter
    return ResponseJSON(
        {
            "params": {"user": params["user"], "record": params["record"]},
            "query": dict(request.query.items()),
            "data": data,
        }
    )


@app.route("/upload", methods=["POST"])
async def upload(request):
    if request.content_type != "multipart/form-data":
        raise ResponseError.UNSUPPORTED_MEDIA_TYPE()
    try:
        # The form reader refuses more than 1 MiB by default; SPEC.md asks for 10 MiB uploads.
        form = await request.form(max_size=16 * 1024 * 1024)
    except ValueError as exc:  # the multipart parser raises ValueError on a malformed body
        raise ResponseError.BAD_REQUEST("Malformed multipart body") from exc
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise ResponseError.BAD_REQUEST("No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        shutil.copyfileobj(file, stored)
    return ResponseText(path)
