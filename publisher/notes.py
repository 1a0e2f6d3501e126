"""Show notes for one episode, drawn from the talk, its plan and its transcript.

Notes are built as a few blocks (paragraphs and lists of inline parts), then
rendered twice: as Apple-safe HTML (only <p> <ol> <ul> <li> <a>, at most
4000 bytes) and as plain text. Long transcript-derived parts are shortened
first, then list items are dropped from the end, until the HTML fits.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .errors import PublisherError
from .model import (
    THE_PANEL,
    Credits,
    Line,
    Place,
    Plan,
    Segment,
    Talk,
    credits_of,
    full_guid,
    timestamp,
    topic_names,
    video_at,
)

LIMIT = 4000  # bytes of HTML (Apple's description limit)
SUMMARY_CHARS = 400
QUOTE_CHARS = 300
TITLE_CHARS = 120
STANDIN = (
    "STAND-IN AUDIO: this episode is synthesised speech generated from the video's "
    "captions, not the original recording. Watch the original video to hear the speakers."
)


@dataclass(frozen=True)
class Notes:
    html: str
    text: str
    summary: str  # one or two plain sentences


# An inline part is plain text, or (text, href) for a link.
Part = str | tuple[str, str]


@dataclass
class _Block:
    tag: str  # "p" or "ul"
    items: list[list[Part]]  # one item for a paragraph
    more: str = ""  # for lists: what was dropped, e.g. "questions"
    dropped: int = 0
    keep: int = 1  # list items never dropped below this
    links_in_text: bool = True  # plain text shows a link's URL
    shrink: list[int] = field(default_factory=list)  # paragraph parts that may be shortened


def make_notes(
    talk: Talk,
    plan: Plan,
    segment: Segment | None,
    places: dict[str, Place],
    *,
    standin: bool,
    pages: dict[str, str] | None = None,
    topics: dict[str, str] | None = None,
) -> Notes:
    """The show notes of the full talk (segment None) or of one question clip.

    `places` maps each segment's GUID to its Place (Render.places): the numbers,
    labels and times the notes show.

    `pages` maps an episode's GUID to its web page (a clip's card on the talk page,
    the talk page itself for the full talk): chapters and the talk link point there.

    `topics` maps a topic slug to the name shown (model.topic_names; by default the
    talk's own first spelling).
    """
    pages = pages or {}
    if segment is None:
        names = topics or topic_names(plan.segments)
        summary, blocks = _full_notes(talk, plan, places, pages, names)
    else:
        summary, blocks = _clip_notes(talk, plan, segment, places[segment.guid], pages)
    if standin:
        blocks.insert(1, _Block("p", [[STANDIN]]))
    _fit(blocks)
    return Notes(_html(blocks), _text(blocks), summary)


# --- content ----------------------------------------------------------------------


def _full_notes(talk, plan, places, pages, names) -> tuple[str, list[_Block]]:
    segs = plan.segments
    questions = [s for s in segs if s.kind == "question"]
    topics = list(dict.fromkeys(names[s.topic_slug] for s in questions if s.topic))
    summary = _first_sentences(talk.description, 220) or talk.title
    if questions:
        summary += f" {len(questions)} questions"
        summary += f", on {_and(topics[:5])}." if topics else "."
    summary = _clip(summary, SUMMARY_CHARS)
    blocks = [_Block("p", [[summary]], shrink=[0])]
    blocks.append(_Block("p", [[f"{talk.title}, {talk.playlist}, {_date(talk)}."]]))
    items = _timeline(segs, places, pages)
    if items:
        blocks += [
            _Block("p", [["Chapters:"]]),
            _Block("ul", items, more="chapters", keep=min(3, len(items)), links_in_text=False),
        ]
    people = [_person(talk, c.name, c.display, org=c.organisation) for c in talk.credits]
    if people:
        blocks += [_Block("p", [["Speakers:"]]), _Block("ul", people, more="speakers")]
    blocks.append(_Block("p", [["Watch the original video: ", (talk.url, talk.url)]]))
    return summary, blocks


def _clip_notes(talk, plan, seg, place, pages) -> tuple[str, list[_Block]]:
    question = seg.kind == "question"
    credits = credits_of(seg)
    quote = _question_text(plan.transcript, seg, {c.name for c in credits.asked})
    summary = seg.summary or _clip_summary(talk, seg, credits)
    summary = _clip(summary, SUMMARY_CHARS)
    blocks = [_Block("p", [[summary]], shrink=[0])]
    if quote and quote not in summary:
        blocks.append(
            _Block("p", [["From the transcript: “", _clip(quote, QUOTE_CHARS), "”"]], shrink=[1])
        )
    blocks.append(_Block("p", [_position(talk, place, pages)]))
    people = _credit_lines(talk, credits, "Answered by " if question else "")
    if people:
        blocks += [_Block("p", [["Speakers:"]]), _Block("ul", people, more="speakers")]
    at, what = place.start, "question" if question else "part"
    link = video_at(talk.url, at)
    blocks.append(
        _Block(
            "p",
            [[f"Watch this {what} in the original video (from {timestamp(at)}): ", (link, link)]],
        )
    )
    return summary, blocks


def _timeline(segs: list[Segment], places: dict[str, Place], pages) -> list[list[Part]]:
    """'00:00 Title' per segment, at its place in the full talk."""
    entries = [(places[s.guid].start, s.title, _url(s, pages)) for s in segs if s.guid in places]
    if entries and timestamp(entries[0][0]) != timestamp(0):
        entries.insert(0, (0.0, "Start", ""))
    items: list[list[Part]] = []
    for start, title, url in entries:
        title = _clip(title, TITLE_CHARS)
        items.append([f"{timestamp(start)} ", (title, url) if url else title])
    return items


def _position(talk: Talk, place: Place, pages) -> list[Part]:
    # the label has no "of N": the notes go into the clip's tags, and dropping another
    # clip must not change this one's bytes
    label, where = place.label, f"{timestamp(place.start)}–{timestamp(place.end)}"
    full = pages.get(full_guid(talk.video_id), "")
    talk_name: Part = (talk.title, full) if full else f"“{talk.title}”"
    return [f"{label}, at {where} of the full talk ", talk_name, f" ({talk.playlist})."]


def _question_text(lines: list[Line], seg: Segment, askers: set[str]) -> str:
    """The opening words of the segment, up to where someone other than the asker speaks."""
    words: list[str] = []
    for ln in lines:
        if not seg.start - 0.001 <= ln.start < seg.end:
            continue
        if words and ln.speaker and askers and ln.speaker not in askers:
            break
        words.append(ln.text.strip())
        if sum(map(len, words)) > QUOTE_CHARS:
            break
    return " ".join(w for w in words if w)


def _clip_summary(talk: Talk, seg: Segment, credits: Credits) -> str:
    """Who asks whom, the question, and what the answers cover (unless the plan has one)."""
    if seg.kind != "question":
        return f"{seg.title}: the {seg.kind} of “{talk.title}” ({talk.playlist})."
    who = _and([c.name if c.named else "Someone in the audience" for c in credits.asked])
    who = who or "The moderator"
    to = _and([c.name for c in credits.answered]) or THE_PANEL
    lead = f"{who} asks {to}: {seg.title}" + ("" if seg.title.endswith("?") else ".")
    return lead + (f" The answers cover {', '.join(seg.keywords[:3])}." if seg.keywords else "")


def _credit_lines(talk: Talk, credits: Credits, answer: str) -> list[list[Part]]:
    """'Asked by …' and 'Answered by …' list items; "the panel" once, unnamed."""
    lines = [_person(talk, c.name, c.display, "Asked by ", c.organisation) for c in credits.asked]
    lines += [_person(talk, c.name, c.display, answer, c.organisation) for c in credits.answered]
    if credits.panel:
        lines.append([f"{answer or 'With '}{THE_PANEL}"])
    return lines


def _person(talk: Talk, name: str, shown: str, lead: str = "", org: str = "") -> list[Part]:
    """'Name (Role) — job title, organisation', as one list item."""
    sp = talk.speaker(name)
    org = org or (sp.organisation if sp else "")
    about = ", ".join(x for x in ((sp.title if sp else ""), org) if x)
    return [f"{lead}{shown}" + (f" — {about}" if about else "")]


# --- fitting and rendering -------------------------------------------------------------


def _fit(blocks: list[_Block]) -> None:
    """Drop list items, then shorten long paragraphs, until the HTML fits LIMIT bytes."""
    while len(_html(blocks).encode()) > LIMIT:
        lists = [b for b in blocks if b.tag == "ul" and len(b.items) - bool(b.dropped) > b.keep]
        if lists:
            _drop_last(max(lists, key=lambda b: len(_html([b]))))
            continue
        parts = [(b, i) for b in blocks for i in b.shrink if len(b.items[0][i]) > 40]
        if not parts:
            lists = [b for b in blocks if b.tag == "ul" and len(b.items) - bool(b.dropped) > 1]
            if not lists:
                raise PublisherError("show notes cannot fit in 4000 bytes")  # absurd URLs only
            lists[0].keep = 1
            continue
        b, i = max(parts, key=lambda bi: len(bi[0].items[0][bi[1]]))
        text = b.items[0][i]
        b.items[0][i] = _clip(text, len(text) // 2)


def _drop_last(b: _Block) -> None:
    if b.dropped:
        b.items.pop()  # the "…and N more" line
    b.items.pop()
    b.dropped += 1
    b.items.append([f"…and {b.dropped} more {b.more}"])


def _html(blocks: list[_Block]) -> str:
    """One block or list item a line: apps that strip tags keep the words apart."""
    out = []
    for b in blocks:
        inner = ["".join(_part_html(p) for p in item) for item in b.items]
        if b.tag == "p":
            out.append(f"<p>{inner[0]}</p>")
        else:
            out.append("\n".join(["<ul>", *(f"<li>{i}</li>" for i in inner), "</ul>"]))
    return "\n".join(out)


def _part_html(part: Part) -> str:
    if isinstance(part, str):
        return html.escape(part)
    text, href = part
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _text(blocks: list[_Block]) -> str:
    out = []
    for b in blocks:
        lines = ["".join(_part_text(p, b.links_in_text) for p in item) for item in b.items]
        out.append("\n".join(lines))
    return "\n\n".join(out)


def _part_text(part: Part, with_url: bool) -> str:
    if isinstance(part, str):
        return part
    text, href = part
    return text if text == href or not with_url else f"{text} ({href})"


# --- small helpers --------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _first_sentences(text: str, limit: int) -> str:
    text = " ".join(text.split())
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if out and len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return _clip(out, limit)


def _and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _date(talk: Talk) -> str:
    return f"{talk.date.day} {talk.date:%B %Y}"


def _url(seg: Segment | None, pages: dict[str, str]) -> str:
    return pages.get(seg.guid, "") if seg else ""
