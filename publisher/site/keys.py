"""What each page is rendered from, as one hash: a page whose hash the published
show recorded (in KEYS, beside the pages) is linked from there, not rendered again.

A key covers the code (templates, filters), the show's settings, the page's own
context, and each talk it shows by a digest of that talk's episodes, track, topic
names and cover thumbnails. Pages that list the whole catalog (home, topics, years)
also take the catalog's digest, so they are rendered again whenever any talk changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from ..fsutil import code_identity, write_bytes
from ..show import AudioSettings, Show, Transcription
from .catalog import Catalog, Clip, TalkPage, Topic, Track
from .thumbs import ThumbMaker

KEYS = ".site-keys.json"  # under the show folder; dotfiles are not served nor deployed
WHOLE_CATALOG = ("index.html", "topics.html", "year.html")  # templates that list it all


class PageKeys:
    def __init__(self, show: Show, feeds: dict[str, str], catalog: Catalog, thumbs: ThumbMaker,
                 out_dir: Path) -> None:  # fmt: skip
        # paths of inputs (show file, seeds, art, render cache) are not rendered, and a
        # Dask worker sees them absolute: keys hold what pages show (the art: its thumbs).
        # Settings that shape the audio and plans (glossary, audio, transcribe) reach the
        # pages only through the episodes, which each talk's digest covers.
        settings = dataclasses.replace(
            show, path=Path(), seeds=[], feed_guids={}, artwork=None, glossary={},
            audio=AudioSettings(), transcribe=Transcription(),
        )  # fmt: skip
        art = thumbs(out_dir / "artwork.jpg")
        site = (code_identity(), repr(settings), feeds.get("opml"), feeds.get("feed"), art)
        self._site = _hash(repr(site))
        self._thumbs, self._out = thumbs, out_dir
        self._talks: dict[int, str] = {}  # id(TalkPage) -> its digest
        self._catalog = ""
        self._whole = catalog
        self.keys: dict[str, str] = {}  # site-relative page -> its key, as rendered now

    def key(self, rel: str, template: str, context: dict) -> str:
        parts = [self._site, rel, template, repr(self._fingerprint(context))]
        if template in WHOLE_CATALOG:
            if not self._catalog:
                whole = (self._whole.talks, self._whole.topics, self._whole.retired)
                self._catalog = _hash(repr(self._fingerprint(whole)))
            parts.append(self._catalog)
        self.keys[rel] = _hash("\0".join(parts))
        return self.keys[rel]

    def talk(self, t: TalkPage) -> str:
        """A talk's digest: everything of it a page can show. Not the full episode's
        itunes:episode number (Episode.number, the feeds' only): a talk added in the
        middle of a year renumbers every later talk, and no page shows it."""
        if id(t) not in self._talks:
            episodes = [t.full, *(c.episode for c in t.clips)]
            bare = [dataclasses.replace(e, talk=None, image=None, number=0) for e in episodes if e]
            found = self._thumbs(self._out / t.image) if t.image else None
            talk = dataclasses.replace(t.talk, source=Path())  # once, not in every episode
            what = (talk, bare, t.track, [c.topic for c in t.clips], found)
            self._talks[id(t)] = _hash(repr(what))
        return self._talks[id(t)]

    def _fingerprint(self, value: object) -> object:
        """`value` with each talk replaced by its digest (a clip, topic or track by its
        talks' digests and its own fields), for repr."""
        fp = self._fingerprint
        if isinstance(value, TalkPage):
            return ("talk", self.talk(value))
        if isinstance(value, Clip):
            return ("clip", value.guid, self.talk(value.talk))
        if isinstance(value, Topic):
            return ("topic", value.name, value.slug, value.retired, [fp(c) for c in value.clips])
        if isinstance(value, Track):
            return ("track", value.name, value.slug, [fp(t) for t in value.talks])
        if isinstance(value, dict):
            return {k: fp(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [fp(v) for v in value]
        return value


def published_keys(folder: Path | None) -> dict[str, str]:
    """The keys of the pages of a published show ({} if none or unreadable)."""
    try:
        data = json.loads((folder / KEYS).read_text(encoding="utf-8")) if folder else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_keys(folder: Path, keys: dict[str, str]) -> Path:
    path = folder / KEYS
    write_bytes(path, json.dumps(keys, sort_keys=True, indent=0).encode())
    return path


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]
