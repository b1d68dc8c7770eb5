"""The benchmark contract (SPEC.md) as a Litestar app: typed route handlers, msgspec-parsed bodies."""

import os
import tempfile
import time
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Litestar, MediaType, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, Parameter

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


def extra_routes() -> list:
    handlers = []
    for index in range(5):

        @get(f"/route-{index}", media_type=MediaType.TEXT, name=f"route-{index}")
        async def static_route() -> str:
            return "route"

        @get(f"/route-dyn-{index}/{{part:str}}", media_type=MediaType.TEXT, name=f"route-dyn-{index}")
        async def dynamic_route(part: str) -> str:
            return "route"

        handlers += [static_route, dynamic_route]
    return handlers


@get("/html", media_type=MediaType.HTML)
async def html() -> Response[str]:
    return Response("<b>HTML OK</b>", media_type=MediaType.HTML, headers={"x-time": str(time.time())})


# Path parameters that do not parse as int miss the route: Litestar answers 404.
# A broken or missing JSON body makes Litestar answer 400 itself.
@put("/api/users/{user:int}/records/{record:int}")
async def api(
    request: Request,
    user: int,
    record: int,
    data: Any,
    authorization: Annotated[str | None, Parameter(header="authorization")] = None,
) -> dict[str, Any]:
    if authorization is None:
        raise NotAuthorizedException()
    return {"params": {"user": user, "record": record}, "query": dict(request.query_params), "data": data}


@dataclass
class UploadForm:
    file: UploadFile


# A body without the `file` field, or one that is not multipart, fails validation: 400.
@post("/upload", media_type=MediaType.TEXT, status_code=200)
async def upload(data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> str:
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await data.file.read())
    return path


# Litestar refuses bodies over 10,000,000 bytes by default; SPEC.md asks for 10 MiB uploads.
app = Litestar(route_handlers=[*extra_routes(), html, api, upload], debug=False, request_max_body_size=16 * 1024 * 1024)
