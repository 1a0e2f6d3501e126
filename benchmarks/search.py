"""The site at scale (issue 16): build it from N synthetic talks and measure what a reader
downloads.

    .venv/bin/python benchmarks/search.py [--talks 1000] [--query memory] [--dir DIR]

Makes the test factory's two talks (tests/episode_factory.py: real MP3s and covers) and
copies them into N talks over 70 tracks and 120 topics, three questions each, with
caption-rate transcripts (tests/many_talks.py; no audio is made for the copies). Then
builds the feeds' URLs and the site (publisher.site.build_site: pages, thumbnails,
Pagefind index) and prints
  - the site build's seconds, and a rebuild's (nothing changed: thumbnails and index from
    the cache, nothing rewritten);
  - the home page's bytes (target <= 100 KB) and the largest pages;
  - the Pagefind index on disk;
  - the bytes Chromium (Playwright, /usr/bin/chromium) transfers for one query typed into
    the home page's search box, served by publisher.serve (target <= 300 KB), by file.
Figures are noisy on a shared machine (2 cores here, other builds running).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from episode_factory import make_episodes, make_show, out_dir  # noqa: E402
from many_talks import many_talks  # noqa: E402

from publisher.feed import feed_urls  # noqa: E402
from publisher.site import build_site  # noqa: E402
from publisher.site.measure import search_transfers  # noqa: E402

HOME_LIMIT = 100_000
SEARCH_LIMIT = 300_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--talks", type=int, default=1000)
    ap.add_argument("--query", default="memory")
    ap.add_argument("--dir", type=Path, help="build here and keep it (default: a temp dir)")
    args = ap.parse_args()
    tmp = args.dir or Path(tempfile.mkdtemp(prefix="publisher-search-"))
    shutil.rmtree(tmp / "public", ignore_errors=True)
    try:
        run(tmp, args.talks, args.query)
    finally:
        if not args.dir:
            shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path, talks: int, query: str) -> None:
    show = make_show(tmp)
    episodes = many_talks(make_episodes(tmp, show), talks)
    root = out_dir(tmp, show)
    feeds = feed_urls(show, episodes)
    clips = sum(e.kind == "clip" for e in episodes)
    print(f"{talks} talks, {clips} clips, in {root}")
    for label in ("site build", "rebuild, nothing changed"):
        start = time.perf_counter()
        paths = build_site(show, episodes, root, feeds, cache_dir=tmp / "cache")
        print(f"  {label:<26} {time.perf_counter() - start:7.2f} s  ({len(paths)} files)")
    pages = sorted(((p.stat().st_size, p) for p in paths if p.suffix == ".html"), reverse=True)
    home = (root / "index.html").stat().st_size
    print(
        f"  home page                  {home / 1000:7.1f} KB  (target <= 100 KB) "
        f"-> {'OK' if home <= HOME_LIMIT else 'OVER'}"
    )
    for size, p in pages[:4]:
        print(f"    {str(p.relative_to(root)):<40} {size / 1000:7.1f} KB")
    index = [p for p in (root / "pagefind").rglob("*") if p.is_file()]
    print(
        f"  Pagefind index on disk     {sum(p.stat().st_size for p in index) / 1e6:7.1f} MB "
        f"in {len(index)} files"
    )
    total, rows = search_transfers(root, query)
    print(
        f"  one search for {query!r}: {total / 1000:.1f} KB transferred (target <= 300 KB) "
        f"-> {'OK' if total <= SEARCH_LIMIT else 'OVER'}"
    )
    for name, size in sorted(rows, key=lambda r: -r[1]):
        print(f"    {name.split('?')[0]:<48} {size / 1000:7.1f} KB")


if __name__ == "__main__":
    main()
