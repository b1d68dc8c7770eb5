"""Every app passes every check of the contract (SPEC.md), on its real server, over HTTP: started
as the benchmark starts it, and once more with BENCH_MIDDLEWARE=1 for the middleware scenario.

A check that the registry says a framework cannot pass (frameworks.toml, [frameworks.X.cannot])
is expected to fail, strictly: once the framework passes it, the test fails until the entry is
removed, so no stale excuse stays in the registry.
"""

from __future__ import annotations

import platform

import pytest

from scripts import frameworks
from scripts.check import verify
from scripts.serve.server import Server

CHECKS = verify.check_names()


@pytest.fixture(scope="session")
def contract_results() -> dict[str, dict[str, verify.Check]]:
    """The checks per framework, run once against each app's real server and kept."""
    return {}


def _results_for(name: str, cache: dict[str, dict[str, verify.Check]]) -> dict[str, verify.Check]:
    if name not in cache:
        framework = frameworks.get(name)
        with Server(framework) as server, Server(framework, middleware=True) as with_middleware:
            checks = verify.verify(server.base_url, server.upload_dir, middleware_url=with_middleware.base_url)
            cache[name] = {item.name: item for item in checks}
    return cache[name]


def _cases() -> list:
    cases = []
    for framework in frameworks.load().values():
        cannot = framework.cannot(platform.python_version())  # each app's venv has the harness's Python
        for check in CHECKS:
            reason = cannot.get(check)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(framework.name, check, marks=marks, id=f"{framework.name}-{check}"))
    return cases


@pytest.mark.parametrize(("name", "check"), _cases())
def test_contract(name: str, check: str, contract_results: dict[str, dict[str, verify.Check]]) -> None:
    result = _results_for(name, contract_results)[check]
    assert result.passed, f"{name}: {check}: {result.detail}"


def test_every_reason_names_a_real_check() -> None:
    """A misspelt check name in the registry would excuse nothing and go unnoticed."""
    for framework in frameworks.load().values():
        unknown = {limit.check for limit in framework.limits} - set(CHECKS)
        assert not unknown, f"{framework.name}: [cannot] names no such check: {sorted(unknown)}"
        assert all(limit.reason.strip() for limit in framework.limits), f"{framework.name}: an empty reason"


def test_a_limit_of_an_older_release_holds_only_below_its_python() -> None:
    limit = frameworks.Limit("upload_10_mib", "an older release", python_below="3.12")
    assert limit.applies("3.11.7") and not limit.applies("3.12.0") and not limit.applies("3.14.1")
    assert frameworks.Limit("upload_10_mib", "every release").applies("3.14.1")
