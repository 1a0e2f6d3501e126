"""Render the static site into public/<show>/ with Jinja2."""

from __future__ import annotations

import hashlib
import json
import posixpath
from importlib import resources
from pathlib import Path

import jinja2

from .. import fsutil
from ..feed import Retired
from ..model import Episode, timestamp
from ..show import Show
from .catalog import Catalog, make_catalog, search_index
from .sanitize import clean_html

STANDIN_LABEL = "stand-in audio (synthesised from captions)"
ROLE_LABELS = {
    "moderator": "Moderator",
    "presenter": "Presenter",
    "panelist": "Panelist",
    "panel": "Panel",
    "audience": "Audience",
}


def build_site(
    show: Show,
    episodes: list[Episode],
    out_dir: Path,
    feeds: dict[str, str],
    retired: Retired | None = None,
) -> list[Path]:
    """Write the site's pages, search index and static files; return every path it owns.
    A `retired` topic (feed.retired_topics) keeps its page, unlisted, like its feed.

    Files whose content is unchanged are left alone, so their ETags and
    Last-Modified dates stay put for browsers and podcast apps.
    """
    out_dir = Path(out_dir)
    catalog = make_catalog(show, episodes, out_dir, retired or {})
    static = _static_files()
    env = _environment(show, feeds, catalog, static)
    pages: dict[str, str | bytes] = {f"static/{name}": data for name, data in static.items()}
    pages["index.html"] = env.get_template("index.html").render(here="index.html", page="home")
    for talk in catalog.talks:
        pages[talk.page] = env.get_template("talk.html").render(here=talk.page, page="talk", t=talk)
    for topic in catalog.topics + catalog.retired:
        pages[topic.page] = env.get_template("topic.html").render(
            here=topic.page, page="topic", topic=topic
        )
    pages["search.json"] = json.dumps(
        search_index(catalog), ensure_ascii=False, separators=(",", ":")
    )
    written = []
    for rel, content in pages.items():
        path = out_dir / rel
        _write_if_changed(path, content.encode() if isinstance(content, str) else content)
        written.append(path)
    return written


def _static_files() -> dict[str, bytes]:
    folder = resources.files("publisher.site") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def _environment(show: Show, feeds: dict[str, str], catalog: Catalog, static: dict[str, bytes]):
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("publisher.site", "templates"),
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
        here = posixpath.dirname(context["here"]) or "."
        return posixpath.relpath(target, here) + hash_ + fragment

    @jinja2.pass_context
    def asset(context, name: str) -> str:
        return f"{url(context, 'static/' + name)}?v={versions[name]}"

    env.filters.update(
        url=url,
        clock=timestamp,
        filesize=_filesize,
        longdate=lambda d: f"{d:%-d %B %Y}",
        role=lambda r: ROLE_LABELS.get(r, r.title()),
        feed_href=lambda u: _relative_feed(show, u),
        notes=lambda html: jinja2.utils.markupsafe.Markup(clean_html(html)),
    )
    env.globals.update(
        show=show,
        feeds=feeds,
        catalog=catalog,
        asset=asset,
        subscriptions=_subscriptions(show, feeds),
        standin_label=STANDIN_LABEL,
        year_span=_year_span([t.talk.year for t in catalog.talks]),
    )
    return env


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
        out.append(dict(key=key, label=f"{year} only", hint=f"Talks and questions from {year}."))
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


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    fsutil.write_bytes(path, data)
