"""The benchmark contract (SPEC.md) as a Robyn app, served by Robyn's own Rust server.

Run as `python -m app --host H --port P --processes 1 --workers 1 --log-level WARNING`: Robyn
reads its own options from the command line, and with one process it serves in this very
process (no fork). Robyn's server runs its Python handlers on uvloop by itself; JSON is
Robyn's own (its Rust parser reads the body, orjson writes the answer).
"""

import argparse
import os
import tempfile
import time

from robyn import Request, Response, Robyn, jsonify

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = Robyn(__file__)


def text(body: str, status: int = 200) -> Response:
    return Response(status_code=status, headers={"Content-Type": "text/plain; charset=utf-8"}, description=body)


async def extra_route(request: Request) -> Response:
    return text("route")


# The ten extra routes come first, so that routing does real work.
for index in range(5):
    app.get(f"/route-{index}")(extra_route)
for index in range(5):
    app.get(f"/route-dyn-{index}/:part")(extra_route)


@app.get("/html")
async def html(request: Request) -> Response:
    headers = {"Content-Type": "text/html; charset=utf-8", "x-time": str(time.time())}
    return Response(status_code=200, headers=headers, description="<b>HTML OK</b>")


@app.put("/api/users/:user/records/:record")
async def api(request: Request) -> Response:
    user, record = request.path_params["user"], request.path_params["record"]
    if not (user.isdigit() and record.isdigit()):  # Robyn's router has no typed parameters
        return text("Not Found", 404)
    if request.headers.get("authorization") is None:
        return text("Unauthorized", 401)
    try:
        data = request.json()
    except ValueError:  # Robyn's parser raises ValueError for a body that is not JSON
        return text("Invalid JSON body", 400)
    query = {name: request.query_params.get(name, None) for name in request.query_params.to_dict()}
    body = {"params": {"user": int(user), "record": int(record)}, "query": query, "data": data}
    return Response(status_code=200, headers={"Content-Type": "application/json"}, description=jsonify(body))


@app.post("/upload")
async def upload(request: Request) -> Response:
    # Robyn keys the files of a form by their file names: the form field's name is not kept
    # (src/types/request.rs, handle_multipart), so the app takes the form's one file.
    if len(request.files) != 1:
        return text("Expected one file", 400)
    (content,) = request.files.values()
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(content)
    return text(path)


if __name__ == "__main__":
    # Robyn takes --processes, --workers and --log-level itself; the address comes from here.
    parser = argparse.ArgumentParser(description="Serve the Robyn benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args, _ = parser.parse_known_args()
    app.start(host=args.host, port=args.port, _check_port=False)
