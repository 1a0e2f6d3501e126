"""Who asks and who answers: self-introductions, names addressed, else the whole panel."""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Credit, Line, Speaker, Talk

_SELF = re.compile(r"\b(?:my name is|name's|i'm|i am|this is)\s+(?:the\s+)*", re.I)
# (matched over a line and the next, since a name often starts the next caption line)


HOST = "Host"  # the credit of a moderator or host the seed does not name


def credit(person: Speaker, role: str) -> Credit:
    return Credit(person.name, role, person.organisation)


def mentioned(text: str, people: list[Speaker]) -> list[Speaker]:
    """People named in the text: by full name, or by a first name no one else shares."""
    low = f" {text.lower()} "
    firsts = [p.name.split()[0].lower() for p in people if p.name.split()]
    found = []
    for p, first in zip(people, firsts, strict=True):
        unique = firsts.count(first) == 1
        if f" {p.name.lower()} " in low or (unique and re.search(rf"\b{re.escape(first)}\b", low)):
            found.append(p)
    return found


def _claims(org: str) -> re.Pattern:
    """First-person claims of working at `org`: "I work for X", "we at X", "within X we",
    "I moved to X" (not "I used to work for X", nor "people griping at X")."""
    o = re.escape(org.lower())
    return re.compile(
        rf"\b(?:i|we)(?:'m| am| are)?\s+(?:\w+\s+)?(?:work|working)\s+(?:for|at|in)\s+{o}\b"
        rf"|\bwe\s+(?:\w+\s+)?(?:at|in)\s+{o}\b"
        rf"|\b(?:at|within|inside)\s+{o}\s+(?:and\s+|so\s+)?(?:we|i)\b"
        rf"|\bi\s+(?:\w+\s+){{0,5}}(?:moved|switched|came)\s+(?:on)?to\s+{o}\b"
        rf"|\b{o}\s+(?:have|has|we)\s+(?:\w+\s+){{0,4}}we\b"
    )


def claimed(text: str, people: list[Speaker]) -> list[Speaker]:
    """People whose organisation (theirs alone among `people`) the text claims in the
    first person: evidence that they are the one speaking."""
    low = " ".join(text.lower().split())
    orgs = [p.organisation.lower() for p in people]
    return [
        p
        for p in people
        if p.organisation
        and orgs.count(p.organisation.lower()) == 1
        and _claims(p.organisation).search(low)
    ]


def segment_credits(kind: str, asker: str, talk: Talk, text: str) -> list[Credit]:
    """Credits for one segment; `asker` is "moderator" or "audience" for a question,
    `text` the segment's words."""
    host = [credit(talk.moderator, "moderator")] if talk.moderator else []
    if kind in ("talk",):
        return [credit(p, "presenter") for p in talk.speakers]
    if kind in ("intro", "outro"):
        return host + [credit(p, "panelist") for p in talk.speakers]
    if asker == "audience":
        asks = [Credit("Audience", "audience")]
    else:  # the moderator, or a host the seed does not name
        asks = host or [Credit(HOST, "moderator")]
    if not talk.moderator:  # a talk's Q&A: the presenters answer
        return asks + [credit(p, "presenter") for p in talk.speakers]
    named = mentioned(text, talk.speakers)
    if named:  # addressed, handed over to or referred to by name
        claims = [p for p in claimed(text, talk.speakers) if p not in named]
        return asks + [credit(p, "panelist") for p in named + claims]
    claims = claimed(text, talk.speakers)  # "within Google we ...": one of them speaks
    return asks + [credit(p, "panelist" if p in claims else "panel") for p in talk.speakers]


def attribute(lines: list[Line], talk: Talk, intro_end: float) -> list[Line]:
    """Fill in Line.speaker during the introductions: the host first, then whoever
    introduces themselves by a listed name; an unclear "my name is" ends the guess."""
    out, current = [], talk.moderator.name if talk.moderator else None
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        if ln.start >= intro_end:
            out.append(ln)
            continue
        both = f"{ln.text} {lines[i + 1].text if i + 1 < len(lines) else ''}"
        for m in _SELF.finditer(both):
            if m.start() >= len(ln.text):
                break
            after = both[m.end() :].lower()
            named = [p for p in talk.people if after.startswith(p.name.lower())]
            if not named:  # "my name is Peter": the one Peter not yet introduced
                first = after.split()[:1]
                named = [
                    p
                    for p in talk.speakers
                    if p.name.lower().split()[:1] == first and p.name not in seen
                ]
                named = named if len(named) == 1 else []
            if named:
                current = named[0].name
                seen.add(current)
            elif m.group(0).lower().startswith(("my name", "name's")):
                current = None
        out.append(replace(ln, speaker=ln.speaker or current))
    return out
