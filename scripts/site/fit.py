"""Whether every chart fits its page at a phone's width.

A chart wider than the page scrolls, and shows only its left part: a trend without its latest run,
a bar chart whose bars all stop at the edge. Phones hide the scrollbar, so a reader need not see
that there is more. The check copies a small script (fit.js) into each page of its own temporary
build; Chromium lays the page out at a phone's size, the script names in the body every chart wider
than its box, and the dumped page is read back here.
"""

from __future__ import annotations

import re
from pathlib import Path

PROBE = f"<script>\n{Path(__file__).with_name('fit.js').read_text(encoding='utf-8')}</script>\n"
FOUND = re.compile(r'<body[^>]*\sdata-clipped-charts="([^"]*)"')


def add_probe(built: Path) -> None:
    """Into every built page, just before the end of its body, where the page is complete."""
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")


def clipped(dumped: str) -> list[str] | None:
    """The charts the script named in a page dumped by Chromium; None when it did not run."""
    found = FOUND.search(dumped)
    return found.group(1).split() if found else None
