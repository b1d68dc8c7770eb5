"""The benchmark contract (SPEC.md) as a Django Ninja API in a single-file Django project.

Served by uvicorn as `app:application`, with Django's production settings (DEBUG off) and no
middleware: Django itself installs none (SPEC.md, fairness policy). Ninja answers bad input
with 422; the contract asks 400 for a form without its file, so one exception handler, the
way Ninja's documentation shows, turns its validation errors into 400.
"""

import os
import tempfile
import time
from typing import Any

from django.conf import settings

UPLOAD_DIR = os.environ.get("BENCH_UPLOAD_DIR") or tempfile.mkdtemp()

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
)

from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from ninja import Body, File, NinjaAPI, UploadedFile  # noqa: E402
from ninja.errors import HttpError, ValidationError  # noqa: E402

api = NinjaAPI()


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=400)


for index in range(5):

    @api.get(f"/route-{index}")
    async def extra_route(request: HttpRequest) -> HttpResponse:
        return HttpResponse("route", content_type="text/plain")

    @api.get(f"/route-dyn-{index}/{{part}}")
    async def extra_dynamic_route(request: HttpRequest, part: str) -> HttpResponse:
        return HttpResponse("route", content_type="text/plain")


@api.get("/html")
async def html(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@api.put("/api/users/{int:user}/records/{int:record}")
async def api_record(request: HttpRequest, user: int, record: int, data: Any = Body(...)) -> dict:
    if "authorization" not in request.headers:
        raise HttpError(401, "Unauthorized")
    return {"params": {"user": user, "record": record}, "query": request.GET.dict(), "data": data}


@api.post("/upload")
async def upload(request: HttpRequest, file: UploadedFile = File(...)) -> HttpResponse:
    handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as destination:
        for chunk in file.chunks():
            destination.write(chunk)
    return HttpResponse(stored, content_type="text/plain; charset=utf-8")


urlpatterns = [path("", api.urls)]

application = get_asgi_application()
