"""The benchmark contract (SPEC.md) as an aiohttp.web app, served by aiohttp's own server on uvloop.

Run as `python -m app --host H --port P`. JSON is parsed and written the way aiohttp does
by default (the standard library's json).
"""

import argparse
import logging
import os
import tempfile
import time

import uvloop
from aiohttp import web

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()
# aiohttp refuses bodies over 1 MiB by default; SPEC.md asks for 10 MiB uploads.
MAX_BODY = 16 * 1024 * 1024


async def extra_route(request: web.Request) -> web.Response:
    return web.Response(text="route")


async def html(request: web.Request) -> web.Response:
    return web.Response(text="<b>HTML OK</b>", content_type="text/html", headers={"x-time": str(time.time())})


async def api(request: web.Request) -> web.Response:
    if "Authorization" not in request.headers:
        raise web.HTTPUnauthorized(text="Unauthorized")
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
        raise web.HTTPBadRequest(text="Invalid JSON") from None
    body = {
        "params": {"user": int(request.match_info["user"]), "record": int(request.match_info["record"])},
        "query": dict(request.query),
        "data": data,
    }
    return web.json_response(body)


async def upload(request: web.Request) -> web.Response:
    try:
        form = await request.post()
    except (ValueError, RuntimeError):  # what aiohttp's multipart reader raises on a malformed body or part
        raise web.HTTPBadRequest(text="Malformed multipart body") from None
    field = form.get("file")
    if not isinstance(field, web.FileField):
        raise web.HTTPBadRequest(text="No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(field.file.read())
    return web.Response(text=path)


def create_app() -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    # The ten extra routes come first, so that routing does real work.
    app.router.add_routes([web.get(f"/route-{index}", extra_route) for index in range(5)])
    app.router.add_routes([web.get(f"/route-dyn-{index}/{{part}}", extra_route) for index in range(5)])
    app.router.add_routes(
        [
            web.get("/html", html),
            web.put(r"/api/users/{user:\d+}/records/{record:\d+}", api),
            web.post("/upload", upload),
        ]
    )
    return app


app = create_app()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the aiohttp benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None, loop=uvloop.new_event_loop())
