"""The benchmark contract (SPEC.md) as a Sanic app, served by Sanic's own server.

Run as `sanic app:app --single-process` (the registry's command). The app configures
itself for production: uvloop, no access log, no debug, log level warning. JSON is parsed
and written the way Sanic does by default (ujson, which Sanic installs and picks up itself).
"""

import os
import tempfile
import time

from sanic import Request, Sanic
from sanic.exceptions import BadRequest, Unauthorized
from sanic.log import LOGGING_CONFIG_DEFAULTS
from sanic.response import HTTPResponse, html, json, text

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

# Sanic's default logging configuration, with every logger at warning.
LOG_CONFIG = {
    **LOGGING_CONFIG_DEFAULTS,
    "loggers": {name: {**logger, "level": "WARNING"} for name, logger in LOGGING_CONFIG_DEFAULTS["loggers"].items()},
}

app = Sanic("benchmark", log_config=LOG_CONFIG)
app.config.update(ACCESS_LOG=False, USE_UVLOOP=True, MOTD=False)


async def extra_route(request: Request, part: str | None = None) -> HTTPResponse:
    return text("route")


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.add_route(extra_route, f"/route-{index}", name=f"route-{index}")
for index in range(5):
    app.add_route(extra_route, f"/route-dyn-{index}/<part>", name=f"route-dyn-{index}")


@app.get("/html")
async def html_page(request: Request) -> HTTPResponse:
    return html("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@app.put("/api/users/<user:int>/records/<record:int>")
async def api(request: Request, user: int, record: int) -> HTTPResponse:
    if "authorization" not in request.headers:
        raise Unauthorized("Unauthorized")
    if not request.body:  # Sanic's request.json is None for an empty body
        raise BadRequest("No JSON body")
    # request.json answers 400 (BadRequest) to a body that is not JSON.
    data = request.json
    args = request.get_args(keep_blank_values=True)  # request.args would drop "?name="
    query = {name: args.get(name) for name in args}
    return json({"params": {"user": user, "record": record}, "query": query, "data": data})


@app.post("/upload")
async def upload(request: Request) -> HTTPResponse:
    field = request.files.get("file")
    if field is None:
        raise BadRequest("No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(field.body)
    return text(path)
