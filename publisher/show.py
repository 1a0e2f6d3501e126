"""Show definitions: feeds/<show>.toml."""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import stat
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomlkit

from .errors import InputError, ShowError
from .fsutil import write_text
from .ingest.limits import check_value, read_input
from .model import AUDIO_FORMATS, AudioSettings, slugify
from .speech import Transcription


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
    feed_guids: dict[str, str] = field(default_factory=dict)  # [show.guids]: every other feed's
    recent: FeedLimits = field(default_factory=lambda: FeedLimits())  # [feeds]: see feed/catalog
    transcribe: Transcription = field(default_factory=Transcription)  # [transcribe]

    def url(self, relpath: str) -> str:
        return self.base_url + relpath.lstrip("/")

    def guid_of(self, relpath: str) -> str:
        """The podcast:guid pinned for the feed at `relpath` ("clips.xml"); "" if none yet."""
        return self.podcast_guid if relpath == HOME_FEED else self.feed_guids.get(relpath, "")


@dataclass(frozen=True)
class FeedLimits:
    """[feeds]: how many of the newest items feed.xml and clips.xml carry (the rest
    stay in the year and track feeds), keeping each under a podcast app's budget."""

    talks: int = 100  # recent
    clips: int = 250  # recent_clips: real clip items are 2.6-3.5 KB


HOME_FEED = "feed.xml"  # its podcast:guid is [show] guid; every other feed's is in [show.guids]


_REQUIRED = ("title", "description", "author", "owner_name", "owner_email", "base_url", "seeds")
_TEXTS = (*_REQUIRED[:-1], "language", "category", "subcategory", "copyright", "link", "slug")
# public/<slug>/ is one plain folder name: "." or ".." would be --out or beyond it.
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
SAMPLE_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)  # MP3's
MAX_RECENT = 5000  # [feeds] recent(_clips) at most: a bound, far past the 1 MB budget
BITRATES = range(8_000, 320_001)  # bits per second an MP3 can have


def load_show(path: Path, base_url: str | None = None) -> Show:
    """Read and check a show definition; seed globs are relative to the file.

    Every setting is checked here, a bad one refused naming its line: a show file
    must not get as far as publishing feeds `publisher validate` rejects, nor
    writing outside --out."""
    path = Path(path)
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None)
        raise ShowError(f"invalid TOML: {e.msg if hasattr(e, 'msg') else e}", path, line) from None
    except RecursionError:
        raise ShowError("invalid TOML: nested too deeply", path) from None
    if problem := check_value(data):  # a control character would reach the feeds' XML
        raise ShowError(problem, path)
    root = _Table(data, None, path, text)
    t = root.table("show") if "show" in data else root
    missing = [k for k in _REQUIRED if not t.data.get(k)]
    if missing:
        raise ShowError(f"missing {', '.join(missing)} in [show]", path)
    texts = {k: t.text_of(k) for k in _TEXTS}
    if base_url is not None and (problem := url_problem(base_url)):
        raise InputError(f"--base-url {_shown(base_url)} {problem}")
    _check(t, texts)
    base = (base_url or texts["base_url"]).rstrip("/") + "/"
    artwork = t.text_of("artwork")
    return Show(
        path=path,
        slug=texts["slug"] or slugify(path.stem),
        title=texts["title"],
        description=texts["description"],
        author=texts["author"],
        owner_name=texts["owner_name"],
        owner_email=texts["owner_email"],
        language=texts["language"] or "en",
        category=texts["category"] or "Technology",
        subcategory=texts["subcategory"],
        base_url=base,
        seeds=_seeds(t),
        artwork=_artwork(t, path.parent / artwork) if artwork else None,
        explicit=t.value("explicit", False, bool),
        copyright=texts["copyright"],
        link=texts["link"] or base,
        audio=_audio(root.table("audio")),
        glossary={str(k): str(v) for k, v in root.table("glossary").data.items()},
        podcast_guid=t.text_of("guid"),
        feed_guids=_guids(t.table("guids")),
        recent=_limits(root.table("feeds")),
        transcribe=_transcribe(root.table("transcribe")),
    )


class _Table:
    """A table of a show file: its values, each of the right type or a ShowError
    naming the value's line."""

    def __init__(self, data: object, name: str | None, path: Path, text: str):
        if not isinstance(data, dict):
            raise ShowError(f"{name} must be a table: [{name}]", path)
        self.data, self.name, self.path, self.text = data, name, path, text

    def line(self, key: str) -> int | None:
        """The line `key = ...` is on in this table, if it can be found."""
        current = None
        for n, line in enumerate(self.text.splitlines(), 1):
            s = line.strip()
            if m := re.match(r"^\[([^\[\]]+)\]", s):
                current = m.group(1).strip().strip("\"'")
            elif current == self.name and re.match(rf"^([\"']?){re.escape(key)}\1\s*=", s):
                return n
        return None

    def fail(self, key: str, message: str) -> ShowError:
        return ShowError(message, self.path, self.line(key))

    def value(self, key: str, default: Any, kind: type) -> Any:
        value = self.data.get(key, default)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        what = {str: "text in quotes", int: "a whole number", bool: "true or false"}[kind]
        raise self.fail(key, f"{key} must be {what}, not {_shown(value)}")

    def text_of(self, key: str) -> str:
        return self.value(key, "", str).strip()

    def table(self, key: str) -> _Table:
        value = self.data.get(key, {})
        name = f"{self.name}.{key}" if self.name else key  # [show.guids]
        if not isinstance(value, dict):
            raise ShowError(f"{key} must be a table: [{name}]", self.path, self.line(key))
        return _Table(value, name, self.path, self.text)


def _shown(value: object) -> str:
    """A value as the error quotes it: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _read(path: Path) -> str:
    """The show file's text (a UTF-8 BOM dropped); a FIFO is refused, never read."""
    if not os.path.lexists(path):
        raise ShowError("show file not found", path)
    return read_input(path, "show file", ShowError)


def url_problem(url: str) -> str:
    """What keeps `url` from being a base URL (absolute http or https, with a host, no
    query or fragment, nothing that needs escaping); "" if nothing."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as e:
        return f"is not a URL ({e})"
    if parts.scheme.lower() not in ("http", "https"):
        return "is not an http:// or https:// URL"
    if not parts.hostname:
        return "has no host name"
    if parts.query or parts.fragment or url.rstrip("?#") != url:
        return "has a query or fragment (? or #)"
    if re.search(r"[\s<>\"'`{}|\\^]", url):
        return "has a space or a character that must be escaped"
    return ""


def _check(t: _Table, texts: dict[str, str]) -> None:
    """What `publisher validate` would refuse in the feeds, refused here, at its line."""
    from .feed.categories import category_problem
    from .feed.validate import EMAIL, LANGUAGE

    for key in ("base_url", "link"):
        if texts[key] and (problem := url_problem(texts[key])):
            raise t.fail(key, f"{key} {_shown(texts[key])} {problem}")
    email = texts["owner_email"]
    if not EMAIL.match(email):
        raise t.fail("owner_email", f"owner_email {_shown(email)} is not an email address")
    if texts["language"] and not LANGUAGE.match(texts["language"]):
        problem = "is not a language tag like en or en-GB"
        raise t.fail("language", f"language {_shown(texts['language'])} {problem}")
    category = texts["category"] or "Technology"
    if problem := category_problem(category):
        raise t.fail("category", f"category {problem}")
    if problem := category_problem(category, texts["subcategory"]):
        raise t.fail("subcategory", f"subcategory {problem}")
    if texts["slug"] and not SLUG.match(texts["slug"]):
        problem = "is not one plain folder name (letters, digits, - and _; at most 100)"
        raise t.fail("slug", f"slug {_shown(texts['slug'])} {problem}")
    guid = t.text_of("guid")
    if guid and not is_uuid5(guid):
        raise t.fail("guid", f"guid {_shown(guid)} is not a UUIDv5 (delete the line for one)")


def _guids(t: _Table) -> dict[str, str]:
    """[show.guids]: the podcast:guid pinned for each feed but feed.xml, by its path
    under the show folder ("clips.xml", "topics/<slug>.xml", "years/<year>.xml")."""
    guids: dict[str, str] = {}
    for key in t.data:
        guid = t.text_of(key)
        if not key.endswith(".xml") or key == HOME_FEED:
            problem = "is not the path of a feed other than feed.xml (its guid is [show] guid)"
            raise t.fail(key, f"[{t.name}] {_shown(key)} {problem}")
        if not is_uuid5(guid):
            raise t.fail(key, f"[{t.name}] {key} = {_shown(guid)} is not a UUIDv5")
        if guid in guids.values():
            raise t.fail(key, f"[{t.name}] {key} has the podcast:guid of another feed")
        guids[key] = guid
    return guids


def _seeds(t: _Table) -> list[Path]:
    """The seed files the patterns match, in order; anything that is not a regular
    file (a FIFO would block the build, a symlink loop can't be read) is refused
    before the build opens it."""
    value = t.data["seeds"]
    patterns = value if isinstance(value, list) else [value]
    if not all(isinstance(p, str) and p.strip() for p in patterns):
        problem = "must be a pattern in quotes or a list of them"
        raise t.fail("seeds", f"seeds {problem}, not {_shown(value)}")
    seeds: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(str(t.path.parent / pattern), recursive=True))
        if not matched:
            raise t.fail("seeds", f"seed pattern {pattern!r} matches no file")
        for m in matched:
            seed = Path(os.path.normpath(m))  # errors name seeds/x.txt
            if problem := _not_a_file(seed):
                where = f"{t.path}:{t.line('seeds')}" if t.line("seeds") else str(t.path)
                raise ShowError(f"{problem} (matched by seeds in {where})", seed)
            seeds.append(seed)
    return list(dict.fromkeys(seeds))


def _not_a_file(path: Path) -> str:
    """Why `path` can't be a seed ("" if it can), from stat: nothing is opened."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        return f"cannot read seed: {e.strerror or e}"
    return "" if stat.S_ISREG(mode) else "seed is not a regular file"


def _artwork(t: _Table, path: Path) -> Path:
    """The show's own artwork, if it is an image that can be read."""
    from .artwork import image_problem

    if problem := image_problem(path):
        where = f"{t.path}:{t.line('artwork')}" if t.line("artwork") else str(t.path)
        raise ShowError(f"{problem} (the artwork set in {where})", path)
    return path


def _audio(t: _Table) -> AudioSettings:
    channels = t.value("channels", 1, int)
    if channels not in (1, 2):
        raise t.fail("channels", f"[audio] channels must be 1 or 2, not {_shown(channels)}")
    rate = t.value("sample_rate", 44100, int)
    if rate not in SAMPLE_RATES:
        rates = ", ".join(map(str, SAMPLE_RATES))
        raise t.fail("sample_rate", f"[audio] sample_rate {_shown(rate)} is not one of {rates}")
    bitrate = t.value("bitrate", "64k", str).strip()
    if not re.fullmatch(r"\d{1,6}(\.\d{1,3})?k?", bitrate, re.IGNORECASE) or (
        bits_per_second(bitrate) not in BITRATES
    ):
        problem = 'is not a bitrate from "8k" to "320k"'
        raise t.fail("bitrate", f"[audio] bitrate {_shown(bitrate)} {problem}")
    if problem := _formats(formats := t.data.get("formats", ["mp3"])):
        raise t.fail("formats", problem)
    return AudioSettings(bitrate, channels, rate, formats=tuple(formats))


def _transcribe(t: _Table) -> Transcription:
    """[transcribe] enabled (every talk, not only those without captions), model (a
    pinned one, publisher/speech/models.py, or any faster-whisper model name or folder)
    and voices (who speaks, in every talk, not only those transcribed)."""
    if unknown := sorted(set(t.data) - {"enabled", "model", "voices"}):
        known = "enabled, model, voices"
        raise t.fail(unknown[0], f"[transcribe] has no setting {unknown[0]!r} ({known})")
    model = t.value("model", Transcription.model, str).strip()
    if not re.fullmatch(r"[\w./-]{1,200}", model):
        raise t.fail("model", f"[transcribe] model {_shown(model)} is not a model name")
    return Transcription(t.value("enabled", False, bool), model, t.value("voices", False, bool))


def transcribing(show: Show, enabled: bool = True, voices: bool = False) -> Show:
    """`show` with [transcribe] enabled (`build --transcribe`) and/or voices heard
    (`build --voices`), as its file may say already."""
    was = show.transcribe
    wanted = Transcription(was.enabled or enabled, was.model, was.voices or voices)
    return dataclasses.replace(show, transcribe=wanted)


def _limits(t: _Table) -> FeedLimits:
    """[feeds] recent / recent_clips: whole numbers from 1 to MAX_RECENT."""
    values = []
    for key, default in (("recent", FeedLimits.talks), ("recent_clips", FeedLimits.clips)):
        n = t.value(key, default, int)
        if not 1 <= n <= MAX_RECENT:
            raise t.fail(key, f"[feeds] {key} must be from 1 to {MAX_RECENT}, not {n}")
        values.append(n)
    return FeedLimits(*values)


def bits_per_second(bitrate: str) -> int:
    """A bitrate setting ("64k", "96000") in bits per second; 0 if unreadable."""
    text = bitrate.strip().lower()
    try:
        return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)
    except ValueError:
        return 0


def _formats(value: object) -> str:
    """What is wrong with [audio] formats ("" if nothing): "mp3" first (the published
    enclosure), then optional others."""
    known = ", ".join(f'"{f}"' for f in AUDIO_FORMATS)
    if not (isinstance(value, list) and all(isinstance(f, str) for f in value)):
        return f"[audio] formats must be a list of strings from {known}"
    if value[:1] != ["mp3"]:
        return '[audio] formats must start with "mp3" (the published enclosure)'
    unknown = [f for f in value if f not in AUDIO_FORMATS]
    if unknown:
        return f"[audio] formats: unknown format {unknown[0]!r} (known: {known})"
    if len(set(value)) != len(value):
        return "[audio] formats lists a format twice"
    return ""


def is_uuid5(text: str) -> bool:
    try:
        return uuid.UUID(text).version == 5
    except ValueError:
        return False


def load_shows(paths: list[Path], base_url: str | None = None) -> list[Show]:
    """Load the shows to build, refusing two show files (among these and the others
    beside them) that would publish into the same folder or under the same
    podcast:guid: each build would replace the other's show."""
    shows = [load_show(p, base_url=base_url) for p in paths]
    files = {s.path.resolve(): s.path for s in shows}
    for show in shows:
        for other in sorted(show.path.parent.glob("*.toml")):
            files.setdefault(other.resolve(), other)
    seen: dict[tuple[str, str], Path] = {}
    for path in files.values():
        for what, value, key, line in _identity(path):
            other = seen.setdefault((what, value), path)
            if other != path:
                problem = f"{what} {value!r} is also that of {other}: give each show its own"
                raise ShowError(f"{problem} {key}", path, line)
    return shows


def _identity(path: Path) -> list[tuple[str, str, str, int | None]]:
    """(what, value, key, line) for the show file's output folder (its slug, case
    folded) and feed.xml's podcast:guid; [] if the file can't be read (no build reads it)."""
    try:
        text = read_input(path, "show file", ShowError)
        data = tomllib.loads(text)
    except (ShowError, tomllib.TOMLDecodeError, RecursionError):
        return []
    try:
        root = _Table(data, None, path, text)
        t = root.table("show") if "show" in data else root
    except ShowError:
        return []
    slug, guid, base = (t.data.get(k) for k in ("slug", "guid", "base_url"))
    slug = (slug if isinstance(slug, str) and slug else slugify(path.stem)).casefold()
    found = [("slug", slug, "slug", t.line("slug"))]
    if isinstance(guid, str) and guid:
        found.append(("podcast:guid", guid, "guid", t.line("guid")))
    elif isinstance(base, str) and base:
        guid = podcast_guid(base.rstrip("/") + "/" + HOME_FEED)
        found.append(("podcast:guid", guid, "base_url", t.line("base_url")))
    pinned = t.data.get("guids")
    if isinstance(pinned, dict):
        guids = t.table("guids")
        for key, value in pinned.items():
            if isinstance(value, str) and value:
                found.append(("podcast:guid", value, f"[{guids.name}] {key}", guids.line(key)))
    return found


PODCAST_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # Podcasting 2.0


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid for a feed URL (UUIDv5 of it without scheme)."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NS, bare))


def pin_guids(show: Show, relpaths: Iterable[str]) -> Show:
    """The show with a podcast:guid for every feed at `relpaths` (under its folder):
    one already pinned is kept; a new one is computed once, from the base URL in the
    show file (not a --base-url override). Nothing is written: save_guids does that,
    and from then on the guid never changes, even if the base URL does."""
    missing = [r for r in dict.fromkeys(relpaths) if not show.guid_of(r)]
    if not missing:
        return show
    data = tomllib.loads(_read(show.path))
    base = str(data.get("show", data)["base_url"]).strip().rstrip("/") + "/"
    new = {r: podcast_guid(base + r) for r in missing}
    home = new.pop(HOME_FEED, show.podcast_guid)
    return dataclasses.replace(show, podcast_guid=home, feed_guids=show.feed_guids | new)


def save_guids(show: Show) -> None:
    """Store the show's pinned podcast:guids in its file, comments kept: feed.xml's
    as [show] guid, every other feed's in [show.guids]. A guid is only ever added,
    so a feed that is gone keeps its own; a file holding them all is left untouched."""
    doc = tomlkit.parse(_read(show.path))
    table = doc.get("show", doc)
    home = show.podcast_guid and table.get("guid") != show.podcast_guid
    saved = table.get("guids", {})
    new = {k: v for k, v in sorted(show.feed_guids.items()) if saved.get(k) != v}
    if not (home or new):
        return
    if home:
        table["guid"] = show.podcast_guid
    if "guids" in table:
        table["guids"].update(new)
    elif new:
        guids = tomlkit.table()
        guids.comment("each feed's podcast:guid, pinned when first published: never change")
        guids.update(new)
        table["guids"] = guids.add(tomlkit.nl())
    write_text(show.path, tomlkit.dumps(doc))


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
