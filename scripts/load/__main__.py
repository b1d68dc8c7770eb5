"""The Python load generator's command line: `python -m scripts.load --url URL --scenario NAME`.

Closed loop (scripts/load/loadgen.py) by default; with `--rate R`, the fixed-rate open model
(scripts/load/fixedrate.py). Prints one JSON object; bad arguments are one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn

from scripts.load import fixedrate, loadgen
from scripts.scenarios import SCENARIOS


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr and exit code 2, instead of argparse's usage block."""
        self.exit(2, f"loadgen: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = _ArgumentParser(prog="loadgen", description="HTTP/1.1 keep-alive load generator; prints JSON.")
    parser.add_argument("--url", required=True, help="base URL of the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per request")
    parser.add_argument(
        "--rate", type=float, help="requests per second: the fixed-rate (open model) mode of scripts/load/fixedrate.py"
    )
    args = parser.parse_args(argv)
    try:
        if args.rate is None:
            result = loadgen.run(args.url, args.scenario, args.connections, args.duration, args.timeout)
        else:
            result = fixedrate.run(args.url, args.scenario, args.rate, args.connections, args.duration, args.timeout)
    except loadgen.UsageError as error:
        print(f"loadgen: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("loadgen: interrupted", file=sys.stderr)
        return 130
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
