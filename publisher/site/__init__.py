"""The static site that ships next to the feeds: home, year, track, talk and topic
pages, thumbnails, and a Pagefind search index."""

from pathlib import Path

from .build import build_site, start_site

__all__ = ["build_site", "search_bytes", "start_site"]


def search_bytes(show_dir: Path, query: str) -> int:
    """Bytes Chromium transfers for one search on the built show (site/measure.py:
    needs Playwright and chromium, for benchmarks)."""
    from .measure import search_bytes as measure

    return measure(show_dir, query)
