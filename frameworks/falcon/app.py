"""The benchmark contract (SPEC.md) as a Falcon ASGI app, served by uvicorn."""

import os
import tempfile
import time

import falcon
import falcon.asgi

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


class StaticRoute:
    async def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "route"


class DynamicRoute:
    async def on_get(self, req, resp, part):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "route"


class HTMLResource:
    async def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_HTML
        resp.set_header("x-time", str(time.time()))
        resp.text = "<b>HTML OK</b>"


class RecordResource:
    async def on_put(self, req, resp, user, record):
        if req.get_header("authorization") is None:
            raise falcon.HTTPUnauthorized(title="Missing authorization header")
        # An empty body raises MediaNotFoundError, broken JSON MediaMalformedError: both 400.
        data = await req.get_media()
        query = {name: req.get_param(name) for name in req.params}
        resp.media = {"params": {"user": user, "record": record}, "query": query, "data": data}


class UploadResource:
    async def on_post(self, req, resp):
        if not (req.content_type or "").startswith(falcon.MEDIA_MULTIPART):
            raise falcon.HTTPUnsupportedMediaType(title="Expected multipart/form-data")
        stored = None
        # A malformed form raises MultipartParseError (a MediaMalformedError): a 400.
        form = await req.get_media()
        async for part in form:
            if part.name == "file" and stored is None:
                handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
                with os.fdopen(handle, "wb") as destination:
                    async for chunk in part.stream:
                        destination.write(chunk)
        if stored is None:
            raise falcon.HTTPBadRequest(title="No file field")
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = stored


app = falcon.asgi.App()

for index in range(5):
    app.add_route(f"/route-{index}", StaticRoute())
    app.add_route(f"/route-dyn-{index}/{{part}}", DynamicRoute())
app.add_route("/html", HTMLResource())
app.add_route("/api/users/{user:int}/records/{record:int}", RecordResource())
app.add_route("/upload", UploadResource())
