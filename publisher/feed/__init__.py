"""RSS feeds for a show (feed, clips, topics, years, OPML) and their validation.

write_feeds(show, episodes, out_dir) -> paths written under public/<show>/
feed_urls(show, episodes)            -> {"feed", "clips", "topic:<slug>", "year:<y>", "opml"}
validate_feed(path, root, base_url)  -> one "path:line: problem" string per problem
"""

from __future__ import annotations

from pathlib import Path

from ..errors import PublisherError
from ..fsutil import write_bytes
from ..model import Episode
from ..show import Show, podcast_guid
from .catalog import HOME, feed_specs
from .opml import render_opml
from .rss import questions_of, render_feed
from .validate import validate_feed

OPML = "feeds.opml"

__all__ = ["feed_urls", "home_feed_url", "podcast_guid", "validate_feed", "write_feeds"]


def feed_urls(show: Show, episodes: list[Episode]) -> dict[str, str]:
    """Every feed's absolute URL by name, plus "opml"."""
    urls = {spec.name: show.url(spec.relpath) for spec in feed_specs(show, episodes)}
    return urls | {"opml": show.url(OPML)}


def home_feed_url(show: Show, kind: str) -> str:
    """The feed an episode of this kind ("full" or "clip") belongs to, for its tags."""
    return show.url(HOME[kind])


def write_feeds(show: Show, episodes: list[Episode], out_dir: Path) -> list[Path]:
    """Write every feed and feeds.opml into out_dir (public/<show.slug>/), atomically."""
    if not episodes:
        raise PublisherError("no episodes to publish", show.path)
    specs = feed_specs(show, episodes)
    # Render everything first, so bad input leaves every old feed untouched.
    questions = questions_of(episodes)
    files = {Path(out_dir) / s.relpath: render_feed(show, s, episodes, questions) for s in specs}
    files[Path(out_dir) / OPML] = render_opml(show, specs)
    for path, data in files.items():
        write_bytes(path, data)
    return list(files)
