"""An A/B run's result (scripts/measure/ab.py writes it), rendered for a terminal or a pull request."""

from __future__ import annotations

from tabulate import tabulate

from scripts.report.markdown import count, environment

KIND = "ab"
HEADERS = ["scenario", "candidate / reference", "interval", "verdict", "instructions per request", "change"]


def is_ab(result: dict) -> bool:
    return result.get("kind") == KIND


def side(described: dict) -> str:
    install = described["install"]
    version = f", {install['version']}" if install else ""
    return f"{described['requirement']}{version}, app {described['app']}"


def rows(result: dict) -> list[list[str]]:
    found = []
    for name, entry in result["scenarios"].items():
        ratio, counted = entry["ratio"], entry["instructions"]
        if ratio is None:
            found.append([name, "", "", (entry["reason"] or entry["status"])[:200], "", ""])
            continue
        interval = f"{ratio['low']:.3f}–{ratio['high']:.3f} ({ratio['confidence']:.0%})"
        instructions = (f"{count(counted['candidate']['per_request'])} vs {count(counted['reference']['per_request'])}"
                        if counted else "not counted")  # fmt: skip
        change = f"{counted['change']:+.1%} ({counted['verdict']})" if counted else ""
        found.append([name, f"{ratio['median']:.3f}", interval, ratio["verdict"], instructions, change])
    return found


def render_markdown(result: dict) -> str:
    return environment().get_template("ab.md.j2").render(result=result, rows=rows(result), side=side)


def render_terminal(result: dict) -> str:
    head = [f"{result['framework']}: candidate ({side(result['candidate'])}) against reference "
            f"({side(result['reference'])})"]  # fmt: skip
    return "\n".join([*head, tabulate(rows(result), headers=HEADERS, disable_numparse=True)])
