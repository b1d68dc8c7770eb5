"""The contract of SPEC.md as named checks against a live app, over real HTTP.

The conformance tests call `verify()` for every app, and the benchmark calls it before any
load: a scenario whose checks fail is recorded as failed and not measured. Checks tagged
"all" (the ten extra routes, the server still serving after bad input, no middleware without
BENCH_MIDDLEWARE) gate every scenario. The checks live by group of scenarios (seed: the ten
extra routes, html, api; data: json, validate; routing; stream; middleware; upload) and run in
that order; the middleware scenario's run against the same app started with BENCH_MIDDLEWARE=1.

    python -m scripts.check.verify http://127.0.0.1:8000 [http://127.0.0.1:8001]
    # prints each check, exit 1 on a failure; the second URL: the app with BENCH_MIDDLEWARE=1
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Collection
from pathlib import Path

import httpx

from scripts.check import data, middleware, routing, seed, stream, upload
from scripts.check.core import ALL, REGISTERED, Check, Context, Failed, Registered, check, expect_status, send

__all__ = ["ALL", "NOT_GATING", "Check", "check_names", "failures_by_scenario", "verify"]
# Upload last: see scripts.check.upload.
GROUPS = (seed, data, routing, stream, middleware, upload)


# Last: the bad input above must not have broken the server.


@check(ALL)
def still_serving(ctx: Context) -> None:
    expect_status(send(ctx, "html"), {200}, "GET /html after the bad input")


def _ordered() -> list[Registered]:
    """Every check, its group's order first, then the order it was written in; still_serving last."""
    order = [group.__name__ for group in GROUPS] + [__name__]
    return sorted(REGISTERED, key=lambda registered: order.index(registered.module))


def check_names() -> list[str]:
    return [registered.name for registered in _ordered()]


def verify(
    base_url: str,
    upload_dir: Path | None = None,
    timeout: float = 30.0,
    middleware_url: str | None = None,
    *,
    only: Collection[str] | None = None,
) -> list[Check]:
    """Run every check against the app at base_url, in order; never raises for a failed check.

    upload_dir (the server's BENCH_UPLOAD_DIR) lets the upload checks read what was stored;
    without it that part is skipped. middleware_url: the same app started with
    BENCH_MIDDLEWARE=1, which the middleware scenario's checks ask; without it they fail.
    only: the names of the checks to run (the tests of the checks themselves); None: every one."""
    results = []
    with (
        httpx.Client(base_url=base_url, timeout=timeout) as client,
        httpx.Client(base_url=middleware_url, timeout=timeout) if middleware_url else contextlib.nullcontext() as other,
    ):
        ctx = Context(client, upload_dir, other)
        for registered in _ordered():
            if only is not None and registered.name not in only:
                continue
            try:
                registered.function(ctx)
            except Failed as failure:
                results.append(Check(registered.name, registered.scenario, False, str(failure)))
            except httpx.HTTPError as error:
                results.append(Check(registered.name, registered.scenario, False, f"{type(error).__name__}: {error}"))
            else:
                results.append(Check(registered.name, registered.scenario, True))
    return results


# Checks recorded in every result but not gating a benchmark; the conformance tests hold every
# app to them. The shared temporary folders are shared, so on a busy machine another program's
# file can appear while the uploads run. And a framework whose middlewares cannot reach a
# streamed answer (its headers are sent before the route's generator runs) still runs the html
# page, which the middleware scenario measures, through the same three middlewares.
NOT_GATING = {"upload_leaves_nothing_outside_the_run", "middleware_streamed_answer"}


def failures_by_scenario(checks: list[Check], scenarios: list[str]) -> dict[str, list[Check]]:
    """For each scenario, the failed checks that gate it (its own and the 'all' ones)."""
    gating = [c for c in checks if not c.passed and c.name not in NOT_GATING]
    return {name: [c for c in gating if c.scenario in (name, ALL)] for name in scenarios}


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m scripts.check.verify BASE_URL [MIDDLEWARE_URL]", file=sys.stderr)
        return 2
    checks = verify(argv[0], middleware_url=argv[1] if len(argv) == 2 else None)
    for item in checks:
        print(f"{'PASS' if item.passed else 'FAIL'}  {item.scenario:10} {item.name:38} {item.detail}")
    failed = sum(not item.passed for item in checks)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
