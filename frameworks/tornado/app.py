"""The benchmark contract (SPEC.md) as a tornado.web app, served by tornado's own HTTP server on uvloop.

Run as `python -m app --host H --port P`. JSON is tornado's own (tornado.escape, on the
standard library's json): tornado has no hook for another JSON library.
"""

import argparse
import asyncio
import logging
import os
import tempfile
import time

import tornado.escape
import tornado.web
import uvloop

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()


class ExtraRoute(tornado.web.RequestHandler):
    def get(self, part: str | None = None) -> None:
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write("route")


class Html(tornado.web.RequestHandler):
    def get(self) -> None:
        # tornado's default content type is text/html; charset=UTF-8.
        self.set_header("x-time", str(time.time()))
        self.write("<b>HTML OK</b>")


class Api(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("PUT",)

    def put(self, user: str, record: str) -> None:
        if "Authorization" not in self.request.headers:
            raise tornado.web.HTTPError(401)
        try:
            data = tornado.escape.json_decode(self.request.body)
        except ValueError:  # json.JSONDecodeError, and a body that is not UTF-8
            raise tornado.web.HTTPError(400, reason="Invalid JSON") from None
        query = {name: self.get_query_argument(name, strip=False) for name in self.request.query_arguments}
        # A dict given to write() is sent as application/json.
        self.write({"params": {"user": int(user), "record": int(record)}, "query": query, "data": data})


class Upload(tornado.web.RequestHandler):
    # Checked before tornado parses the body: any other method gets 405, whatever its body.
    SUPPORTED_METHODS = ("POST",)

    def post(self) -> None:
        # tornado parses the multipart body itself, and answers 400 to a malformed one.
        files = self.request.files.get("file")
        if not files:
            raise tornado.web.HTTPError(400, reason="No file field")
        handle, path = tempfile.mkstemp(dir=UPLOAD_DIR)
        with os.fdopen(handle, "wb") as stored:
            stored.write(files[0].body)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.write(path)


def no_access_log(handler: tornado.web.RequestHandler) -> None:
    """The application's log_function: no access log."""


def make_app() -> tornado.web.Application:
    # The ten extra routes come first, so that routing does real work.
    extra = [(rf"/route-{index}", ExtraRoute) for index in range(5)]
    extra += [(rf"/route-dyn-{index}/([^/]+)", ExtraRoute) for index in range(5)]
    return tornado.web.Application(
        [
            *extra,
            (r"/html", Html),
            (r"/api/users/(\d+)/records/(\d+)", Api),
            (r"/upload", Upload),
        ],
        debug=False,
        log_function=no_access_log,
    )


async def main(host: str, port: int) -> None:
    app = make_app()
    app.listen(port, address=host)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the tornado benchmark app.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(main(args.host, args.port))
