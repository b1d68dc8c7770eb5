"""The checks of the new scenarios can fail: each fault of tests/faulty/faulty-contract (the
baseline app with one thing wrong) fails the check meant to catch it, on a real server.

And the checks ask with other values than the load (SPEC.md, Checks and load).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import frameworks, scenarios
from scripts.check import core, data, middleware, routing, stream, verify
from scripts.serve.server import Server

FAULTY = Path(__file__).parent / "faulty"

# Each fault, whether its server runs with BENCH_MIDDLEWARE=1, the checks it must fail, and a
# check it must still pass (each fault breaks one thing, not the app).
FAULTS = [
    ("json-wrong-price", False, {"json_records"}, "json_bad_count"),
    ("json-count-unchecked", False, {"json_bad_count"}, "json_records"),
    ("validate-total-one-decimal", False, {"validate_order"}, "validate_bounds"),
    ("validate-bound-excluded", False, {"validate_order_at_bounds"}, "validate_order"),
    ("validate-truncated-quantity", False, {"validate_wrong_type"}, "validate_order"),
    ("validate-clamped-quantity", False, {"validate_bounds"}, "validate_order"),
    ("validate-currency-any-case", False, {"validate_unknown_currency"}, "validate_order"),
    ("validate-currency-default", False, {"validate_missing_field"}, "validate_order"),
    ("validate-broken-json-500", False, {"validate_broken_json"}, "validate_order"),
    (
        "validate-refusal-text",
        False,
        {"validate_wrong_type", "validate_bounds", "validate_missing_field"},
        "validate_order",
    ),  # fmt: skip
    ("routing-49-resources", False, {"routing_table", "routing_targets"}, "routing_integer_id"),
    ("routing-as-html", False, {"routing_table", "routing_targets", "routing_methods"}, "routing_integer_id"),
    ("routing-any-id", False, {"routing_integer_id"}, "routing_table"),
    ("routing-method-ignored", False, {"routing_methods"}, "routing_targets"),
    ("stream-wrong-event", False, {"stream_events"}, "stream_no_content_length"),
    ("stream-content-length", False, {"stream_no_content_length"}, "stream_events"),
    ("stream-count-unchecked", False, {"stream_bad_count"}, "stream_events"),
    ("middleware-ignores-block", True, {"middleware_blocks"}, "middleware_request_id_echoed"),
    ("middleware-blocks-after-route", True, {"middleware_blocks"}, "middleware_html_unchanged"),
    ("middleware-no-echo", True, {"middleware_request_id_echoed"}, "middleware_request_id_fresh"),
    ("middleware-fixed-id", True, {"middleware_request_id_fresh"}, "middleware_request_id_echoed"),
    ("middleware-timing-in-ms", True, {"middleware_server_timing", "middleware_every_route"}, "middleware_blocks"),
    ("middleware-drops-route-headers", True, {"middleware_html_unchanged"}, "middleware_server_timing"),
    (
        "middleware-html-only",
        True,
        {"middleware_every_route", "middleware_streamed_answer"},
        "middleware_server_timing",
    ),  # fmt: skip
    ("middleware-not-on-streams", True, {"middleware_streamed_answer"}, "middleware_every_route"),
    ("middleware-always", False, {"middleware_absent_without_the_variable"}, "still_serving"),
]
NEW_SCENARIOS = ("json", "validate", "routing", "stream", "middleware")
NEW_CHECKS = {registered.name for registered in core.REGISTERED if registered.module in {
    group.__name__ for group in (data, routing, stream, middleware)}}  # fmt: skip


@pytest.fixture
def faulty_apps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Take the apps from tests/faulty, as BENCH_FRAMEWORKS_DIR does for a new process."""
    monkeypatch.setattr(frameworks, "FRAMEWORKS_DIR", FAULTY)
    monkeypatch.setattr(frameworks, "REGISTRY", FAULTY / "frameworks.toml")
    yield


def failed(checks: list[verify.Check]) -> dict[str, str]:
    return {check.name: check.detail for check in checks if not check.passed}


@pytest.mark.usefixtures("faulty_apps")
@pytest.mark.parametrize(("fault", "with_middleware", "must_fail", "must_pass"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_fails_its_check(
    monkeypatch: pytest.MonkeyPatch, fault: str, with_middleware: bool, must_fail: set[str], must_pass: str
) -> None:
    monkeypatch.setenv("FAULTY_CONTRACT", fault)
    with Server(frameworks.get("faulty-contract"), middleware=with_middleware) as server:
        # The middleware checks ask the server with BENCH_MIDDLEWARE=1, the others the server without.
        url = server.base_url
        checks = verify.verify(url, middleware_url=url if with_middleware else None, only=must_fail | {must_pass})
    assert set(failed(checks)) == must_fail, failed(checks)


@pytest.mark.usefixtures("faulty_apps")
def test_the_faulty_app_without_a_fault_passes_every_new_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The faults' wrappers are all that is wrong: the app they wrap passes."""
    monkeypatch.delenv("FAULTY_CONTRACT", raising=False)
    app = frameworks.get("faulty-contract")
    with Server(app) as plain, Server(app, middleware=True) as with_middleware:
        checks = verify.verify(plain.base_url, middleware_url=with_middleware.base_url, only=NEW_CHECKS)
    assert {check.name for check in checks} == NEW_CHECKS
    assert failed(checks) == {}


@pytest.mark.usefixtures("faulty_apps")
def test_without_a_middleware_server_the_middleware_checks_fail_saying_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAULTY_CONTRACT", raising=False)
    with Server(frameworks.get("faulty-contract")) as server:
        checks = verify.verify(server.base_url, only=NEW_CHECKS)
    assert failed(checks) == {
        check.name: core.NO_MIDDLEWARE_SERVER for check in checks if check.scenario == "middleware"
    }
    assert "middleware_absent_without_the_variable" not in failed(checks)  # it asks the plain server


def test_every_fault_is_served_and_every_new_check_has_one() -> None:
    app = (FAULTY / "faulty-contract" / "app.py").read_text()
    assert all(f'"{fault}":' in app for fault, *_ in FAULTS)
    caught = set().union(*(must_fail for _, _, must_fail, _ in FAULTS))
    assert caught == NEW_CHECKS


def test_the_new_checks_gate_their_scenarios() -> None:
    scenario_of = {registered.name: registered.scenario for registered in core.REGISTERED}
    assert {scenario_of[name] for name in NEW_CHECKS} == {*NEW_SCENARIOS, core.ALL}
    # Without BENCH_MIDDLEWARE=1 an app installs none, or every scenario measures them.
    assert scenario_of["middleware_absent_without_the_variable"] == core.ALL
    names = verify.check_names()
    assert len(names) == len(set(names)) and names[-1] == "still_serving"
    # The upload's broken multipart body can stop a server: its checks come after every other scenario's.
    assert all(names.index(name) < names.index("upload_stored") for name in NEW_CHECKS)


def test_the_checks_ask_other_values_than_the_load() -> None:
    assert scenarios.ITEMS_COUNT not in data.ITEM_COUNTS
    assert scenarios.EVENTS_COUNT not in stream.EVENT_COUNTS
    assert data.OTHER_ORDER != scenarios.ORDER and data.EDGE_ORDER != scenarios.ORDER
    assert scenarios.REQUEST_ID not in middleware.OTHER_IDS
    load_paths = {target.path for target in scenarios.ROUTING_TARGETS}
    table = {
        scenarios.route_target(resource, kind, routing.other_id(resource, kind), f"child-{resource}").path
        for resource in range(scenarios.ROUTING_RESOURCES)
        for kind in scenarios.ROUTING_KINDS
    }
    with_ids = {path for path in table if not path.endswith("/items")}  # a list route has none to change
    assert len(with_ids) == 150 and not with_ids & load_paths
