"""The benchmark contract (SPEC.md) as a Lihil app: Routes with typed endpoints, msgspec for JSON."""

import os
import tempfile
import time
from typing import Annotated, Any

from lihil import HTTPException, Lihil, Param, Route, Text, UploadFile
from lihil.vendors import Request, Response
from starlette.formparsers import MultiPartException  # what Lihil's Request (Starlette's) raises

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


class Unauthorized(HTTPException[str]):
    """No authorization header."""

    __status__ = 401


class BadForm(HTTPException[str]):
    """A malformed multipart body, or one without a `file` field."""

    __status__ = 400


def extra_route(index: int) -> Route:
    route = Route(f"/route-{index}")

    @route.get
    async def extra() -> Text:
        return "route"

    return route


def extra_dynamic_route(index: int) -> Route:
    route = Route(f"/route-dyn-{index}/{{part}}")

    @route.get
    async def extra(part: str) -> Text:
        return "route"

    return route


html_route = Route("/html")


@html_route.get
async def html() -> Response:
    return Response("<b>HTML OK</b>", media_type="text/html", headers={"x-time": str(time.time())})


api_route = Route("/api/users/{user}/records/{record}")


@api_route.put(problems=Unauthorized)
async def api(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Param("body")],
    authorization: Annotated[str | None, Param("header")] = None,
) -> dict[str, Any]:
    if authorization is None:
        raise Unauthorized("Unauthorized")
    return {"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data}


upload_route = Route("/upload")


@upload_route.post
async def upload(request: Request) -> Text:
    # The form is read from the Request: an `UploadFile` parameter answers 500 to a form
    # without its field (a KeyError in lihil/signature/parser.py, file_decoder).
    try:
        async with request.form() as form:
            field = form.get("file")
            if not isinstance(field, UploadFile):
                raise BadForm("No file field")
            handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
            with os.fdopen(handle, "wb") as stored:
                stored.write(await field.read())
    except MultiPartException:
        raise BadForm("Malformed multipart body") from None
    return path


routes = [extra_route(index) for index in range(5)]
routes += [extra_dynamic_route(index) for index in range(5)]
routes += [html_route, api_route, upload_route]

app = Lihil(*routes)
