"""The benchmark contract (SPEC.md) as a Starlette app: plain routes, Request and Response classes."""

import os
import tempfile
import time

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.routing import Route

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


async def extra_route(request: Request) -> PlainTextResponse:
    return PlainTextResponse("route")


async def html(request: Request) -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


async def api(request: Request) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        raise HTTPException(status_code=400, detail="Invalid JSON body") from None
    return JSONResponse(
        {
            "params": {"user": request.path_params["user"], "record": request.path_params["record"]},
            "query": dict(request.query_params),
            "data": data,
        }
    )


async def upload(request: Request) -> PlainTextResponse:
    # A malformed multipart body makes request.form() raise HTTPException(400) itself.
    async with request.form() as form:
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile):
            raise HTTPException(status_code=400, detail="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(await upload_file.read())
    return PlainTextResponse(path)


routes = [Route(f"/route-{index}", extra_route, methods=["GET"]) for index in range(5)]
routes += [Route(f"/route-dyn-{index}/{{part}}", extra_route, methods=["GET"]) for index in range(5)]
routes += [
    Route("/html", html, methods=["GET"]),
    Route("/api/users/{user:int}/records/{record:int}", api, methods=["PUT"]),
    Route("/upload", upload, methods=["POST"]),
]

app = Starlette(debug=False, routes=routes)
