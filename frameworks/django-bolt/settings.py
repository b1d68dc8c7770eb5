"""Django settings of the Django-Bolt app: production (DEBUG off), no middleware, the API in app.py."""

import os

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "benchmark-only-not-a-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "app"
# django_bolt brings the runbolt command; Django itself installs no middleware (SPEC.md).
INSTALLED_APPS = ["django_bolt"]
MIDDLEWARE = []
BOLT_API = ["app:api"]
# Django-Bolt refuses uploads over 10 MiB by default, the multipart framing included; SPEC.md asks for 10 MiB files.
BOLT_MAX_UPLOAD_SIZE = 16 * 1024 * 1024
# Log level warning; Bolt's access log (the django.server logger, 2xx at INFO, 4xx at WARNING)
# is off above WARNING, as its logging documentation says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.server": {"level": "ERROR"}},
}
