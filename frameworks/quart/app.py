"""The benchmark contract (SPEC.md) as a Quart app, served by uvicorn as `app:app`."""

import os
import tempfile
import time

from quart import Quart, abort, jsonify, request

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = Quart(__name__)


# The ten extra routes, registered before the benchmark routes.
def make_static_route(index):
    async def static_route():
        return "route", {"content-type": "text/plain"}

    app.add_url_rule(f"/route-{index}", f"route_{index}", static_route, methods=["GET"])


def make_dynamic_route(index):
    async def dynamic_route(part):
        return "route", {"content-type": "text/plain"}

    app.add_url_rule(f"/route-dyn-{index}/<part>", f"route_dyn_{index}", dynamic_route, methods=["GET"])


for index in range(5):
    make_static_route(index)
for index in range(5):
    make_dynamic_route(index)


@app.get("/html")
async def html():
    return "<b>HTML OK</b>", {"x-time": str(time.time())}


@app.put("/api/users/<int:user>/records/<int:record>")
async def api(user, record):
    if "authorization" not in request.headers:
        abort(401)
    data = await request.get_json()  # broken or empty JSON raises BadRequest: 400
    return jsonify(params={"user": user, "record": record}, query=request.args.to_dict(), data=data)


@app.post("/upload")
async def upload():
    # Werkzeug's form parser is silent on a malformed body: it yields no files, so 400 below.
    file = (await request.files).get("file")
    if file is None:
        abort(400, "No file field")
    # Plain blocking I/O, as SPEC.md asks of every app (FileStorage.save writes through aiofiles).
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(file.read())
    return path, {"content-type": "text/plain; charset=utf-8"}
