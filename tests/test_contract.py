"""Every app passes every check of the contract (SPEC.md), on its real server, over HTTP."""

from __future__ import annotations

import pytest

from scripts import frameworks, verify
from scripts.serve import Server

CHECKS = verify.check_names()


@pytest.fixture(scope="session")
def contract_results() -> dict[str, dict[str, verify.Check]]:
    """The checks per framework, run once against each app's real server and kept."""
    return {}


def _results_for(name: str, cache: dict[str, dict[str, verify.Check]]) -> dict[str, verify.Check]:
    if name not in cache:
        with Server(frameworks.get(name)) as server:
            cache[name] = {item.name: item for item in verify.verify(server.base_url, server.upload_dir)}
    return cache[name]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("name", frameworks.names())
def test_contract(name: str, check: str, contract_results: dict[str, dict[str, verify.Check]]) -> None:
    result = _results_for(name, contract_results)[check]
    assert result.passed, f"{name}: {check}: {result.detail}"
