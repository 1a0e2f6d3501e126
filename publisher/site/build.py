"""Render the static site into public/<show>/ with Jinja2."""

from __future__ import annotations

import functools
import hashlib
import posixpath
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from .. import fsutil
from ..feed import Retired
from ..model import THE_PANEL, Episode, Role, timestamp
from ..show import Show
from . import search
from .catalog import Catalog, make_catalog
from .keys import PageKeys, published_keys, write_keys
from .sanitize import clean_html
from .thumbs import ThumbMaker, Thumbs, cache_folder

STANDIN_LABEL = "stand-in audio (synthesised from captions)"
HOME_TALKS = 8  # the newest talks shown on the home page; the rest by year and track
HOME_TOPICS = 24  # the biggest topics on the home page; every topic on topics/index.html
TOPIC_PAGE = 60  # clips on one topic page, newest first; older ones on its next pages


@dataclass
class Started:
    """A site begun before the feeds are written (start_site): its catalog, and its
    search index, which pagefind makes meanwhile."""

    catalog: Catalog
    index: search.Index

    def stop(self) -> None:
        self.index.stop()


def start_site(
    show: Show,
    episodes: list[Episode],
    out_dir: Path,
    retired: Retired | None = None,
    cache_dir: Path | None = None,
) -> Started:
    """Begin the site of these episodes: pagefind indexes them from now until
    build_site(started=...) writes the pages; stop() it if that never comes."""
    catalog = make_catalog(show, episodes, retired or {})
    cache = Path(cache_dir) / "search" / show.slug if cache_dir else None
    return Started(catalog, search.Index(show, catalog, Path(out_dir), cache))


def build_site(
    show: Show,
    episodes: list[Episode],
    out_dir: Path,
    feeds: dict[str, str],
    retired: Retired | None = None,
    cache_dir: Path | None = None,
    published: Path | None = None,
    started: Started | None = None,
) -> list[Path]:
    """Write the site's pages, thumbnails, Pagefind search index and static files;
    return every path it owns. A `retired` topic (feed.Lineup.retired) keeps its page,
    unlisted, like its feed. Thumbnails and the search index are kept in
    cache_dir/thumbs and cache_dir/search across builds. `started`: the same site
    begun by start_site (with these episodes, retired topics and folders).

    Files whose content is unchanged are left alone, so their ETags and
    Last-Modified dates stay put for browsers and podcast apps. `published` is the
    show as it is online (default: out_dir): a page whose key (keys.py) it recorded
    is linked from there unrendered, and a file with its bytes is linked, not written.
    """
    out_dir = Path(out_dir)
    begun = started or start_site(show, episodes, out_dir, retired, cache_dir)
    cache = Path(cache_dir) if cache_dir else None
    try:  # pagefind indexes while the pages render
        return _build(show, feeds, out_dir, begun.catalog, cache, published, begun.index)
    finally:
        begun.stop()


def _build(
    show: Show,
    feeds: dict[str, str],
    out_dir: Path,
    catalog: Catalog,
    cache: Path | None,
    published: Path | None,
    index: search.Index,
) -> list[Path]:
    static = _static_files()
    thumbs = ThumbMaker(cache_folder(cache) if cache else None)
    env = _environment(show, feeds, catalog, static, thumbs, out_dir, cache)
    pages: dict[str, str | bytes | Path] = {f"static/{n}": data for n, data in static.items()}
    online = Path(published) if published else out_dir
    recorded = published_keys(online)
    page_keys = PageKeys(show, feeds, catalog, thumbs, out_dir)

    def render(rel: str, template: str, page: str, alternates: list[str], **context) -> None:
        context.update(page=page, alternates=_alternates(show, feeds, alternates))
        key = page_keys.key(rel, template, context)
        if recorded.get(rel) == key and (online / rel).is_file():
            pages[rel] = online / rel  # rendered from the same inputs before
        else:
            pages[rel] = env.get_template(template).render(here=rel, **context)

    render("index.html", "index.html", "home", ["feed", "clips"])
    render("topics/index.html", "topics.html", "topics", ["clips"])
    for year, _ in catalog.years:
        render(f"years/{year}.html", "year.html", "year", [f"year:{year}"], year=year)
    for track in catalog.tracks:
        render(track.page, "track.html", "track", [f"track:{track.slug}"], track=track)
    for talk in catalog.talks:
        keys = [f"year:{talk.talk.year}", f"track:{talk.track_slug}", "clips"]
        render(talk.page, "talk.html", "talk", keys, t=talk)
    for topic in catalog.topics + catalog.retired:
        parts = topic.parts(TOPIC_PAGE)
        for n, (rel, clips) in enumerate(parts):
            pager = [dict(href=p, number=i + 1, here=i == n) for i, (p, _) in enumerate(parts)]
            render(rel, "topic.html", "topic", [f"topic:{topic.slug}"], topic=topic,
                   clips=clips, pager=pager if len(parts) > 1 else [])  # fmt: skip
    pages.update(thumbs.files)
    thumbs.save()
    pages.update(index.files())
    search.stale(out_dir, set(pages))
    written = []
    for rel, content in pages.items():
        path = out_dir / rel
        _put(path, content.encode() if isinstance(content, str) else content, online / rel)
        written.append(path)
    return [*written, write_keys(out_dir, page_keys.keys)]


_FEED_TITLES = {
    "feed": "{show}: every talk",
    "clips": "{show}: every question",
    "year": "{show}: {name}",
    "track": "{show}: {name} track, every question",
    "topic": "{show}: {name}",
}


def _alternates(show: Show, feeds: dict[str, str], keys: list[str]) -> list[dict[str, str]]:
    """The <link rel="alternate"> of a page: its own feeds, those that exist."""
    out = []
    for key in keys:
        if key in feeds:
            kind, _, name = key.partition(":")
            title = _FEED_TITLES[kind].format(show=show.title, name=name)
            out.append(dict(href=feeds[key], title=title))
    return out


def _static_files() -> dict[str, bytes]:
    folder = resources.files("publisher.site") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def _environment(
    show: Show,
    feeds: dict[str, str],
    catalog: Catalog,
    static: dict[str, bytes],
    thumbs: ThumbMaker,
    out_dir: Path,
    cache: Path | None,
):
    compiled = cache / "templates" if cache else None  # Jinja's bytecode, by source hash
    if compiled:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("publisher.site", "templates"),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in static.items()}

    @jinja2.pass_context
    def url(context, path: str) -> str:
        """A site-relative path as seen from the page being rendered."""
        if "://" in path:
            return path
        target, hash_, fragment = path.partition("#")
        return _relpath(target, posixpath.dirname(context["here"]) or ".") + hash_ + fragment

    @jinja2.pass_context
    def asset(context, name: str) -> str:
        return f"{url(context, 'static/' + name)}?v={versions[name]}"

    @jinja2.pass_context
    def srcset(context, found: Thumbs) -> str:
        return ", ".join(f"{url(context, p)} {w}w" for w, p in found.paths.items())

    def thumbs_of(rel: str) -> Thumbs | None:
        """A picture's thumbnails (None when it has none: no picture, or missing)."""
        return thumbs(out_dir / rel) if rel else None

    env.filters.update(
        url=url,
        clock=timestamp,
        filesize=_filesize,
        longdate=lambda d: f"{d:%-d %B %Y}",
        role=lambda r: Role(r).label,
        feed_href=lambda u: _relative_feed(show, u),
        notes=lambda html: jinja2.utils.markupsafe.Markup(clean_html(html)),
        srcset=srcset,
    )
    env.globals.update(
        show=show,
        feeds=feeds,
        catalog=catalog,
        asset=asset,
        subscriptions=_subscriptions(show, feeds),
        standin_label=STANDIN_LABEL,
        the_panel=THE_PANEL,
        year_span=_year_span([t.talk.year for t in catalog.talks]),
        thumbs=thumbs_of,
        art=thumbs_of("artwork.jpg"),
        home_talks=catalog.talks[:HOME_TALKS],
        home_topics=sorted(
            sorted(catalog.topics, key=lambda t: -len(t.clips))[:HOME_TOPICS],
            key=lambda t: t.name.lower(),
        ),
        pagefind=f"{search.FOLDER}/pagefind.js",
    )
    return env


@functools.lru_cache(maxsize=65536)
def _relpath(target: str, folder: str) -> str:
    """posixpath.relpath, once per target and folder (a page links the same few folders)."""
    return posixpath.relpath(target, folder)


def _subscriptions(show: Show, feeds: dict[str, str]) -> list[dict[str, str]]:
    """The feeds offered on the home page, main ones first."""
    out = []
    if "feed" in feeds:
        out.append(dict(key="feed", label="Full talks", hint="Every talk, start to finish."))
    if "clips" in feeds:
        out.append(
            dict(key="clips", label="Every question", hint="Each question as its own episode.")
        )
    years = sorted((k for k in feeds if k.startswith("year:")), reverse=True)
    for key in years:
        year = key.partition(":")[2]
        out.append(dict(key=key, label=f"{year} only", hint=f"The talks of {year} in full."))
    for item in out:
        item["url"] = feeds[item["key"]]
        item["href"] = _relative_feed(show, item["url"])
        item["id"] = "feed-" + item["key"].replace(":", "-")
    return out


def _relative_feed(show: Show, url: str) -> str:
    return url[len(show.base_url) :] if url.startswith(show.base_url) else url


def _year_span(years: list[int]) -> str:
    if not years:
        return ""
    lo, hi = min(years), max(years)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def _filesize(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"


def _put(path: Path, content: bytes | Path, online: Path) -> None:
    """Write `content` (bytes, or a published file to link) at `path`, leaving a file
    with those bytes alone; a published file with those bytes is linked, not copied."""
    if isinstance(content, bytes):
        fsutil.keep_or_write(path, content, online)
    else:
        fsutil.link_at(content, path)
