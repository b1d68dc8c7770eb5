"""Shared fixtures: real app servers, started the way `nox -s serve-<name>` starts them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scripts import frameworks
from scripts.serve import Server


@pytest.fixture(scope="module")
def asgi_server() -> Iterator[Server]:
    with Server(frameworks.get(frameworks.BASELINE)) as server:
        yield server
