"""The benchmark contract (SPEC.md) as a Lilya app: Path routes with convertors, Request and responses."""

import os
import tempfile
import time

from lilya.apps import Lilya
from lilya.datastructures import UploadFile
from lilya.exceptions import HTTPException
from lilya.requests import Request
from lilya.responses import HTMLResponse, JSONResponse, PlainText
from lilya.routing import Path

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


async def extra_route() -> PlainText:
    return PlainText("route")


async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


async def api(request: Request, user: int, record: int) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    if not await request.body():  # Lilya reads an empty body as JSON null
        raise HTTPException(status_code=400, detail="No JSON body")
    try:
        data = await request.json()
    except ValueError:  # json.JSONDecodeError, or a body that is not UTF-8
        raise HTTPException(status_code=400, detail="Invalid JSON body") from None
    return JSONResponse({"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data})


async def upload(request: Request) -> PlainText:
    # A malformed multipart body makes request.form() raise HTTPException(400) itself.
    async with request.form() as form:
        field = form.get("file")
        if not isinstance(field, UploadFile):
            raise HTTPException(status_code=400, detail="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(await field.read())
    return PlainText(path)


routes = [Path(f"/route-{index}", extra_route, methods=["GET"]) for index in range(5)]
routes += [Path(f"/route-dyn-{index}/{{part}}", extra_route, methods=["GET"]) for index in range(5)]
routes += [
    Path("/html", html, methods=["GET"]),
    Path("/api/users/{user:int}/records/{record:int}", api, methods=["PUT"]),
    Path("/upload", upload, methods=["POST"]),
]

app = Lilya(debug=False, routes=routes)
