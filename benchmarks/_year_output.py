"""What a built show weighs, and what a rebuild rewrote (benchmarks/year.py)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

FEED_LIMIT = 1_000_000  # bytes, every feed
HOME_LIMIT = 100_000  # bytes, the home page
SEARCH_LIMIT = 300_000  # bytes transferred for one query
QUERY = "memory"
AUDIO = {".mp3", ".m4a", ".jpg", ".png", ".webp"}  # big files: compared by inode only


def feeds(show: Path) -> list[tuple[str, int]]:
    """Every feed and OPML file of a built show (found by globbing, whatever the feed
    code makes), with its size in bytes, largest first."""
    found = [p for p in show.rglob("*") if p.suffix in (".xml", ".opml") and p.is_file()]
    found = [p for p in found if not p.relative_to(show).parts[0].startswith(".")]
    found = [p for p in found if "episodes" not in p.relative_to(show).parts]
    return sorted(
        ((str(p.relative_to(show)), p.stat().st_size) for p in found), key=lambda x: -x[1]
    )


def search_bytes(show: Path, query: str = QUERY) -> tuple[int, str]:
    """Bytes a browser transfers for one search, and how that was found. Uses
    publisher.site.search_bytes(show_dir, query) when the site code has one (the
    Pagefind index: only the chunks a query needs); until then, the whole
    search.json, which a page downloads before its first search."""
    try:
        from publisher.site import search_bytes as measure  # type: ignore[attr-defined]
    except ImportError:
        measure = None
    if measure is not None:
        return int(measure(show, query)), f"publisher.site.search_bytes(show, {query!r})"
    index = show / "search.json"
    if index.is_file():
        return index.stat().st_size, "all of search.json (no publisher.site.search_bytes yet)"
    return 0, "no search index found"


def report(show: Path, talks: int) -> None:
    """Print the size of every feed, the home page, and the search bytes of one query."""
    print(f"\noutput at {talks} talks ({show}):")
    rows = feeds(show)
    over = [r for r in rows if r[1] > FEED_LIMIT]
    shown = rows if len(rows) <= 40 else rows[:30]
    for name, size in shown:
        print(f"  {name:<48} {size / 1000:9.1f} KB{'  OVER 1 MB' if size > FEED_LIMIT else ''}")
    if len(shown) < len(rows):
        rest = rows[len(shown) :]
        print(
            f"  ... {len(rest)} more feeds, {sum(s for _, s in rest) / 1000:.1f} KB in all, "
            f"the largest {rest[0][1] / 1000:.1f} KB"
        )
    print(
        f"  {len(rows)} feed files, largest {rows[0][1] / 1000 if rows else 0:.1f} KB "
        f"(target <= 1 MB each) -> {'OVER' if over else 'OK'}"
    )
    home = show / "index.html"
    size = home.stat().st_size if home.is_file() else 0
    verdict = "OVER" if size > HOME_LIMIT else "OK"
    print(f"  home page index.html: {size / 1000:.1f} KB (target <= 100 KB) -> {verdict}")
    found, how = search_bytes(show)
    verdict = "OVER" if found > SEARCH_LIMIT else "OK"
    print(f"  one search ({QUERY!r}): {found / 1000:.1f} KB, {how} (target <= 300 KB) -> {verdict}")


@dataclass(frozen=True)
class State:
    inode: int
    mtime: int
    digest: str  # sha256 of small files; "" for audio and images


def snapshot(show: Path) -> dict[str, State]:
    """Every file of a built show: its inode, mtime and (small files) content hash."""
    out = {}
    for p in show.rglob("*"):
        if p.is_file():
            st = p.stat()
            small = p.suffix not in AUDIO
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if small else ""
            out[str(p.relative_to(show))] = State(st.st_ino, st.st_mtime_ns, digest)
    return out


def digests(show: Path) -> dict[str, str]:
    """sha256 of every published file of a built show (records aside: they hold the
    absolute paths each build ran with)."""
    return {
        str(p.relative_to(show)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in show.rglob("*")
        if p.is_file() and p.relative_to(show).parts[0] != ".records"
    }


def changes(before: dict[str, State], after: dict[str, State]) -> dict[str, list[str]]:
    """Files added, removed, rewritten with other bytes, and rewritten with the same
    bytes (a new inode or mtime: the build wrote the file again)."""
    both = before.keys() & after.keys()
    rewritten = [
        k for k in both if (before[k].inode, before[k].mtime) != (after[k].inode, after[k].mtime)
    ]
    return {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(k for k in rewritten if before[k].digest != after[k].digest),
        "same bytes": sorted(k for k in rewritten if before[k].digest == after[k].digest),
    }


def print_changes(found: dict[str, list[str]], talk_folder: str) -> None:
    """What adding one talk rewrote: its own files, and every other file by kind."""
    for what, files in found.items():
        own = [f for f in files if f.startswith(talk_folder)]
        other = [f for f in files if not f.startswith(talk_folder)]
        kinds: dict[str, int] = {}
        for f in other:
            kind = f.split("/")[0] if "/" in f and not f.startswith("episodes/") else Path(f).suffix
            kind = "episodes/ (other talks)" if f.startswith("episodes/") else kind
            kinds[kind] = kinds.get(kind, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda x: -x[1]))
        print(
            f"  {what:<10}: {len(own):4d} of the new talk's, {len(other):5d} others"
            + (f" ({summary})" if summary else "")
        )
        listed = [f for f in other if not f.startswith(("episodes/", ".records/"))]
        if what in ("changed", "added", "removed") and 0 < len(listed) <= 30:
            print("      " + " ".join(listed))
