"""What one search costs a reader: the bytes Chromium fetches for one Pagefind query.

For benchmarks (benchmarks/search.py, benchmarks/year.py), not for builds: it needs
Playwright (a test dependency) and Debian's chromium.
"""

from __future__ import annotations

from pathlib import Path

from ..serve import serving

CHROMIUM = "/usr/bin/chromium"


def answered(page, query: str) -> None:
    """Wait until the page's search status reports `query`: its results are shown
    (site.js sets the status last, and only for the query still asked)."""
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=query
    )


def search_bytes(show_dir: Path, query: str) -> int:
    """Bytes transferred (headers and bodies, as sent) from typing `query` into the home
    page's search box of the built show in `show_dir` until its results are shown: the
    Pagefind runtime, its WebAssembly, the index chunks and the shown results' fragments."""
    return int(search_transfers(show_dir, query)[0])


def search_transfers(show_dir: Path, query: str) -> tuple[int, list[tuple[str, int]]]:
    """search_bytes, and each request's (path, bytes)."""
    from playwright.sync_api import sync_playwright  # a test dependency

    show_dir = Path(show_dir)
    fetched: list[tuple[str, int]] = []
    with serving(show_dir.parent) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{url}{show_dir.name}/")
            page.wait_for_load_state("networkidle")

            def finished(request) -> None:
                fetched.append((request.url, _size(request)))

            page.on("requestfinished", finished)
            page.fill("#q", query)
            answered(page, query)
            page.wait_for_load_state("networkidle")
            page.remove_listener("requestfinished", finished)  # none runs on a closed page
        finally:
            browser.close()
    base = f"{url}{show_dir.name}/"
    rows = [(u.removeprefix(base), n) for u, n in fetched]
    return sum(n for _, n in rows), rows


def _size(request) -> int:
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]
