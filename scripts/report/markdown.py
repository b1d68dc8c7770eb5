"""How figures and free text are written into the site's Markdown pages: the jinja2 environment and its filters.

Numbers are formatted here once for every page. Free text (reasons, commands, versions)
goes through `cell`, so that nothing in it is read as table, Markdown or Liquid syntax.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

import jinja2

from scripts.report import charts, figures
from scripts.report.figures import Overhead, Share

# These characters would be read as table, Markdown or Liquid syntax, and quotes, "--" and
# "..." would be turned into typographic ones.
_MARKDOWN_SPECIAL = re.compile(r"[|{}*_`\[\]\\#<>&~!$'\"^]|-(?=-)|\.(?=\.\.)")
FRAMEWORK_PAGES = "framework"


def cell(text: object) -> str:
    """Text that stays plain text in a Markdown table cell, whatever it holds."""
    return _MARKDOWN_SPECIAL.sub(lambda match: f"&#{ord(match.group())};", " ".join(str(text).split()))


def count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def milliseconds(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def percent(share: float | None) -> str:
    if share is None:
        return "n/a"
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def mebibytes(size: int | None) -> str:
    return "n/a" if size is None else f"{size / 2**20:.1f} MiB"


def error_share(share: float) -> str:
    return "0" if share == 0 else f"{share:.2%}"


def chance(value: float | None) -> str:
    """A small probability with two significant digits, as a percentage: 10%, 5.7%, 0.0041%."""
    return "not defined (one repeat)" if value is None else f"{value * 100:.2g}%"


def cv(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def share_range(share: Share | None) -> str:
    """The share's range over the repeats; "unpaired" for a v1 result, whose baseline was a single later run."""
    if share is None:
        return ""
    shown = f"{percent(share.spread.low)}–{percent(share.spread.high)}"
    return shown if share.paired else f"{shown} unpaired"


def overhead(extra: Overhead | None) -> str:
    """Signed: a framework can execute fewer instructions than the raw app (Django-Bolt's server is Rust)."""
    if extra is None:
        return "n/a"
    sign = "−" if extra.extra < 0 else "+"
    return f"{sign}{abs(extra.extra):,.0f} (×{extra.multiple:.1f})"


def package(entry: dict | None) -> str:
    """A library as observed: its name, version, and for a JSON library that only decoded or only
    encoded, which (FastAPI reads with the standard library and writes with pydantic-core)."""
    if not entry:
        return "n/a"
    text = f"{entry['name']} {entry['version']}" if entry["version"] else entry["name"]
    roles = entry.get("used_for") or []
    return f"{text} ({roles[0]} only)" if len(roles) == 1 else text


def version(result: dict | None) -> str:
    """The framework's version as measured; the raw ASGI app has none."""
    return figures.framework_version(result) or ("" if result and result["versions"] else "unknown")


def server_name(result: dict | None) -> str:
    if not result:
        return ""
    return package(result["versions"]["server"]) if result["versions"] else result["server"]["name"]


def page_path(name: str) -> str:
    return f"{FRAMEWORK_PAGES}/{name}.md"


def framework_link(name: str, pages: set[str]) -> str:
    """The name linked to its framework page; a name without one (an unreadable file's) stays plain text."""
    return f"[{cell(name)}]({link(page_path(name))})" if name in pages else cell(name)


def pypi_link(result: dict | None) -> str:
    versions = result["versions"] if result else None
    if not versions or not versions["framework"]["version"]:
        return ""
    name = versions["framework"]["name"]
    return f"[{cell(name)} on PyPI](https://pypi.org/project/{quote(name)}/)"


def link(path: str) -> str:
    """Jekyll resolves this at build time and fails the build on a broken link."""
    return "{% link " + path + " %}"


def post_url(day: str) -> str:
    return "{% post_url " + day + "-results %}"


def count_ticks(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def percent_ticks(value: float) -> str:
    return f"{value:g}%"


@functools.cache
def environment() -> jinja2.Environment:
    """Markdown templates: no HTML autoescape; free text goes through `cell`, which escapes what Markdown needs.
    One environment for every page, so that each template is compiled once."""
    markdown = jinja2.Environment(
        loader=jinja2.FileSystemLoader(charts.TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    markdown.filters.update(
        cell=cell,
        count=count,
        ms=milliseconds,
        percent=percent,
        mib=mebibytes,
        error_share=error_share,
        package=package,
        share_range=share_range,
        overhead=overhead,
        cv=cv,
        chance=chance,
    )
    markdown.globals.update(
        framework_link=framework_link,
        pypi_link=pypi_link,
        server_name=server_name,
        version=version,
        python=figures.python,
        start_command=figures.start_command,
        link=link,
        post_url=post_url,
        figures=figures,
    )
    return markdown
