"""The benchmark contract (SPEC.md) as a single-file Django project with async views.

Served by uvicorn as `app:application`. No database, no templates, no apps: only the URL
configuration below, with production settings (DEBUG off) and no middleware. Django itself
installs none: the list in a new project's settings comes from its project template, not
from the framework's defaults (SPEC.md, fairness policy).
"""

import json
import os
import tempfile
import time

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
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_GET, require_http_methods, require_POST  # noqa: E402


@require_GET
async def route(request, part=None):
    return HttpResponse("route", content_type="text/plain")


@require_GET
async def html(request):
    return HttpResponse("<b>HTML OK</b>", headers={"x-time": str(time.time())})


@require_http_methods(["PUT"])
async def api(request, user, record):
    if "authorization" not in request.headers:
        return HttpResponse("Unauthorized", status=401, content_type="text/plain")
    try:
        data = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest("Invalid JSON", content_type="text/plain")
    return JsonResponse({"params": {"user": user, "record": record}, "query": request.GET.dict(), "data": data})


@require_POST
async def upload(request):
    # A malformed multipart body raises MultiPartParserError, which Django answers with 400.
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return HttpResponseBadRequest("No file field", content_type="text/plain")
    handle, stored = tempfile.mkstemp(dir=UPLOAD_DIR)
    with os.fdopen(handle, "wb") as destination:
        for chunk in uploaded.chunks():
            destination.write(chunk)
    return HttpResponse(stored, content_type="text/plain; charset=utf-8")


urlpatterns = [
    *(path(f"route-{index}", route) for index in range(5)),
    *(path(f"route-dyn-{index}/<str:part>", route) for index in range(5)),
    path("html", html),
    path("api/users/<int:user>/records/<int:record>", api),
    path("upload", upload),
]

application = get_asgi_application()
