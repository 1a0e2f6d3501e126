"""RSS feeds for a show (feed, clips, topics, years, OPML) and their validation.

write_feeds(show, episodes, out_dir, retired) -> paths written under public/<show>/
feed_urls(show, episodes, retired)   -> {"feed", "clips", "topic:<slug>", "year:<y>", "opml"}
feed_paths(show, episodes, retired)  -> the same names (no "opml"): each feed's path in the show
retired_topics(show, episodes, published) -> topic feeds that outlive their topic
validate_feed(path, root, base_url)  -> one "path:line: problem" string per problem
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import PublisherError
from ..fsutil import write_bytes
from ..model import Episode
from ..show import Show, podcast_guid
from .catalog import HOME, feed_specs, retired_specs
from .opml import render_opml
from .rss import questions_of, render_feed
from .validate import validate_feed

OPML = "feeds.opml"

__all__ = [
    "Retired",
    "feed_paths",
    "feed_urls",
    "home_feed_url",
    "podcast_guid",
    "retired_topics",
    "validate_feed",
    "write_feeds",
]

Retired = dict[str, tuple[str, set[str]]]  # topic slug -> (feed title, item GUIDs)


def feed_paths(
    show: Show, episodes: list[Episode], retired: Retired | None = None
) -> dict[str, str]:
    """Every feed's path under the show folder by name (retired topics' too)."""
    paths = {spec.name: spec.relpath for spec in feed_specs(show, episodes)}
    return paths | {f"topic:{slug}": f"topics/{slug}.xml" for slug in retired or {}}


def feed_urls(
    show: Show, episodes: list[Episode], retired: Retired | None = None
) -> dict[str, str]:
    """Every feed's absolute URL by name (retired topics' too), plus "opml"."""
    urls = {name: show.url(p) for name, p in feed_paths(show, episodes, retired).items()}
    return urls | {"opml": show.url(OPML)}


def retired_topics(show: Show, episodes: list[Episode], published: Path | None) -> Retired:
    """Topic feeds in the published show folder whose topic no clip has now (a replan
    or an edited plan renamed or merged it). They are written again, never dropped."""
    if published is None:
        return {}
    current = {spec.relpath for spec in feed_specs(show, episodes)}
    old = published_topics(published)
    return {slug: v for slug, v in old.items() if f"topics/{slug}.xml" not in current}


def published_topics(folder: Path) -> Retired:
    """Topic slug -> (feed title, item GUIDs) of the topic feeds in a published show."""
    found = {}
    for path in sorted(Path(folder).glob("topics/*.xml")):
        try:
            channel = etree.parse(str(path)).getroot().find("channel")
        except (OSError, etree.XMLSyntaxError):
            continue  # unreadable: nothing to keep
        if channel is not None:
            guids = {g.text or "" for g in channel.iterfind("item/guid")}
            found[path.stem] = (channel.findtext("title") or path.stem, guids)
    return found


def home_feed_url(show: Show, kind: str) -> str:
    """The feed an episode of this kind ("full" or "clip") belongs to, for its tags."""
    return show.url(HOME[kind])


def write_feeds(
    show: Show, episodes: list[Episode], out_dir: Path, retired: Retired | None = None
) -> list[Path]:
    """Write every feed and feeds.opml into out_dir (public/<show.slug>/), atomically,
    and the `retired` topic feeds (see retired_topics) with the clips they still have."""
    if not episodes:
        raise PublisherError("no episodes to publish", show.path)
    specs = feed_specs(show, episodes) + retired_specs(show, episodes, retired or {})
    # Render everything first, so bad input leaves every old feed untouched.
    questions = questions_of(episodes)
    files = {Path(out_dir) / s.relpath: render_feed(show, s, episodes, questions) for s in specs}
    files[Path(out_dir) / OPML] = render_opml(show, [s for s in specs if not s.retired])
    for path, data in files.items():
        write_bytes(path, data)
    return list(files)
