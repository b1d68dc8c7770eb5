"""The benchmark contract (SPEC.md) as a Django-Bolt API, served by Django-Bolt's own Rust server.

Run as `python -m manage runbolt --host H --port P --processes 1 --workers 1` (settings.py
names this API). JSON is Django-Bolt's own (msgspec). Python 3.11 gets django-bolt 0.3, the
newest release for it, and later Pythons 0.13: their file parameter differs (a dict holding
the bytes in 0.3, an UploadFile in 0.13), and the upload handler takes either.
"""

import os
import tempfile
import time
from typing import Annotated, Any

from django_bolt import BoltAPI, Request
from django_bolt.exceptions import BadRequest, Unauthorized
from django_bolt.param_functions import Body, File, Header
from django_bolt.responses import HTML, PlainText

try:
    from django_bolt import UploadFile  # django-bolt 0.13: a file parameter is an UploadFile
except ImportError:  # django-bolt 0.3, the newest for Python 3.11: a dict holding the file's bytes
    UploadFile = dict

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

api = BoltAPI()
urlpatterns: list = []  # Django needs a URL configuration; Bolt routes outside it

for index in range(5):

    @api.get(f"/route-{index}")
    async def extra_route() -> PlainText:
        return PlainText("route")

    @api.get(f"/route-dyn-{index}/{{part}}")
    async def extra_dynamic_route(part: str) -> PlainText:
        return PlainText("route")


@api.get("/html")
async def html() -> HTML:
    return HTML("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@api.put("/api/users/{user}/records/{record}")
async def api_record(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Body()],
    query: str | None = None,  # declared, so that Bolt parses the query string for request["query"]
    authorization: Annotated[str | None, Header()] = None,
) -> dict:
    if authorization is None:
        raise Unauthorized(detail="Unauthorized")
    return {"params": {"user": user, "record": record}, "query": dict(request["query"]), "data": data}


@api.post("/upload")
async def upload(file: Annotated[UploadFile | None, File()] = None) -> PlainText:
    if file is None:
        raise BadRequest(detail="No file field")
    content = file["content"] if isinstance(file, dict) else await file.read()
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(content)
    return PlainText(path)
