"""A seed document's text -> Talk (header fields, people, captions, URL)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import SeedError
from ..model import Cue, Speaker, Talk
from .captions import parse_captions
from .limits import check_lines
from .people import CREDITS, MODERATED, People, listed_people
from .transcript import clean_transcript

# Header keys as written in seeds, and the name each is known by here.
_KEYS = {
    "title": "Title",
    "publication date": "Publication date",
    "date": "Publication date",
    "published": "Publication date",
    "playlist": "Playlist",
    "description": "Description",
    "abstract": "Description",
    "captions": "Captions",
    "subtitles": "Captions",
    "youtube url": "YouTube URL",
    "youtube": "YouTube URL",
    "video url": "YouTube URL",
    "url": "YouTube URL",
    "video id": "Video ID",
}
_KEY = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}?)\s*:(.*)$")
_END_CAPTIONS = re.compile(r"^(?:youtube|video)?\s*url\s*:", re.I)
_SEPARATOR = re.compile(r"^\s*-{3,}\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VIDEO_ID = re.compile(
    r"(?:[?&]v=|youtu\.be/|/(?:embed|shorts|live|v)/)([A-Za-z0-9_-]{11})(?![A-Za-z0-9_-])"
)
_BARE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_ANY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a `Video ID:` for a video not on YouTube
_HTTP_URL = re.compile(r"^https?://\S+$", re.I)


# --- people: the credits line and the speaker blocks ---------------------------

_PARENS = re.compile(r"\([^)]*\)")
_WRAPPED = re.compile(r"(?:[,;&]|\band|\bof|\bby)\s*$", re.I)  # a credits line that goes on
_NAME_SEP = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)


@dataclass
class Credits:
    """Who the credits line names: panelists in order, and the moderator."""

    names: list[str] = field(default_factory=list)
    moderator: str | None = None
    orgs: dict[str, str] = field(default_factory=dict)  # _norm(name) -> organisation

    def fill(self, found: People) -> None:
        """Take what a credits line elsewhere (in the Description, among the people,
        after the URL) lists where the seed's own credits lines leave it out."""
        if not self.names:
            self.names = [p.name for p in found.speakers]
        named = {_norm(n) for n in self.names}
        if self.moderator is None and found.moderator and _norm(found.moderator.name) not in named:
            self.moderator = found.moderator.name
        for p in [*found.speakers, *filter(None, [found.moderator])]:
            if p.organisation:
                self.orgs.setdefault(_norm(p.name), p.organisation)


@dataclass
class _Field:
    line: int
    value: str
    more: list[str] = field(default_factory=list)  # indented continuation lines

    def paragraphs(self) -> str:
        """The value plus continuation lines; blank lines become paragraph breaks."""
        lines = [ln.strip() for ln in [self.value, *self.more]]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

    def text(self) -> str:
        return " ".join(self.paragraphs().split())


@dataclass
class _Sections:
    fields: dict[str, _Field] = field(default_factory=dict)
    credits: Credits = field(default_factory=Credits)
    people: list[tuple[int, str]] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)  # unindented lines after the URL
    captions_line: int = 0
    captions_first: int = 0
    captions: list[str] = field(default_factory=list)


_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "mx", "sir", "dame"})


def named_speakers(cues: list[Cue], people: list[Speaker]) -> list[Cue]:
    """Cues whose caption label (Cue.speaker) is one of the seed's people by their full,
    first or last name ("MARY SMITH:", "Dr. Smith:"), labelled with that person's name
    as the seed writes it; other labels stay as the captions write them."""

    def key(name: str) -> tuple[str, ...]:
        return tuple(w for w in re.findall(r"[^\W\d_]+", name.lower()) if w not in _TITLES)

    found: dict[tuple[str, ...], set[str]] = {}
    for person in people:
        parts = key(person.name)
        for form in {parts, parts[:1], parts[-1:]} - {()}:
            found.setdefault(form, set()).add(person.name)
    names = {k: next(iter(v)) for k, v in found.items() if len(v) == 1}  # unambiguous only
    return [replace(c, speaker=names.get(key(c.speaker), c.speaker)) for c in cues]


def parse_seed(text: str, path: Path) -> Talk:
    """Parse a seed document. Raises SeedError naming the file and line."""
    lines = [ln.rstrip("\r") for ln in text.removeprefix("\ufeff").split("\n")]
    sec = _split(lines, path)
    check_lines(lines, path, error=SeedError, long_ok=_json3_lines(sec))
    last = len(lines)
    title = _required(sec, "Title", path, 1).text()
    if not title:
        raise SeedError("empty Title", path, sec.fields["Title"].line)
    date = _date(_required(sec, "Publication date", path, 1), path)
    if not sec.captions_line and _stray_cues(sec):
        where = sec.fields["YouTube URL"].line if "YouTube URL" in sec.fields else last
        raise SeedError("missing 'Captions:' section", path, where)
    if sec.captions_line and not any(ln.strip() for ln in sec.captions):
        raise SeedError("no captions after 'Captions:'", path, sec.captions_line)
    # no Captions section: no cues; the build transcribes the audio (publisher/speech)
    cues = parse_captions(sec.captions, sec.captions_first, path) if sec.captions_line else []
    url_field, id_field = _required(sec, "YouTube URL", path, last), sec.fields.get("Video ID")
    url, video_id = _url(url_field, id_field, path)
    if "Description" in sec.fields:
        sec.credits.fill(listed_people(sec.fields["Description"].paragraphs()))
    sec.credits.fill(listed_people("\n".join(sec.trailer)))
    moderator, speakers = parse_people(sec.people, sec.credits)
    cues = named_speakers(cues, [*speakers, *([moderator] if moderator else [])])
    return Talk(
        source=path,
        title=title,
        date=date,
        playlist=sec.fields["Playlist"].text() if "Playlist" in sec.fields else "",
        description=sec.fields["Description"].paragraphs() if "Description" in sec.fields else "",
        speakers=speakers,
        moderator=moderator,
        cues=cues,
        transcript=clean_transcript(cues),
        url=url,
        video_id=video_id,
        url_line=(id_field or url_field).line,
    )


def _stray_cues(sec: _Sections) -> bool:
    """Caption cues ("00:00:01,000 --> ...") where no 'Captions:' line leads to them."""
    return any("-->" in ln for ln in [*(ln for _, ln in sec.people), *sec.trailer])


def _json3_lines(sec: _Sections) -> range:
    """The line numbers of json3 captions, which may be one long line."""
    head = next((ln.strip() for ln in sec.captions if ln.strip()), "")
    start = sec.captions_first
    return range(start, start + len(sec.captions)) if head.startswith("{") else range(0)


def _split(lines: list[str], path: Path) -> _Sections:
    """Walk the document once: header fields, credits, people, captions, trailer."""
    sec = _Sections()
    state = "header"  # -> people -> captions -> trailer
    current: _Field | None = None
    wrapped = False  # the credits line so far ends with "," or "and"
    loose = False  # the current field's value goes on in unindented lines
    for lineno, line in enumerate(lines, start=1):
        if state == "captions":
            if not _END_CAPTIONS.match(line):
                sec.captions.append(line)
                continue
            state = "trailer"
        m = _KEY.match(line)
        key = _KEYS.get(" ".join(m.group(1).lower().split())) if m else None
        if m and key == "Captions":
            _once(sec, key, lineno, path)
            sec.captions_line = lineno
            inline = m.group(2).strip()
            sec.captions = [inline] if inline else []
            sec.captions_first = lineno if inline else lineno + 1
            state, current = "captions", None
            continue
        if m and key and (state != "people" or key == "YouTube URL"):
            _once(sec, key, lineno, path)
            current = sec.fields[key] = _Field(lineno, m.group(2))
            continue
        if state != "people":
            if current is not None and _continues(current, line, loose, key is not None):
                current.more.append(line)
                loose = bool(line.strip()) and not line[0].isspace()
                continue
            current, loose = None, False
            if not line.strip() or state == "trailer":
                sec.trailer += [line] if state == "trailer" else []
                wrapped = False
                continue
            if _SEPARATOR.match(line):
                state = "people"
                continue
            if wrapped and not m:
                _add_names(line, sec.credits)
                wrapped = bool(_WRAPPED.search(line))
                continue
            if parse_credits(line, sec.credits):
                wrapped = bool(_WRAPPED.search(line))
                continue
            if m:
                continue  # an unknown "Key: value" header line
            state = "people"
        if not _SEPARATOR.match(line):
            sec.people.append((lineno, line))
    return sec


def _continues(f: _Field, line: str, loose: bool, is_key: bool) -> bool:
    """Does `line` belong to field `f`: indented or blank, or (right after an empty
    "Key:" line, up to a blank line) plain text that is no key, separator or credits."""
    if not line.strip() or line[0].isspace():
        return True
    plain = not (is_key or _SEPARATOR.match(line) or CREDITS.match(line.strip()))
    return plain and (loose or (not f.value.strip() and not f.more))


def _once(sec: _Sections, key: str, lineno: int, path: Path) -> None:
    first = sec.captions_line if key == "Captions" else getattr(sec.fields.get(key), "line", 0)
    if first:
        raise SeedError(f"duplicate '{key}:' (first at line {first})", path, lineno)


def _required(sec: _Sections, key: str, path: Path, where: int) -> _Field:
    if key not in sec.fields:
        raise SeedError(f"missing '{key}:' line", path, where)
    return sec.fields[key]


def _date(f: _Field, path: Path) -> dt.date:
    value = f.text()
    try:
        if _DATE.match(value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise SeedError(f"bad Publication date {value[:40]!r}, expected YYYY-MM-DD", path, f.line)


def _url(f: _Field, given: _Field | None, path: Path) -> tuple[str, str]:
    """The URL and video id: from a YouTube URL, or any http(s) URL with a `Video ID:`."""
    url = f.text()
    m = _VIDEO_ID.search(url)
    if given is not None:
        video_id = given.text()
        if not _ANY_ID.match(video_id):
            raise SeedError(
                f"bad Video ID {video_id[:40]!r}: letters, digits, '-', '_'", path, given.line
            )
        if m and m.group(1) != video_id:
            raise SeedError(
                f"Video ID {video_id!r} is not the URL's {m.group(1)!r}", path, given.line
            )
        if not _HTTP_URL.match(url):
            raise SeedError(f"not an http(s) URL: {url[:80]!r}", path, f.line)
        return url, video_id
    if m:
        return url, m.group(1)
    if _BARE_ID.match(url):
        return f"https://www.youtube.com/watch?v={url}", url
    raise SeedError(f"no YouTube video id in URL {url[:80]!r}", path, f.line)


def _names(text: str) -> list[str]:
    text = _PARENS.sub(" ", text)  # "Jane Doe (Acme)" -> "Jane Doe"
    return [n.strip(" .") for n in _NAME_SEP.split(text) if n.strip(" .")]


def _add_names(text: str, credits: Credits, moderator: bool = False) -> None:
    names, *mods = MODERATED.split(text, maxsplit=1)
    if moderator:
        names, mods = "", [names]
    credits.names += _names(names)
    if mods and _names(mods[0]):
        credits.moderator = _names(mods[0])[0]


def parse_credits(line: str, credits: Credits) -> bool:
    """Read a "Discussion of A, B and C moderated by D" style line into `credits`."""
    m = CREDITS.match(line.strip())
    if m:
        _add_names(m.group("names"), credits, bool(m.group("mod")))
    return m is not None


def _norm(name: str) -> str:
    """A name for matching: no accents, case or punctuation ("Tomás" == "tomas")."""
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def _looks_like_header(par: list[str]) -> bool:
    """Name / job title / organisation: up to 3 short lines, no sentences."""
    words = par[0].split()
    return (
        len(par) <= 3
        and 1 <= len(words) <= 6
        and not any(ch.isdigit() for ch in par[0])
        and all(len(ln) <= 100 and not ln.endswith((".", "!", "?")) for ln in par)
    )


def _paragraphs(people: list[tuple[int, str]]) -> list[list[str]]:
    pars: list[list[str]] = []
    prev = -1
    for lineno, line in people:
        text = line.strip()
        if not text:
            continue
        if lineno == prev + 1 and pars:
            pars[-1].append(text)
        else:
            pars.append([text])
        prev = lineno
    return pars


def _speaker(par: list[str]) -> Speaker:
    """Name, then up to two short lines (job title, organisation), then the bio; a name
    with just one short line under it (as `publisher add` writes) has that organisation."""
    head = list(itertools.takewhile(lambda ln: len(ln) <= 100 and not ln.endswith("."), par[1:3]))
    title, org = ("", head[0]) if len(par) == 2 and head else (head + ["", ""])[:2]
    return Speaker(par[0], title, org, "\n".join(par[1 + len(head) :]))


def parse_people(
    people: list[tuple[int, str]], credits: Credits
) -> tuple[Speaker | None, list[Speaker]]:
    """Speaker blocks (name, job title, organisation, bio) -> (moderator, speakers).
    A paragraph that is one credits line ("Moderated by Carol White") is no block:
    it fills `credits`."""
    pars = []
    for par in _paragraphs(people):
        found = listed_people(par[0]) if len(par) == 1 else People()
        if found.speakers or found.moderator:
            credits.fill(found)
        else:
            pars.append(par)
    known = {_norm(n) for n in [*credits.names, credits.moderator or ""] if n}
    blocks: list[Speaker] = []
    for par in pars:
        cur = blocks[-1] if blocks else None
        new = (
            _norm(par[0]) in known
            or cur is None
            or (bool(cur.bio or not (cur.title or cur.organisation)) and _looks_like_header(par))
        )
        if new:
            blocks.append(_speaker(par))
        else:
            bio = "\n\n".join(filter(None, [cur.bio, "\n".join(par)]))
            blocks[-1] = Speaker(cur.name, cur.title, cur.organisation, bio)
    by_name = {_norm(s.name): s for s in blocks}
    mod_key = _norm(credits.moderator) if credits.moderator else None
    moderator = (
        by_name.get(mod_key, _credited(credits.moderator, credits)) if credits.moderator else None
    )
    speakers = [s for s in blocks if _norm(s.name) != mod_key]
    named = {_norm(s.name) for s in speakers}
    for name in credits.names:
        if _norm(name) not in named and _norm(name) != mod_key:
            speakers.append(_credited(name, credits))
            named.add(_norm(name))
    return moderator, speakers


def _credited(name: str, credits: Credits) -> Speaker:
    """A person the credits name who has no block of their own."""
    return Speaker(name, organisation=credits.orgs.get(_norm(name), ""))
