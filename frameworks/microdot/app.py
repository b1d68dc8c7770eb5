"""The benchmark contract (SPEC.md) as a Microdot app, served by Microdot's own asyncio server on uvloop.

Run as `python -m app --host H --port P`. Microdot is made for MicroPython first: its own
server is its primary way to run, and ASGI an optional adapter, so it runs on its own server
(SPEC.md). JSON: Microdot imports orjson in place of the standard library's json when it is
installed (microdot/microdot.py), and it is, as in every venv here.
"""

import argparse
import os
import tempfile
import time

import uvloop
from microdot import Microdot, Request, abort
from microdot.multipart import FileUpload, with_form_data

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# Microdot refuses bodies over 16 KiB by default; SPEC.md asks for 10 MiB uploads.
Request.max_content_length = 16 * 1024 * 1024

app = Microdot()


async def extra_route(request: Request, part: str | None = None) -> str:
    return "route"


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.get(f"/route-{index}")(extra_route)
for index in range(5):
    app.get(f"/route-dyn-{index}/<part>")(extra_route)


@app.get("/html")
async def html(request: Request) -> tuple:
    return "<b>HTML OK</b>", 200, {"Content-Type": "text/html; charset=UTF-8", "x-time": str(time.time())}


@app.put("/api/users/<int:user>/records/<int:record>")
async def api(request: Request, user: int, record: int) -> dict:
    if "Authorization" not in request.headers:
        abort(401)
    if not request.body:
        abort(400, "No JSON body")
    try:
        data = request.json  # parsed by orjson, for an application/json body
    except ValueError:  # orjson.JSONDecodeError, or a body that is not UTF-8
        abort(400, "Invalid JSON body")
    query = {name: request.args[name] for name in request.args}
    return {"params": {"user": user, "record": record}, "query": query, "data": data}


@app.post("/upload")
@with_form_data
async def upload(request: Request) -> str:
    field = (request.files or {}).get("file")
    if not isinstance(field, FileUpload):
        abort(400, "No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await field.read())
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the Microdot benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvloop.run(app.start_server(host=args.host, port=args.port, debug=False))
