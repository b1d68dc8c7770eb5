"""The benchmark contract (SPEC.md) as a BlackSheep app, served by uvicorn."""

import os
import tempfile
import time

from blacksheep import Application, FromFile, Request, bad_request, html, json, text, unauthorized

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

app = Application(show_error_details=False)
get = app.router.get
put = app.router.put
post = app.router.post


def add_extra_routes() -> None:
    for index in range(5):

        async def static_route():
            return text("route")

        async def dynamic_route(part: str):
            return text("route")

        get(f"/route-{index}")(static_route)
        get(f"/route-dyn-{index}/{{part}}")(dynamic_route)


add_extra_routes()


@get("/html")
async def html_page():
    response = html("<b>HTML OK</b>")
    response.add_header(b"x-time", str(time.time()).encode())
    return response


@put("/api/users/{int:user}/records/{int:record}")
async def api(request: Request, user: int, record: int):
    if not request.has_header(b"authorization"):
        return unauthorized("Missing authorization header")
    data = await request.json()  # broken JSON raises BadRequestFormat: a 400
    if data is None:  # no body, or not declared as JSON
        return bad_request("Expected a JSON body")
    query = {name: values[-1] for name, values in request.query.items()}
    return json({"params": {"user": user, "record": record}, "query": query, "data": data})


@post("/upload")
async def upload(file: FromFile):
    # FromFile reads the multipart part named like the parameter; a body without
    # it (or not multipart at all) raises MissingParameterError: a 400.
    handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as stored:
        async for chunk in file.value.stream():
            stored.write(chunk)
    return text(path)
