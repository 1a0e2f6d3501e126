"""The people a talk's description (or seed) names, where it plainly lists them.

The credits grammar (CREDITS, MODERATED) is the seed's: ingest.seed reads its own
credits lines with it, leniently; here it is read cautiously, for descriptions
(`publisher add`, and credits lines elsewhere in a seed, e.g. its Description).

Heuristics, cautious by design (a missed speaker is added by hand; a sentence taken
for a speaker would be published):
- a labelled list anywhere: "Speakers: A (Org), B (Org)", "Presented by A, Org",
  "Discussion of A, B and C moderated by D", "Moderator: C", "Hosted by C", or the
  label alone on a line and one person per line under it;
- unlabelled (find_people only), in the first or last paragraph only, and only
  people with an organisation: lines "Name - Org", "Name, Org", "Name (Org)", or a
  first line "<talk title> - Name, Org & Name, Org".
Every item of a list must look like a person's name (2-5 capitalised words,
no common prose words), else the whole line is not a list of people.
"A, B" alone is two people when B looks like a name and has no word that
organisations use ("Red Hat", "Acme Cloud", "Université de Lyon"), else A of B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Speaker

_HOSTED_BY = r"(?:moderated|chaired|hosted)\s+by"
# Words that call a talk a conversation, and name its host: "A in conversation with B".
_CONVERSING = r"\b(?:in (?:conversation|dialogue) with|interviewed by)\b"
CONVERSATION = re.compile(_CONVERSING, re.I)
# A credits line: its label, then the names; `mod` when they are moderators or hosts.
CREDITS = re.compile(
    r"^(?:(?:an?\s+)?(?:(?:panel|round[- ]?table|open)\s+)?discussion\s+(?:of|with|between|among)"
    r"|(?:an?\s+)?(?:talk|panel|presentation|session)\s+(?:by|with)"
    r"|(?:presented|given|delivered)\s+by"
    r"|with\s*:"
    r"|(?:speakers?|panell?ists?|presenters?)\s*[:\-–—]"
    rf"|(?P<mod>{_HOSTED_BY}|(?:moderators?|chairs?|hosts?)(?:\s*[:\-–—])?))"
    r"(?!\w)\s*:?\s*(?P<names>.*)$",
    re.I,
)
# Where the moderator follows the others in one credits line.
MODERATED = re.compile(rf"[,;]?\s*\b{_HOSTED_BY}\b\s*:?|\bmoderator\s*:", re.I)
# A host named in prose, mid-sentence: "A in conversation with B", "chaired by B".
_HOST_IN_PROSE = re.compile(
    rf"(?i:{_CONVERSING}|\b{_HOSTED_BY})\s+(?P<name>[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){{1,4}})"
)
_PEOPLE_SEP = re.compile(r"\s*(?:;|&|\band\b)\s*", re.I)
_ANY_SEP = re.compile(r"\s*(?:[,;&]|\band\b)\s*(?![^()]*\))", re.I)  # not inside (...)
_DASH = re.compile(r"\s+[-–—|@]\s+")
_PARENS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<org>[^()]+)\)$")
_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.-])*$")
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "la", "le", "du"}
_PARTICLES |= {"bin", "al", "el", "dos", "das", "ten", "ter", "y", "zu"}
# Common prose words: a capitalised run of them ("Deep Dive", "The Future") is no name.
# fmt: off
_PROSE = {
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "i", "in", "is",
    "it", "its", "join", "live", "my", "new", "no", "not", "of", "on", "or", "our", "part",
    "q&a", "session", "slides", "talk", "that", "the", "these", "this", "thanks", "thank",
    "to", "today", "video", "we", "welcome", "what", "when", "where", "which", "who", "why",
    "with", "you", "your", "keynote", "panel", "demo", "introduction", "intro", "overview",
    "update", "status", "agenda", "abstract", "summary", "workshop", "track", "room",
    "deep", "dive", "chapter",
}
# Words in organisation names that look like people's names ("Red Hat", "Acme Cloud").
_ORG_WORD = re.compile(
    r"\b(?:inc|ltd|llc|gmbh|ag|sa|bv|plc|co|corp\w*|compan\w*|univers\w*|institut\w*"
    r"|labs?|laborator\w*|systems?|technolog\w*|foundation|software|networks?|cloud"
    r"|group|research|computing|semiconductors?|electronics|solutions|hat|college|school"
    r"|cent(?:re|er)|academy|project|community|consulting|services|devices|digital"
    r"|microsystems|communications|telecom\w*|hardware|industries|international)\b",
    re.I,
)
# fmt: on


@dataclass
class People:
    speakers: list[Speaker] = field(default_factory=list)
    moderator: Speaker | None = None


def is_name(text: str) -> bool:
    """2-5 capitalised words (name particles allowed), no digits, no prose words."""
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 60:
        return False
    for w in words:
        low = w.lower()
        if low in _PROSE or not _WORD.match(w):
            return False
        if low not in _PARTICLES and not w[0].isupper():
            return False
    return words[0][0].isupper() and words[-1][0].isupper()


def _is_org(text: str) -> bool:
    return 0 < len(text) <= 80 and len(text.split()) <= 8 and not re.search(r"[.!?:]\s", text)


def _person(item: str, comma_org: bool) -> Speaker | None:
    """ "Name (Org)", "Name - Org", "Name, Org" (when `comma_org`) or "Name"."""
    item = item.strip().strip(".").strip()
    m = _PARENS.match(item)
    name, org = (m["name"], m["org"]) if m else (item, "")
    if not m:
        parts = _DASH.split(item, maxsplit=1)
        if len(parts) == 1 and comma_org:
            parts = item.split(",", 1)
        if len(parts) == 2:
            name, org = parts
    name, org = name.strip(), " ".join(org.split())
    if not is_name(name) or (org and not _is_org(org)):
        return None
    return Speaker(name, organisation=org)


def parse_list(text: str) -> list[Speaker] | None:
    """A list of people ("A (Org), B (Org)", "A, Org & B, Org", "A, B and C"),
    or None unless every item is one."""
    text = text.strip().rstrip(".").strip()
    if not text:
        return None
    if "(" in text:
        items, comma_org = _ANY_SEP.split(text), False
    else:
        groups = [g for g in _PEOPLE_SEP.split(text) if g]
        # "A, Org" / "A, Org & B, Org": every group is one person with an organisation
        comma_org = all(g.count(",") == 1 for g in groups) and not _two_names(groups)
        items = groups if comma_org else [i for g in groups for i in g.split(",")]
    people = [_person(i, comma_org) for i in items if i.strip()]
    if not people or None in people:
        return None
    return people  # type: ignore[return-value]


def _two_names(groups: list[str]) -> bool:
    """ "A, B" alone, B a name with no organisation's word in it: two people."""
    if len(groups) != 1:
        return False
    second = groups[0].split(",")[1].strip().strip(".")
    return is_name(second) and not _ORG_WORD.search(second)


def _with_org(people: list[Speaker] | None) -> list[Speaker] | None:
    return people if people and all(p.organisation for p in people) else None


def _one_per_line(lines: list[str]) -> list[Speaker]:
    """People on the lines under a lone label, up to a blank or other line."""
    people: list[Speaker] = []
    for line in lines:
        found = parse_list(line) if line else None
        if not found:
            break
        people += found
    return people


def _labelled(lines: list[str], found: People) -> bool:
    """Read every labelled list into `found`; True if there was one."""
    hit = False
    for i, line in enumerate(lines):
        m = CREDITS.match(line)
        if not m:
            continue
        text = m["names"].strip()
        if not text:  # "Speakers:" alone
            people, moderators = _one_per_line(lines[i + 1 :]), []
        else:
            names, *mods = MODERATED.split(text, maxsplit=1)
            people = parse_list(names) if names.strip() else []
            moderators = parse_list(mods[0]) if mods else []
            if people is None or moderators is None:
                continue  # prose that starts like a label
        if m["mod"]:
            people, moderators = [], people + moderators
        if moderators:
            found.moderator = moderators[0]
        found.speakers += people
        hit = hit or bool(people or moderators)
    return hit


def _unlabelled(paragraph: list[str], first: bool) -> list[Speaker]:
    people: list[Speaker] = []
    for n, line in enumerate(paragraph):
        found = _with_org(parse_list(line))
        if found is None and first and n == 0:  # "<talk title> - Name, Org"
            tail = _DASH.split(line)[-1] if _DASH.search(line) else ""
            found = _with_org(parse_list(tail))
        if found is None:
            return people if first else []
        people += found
    return people


def listed_people(text: str) -> People:
    """The speakers (and a moderator) that credits lines in `text` list, or a
    host its prose names."""
    found = People()
    _labelled([ln.strip() for ln in text.splitlines()], found)
    found.moderator = found.moderator or host_in_prose(text)
    return _unique(found)


def host_in_prose(text: str) -> Speaker | None:
    """The host a sentence names ("A in conversation with B", "moderated by B"): the
    longest run of words after the phrase that is a name."""
    for m in _HOST_IN_PROSE.finditer(" ".join(text.split())):
        words = m["name"].split()
        for n in range(len(words), 1, -1):
            name = " ".join(words[:n]).rstrip(".,;:")
            if is_name(name):
                return Speaker(name)
    return None


def find_people(description: str) -> People:
    """The speakers (and a moderator) the description lists; empty if it lists none."""
    lines = [ln.strip() for ln in description.splitlines()]
    found = People()
    if not _labelled(lines, found):
        pars = [p.split("\n") for p in re.split(r"\n\s*\n", "\n".join(lines).strip()) if p]
        if pars:
            found.speakers = _unlabelled(pars[0], True) or (
                _unlabelled(pars[-1], False) if len(pars) > 1 else []
            )
    found.moderator = found.moderator or host_in_prose(description)
    return _unique(found)


def _unique(found: People) -> People:
    """Each speaker once, and the moderator not among them."""
    seen: set[str] = set()
    unique = []
    for p in found.speakers:
        if p.name.lower() not in seen and not (found.moderator and p.name == found.moderator.name):
            seen.add(p.name.lower())
            unique.append(p)
    found.speakers = unique
    return found
