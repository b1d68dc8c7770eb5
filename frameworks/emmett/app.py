"""The benchmark contract (SPEC.md) as an Emmett app, served by uvicorn through its ASGI interface."""

import os
import tempfile
import time

from emmett import App, abort, request, response
from emmett.parsers import Parsers
from emmett.tools import service

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = App(__name__)
app.config.debug = False

# Emmett's own JSON decoder (orjson when installed, as here).
json_loads = Parsers.get_for("json")


def add_extra_routes() -> None:
    for index in range(5):

        @app.route(f"/route-{index}", name=f"route_{index}", methods="get", output="str")
        async def static_route():
            return "route"

        @app.route(f"/route-dyn-{index}/<str:part>", name=f"route_dyn_{index}", methods="get", output="str")
        async def dynamic_route(part):
            return "route"


add_extra_routes()


@app.route("/html", methods="get", output="str")
async def html():
    response.content_type = "text/html; charset=utf-8"
    response.headers["x-time"] = str(time.time())
    return "<b>HTML OK</b>"


@app.route("/api/users/<int:user>/records/<int:record>", methods="put")
@service.json
async def api(user, record):
    if "authorization" not in request.headers:
        abort(401)
    # request.body_params would turn broken JSON into {} and cannot hold a JSON array,
    # so the raw body is decoded with Emmett's JSON parser.
    try:
        data = json_loads(await request.body)
    except ValueError:
        abort(400, "Invalid JSON body")
    # query_params holds a list for a repeated key: keep one string, the last.
    query = {key: value if isinstance(value, str) else value[-1] for key, value in request.query_params.items()}
    return {"params": {"user": user, "record": record}, "query": query, "data": data}


@app.route("/upload", methods="post", output="str")
async def upload():
    # A malformed multipart body makes Emmett answer 400 itself.
    file = (await request.files).file
    if file is None:
        abort(400, "No file field")
    if isinstance(file, list):  # several parts named 'file': keep the first
        file = file[0]
    # Plain blocking I/O, as SPEC.md asks of every app (FileStorage.save would hop to a thread).
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        for chunk in file:  # the part as Emmett spooled it (under $TMPDIR), read in chunks
            stored.write(chunk)
    return path
