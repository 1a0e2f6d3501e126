"""Questions said as statements, asked: 'i'd like to hear your views on X' -> 'what are
your views on X', 'tell us about your experience with X' -> 'what is your experience
with X', 'talk a little bit about X' -> 'can you tell us about X'.

`requests` finds where such a request starts and where its object begins; the title
(publisher.plan.titles) decides where the object ends and `asked` words the question.
"""

from __future__ import annotations

import re

from .preamble import word_index
from .words import wordset

# what a panelist has of their own: "your views on X" -> "what are your views on X"
OWN = wordset(
    "views view thoughts opinion opinions take perspective perspectives experience "
    "experiences advice plans plan vision recommendation recommendations predictions "
    "impressions feelings story approach strategy priorities reaction sense"
)
PRONOUNS = wordset("he she they we i you")  # a new clause: "talk about X | he reorganized"
_REQUEST = re.compile(
    r"(?<= )(?:"
    r"(?P<hear>(?:i'd|i would|we'd|we would|i|we) (?:really )?(?:like|love|want|wanted) to "
    r"(?:hear|know|learn|understand|get) (?:(?:a (?:little )?bit|a little|some) )?(?:more )?"
    r"(?:about |on |regarding )?)"
    r"|(?P<tell>(?:please )?tell (?:us|me) (?:(?:a (?:little )?bit|a little|briefly|"
    r"quickly|some|something) )?(?:more )?(?:about )?)"
    r"|(?P<talk>(?:talk|speak|share) (?:(?:a (?:little )?bit|a little|briefly|quickly) )?"
    r"(?:more )?(?:about|to|on) )"
    r"|(?P<say>(?:say|share) (?:a few|some|a couple of) (?:words|thoughts) (?:about|on) )"
    r"|(?P<share>share (?=(?:your|some of your) ))"
    r"|(?P<on>(?:comment|elaborate|expand|reflect) (?:a (?:little )?bit )?(?:more )?on )"
    r"|(?P<walk>walk (?:us|me) through )"
    r"|(?P<explain>explain )"
    r")"
)
_ASKED_AS = {
    "hear": "can you tell us about",
    "tell": "can you tell us about",
    "talk": "can you tell us about",
    "say": "can you tell us about",
    "share": "can you share",
    "walk": "can you walk us through",
    "explain": "can you explain",
}
# "let's talk about X", "a lot of talk about X", "you explain": no request
_NOT_ASKED = wordset("let's to we i i'll we'll gonna you they he she of the a some much any")


def requests(words: list[str]) -> list[tuple[int, int, str]]:
    """(where the request starts, where its object starts, its kind) for each request."""
    text = f" {' '.join(words)} "
    index = word_index(words)
    out = []
    for m in _REQUEST.finditer(text):
        a, b = index.get(m.start()), index.get(m.end())
        if a is None or b is None or b >= len(words) or (a and words[a - 1] in _NOT_ASKED):
            continue
        out.append((a, b, m.lastgroup or "tell"))
    return out


def asked(kind: str, verb: str, obj: list[str]) -> list[str]:
    """The request as a question: what the panelist has ('your views on X') is asked
    for with 'what is/are', anything else with 'can you tell us about' (or the
    request's own verb: 'can you walk us through X', 'can you comment on X')."""
    if obj[0] == "your" and len(obj) > 2 and obj[1] in OWN:
        plural = obj[1].endswith("s") and not obj[1].endswith("ss")
        return ["what", "are" if plural else "is"] + obj
    if kind == "on":
        return ["can", "you", verb, "on"] + obj
    return _ASKED_AS[kind].split() + obj
