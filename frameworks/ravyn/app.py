"""The benchmark contract (SPEC.md) as a Ravyn app: decorated handlers with typed parameters, in Gateways.

The JSON body is taken as the handler's `data` (Body), the upload as the form (Form): Ravyn's
`File()` binds the first file of a form whatever its field's name, so a form without a `file`
field could not be told apart (ravyn/parsers.py, handle_multipart_encoding).
"""

import os
import tempfile
import time
from typing import Any

from lilya.datastructures import DataUpload  # the class of the files in a form Ravyn parses (Ravyn runs on Lilya)
from ravyn import Body, Form, Gateway, HTTPException, JSONResponse, Ravyn, Request, get, post, put
from ravyn.responses import HTMLResponse, PlainText

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


def extra_route(path: str) -> Gateway:
    @get(path)
    async def route() -> PlainText:
        return PlainText("route")

    return Gateway(handler=route, name=path)


@get("/html")
async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@put("/api/users/{user:int}/records/{record:int}")
async def api(request: Request, user: int, record: int, data: Any = Body()) -> JSONResponse:
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    if data is None:  # Ravyn reads an empty body as JSON null
        raise HTTPException(status_code=400, detail="No JSON body")
    return JSONResponse({"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data})


@post("/upload")
async def upload(data: dict = Form()) -> PlainText:
    field = data.get("file")
    if not isinstance(field, DataUpload):
        raise HTTPException(status_code=400, detail="No file field")
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await field.read())
    return PlainText(path)


routes = [extra_route(f"/route-{index}") for index in range(5)]
routes += [extra_route(f"/route-dyn-{index}/{{part}}") for index in range(5)]
routes += [Gateway(handler=html), Gateway(handler=api), Gateway(handler=upload)]

app = Ravyn(debug=False, routes=routes)
