"""The labels a result carries (event loop, HTTP parser, JSON library, who validated) are what
served the requests, observed on each app's real server, and agree with where each framework's own code
takes the decision (the reference next to each entry)."""

from __future__ import annotations

import pytest

from scripts import frameworks
from scripts.check import labels

STDLIB_JSON = {"json (stdlib)": ["decode", "encode"]}
# framework: (HTTP parser, {JSON library: what it does}); every app runs on uvloop.
EXPECTED: dict[str, tuple[str, dict[str, list[str]]]] = {
    # uvicorn --http httptools: uvicorn/protocols/http/httptools_impl.py; the app calls json itself.
    "asgi": ("httptools", STDLIB_JSON),
    # aiohttp/http_parser.py ends by replacing HttpRequestParser with the C one (_http_parser).
    "aiohttp": ("aiohttp (C parser)", STDLIB_JSON),
    "baize": ("httptools", STDLIB_JSON),  # baize/requests.py: json.loads; responses.py: json.dumps
    "blacksheep": ("httptools", STDLIB_JSON),  # blacksheep/settings/json.py: json by default
    "django": ("httptools", STDLIB_JSON),  # the app calls json.loads; JsonResponse: json.dumps
    "emmett": ("httptools", {"orjson": ["decode", "encode"]}),  # emmett_core/serializers.py, parsers.py
    "falcon": ("httptools", STDLIB_JSON),  # falcon/media/json.py: JSONHandler defaults to json
    # fastapi/routing.py: the body through json.loads, the answer serialized by pydantic-core.
    "fastapi": ("httptools", {"json (stdlib)": ["decode"], "pydantic-core": ["encode"]}),
    "litestar": ("httptools", {"msgspec": ["decode", "encode"]}),  # litestar/serialization/msgspec_hooks.py
    "muffin": ("httptools", {"orjson": ["decode", "encode"]}),  # asgi_tools picks orjson when installed
    "quart": ("httptools", STDLIB_JSON),  # quart/json/provider.py: json
    # sanic/http/http1.py parses HTTP in Python; sanic/helpers.py and request/types.py take ujson.
    "sanic": ("sanic (own parser, Python)", {"ujson": ["decode", "encode"]}),
    "starlette": ("httptools", STDLIB_JSON),  # starlette/requests.py, responses.py: json
    # tornado/http1connection.py parses HTTP; tornado/escape.py: json
    "tornado": ("tornado (own parser, Python)", STDLIB_JSON),
    "django-ninja": ("httptools", STDLIB_JSON),  # ninja/parser.py: json.loads; ninja/renderers.py: json.dumps
    "lilya": ("httptools", STDLIB_JSON),  # lilya/serializers.py: json
    "ravyn": ("httptools", {"orjson": ["decode", "encode"]}),  # ravyn/requests.py, responses/base.py: orjson
    # lihil/utils/json.py: msgspec's JSON Decoder and Encoder.
    "lihil": ("httptools", {"msgspec": ["decode", "encode"]}),
    # microdot/microdot.py parses HTTP in Request.create, and imports orjson as its json when installed.
    "microdot": ("microdot (own parser, Python)", {"orjson": ["decode", "encode"]}),
    # Robyn parses HTTP and the JSON body in Rust, where no rule sees; robyn/jsonify.py: orjson.dumps.
    "robyn": ("unknown", {"orjson": ["encode"]}),
    # Django-Bolt's Rust server calls the handlers from threads it starts, where Python's profiler
    # is not installed (threading.setprofile reaches only threads Python starts): nothing is seen.
    "django-bolt": ("unknown", {"unknown": []}),
}
# Every app runs on uvloop; where the probe cannot see the loop, its label is "unknown".
UNSEEN_LOOP = {"django-bolt"}
# Who validated the validate scenario's order, and with what (SPEC.md, validate): each framework's
# documented way, or pydantic called by the app where the framework has no validation of its own.
BY_THE_APP = ("pydantic", "the app")
VALIDATION: dict[str, tuple[str, str]] = {
    "asgi": ("none observed", "the app, by hand"),  # frameworks/asgi/app.py checks each field itself
    "aiohttp": BY_THE_APP, "baize": BY_THE_APP, "django": BY_THE_APP, "emmett": BY_THE_APP, "lilya": BY_THE_APP,
    "microdot": BY_THE_APP, "muffin": BY_THE_APP, "quart": BY_THE_APP, "sanic": BY_THE_APP,
    "starlette": BY_THE_APP, "tornado": BY_THE_APP,
    "blacksheep": ("pydantic", "the framework (blacksheep)"),  # blacksheep/server/bindings: FromJSON
    "django-ninja": ("pydantic", "the framework (ninja)"),  # ninja/signature: the Schema of the body
    "fastapi": ("pydantic", "the framework (fastapi)"),  # fastapi/dependencies/utils.py: request_body_to_args
    "ravyn": ("pydantic", "the framework (ravyn)"),  # ravyn/routing/core/base.py: the data model
    "robyn": ("pydantic", "the framework (robyn)"),  # robyn's pydantic body integration
    "falcon": ("jsonschema", "the framework (falcon)"),  # falcon/media/validators/jsonschema.py
    "litestar": ("msgspec", "the framework (litestar)"),  # litestar/serialization/msgspec_hooks.py
    "lihil": ("msgspec", "the framework (lihil)"),  # lihil's msgspec Struct bodies
    # Bolt validates with msgspec in Rust threads the profiler does not reach: nothing is seen.
    "django-bolt": ("unknown", "unknown"),
}  # fmt: skip


@pytest.mark.parametrize("name", frameworks.names())
def test_labels_name_what_served_the_requests(name: str) -> None:
    assert name in EXPECTED, f"{name}: add its expected labels, from where its code takes the decision"
    observed = labels.classify(labels.observe_calls(frameworks.get(name)), {})
    parser, json_libraries = EXPECTED[name]
    assert observed["event_loop"]["name"] == ("unknown" if name in UNSEEN_LOOP else "uvloop")
    assert observed["http_parser"]["name"] == parser
    assert {entry["name"]: sorted(entry["used_for"]) for entry in observed["json"]} == json_libraries
    assert (observed["validation"]["library"], observed["validation"]["called_by"]) == VALIDATION[name]


def test_a_library_only_loaded_is_not_a_label() -> None:
    """FastAPI imports orjson and Sanic imports httptools; neither serves their requests."""
    for name, absent in (("fastapi", "orjson"), ("sanic", "httptools")):
        observed = labels.classify(labels.observe_calls(frameworks.get(name)), {})
        names = {observed["http_parser"]["name"], *(entry["name"] for entry in observed["json"])}
        assert absent not in names, f"{name} is labelled with {absent}, which it only loads"


def test_unrecognised_calls_are_labelled_unknown() -> None:
    observed = labels.classify({"api": {"py somewhere.py:function"}, "validate": {"py somewhere.py:function"}}, {})
    assert observed["http_parser"] == {"name": "unknown", "version": None}
    assert observed["event_loop"] == {"name": "unknown", "version": None}
    assert [entry["name"] for entry in observed["json"]] == ["unknown"]
    assert observed["validation"] == {"library": "unknown", "version": None, "called_by": "unknown"}
