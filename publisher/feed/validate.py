"""Check a podcast feed against Apple's and Podcasting 2.0's rules.

Every problem is one line, "path:line: problem".  Enclosures (and alternate
enclosures), images, transcripts and chapters are checked on disk too when their URL maps to a
file under `root` (URL = base_url + path under root).  Without base_url it is
read from the feed's atom self link; without root it is guessed from where the
feed file sits.
"""

from __future__ import annotations

import email.utils
import functools
import json
import os
import posixpath
import re
import stat
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from PIL import Image, UnidentifiedImageError

from .categories import category_problem
from .ext import ITUNES_NS, PODCAST_NS

ATOM_NS = "http://www.w3.org/2005/Atom"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": ATOM_NS}

MAX_DESCRIPTION = 4000  # bytes
HTML_TAGS = {"p", "ol", "ul", "li", "a"}
ENCLOSURE_TYPES = {  # Apple's accepted media types -> file extensions
    "audio/mpeg": (".mp3",),
    "audio/x-m4a": (".m4a",),
    "audio/mp4": (".m4a", ".mp4"),
    "video/mp4": (".mp4",),
    "video/quicktime": (".mov",),
    "video/x-m4v": (".m4v",),
}
TRANSCRIPT_TYPES = {
    "text/vtt",
    "application/x-subrip",
    "application/json",
    "text/html",
    "text/plain",
    "application/srt",
}
TAXONOMY_ROLES = {
    "host",
    "co-host",
    "guest",
    "cover art designer",
    "composer",
    "producer",
    "editor",
    "guest host",
    "announcer",
    "reporter",
    "narrator",
    "author",
}
MEDIUMS = {
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
}
IMAGE_MIN, IMAGE_MAX = 1400, 3000
MEDIA_TYPE = re.compile(r"^(audio|video)/[A-Za-z0-9.+-]+$")  # for podcast:alternateEnclosure
GUID_CHARS = re.compile(r"^[A-Za-z0-9_-]+$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UT|[ECMP][SD]T)$"
)


def validate_feed(
    path: Path, root: Path | None = None, base_url: str | None = None, disk: Disk | None = None
) -> list[str]:
    """Every problem found in the feed at `path`, one line each; [] if none. Feeds
    checked with one `disk` look at each local file once (an episode is in several)."""
    return _Checker(Path(path), root, base_url, disk or Disk()).run()


class Disk:
    """What validation asks of local files, each asked once: where a URL's path under
    a root leads (symlinks resolved), a file's size, whether it is JSON Chapters, and
    what is wrong with an image. Share one across the feeds of one publish."""

    def __init__(self) -> None:
        self._local: dict[tuple[str, str], Path | None] = {}
        self._real: dict[str, str] = {}  # folder -> its real path
        self._size: dict[Path, int | None] = {}
        self._chapters: dict[Path, bool] = {}
        self._images: dict[Path, str] = {}

    def local(self, root: Path, rel: str) -> Path | None:
        """The real path of `rel` under `root` if it stays under it (else None)."""
        key = (str(root), rel)
        if key not in self._local:
            self._local[key] = self._resolve(str(root), rel)
        return self._local[key]

    def _resolve(self, root: str, rel: str) -> Path | None:
        if not rel or rel.endswith("/"):
            return None
        base = self._realdir(root)
        if rel.startswith("/") or ".." in rel.split("/"):  # rare: let pathlib walk it
            path = (Path(base) / rel).resolve()
        else:  # each folder resolved once, then the file (a symlink?) in it
            folder, name = posixpath.split(posixpath.join(root, rel))
            found = os.path.join(self._realdir(folder), name)
            path = Path(os.path.realpath(found) if os.path.islink(found) else found)
        return path if path.is_relative_to(base) else None

    def _realdir(self, folder: str) -> str:
        if folder not in self._real:
            self._real[folder] = os.path.realpath(folder)
        return self._real[folder]

    def size(self, path: Path) -> int | None:
        """Bytes in the regular file at `path`; None if there is none."""
        if path not in self._size:
            try:
                st = path.stat()
                self._size[path] = st.st_size if stat.S_ISREG(st.st_mode) else None
            except OSError:
                self._size[path] = None
        return self._size[path]

    def chapters(self, path: Path) -> bool:
        """Whether the file is JSON Chapters (a version, and chapters with start times)."""
        if path not in self._chapters:
            self._chapters[path] = _is_chapters(path)
        return self._chapters[path]

    def image_problem(self, path: Path) -> str:
        if path not in self._images:
            self._images[path] = _image_problem(path)
        return self._images[path]


class _Checker:
    def __init__(self, path: Path, root: Path | None, base_url: str | None, disk: Disk):
        self.path, self.root, self.base_url = path, root, base_url
        self.disk = disk
        self.problems: list[str] = []

    def say(self, elem, problem: str) -> None:
        line = getattr(elem, "sourceline", None)
        self.problems.append(
            f"{self.path}:{line}: {problem}" if line else f"{self.path}: {problem}"
        )

    def run(self) -> list[str]:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            doc = etree.parse(str(self.path), parser)
        except OSError as e:
            return [f"{self.path}: cannot read: {e}"]
        except etree.XMLSyntaxError as e:
            return [f"{self.path}:{e.lineno}: not well-formed XML: {e.msg}"]
        rss = doc.getroot()
        channel = rss.find("channel")
        if rss.tag != "rss" or rss.get("version") != "2.0" or channel is None:
            self.say(rss, 'not an RSS 2.0 feed (<rss version="2.0"><channel>)')
            return self.problems
        self.locate(channel)
        self.check_channel(channel)
        items = channel.findall("item")
        if not items:
            self.say(channel, "channel has no <item>")
        guids: dict[str, int] = {}
        enclosures: dict[str, int] = {}
        for item in items:
            self.check_item(item, guids, enclosures)
        return self.problems

    # --- where local files are -------------------------------------------------

    def locate(self, channel) -> None:
        """Fill in whichever of base_url and root was not given, from the atom self link."""
        link = channel.find("atom:link[@rel='self']", NS)
        href = link.get("href", "") if link is not None else ""
        parents = [self.path.parent, *self.path.parent.parents]
        if self.base_url:
            rel = href[len(self.base_url) :] if href.startswith(self.base_url) else ""
            depth = len(rel.split("/")) if rel else 1
            if self.root is None:
                self.root = parents[min(depth, len(parents)) - 1]
        elif self.root is not None:
            try:
                rel = self.path.resolve().relative_to(Path(self.root).resolve()).as_posix()
            except ValueError:
                return
            if href.endswith("/" + rel):
                self.base_url = href[: -len(rel)]
        else:
            parts = self.path.parts
            for depth in range(len(parts) - 1, 0, -1):  # the longest matching suffix
                rel = "/".join(parts[-depth:])
                if href.endswith("/" + rel):
                    self.base_url, self.root = href[: -len(rel)], parents[depth - 1]
                    return

    def local(self, url: str) -> Path | None:
        """The file under root that `url` names, if it is one of ours."""
        if not (self.base_url and self.root is not None and url.startswith(self.base_url)):
            return None
        rel = unquote(urlsplit(url[len(self.base_url) :]).path)
        return self.disk.local(Path(self.root).absolute(), rel)

    # --- channel ---------------------------------------------------------------

    def check_channel(self, ch) -> None:
        for tag in ("title", "description", "language", "link", "copyright"):
            self.text(ch, tag, required=True)
        lang = self.text(ch, "language")
        if lang and not LANGUAGE.match(lang):
            self.say(
                ch.find("language"), f"language {lang!r} is not a language code like en or en-us"
            )
        self.url_of(ch, "link", required=True)
        self.description(ch)
        for tag in ("lastBuildDate", "pubDate"):
            self.date(ch, tag, required=False)
        self_link = ch.find("atom:link[@rel='self']", NS)
        if self_link is None:
            self.say(ch, 'missing atom:link rel="self" (the feed\'s own URL)')
        else:
            self.absolute(self_link, self_link.get("href", ""), "atom:link self href")
        self.image(ch, required=True)
        self.category(ch)
        self.explicit(ch, required=True)
        self.text(ch, "itunes:author", required=True)
        owner = ch.find("itunes:owner", NS)
        if owner is None:
            self.say(ch, "missing itunes:owner")
        else:
            self.text(owner, "itunes:name", required=True)
            mail = self.text(owner, "itunes:email", required=True)
            if mail and not EMAIL.match(mail):
                self.say(owner, f"itunes:email {mail!r} is not an email address")
        kind = self.text(ch, "itunes:type", required=True)
        if kind and kind not in ("episodic", "serial"):
            self.say(ch.find("itunes:type", NS), f"itunes:type {kind!r} must be episodic or serial")
        self.podcast_channel(ch)

    def podcast_channel(self, ch) -> None:
        guid = self.text(ch, "podcast:guid", required=True)
        if guid:
            try:
                if uuid.UUID(guid).version != 5 or str(uuid.UUID(guid)) != guid:
                    raise ValueError
            except ValueError:
                self.say(
                    ch.find("podcast:guid", NS), f"podcast:guid {guid!r} is not a lowercase UUIDv5"
                )
        locked = ch.find("podcast:locked", NS)
        if locked is not None and (locked.text or "").strip() not in ("yes", "no"):
            self.say(locked, f"podcast:locked {locked.text!r} must be yes or no")
        medium = self.text(ch, "podcast:medium")
        if medium and medium.removesuffix("L") not in MEDIUMS:
            self.say(
                ch.find("podcast:medium", NS), f"podcast:medium {medium!r} is not a known medium"
            )

    def category(self, ch) -> None:
        cats = ch.findall("itunes:category", NS)
        if not cats:
            self.say(ch, "missing itunes:category")
            return
        first = cats[0]  # Apple reads only the first
        sub = first.find("itunes:category", NS)
        problem = category_problem(
            first.get("text", ""), sub.get("text", "") if sub is not None else ""
        )
        if problem:
            self.say(first, f"itunes:category {problem}")

    # --- items -----------------------------------------------------------------

    def check_item(self, item, guids: dict[str, int], enclosures: dict[str, int]) -> None:
        self.text(item, "title", required=True)
        self.url_of(item, "link", required=False)
        self.enclosure(item, enclosures)
        guid_elem = item.find("guid")
        guid = self.text(item, "guid", required=True)
        if guid:
            if guid in guids:
                self.say(guid_elem, f"guid {guid!r} is used twice (first on line {guids[guid]})")
            guids.setdefault(guid, guid_elem.sourceline)
            if not GUID_CHARS.match(guid):
                self.say(guid_elem, f"guid {guid!r} has characters outside [A-Za-z0-9_-]")
            permalink = guid_elem.get("isPermaLink", "true")
            if permalink != "false" and not guid.startswith(("http://", "https://")):
                self.say(guid_elem, f"guid {guid!r} is not a URL but isPermaLink is {permalink!r}")
        self.date(item, "pubDate", required=True)
        self.description(item, required=True)
        duration = self.text(item, "itunes:duration", required=True)
        if duration and not duration.isdigit():
            self.say(
                item.find("itunes:duration", NS),
                f"itunes:duration {duration!r} is not whole seconds",
            )
        kind = self.text(item, "itunes:episodeType", required=True)
        if kind and kind not in ("full", "trailer", "bonus"):
            self.say(
                item.find("itunes:episodeType", NS),
                f"itunes:episodeType {kind!r} must be full, trailer or bonus",
            )
        for tag, required in (("itunes:season", True), ("itunes:episode", False)):
            value = self.text(item, tag, required=required)
            if value and not (value.isdigit() and int(value) > 0):
                self.say(item.find(tag, NS), f"{tag} {value!r} is not a positive integer")
        self.image(item, required=False)
        self.explicit(item, required=False)
        self.podcast_item(item, int(duration) if duration and duration.isdigit() else None)

    def enclosure(self, item, seen: dict[str, int]) -> None:
        encs = item.findall("enclosure")
        if len(encs) != 1:
            self.say(item, "missing enclosure" if not encs else "more than one enclosure")
            return
        enc = encs[0]
        url, length, mime = enc.get("url", ""), enc.get("length", ""), enc.get("type", "")
        if not self.absolute(enc, url, "enclosure url"):
            return
        if url in seen:
            self.say(enc, f"enclosure {url} is also used on line {seen[url]}")
        seen.setdefault(url, enc.sourceline)
        suffix = Path(urlsplit(url).path).suffix.lower()
        if mime not in ENCLOSURE_TYPES:
            self.say(enc, f"enclosure type {mime!r} is not one Apple accepts")
        elif suffix not in ENCLOSURE_TYPES[mime]:
            self.say(enc, f"enclosure type {mime} does not match the file extension {suffix!r}")
        if not (length.isdigit() and int(length) > 0):
            self.say(enc, f"enclosure length {length!r} is not a positive number of bytes")
            return
        self.media_file(enc, url, int(length), "enclosure")

    def media_file(self, elem, url: str, length: int | None, what: str) -> None:
        """A local media file must exist and, if `length` is given, have that many bytes."""
        path = self.local(url)
        if path is None:
            return
        size = self.disk.size(path)
        if size is None:
            self.say(elem, f"{what} file {path} does not exist")
        elif length is not None and size != length:
            self.say(elem, f"{what} length {length} but {path.name} has {size} bytes")

    def alternate(self, alt) -> None:
        """podcast:alternateEnclosure: a media type, a size, and at least one source."""
        what = "podcast:alternateEnclosure"
        mime, length, bitrate = alt.get("type", ""), alt.get("length", ""), alt.get("bitrate")
        if not MEDIA_TYPE.match(mime):
            self.say(alt, f"{what} type {mime!r} is not an audio or video media type")
        size = int(length) if length.isdigit() and int(length) > 0 else None
        if size is None:
            self.say(alt, f"{what} length {length!r} is not a positive number of bytes")
        if bitrate is not None and not re.match(r"^\d+(\.\d+)?$", bitrate):
            self.say(alt, f"{what} bitrate {bitrate!r} is not bits per second")
        sources = alt.findall("podcast:source", NS)
        if not sources:
            self.say(alt, f"{what} has no podcast:source")
        for source in sources:
            uri = source.get("uri", "")
            scheme = urlsplit(uri).scheme
            if not scheme:
                self.say(source, f"podcast:source uri {uri!r} is not an absolute URI")
            elif scheme in ("http", "https") and self.absolute(source, uri, "podcast:source uri"):
                self.media_file(source, uri, size, what)

    def podcast_item(self, item, duration: int | None) -> None:
        for t in item.findall("podcast:transcript", NS):
            mime = t.get("type", "")
            if mime not in TRANSCRIPT_TYPES:
                self.say(t, f"podcast:transcript type {mime!r} is not a transcript type")
            if t.get("rel") not in (None, "captions"):
                self.say(t, f"podcast:transcript rel {t.get('rel')!r} must be captions")
            self.linked_file(t, "podcast:transcript")
        for c in item.findall("podcast:chapters", NS):
            if c.get("type") != "application/json+chapters":
                self.say(
                    c, f"podcast:chapters type {c.get('type')!r} must be application/json+chapters"
                )
            path = self.linked_file(c, "podcast:chapters")
            if path is not None:
                self.chapters_file(c, path)
        for s in item.findall("podcast:soundbite", NS):
            self.soundbite(s, duration)
        for a in item.findall("podcast:alternateEnclosure", NS):
            self.alternate(a)
        for p in item.findall("podcast:person", NS):
            if not (p.text or "").strip():
                self.say(p, "podcast:person has no name")
            role = p.get("role", "host").lower()
            if role not in TAXONOMY_ROLES:
                self.say(p, f"podcast:person role {role!r} is not in the taxonomy")
        for tag, pattern in (("podcast:season", r"^\d+$"), ("podcast:episode", r"^\d+(\.\d+)?$")):
            value = self.text(item, tag)
            if value and not re.match(pattern, value):
                self.say(item.find(tag, NS), f"{tag} {value!r} is not a number")

    def soundbite(self, s, duration: int | None) -> None:
        try:
            start, length = float(s.get("startTime", "")), float(s.get("duration", ""))
        except ValueError:
            self.say(s, "podcast:soundbite needs numeric startTime and duration")
            return
        if start < 0 or not 0 < length <= 120:
            self.say(s, f"podcast:soundbite {start}+{length} s: start >= 0, duration 1-120 s")
        elif duration is not None and start + length > duration + 1:
            self.say(s, f"podcast:soundbite {start}+{length} s runs past the {duration} s episode")

    def chapters_file(self, elem, path: Path) -> None:
        if not self.disk.chapters(path):
            self.say(
                elem,
                f"chapters file {path.name} is not JSON Chapters (version, chapters[].startTime)",
            )

    def linked_file(self, elem, what: str) -> Path | None:
        url = elem.get("url", "")
        if not self.absolute(elem, url, f"{what} url"):
            return None
        path = self.local(url)
        if path is not None and self.disk.size(path) is None:
            self.say(elem, f"{what} file {path} does not exist")
            return None
        return path

    # --- shared value checks ---------------------------------------------------

    def text(self, parent, tag: str, required: bool = False) -> str:
        elem = parent.find(tag, NS)
        value = (elem.text or "").strip() if elem is not None else ""
        if required and not value:
            self.say(parent, f"missing {tag}" if elem is None else f"empty {tag}")
        return value

    def absolute(self, elem, url: str, what: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return True
        self.say(elem, f"{what} {url!r} is not an absolute http(s) URL")
        return False

    def url_of(self, parent, tag: str, required: bool) -> None:
        value = self.text(parent, tag, required=required)
        if value:
            self.absolute(parent.find(tag), value, tag)

    def date(self, parent, tag: str, required: bool) -> None:
        value = self.text(parent, tag, required=required)
        if not value:
            return
        try:
            when = email.utils.parsedate_to_datetime(value)
            ok = bool(RFC2822.match(value)) and when.strftime("%a") == value[:3]
        except (TypeError, ValueError):
            ok = False
        if not ok:
            self.say(parent.find(tag), f"{tag} {value!r} is not an RFC 2822 date")

    def description(self, parent, required: bool = True) -> None:
        value = self.text(parent, "description", required=required)
        size = len(value.encode("utf-8"))
        if size > MAX_DESCRIPTION:
            self.say(
                parent.find("description"),
                f"description is {size} bytes; Apple allows {MAX_DESCRIPTION}",
            )
        bad = _html_tags(value) - HTML_TAGS
        if bad:
            tags = " ".join(f"<{t}>" for t in sorted(bad))
            self.say(
                parent.find("description"),
                f"description uses HTML {tags}; Apple allows only <p> <ol> <ul> <li> <a>",
            )

    def explicit(self, parent, required: bool) -> None:
        value = self.text(parent, "itunes:explicit", required=required)
        if value and value not in ("true", "false"):
            self.say(
                parent.find("itunes:explicit", NS),
                f"itunes:explicit {value!r} must be true or false",
            )

    def image(self, parent, required: bool) -> None:
        elem = parent.find("itunes:image", NS)
        if elem is None:
            if required:
                self.say(parent, "missing itunes:image")
            return
        url = elem.get("href", "")
        if not self.absolute(elem, url, "itunes:image href"):
            return
        if not urlsplit(url).path.lower().endswith((".jpg", ".jpeg", ".png")):
            self.say(elem, f"itunes:image {url} must end in .jpg or .png")
        path = self.local(url)
        problem = self.disk.image_problem(path) if path is not None else ""
        if problem:
            self.say(elem, f"itunes:image {url}: {problem}")


def _is_chapters(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        starts = [c["startTime"] for c in data["chapters"]]
        return isinstance(data.get("version"), str) and all(
            isinstance(t, int | float) for t in starts
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _image_problem(path: Path) -> str:
    """Why a local artwork file breaks Apple's rules, or ""."""
    if not path.is_file():
        return f"file {path} does not exist"
    try:
        with Image.open(path) as im:
            fmt, mode, (w, h) = im.format, im.mode, im.size
    except (OSError, UnidentifiedImageError):
        return "not a readable image"
    if fmt not in ("JPEG", "PNG"):
        return f"is {fmt}; Apple needs JPEG or PNG"
    if mode != "RGB":
        return f"colour mode {mode}; Apple needs RGB without alpha"
    if w != h or not IMAGE_MIN <= w <= IMAGE_MAX:
        return f"{w}x{h} px; Apple needs a square {IMAGE_MIN}-{IMAGE_MAX} px"
    return ""


@functools.lru_cache(maxsize=65536)  # an episode's notes are in several feeds: parsed once
def _html_tags(text: str) -> frozenset[str]:
    """Every HTML tag name used in text."""
    tags: set[str] = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.add(tag)

        def handle_endtag(self, tag):
            tags.add(tag)

    if "<" in text:
        Collector().feed(text)
    return frozenset(tags)
