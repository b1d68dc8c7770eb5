"""The benchmark contract (SPEC.md) as a FastAPI app: typed path operations and a response model."""

import os
import tempfile
import time
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = FastAPI(debug=False)


@app.exception_handler(RequestValidationError)
async def validation_exception_handler(request: Request, exc: RequestValidationError) -> PlainTextResponse:
    # Bad input (broken or missing JSON body, no `file` field) is a 400 in this contract, not FastAPI's 422.
    return PlainTextResponse(str(exc), status_code=400)


for index in range(5):

    @app.get(f"/route-{index}", response_class=PlainTextResponse)
    async def extra_route() -> str:
        return "route"

    @app.get(f"/route-dyn-{index}/{{part}}", response_class=PlainTextResponse)
    async def extra_dynamic_route(part: str) -> str:
        return "route"


@app.get("/html", response_class=HTMLResponse)
async def html() -> HTMLResponse:
    return HTMLResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


class Params(BaseModel):
    user: int
    record: int


class ApiAnswer(BaseModel):
    params: Params
    query: dict[str, str]
    data: Any


# The `:int` convertors make a non-integer path segment miss this route (404) rather than fail validation.
@app.put("/api/users/{user:int}/records/{record:int}")
async def api(
    request: Request,
    user: int,
    record: int,
    data: Annotated[Any, Body()],
    authorization: Annotated[str | None, Header()] = None,
) -> ApiAnswer:
    if authorization is None:
        raise HTTPException(status_code=401, detail="Unauthorized")
    return ApiAnswer(params=Params(user=user, record=record), query=dict(request.query_params), data=data)


@app.post("/upload", response_class=PlainTextResponse)
async def upload(file: UploadFile) -> str:
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        stored.write(await file.read())
    return path
