"""Show definitions: feeds/<show>.toml."""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from .errors import ShowError
from .fsutil import write_text
from .model import AUDIO_FORMATS, AudioSettings, slugify


@dataclass(frozen=True)
class Show:
    path: Path  # the .toml file
    slug: str  # public/<slug>/
    title: str
    description: str
    author: str
    owner_name: str
    owner_email: str
    language: str
    category: str  # Apple top-level category
    subcategory: str
    base_url: str  # absolute, ends with "/"; public/<slug>/ is served here
    seeds: list[Path]  # resolved seed files, sorted
    artwork: Path | None = None  # None: generate
    explicit: bool = False
    copyright: str = ""
    link: str = ""  # website; defaults to base_url
    audio: AudioSettings = field(default_factory=AudioSettings)
    glossary: dict[str, str] = field(default_factory=dict)  # misheard -> right
    podcast_guid: str = ""  # [show] guid: pins feed.xml's podcast:guid once assigned

    def url(self, relpath: str) -> str:
        return self.base_url + relpath.lstrip("/")


_REQUIRED = ("title", "description", "author", "owner_name", "owner_email", "base_url", "seeds")


def load_show(path: Path, base_url: str | None = None) -> Show:
    """Read and check a show definition; seed globs are relative to the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShowError("show file not found", path) from None
    except UnicodeDecodeError as e:
        raise ShowError(f"not UTF-8 text ({e.reason})", path) from None
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        raise ShowError(f"invalid TOML: {e.msg if hasattr(e, 'msg') else e}", path, line) from None
    show = data.get("show", data)
    missing = [k for k in _REQUIRED if not show.get(k)]
    if missing:
        raise ShowError(f"missing {', '.join(missing)} in [show]", path)
    seeds: list[Path] = []
    patterns = show["seeds"] if isinstance(show["seeds"], list) else [show["seeds"]]
    for pattern in patterns:
        matched = sorted(glob.glob(str(path.parent / pattern), recursive=True))
        if not matched:
            raise ShowError(f"seed pattern {pattern!r} matches no file", path)
        seeds += [Path(os.path.normpath(m)) for m in matched]  # errors name seeds/x.txt
    audio = data.get("audio", {})
    try:
        settings = AudioSettings(
            bitrate=str(audio.get("bitrate", "64k")),
            channels=int(audio.get("channels", 1)),
            sample_rate=int(audio.get("sample_rate", 44100)),
            formats=_formats(audio.get("formats", ["mp3"]), path),
        )
    except (TypeError, ValueError) as e:
        raise ShowError(f"bad [audio] setting: {e}", path) from None
    if settings.channels not in (1, 2):
        raise ShowError("[audio] channels must be 1 or 2", path)
    base = (base_url or show["base_url"]).rstrip("/") + "/"
    slug = show.get("slug") or slugify(path.stem)
    artwork = show.get("artwork")
    return Show(
        path=path,
        slug=slug,
        title=show["title"],
        description=show["description"],
        author=show["author"],
        owner_name=show["owner_name"],
        owner_email=show["owner_email"],
        language=show.get("language", "en"),
        category=show.get("category", "Technology"),
        subcategory=show.get("subcategory", ""),
        base_url=base,
        seeds=list(dict.fromkeys(seeds)),
        artwork=(path.parent / artwork) if artwork else None,
        explicit=bool(show.get("explicit", False)),
        copyright=show.get("copyright", ""),
        link=show.get("link", base),
        audio=settings,
        glossary={str(k): str(v) for k, v in data.get("glossary", {}).items()},
        podcast_guid=str(show.get("guid", "")),
    )


def _formats(value: object, path: Path) -> tuple[str, ...]:
    """[audio] formats: "mp3" first (the published enclosure), then optional others."""
    known = ", ".join(f'"{f}"' for f in AUDIO_FORMATS)
    if not (isinstance(value, list) and all(isinstance(f, str) for f in value)):
        raise ShowError(f"[audio] formats must be a list of strings from {known}", path)
    if value[:1] != ["mp3"]:
        raise ShowError('[audio] formats must start with "mp3" (the published enclosure)', path)
    unknown = [f for f in value if f not in AUDIO_FORMATS]
    if unknown:
        raise ShowError(f"[audio] formats: unknown format {unknown[0]!r} (known: {known})", path)
    if len(set(value)) != len(value):
        raise ShowError("[audio] formats lists a format twice", path)
    return tuple(value)


PODCAST_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # Podcasting 2.0


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid for a feed URL (UUIDv5 of it without scheme)."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NS, bare))


def pin_guid(show: Show) -> Show:
    """Give the show its podcast:guid once, from the base URL in its file (not a
    --base-url override), and store it there as [show] guid, comments kept; after
    that it never changes, even if the base URL does."""
    if show.podcast_guid:
        return show
    doc = tomlkit.parse(show.path.read_text(encoding="utf-8"))
    table = doc.get("show", doc)
    guid = podcast_guid(str(table["base_url"]).rstrip("/") + "/feed.xml")
    table["guid"] = guid
    write_text(show.path, tomlkit.dumps(doc))
    return dataclasses.replace(show, podcast_guid=guid)


def find_show_for(
    seed: Path, show_path: Path | None = None, feeds_dir: Path = Path("feeds")
) -> Show | None:
    """The show that includes `seed`: the one given, else the first in feeds/ that lists it."""
    if show_path:
        return load_show(show_path)
    seed = Path(seed).resolve()
    for path in sorted(feeds_dir.glob("*.toml")):
        try:
            show = load_show(path)
        except ShowError:
            continue
        if seed in (s.resolve() for s in show.seeds):
            return show
    return None
