"""How closely the built-in Python load generator agrees with wrk, measured side by side.

    python -m scripts.measure.accuracy [--framework NAME] [--duration S] [--repeat N]   (or nox -s accuracy)

Both generators load the same running app, on the same cores, after a discarded warm-up,
alternating wrk and Python run after run, so that a drift of the machine lands on both. For each scenario it prints
the median req/s of each and their ratio, and marks runs where the Python generator was
client-bound (it then measures itself, not the framework: such rows fall outside the claim
that the two agree within 5% wherever the server is the bottleneck).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from tabulate import tabulate

from scripts import frameworks
from scripts.load import drive
from scripts.measure import results
from scripts.scenarios import SCENARIOS
from scripts.serve import cpus
from scripts.serve.server import Server, ServerError, Stopped, stop_on_signals

AGREEMENT = 0.05
WARMUP_S = 5


def compare(name: str, duration: int, repeat: int, connections: int) -> list[list[str]]:
    split = cpus.split()
    rows = []
    with Server(frameworks.get(name), cores=split.server) as server:
        for scenario in SCENARIOS:
            rps: dict[str, list[float]] = {"wrk": [], "python": []}
            bound = False
            drive.run("wrk", server.base_url, scenario, connections, WARMUP_S, split.client)  # discarded
            for client in ["wrk", "python"] * repeat:
                figures = drive.run(client, server.base_url, scenario, connections, duration, split.client)
                server.clear_uploads()
                run = results.run_figures(figures, None, None, drive.threads(client, split.client))
                rps[client].append(run["rps"])
                bound |= client == "python" and run["client_bound"]
            wrk, python = statistics.median(rps["wrk"]), statistics.median(rps["python"])
            ratio = python / wrk
            verdict = "client-bound" if bound else ("agree" if abs(ratio - 1) <= AGREEMENT else "DIFFER")
            spread = {client: f"{min(values):.0f}–{max(values):.0f}" for client, values in rps.items()}
            rows.append([name, scenario, f"{wrk:.0f}", spread["wrk"], f"{python:.0f}", spread["python"],
                         f"{ratio:.3f}", verdict])  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="accuracy", description="Compare the Python load generator with wrk.")
    parser.add_argument(
        "--framework", action="append", choices=frameworks.names(), help="repeatable; default: asgi, starlette"
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv)
    try:
        drive.choose_client("wrk")
    except drive.LoadError as error:
        print(f"accuracy: {error}", file=sys.stderr)
        return 2
    stop_on_signals()
    rows = []
    try:
        for name in args.framework or ["asgi", "starlette"]:
            rows += compare(name, args.duration, args.repeat, args.connections)
    except (ServerError, drive.LoadError) as error:
        print(f"accuracy: {error}", file=sys.stderr)
        return 1
    except Stopped:
        return 130
    headers = [
        "framework",
        "scenario",
        "wrk req/s",
        "wrk range",
        "python req/s",
        "python range",
        "python / wrk",
        "verdict",
    ]
    print(tabulate(rows, headers=headers, disable_numparse=True))
    print(f"{args.repeat} alternating runs of {args.duration} s each after a {WARMUP_S} s warm-up, medians; "
          f"agreement means within {AGREEMENT:.0%}")  # fmt: skip
    return 1 if any(row[-1] == "DIFFER" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
