"""Build the results site with the real Jekyll and look at it in headless Chromium.

    python -m scripts.site.check [--results DIR-or-FILE] [--date YYYY-MM-DD] [--screenshots DIR]

What `nox -s site` runs, in CI as locally. It renders a report (from `--results`, by default
the tests' schema-v2 fixture results; given a published run's data, `downloads/<date>.json`,
that run's post again from the data alone) into a temporary copy of the site, with the site's own
history of runs, builds it with Jekyll, serves the build on 127.0.0.1, and opens the index, the
new post, the methodology page and every framework page in headless Chromium. It saves a
screenshot of each page at a desktop's width and at a phone's (`name.png`, `name-phone.png`) and fails unless:

- the tables and charts are on the pages: on each framework page a share trend per scenario it was measured on,
  and one of instructions per scenario where its runs counted them; on the post and the index
  a chart of each composite some framework has, and of instructions per scenario where the run counted them; on the
  post a table and chart per scenario the run measured, and latency at half load;
- the ranked tables are sorted by their share of asgi or by their composite, and every rank column agrees with its
  figure;
- the post links to the page of every framework it names and to the run's raw data (JSON
  and CSV), the index to every framework page, and each of those links reaches a page or a
  file of the build (the JSON parses, the CSV has its header);
- each framework page links to its app's source and requirements in the repository;
- at a phone's width, no chart is wider than its page (a scrolled chart hides its right part: fit.py);
- no request left the machine:

- the built HTML and CSS load nothing from another host (scripts, styles, images, fonts);
- in Chromium's network log, every request made for the pages went to 127.0.0.1, no TCP
  connection went anywhere but the loopback interface, and no datagram left it. Host names
  other than 127.0.0.1 resolve to nothing, so the browser's own background requests (it
  makes some, whatever the flags) fail before any packet is sent.

Every temporary file and process is removed, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scripts.frameworks import ROOT
from scripts.report import downloads, figures, history, ranking, render
from scripts.report.batches import Batch, ResultError
from scripts.report.markdown import FRAMEWORK_PAGES
from scripts.scenarios import SCENARIOS
from scripts.site import fit
from scripts.site.browser import VIEWPORTS, CheckError, chromium, network_problems, remote

FIXTURES = ROOT / "tests" / "data" / "results-v3"
SCREENSHOTS = ROOT / ".nox" / "site-check"
# The site's own files; the report writes index.md, methodic.md and the new post over them.
SITE_FILES = (*render.STATIC_SITE, str(render.POSTS_DIR), "_data")
# Links to the repository are checked for their shape, never followed (they leave the machine).
STAND_IN_REPOSITORY = "https://repository.example.invalid/benchmark"
# Attributes that make a browser fetch something, on any element; <a href> is a link to follow, not a fetch.
_FETCHING = {"src", "srcset", "data", "poster", "background"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


@dataclass(frozen=True)
class Page:
    """A page to open, and the least it must show; `reach`: its links into the site that must resolve."""

    name: str
    path: str
    tables: int
    charts: int
    links: tuple[str, ...] = ()
    reach: tuple[str, ...] = ()


class Dom(HTMLParser):
    """What a page shows: its tables as rows of cell texts, its SVG charts, its links, and every URL it fetches."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.charts = 0
        self.links: list[str] = []
        self.fetched: list[str] = []
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self.charts += 1
        elif tag == "style":
            self._in_style = True
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for name, value in values.items():
            if name == "srcset":
                self.fetched += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name in _FETCHING or (name in ("href", "xlink:href") and tag != "a"):
                self.fetched.append(value)
        self.fetched += css_urls(values.get("style", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_style:
            self.fetched += css_urls(data)


def css_urls(css: str) -> list[str]:
    return [first or second for first, second in _CSS_URL.findall(css)]


def read_dom(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    dom.close()
    return dom


def remote_fetches(build: Path) -> list[str]:
    """Every URL in the built HTML, CSS and SVG files that would make a browser fetch from another host."""
    found = []
    for path in sorted(build.rglob("*")):
        if path.suffix in (".html", ".svg"):
            urls = read_dom(path.read_text(encoding="utf-8")).fetched
        elif path.suffix == ".css":
            urls = css_urls(path.read_text(encoding="utf-8"))
        else:
            continue
        found += [f"{path.relative_to(build)}: {url}" for url in urls if remote(url)]
    return found


def sorting_problems(page: str, tables: list[list[list[str]]]) -> list[str]:
    """In every ranked table, each rank column ("#", "seed #") against the figure it ranks, the next column headed
    "… vs asgi": a better rank never has a lower figure, and the rows come in the first column's order."""
    problems = []
    for table in tables:
        if not table or not table[0] or table[0][0] != "#":
            continue
        header = table[0]
        for at in (i for i, name in enumerate(header) if name == "#" or name.endswith(" #")):
            column = next((i for i in range(at + 1, len(header)) if _ranked_figure(header[i])), None)
            if column is None:
                continue
            shown = [(row[at], row[column]) for row in table[1:] if len(row) > column and row[at] not in ("", "–")]
            try:
                # A composite's cell holds its range after the figure: "77% (75%–78%)".
                ranked = [
                    (int(rank.lstrip("=")), float(text.split()[0].replace(",", "").rstrip("%"))) for rank, text in shown
                ]
            except ValueError:
                problems.append(f"{page}: a ranked row without a number under {header[column]}: {shown}")
                continue
            # Tied rows share a rank, in either order among themselves.
            values = [value for _, value in sorted(ranked, key=lambda pair: (pair[0], -pair[1]))]
            in_order = at > 0 or [rank for rank, _ in ranked] == sorted(rank for rank, _ in ranked)
            if values != sorted(values, reverse=True) or not in_order:
                problems.append(f"{page}: a table is not sorted by {header[column]}: {shown}")
    return problems


def _ranked_figure(name: str) -> bool:
    return name.endswith("vs asgi")


def copy_site(destination: Path) -> None:
    for name in SITE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        elif source.exists():
            shutil.copy2(source, destination / name)


def build(source: Path, destination: Path) -> None:
    try:
        done = subprocess.run(
            ["jekyll", "build", "--source", str(source), "--destination", str(destination)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CheckError(f"jekyll build did not run: {error}") from None
    if done.returncode != 0:
        raise CheckError(f"jekyll build failed:\n{(done.stderr or done.stdout).strip()[-3000:]}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that hangs up early (after a 404 for its favicon, say) is no error of the site."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1, in a thread that is stopped on the way out."""
    server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def reach(base_url: str, path: str) -> str | None:
    """What is wrong with following a link into the built site, or None when it reaches a page or a usable file."""
    try:
        with urllib.request.urlopen(base_url + path, timeout=30) as answer:
            body = answer.read()
    except (OSError, ValueError) as error:
        return f"{path} does not resolve: {error}"
    if path.endswith(".json"):
        try:
            json.loads(body)
        except ValueError as error:
            return f"{path} is not valid JSON: {error}"
    elif path.endswith(".csv") and not body.startswith(",".join(downloads.COLUMNS).encode()):
        return f"{path} does not start with the CSV header"
    return None


def look(page: Page, base_url: str, work: Path, screenshots: Path) -> list[str]:
    """Open the page, check what it shows, what it fetched and where its links go, and save its screenshots: one at
    each size of VIEWPORTS (name.png at a desktop's, name-phone.png at a phone's)."""
    url = base_url + page.path
    netlog = work / f"{page.name}.netlog.json"
    # Laid out at a phone's width, where a chart is likeliest not to fit (fit.py); the rest does not depend on it.
    dumped = chromium([f"--log-net-log={netlog}", "--dump-dom", url], work, VIEWPORTS["-phone"])
    dom = read_dom(dumped)
    problems = [f"{page.name}: {problem}" for problem in network_problems(netlog)]
    problems += [f"{page.name}: fetches {url}" for url in dom.fetched if remote(url)]
    if len(dom.tables) < page.tables:
        problems.append(f"{page.name}: {len(dom.tables)} tables, expected at least {page.tables}")
    if dom.charts < page.charts:
        problems.append(f"{page.name}: {dom.charts} SVG charts, expected at least {page.charts}")
    problems += [f"{page.name}: no link to {link}" for link in page.links if link not in dom.links]
    followed = [reach(base_url, path) for path in page.reach if path in dom.links]
    problems += [f"{page.name}: {problem}" for problem in followed if problem]
    problems += sorting_problems(page.name, dom.tables)
    for suffix, size in VIEWPORTS.items():
        chromium([f"--screenshot={screenshots / f'{page.name}{suffix}.png'}", url], work, size)
    wide = fit.clipped(dumped)
    if wide is None:
        problems.append(f"{page.name}: the check of the charts' width did not run at a phone's width")
    problems += [f"{page.name}: at a phone's width, the chart {name} is wider than the page" for name in wide or []]
    return problems


def expected_pages(site: Path, day: str, repository: str) -> list[Page]:
    """What each page must show, worked out from the data the site was rendered from."""
    post = f"/{day.replace('-', '/')}/results.html"
    runs = history.load_history(site)
    batch, latest = next(run for run in runs if run.date == day), runs[-1]
    names = render.page_names(runs)
    framework_pages = {name: f"/{FRAMEWORK_PAGES}/{name}.html" for name in sorted(names)}
    data = tuple(f"/{path}" for path in downloads.paths(day))
    named = tuple(framework_pages[name] for name in batch.names() if name in names)
    counted, half_load, latency = (
        sum(any(has(result, s) for result in run.results.values()) for s in SCENARIOS)
        for run, has in ((batch, _counted), (batch, figures.fixed_rate), (batch, _latency))
    )
    # A scenario's chart draws the shares of asgi: one per scenario where some result has one.
    shared = sum(any(figures.share(result, s) for result in batch.results.values()) for s in SCENARIOS)
    counted_latest = sum(any(_counted(result, s) for result in latest.results.values()) for s in SCENARIOS)
    every = [result for run in runs for result in run.results.values()]
    trended = sum(any(figures.share(result, s) for result in every) for s in SCENARIOS)
    seed_trend = any(ranking.composite(result, ranking.SEED_COMPOSITE.scenarios)[0] for result in every)
    pages = [
        # The index: the latest run's composite table and its shares per scenario, a chart of each composite and of
        # instructions per scenario, the seed composite's trend and one per scenario measured in any run, the post in
        # the archive, every framework page.
        Page("index", "/", tables=2, charts=_composited(latest) + counted_latest + seed_trend + trended,
             links=(post, "/methodic.html", *framework_pages.values()), reach=tuple(framework_pages.values())),
        # The post: the composites and the shares per scenario, a table and chart per scenario measured, with
        # instructions and latency at half load, the run's methodology and baseline tables; its links reach every
        # framework page and the raw data.
        Page("post", post, tables=4 + len(ranking.measured_scenarios(batch)) + half_load,
             charts=_composited(batch) + shared + counted + latency,
             links=("/methodic.html", *data, *named), reach=(*data, *named)),
        Page("methodic", "/methodic.html", tables=3, charts=0),
    ]  # fmt: skip
    for name, path in framework_pages.items():
        entries = history.timeline(runs, name)
        measured = [entry.result for entry in entries if entry.result]
        commit = measured[-1]["git"]["commit"] if measured else None
        source = f"{repository}/blob/{commit or 'HEAD'}/frameworks/{name}"
        recorded = sum(any(_counted(result, s) for result in measured) for s in SCENARIOS)
        shared = sum(any(figures.share(result, s) for result in measured) for s in SCENARIOS)
        columns = any(figures.rps(result, s) for result in measured for s in SCENARIOS)
        # A framework page: a share trend per scenario where measured and an instructions trend where recorded, its
        # runs (with their shares and instructions per scenario where any has figures), its verification, its code.
        pages.append(Page(f"framework-{name}", path,
                          tables=1 + 2 * columns + bool(measured and measured[-1]["verification"]),
                          charts=shared + recorded,
                          links=(f"{source}/app.py", f"{source}/requirements.txt", "/methodic.html")))  # fmt: skip
    return pages


def _composited(batch: Batch) -> int:
    """How many composites some result of the run has: each has its chart."""
    return sum(
        any(ranking.composite(result, composite.scenarios)[0] for result in batch.results.values())
        for composite in ranking.COMPOSITES
    )


def _counted(result: dict, scenario: str) -> bool:
    return figures.instructions(result, scenario) is not None


def _latency(result: dict, scenario: str) -> bool:
    """Whether the result has latency at half load to draw: measured, and not overloaded."""
    measured = figures.fixed_rate(result, scenario)
    return bool(measured) and not measured["overloaded"]


def check(results: Path, day: str, screenshots: Path, repository: str = STAND_IN_REPOSITORY) -> list[str]:
    """Render, build, serve and look; returns the problems found, empty when the site is right."""
    screenshots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="site-check-") as temporary:
        work = Path(temporary)
        site, built = work / "site", work / "built"
        site.mkdir()
        copy_site(site)
        rendered = ["--results", str(results), "--date", day, "--site", str(site), "--repository", repository]
        if render.main(rendered) != 0:
            raise CheckError(f"the report could not be rendered from {results}")
        build(site, built)
        problems = [f"built site fetches from another host: {found}" for found in remote_fetches(built)]
        fit.add_probe(built)
        with serve(built) as base_url:
            for page in expected_pages(site, day, repository):
                problems += look(page, base_url, work, screenshots)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="site_check", description="Build the site with Jekyll, check it in Chromium.")
    parser.add_argument(
        "--results",
        type=Path,
        default=FIXTURES,
        help="result files to render the report from, or a published run's data (downloads/<date>.json)",
    )
    parser.add_argument(
        "--date", type=render.iso_date, help="the post's date (default: today, UTC; a run's data file has its own)"
    )
    parser.add_argument("--screenshots", type=Path, default=SCREENSHOTS, help="where the screenshots go")
    parser.add_argument(
        "--repository",
        default=render.repository_from_environment() or STAND_IN_REPOSITORY,
        help="the repository address for the links to each app's code (checked, never followed)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    missing = [tool for tool in ("jekyll", "chromium") if not shutil.which(tool)]
    if missing:
        print(
            f"site_check: {' and '.join(missing)} not installed (apt-get install {' '.join(missing)})", file=sys.stderr
        )
        return 2
    try:
        day = render.read_run(args.results, args.date).date
        problems = check(args.results, day, args.screenshots, args.repository)
    except ResultError as error:
        print(f"site_check: {error}", file=sys.stderr)
        return 2
    except CheckError as error:
        print(f"site_check: {error}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"site_check: FAIL {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"site_check: the site builds, shows its tables and charts, and loads nothing from elsewhere; "
          f"screenshots in {args.screenshots}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
