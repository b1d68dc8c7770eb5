"""The labels a result carries (event loop, HTTP parser, JSON library) are what served the
requests, observed on each app's real server, and agree with where each framework's own code
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


@pytest.mark.parametrize("name", frameworks.names())
def test_labels_name_what_served_the_requests(name: str) -> None:
    assert name in EXPECTED, f"{name}: add its expected labels, from where its code takes the decision"
    observed = labels.classify(labels.observe_calls(frameworks.get(name)), {})
    parser, json_libraries = EXPECTED[name]
    assert observed["event_loop"]["name"] == ("unknown" if name in UNSEEN_LOOP else "uvloop")
    assert observed["http_parser"]["name"] == parser
    assert {entry["name"]: sorted(entry["used_for"]) for entry in observed["json"]} == json_libraries


def test_a_library_only_loaded_is_not_a_label() -> None:
    """FastAPI imports orjson and Sanic imports httptools; neither serves their requests."""
    for name, absent in (("fastapi", "orjson"), ("sanic", "httptools")):
        observed = labels.classify(labels.observe_calls(frameworks.get(name)), {})
        names = {observed["http_parser"]["name"], *(entry["name"] for entry in observed["json"])}
        assert absent not in names, f"{name} is labelled with {absent}, which it only loads"


def test_unrecognised_calls_are_labelled_unknown() -> None:
    observed = labels.classify({"py somewhere.py:function"}, {})
    assert observed["http_parser"] == {"name": "unknown", "version": None}
    assert observed["event_loop"] == {"name": "unknown", "version": None}
    assert [entry["name"] for entry in observed["json"]] == ["unknown"]
