"""RSS feeds for a show (feed, clips, topics, years, OPML) and their validation.

lineup(show, episodes, published)    -> every feed of one publish, decided once (Lineup)
write_feeds(show, episodes, out_dir, feeds) -> paths written under public/<show>/
feed_urls(show, episodes)            -> {"feed", "clips", "topic:<slug>", "year:<y>",
                                         "track:<slug>", "opml", "opml-all"}
validate_feed(path, root, base_url, disk) -> one "path:line: problem" string per problem
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import PublisherError
from ..fsutil import keep_or_write
from ..model import Episode
from ..show import Show, podcast_guid
from .catalog import (
    ARCHIVE,
    HOME,
    OPML,
    OPML_ALL,
    FeedSpec,
    feed_specs,
    retired_pages,
    retired_specs,
)
from .opml import render_opml
from .rss import questions_of, render_feed
from .validate import Disk, validate_feed

__all__ = [
    "Disk",
    "Lineup",
    "Retired",
    "feed_urls",
    "home_feed_url",
    "lineup",
    "podcast_guid",
    "validate_feed",
    "write_feeds",
]

Retired = dict[str, tuple[str, set[str]]]  # topic slug -> (feed title, item GUIDs)


@dataclass(frozen=True)
class Lineup:
    """Every feed one publish writes, decided once: the show's feeds, and the topic
    feeds that outlive their topic (`retired`: a replan or an edited plan renamed or
    merged it; they are written again, never dropped)."""

    specs: tuple[FeedSpec, ...]
    retired: Retired

    @property
    def paths(self) -> dict[str, str]:
        """Each feed's path under the show folder, by name."""
        return {spec.name: spec.relpath for spec in self.specs}

    def urls(self, show: Show) -> dict[str, str]:
        """Each feed's absolute URL by name, plus "opml" (the feeds that share no
        episode) and "opml-all" (every feed)."""
        opml = {"opml": show.url(OPML), "opml-all": show.url(OPML_ALL)}
        return {n: show.url(p) for n, p in self.paths.items()} | opml


def lineup(show: Show, episodes: list[Episode], published: Path | None = None) -> Lineup:
    """The feeds of `episodes`, and the retired topic feeds of the `published` show
    (whose archive pages also keep the episodes they carry: catalog._pages)."""
    archive = _published(published, ARCHIVE)
    current = feed_specs(show, episodes, {rel: guids for rel, (_, guids) in archive.items()})
    made = {spec.relpath for spec in current}
    old = {Path(rel).stem: v for rel, v in _published(published, ("topics",)).items()}
    retired = {slug: v for slug, v in old.items() if f"topics/{slug}.xml" not in made}
    gone = {rel: v for rel, v in archive.items() if rel not in made}  # a renamed track
    kept = retired_specs(show, episodes, retired) + retired_pages(show, episodes, gone)
    return Lineup(tuple(current + kept), retired)


def feed_urls(show: Show, episodes: list[Episode]) -> dict[str, str]:
    """Every feed's absolute URL by name, plus the OPMLs (for a show with nothing retired)."""
    return lineup(show, episodes).urls(show)


def _published(folder: Path | None, under: tuple[str, ...]) -> dict[str, tuple[str, set[str]]]:
    """Path in the show -> (feed title, item GUIDs) of the feeds a published show has
    in the folders `under` ("topics", "years", "tracks")."""
    if folder is None:
        return {}
    found = {}
    for path in sorted(p for d in under for p in Path(folder).glob(f"{d}/*.xml")):
        try:
            channel = etree.parse(str(path)).getroot().find("channel")
        except (OSError, etree.XMLSyntaxError):
            continue  # unreadable: nothing to keep
        if channel is not None:
            guids = {g.text or "" for g in channel.iterfind("item/guid")}
            title = channel.findtext("title") or path.stem
            found[path.relative_to(folder).as_posix()] = (title, guids)
    return found


def home_feed_url(show: Show, kind: str) -> str:
    """The feed an episode of this kind ("full" or "clip") belongs to, for its tags."""
    return show.url(HOME[kind])


def write_feeds(
    show: Show,
    episodes: list[Episode],
    out_dir: Path,
    feeds: Lineup | None = None,
    published: Path | None = None,
) -> list[Path]:
    """Write every feed of the lineup (by default: the episodes' feeds, nothing retired)
    and the two OPMLs into out_dir (public/<show.slug>/), atomically. A feed with the
    bytes it has in `published` (the show online) is linked from there, not written:
    its Last-Modified date stays, and it need not be validated again."""
    if not episodes:
        raise PublisherError("no episodes to publish", show.path)
    specs = (feeds or lineup(show, episodes)).specs
    # Render everything first, so bad input leaves every old feed untouched.
    questions = questions_of(episodes)
    files = {Path(out_dir) / s.relpath: render_feed(show, s, episodes, questions) for s in specs}
    listed = [s for s in specs if not s.retired]
    apart = [s for s in listed if s.name in ("feed", "clips")]  # no episode in both
    files[Path(out_dir) / OPML] = render_opml(show, apart, "every new talk and question")
    files[Path(out_dir) / OPML_ALL] = render_opml(show, listed, "every feed")
    for path, data in files.items():
        rel = path.relative_to(out_dir)
        keep_or_write(path, data, Path(published) / rel if published else None)
    return list(files)
