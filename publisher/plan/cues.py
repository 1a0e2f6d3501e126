"""Discourse cues: the phrases a person asking uses to start a new question.

Each cue family has a weight (its evidence for a question start). The phrases
are generic moderator and audience language, not one transcript's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .words import Word

_N = r"(?:[\w'-]+ ){0,4}"  # up to four filler words

# family -> (weight, patterns). Patterns run over lowercase words joined by spaces.
FAMILIES: dict[str, tuple[float, list[str]]] = {
    # Moving the conversation on: the strongest sign of a new question.
    "shift": (
        3.0,
        [
            r"let'?s (?:now )?(?:move|go|switch|shift|turn|jump|head|come|get) (?:on |over |back )?"
            r"to (?:a |the |another |our )?(?:different|another|new|next|other|related|last|final)",
            r"let'?s (?:move|moving) on\b",
            r"(?:moving|move|switching|turning|shifting) (?:on |over )?to (?:a |the )?"
            r"(?:different|another|new|next|other|related) ",
            r"(?:shift|change|switch|shifting|changing|switching) (?:the )?gears",
            r"(?:change|changing|switch|switching) (?:of |the )?(?:topics?|subjects?)",
            r"(?:a|the|our) (?:different|new|next|related|final|last) "
            r"(?:topic|subject|theme|area)\b",
            r"(?:next|first|second|third|last|final|another|related|different|new|"
            r"follow-?up|one more) question\b",
            r"(?:next|first) (?:up|thing i wanted to ask|topic)\b",
            r"(?:obvious|first|opening) (?:opener|starter)\b",
            r"(?:stay|staying|stick|continue|remain) (?:on|with) (?:the |this |that |a )?"
            + _N
            + r"(?:topic|subject|theme|area|question)\b",
            r"(?:shifting|switching|turning|pivoting) (?:gears )?(?:over )?to\b",
        ],
    ),
    # Pointing at a question from the audience or the list: "there's a question here about".
    "ref": (
        2.5,
        [
            r"(?:there's|there is|we have|we've got|i've got|i have|got|here's|here is) "
            r"(?:a|another|one more|an interesting|a good) (?:[\w'-]+ )?questions?\b",
            r"questions? (?:here )?(?:from|asking|that asks)\b",
            r"question (?:here|on the (?:ether ?pad|pad|list|chat|screen))\b",
            r"(?:someone|somebody|anyone|a listener|one person|one of you)(?: [\w'-]+){0,4} "
            r"(?:asks|asked|is asking|wants to know|wanted to know|would like to know)\b",
            r"(?:posted|sent|submitted|wrote|put|added|typed|asked) (?:in |up )?"
            r"(?:a|another|this|the) "
            r"(?:[\w'-]+ )?question\b",
            r"(?:i'd|i would|i want to|i wanted to|let me|i'm going to|i'll) (?:like to )?ask\b",
            r"(?:my|a|one) question (?:is )?(?:for|to) \w+",
            r"(?:my|our|the|a) question (?:is )?(?:about|for|whether|if|on)\b",
            r"read (?:out )?(?:one|a|another|this|the next) (?:question )?(?:from|that|here)\b",
            r"let me read (?:it|this|that|one|out)\b",
            r"(?:there's|there is|here's|here is|we have|i have|got) (?:one|another one) "
            r"(?:from|here|that|on)\b",
            r"(?:this|the next|next) one (?:is )?(?:says|asks|for|from)\b",
        ],
    ),
    # Repeating what someone asked without a microphone.
    "repeat": (
        2.5,
        [
            r"(?:the|this|that|your|his|her|their) question (?:was|is|here is)\b",
            r"(?:so )?(?:you're|you are|he's|she's|they're) asking "
            r"(?:about|whether|if|how|why|what)\b",
            r"(?:is|was|were) asking (?:about|whether|if|how|why|what)\b",
            r"(?:to )?repeat the question\b",
        ],
    ),
    # An audience member with a microphone.
    "audience": (
        2.5,
        [
            r"thanks? (?:you )?for (?:the|your|a|this) (?:great |nice |interesting )?"
            r"(?:talk|presentation|session)\b",
            r"i (?:have|had|got) a (?:quick |short |small |follow-?up )?question\b",
            r"(?:great|nice|good|interesting|excellent) (?:talk|presentation)\b",
            r"(?:a|one) (?:quick|short) question\b",
        ],
    ),
    # Closing rounds: "we only have one minute left, let's wrap up with ...".
    "wrap": (
        2.0,
        [
            r"(?:let's|we'll|to|we should) (?:wrap up|wrap it up|close|finish|end) "
            r"(?:with|by|on)\b",
            r"(?:minutes?|time) (?:left|remaining)\b",
            r"(?:almost|nearly|running|run|about to run) out of time\b",
            r"(?:one|a) (?:last|final|quick) (?:round|one|thing)\b",
            r"we (?:only |just |still )?have (?:about |only |just |maybe )?(?:\w+ )?minutes?\b",
            r"last one\b",
            r"before we (?:finish|close|wrap|end|run out)\b",
        ],
    ),
    # Getting started: weak on its own, since the welcome uses it too.
    "start": (
        1.5,
        [
            r"(?:let's|we'll|i'll|we can) (?:get started|start|kick off|begin|kick things off)\b",
        ],
    ),
    # Where a question came from: adds to the others.
    "source": (
        1.0,
        [
            r"(?:from|on|in|via) (?:the )?"
            r"(?:ether ?pad|pad|chat|live ?stream|stream|audience|floor|"
            r"slido|irc|online|internet|remote)\b",
            r"(?:in|at) the (?:back|front|middle|corner)\b",
            r"(?:a|the) (?:microphone|mic) (?:going|coming) (?:around|round)\b",
            r"go ahead\b",
        ],
    ),
    # A comment relayed from the audience: a turn change, not a question by itself.
    "comment": (
        1.0,
        [
            r"(?:the|a|this|that) comment (?:was|is|here)\b",
            r"(?:\w+) (?:is saying|was saying|says|said) that\b",
        ],
    ),
}

# Opening the floor after a talk.
QA_OPEN = [
    r"(?:any|some|other|more|further|few) questions\b",
    r"(?:take|answer|have|for) (?:some |a few |any |your )?questions\b",
    r"open (?:it |things )?up (?:for|to) questions\b",
    r"(?:time|room) for (?:some |a few |one or two |questions)",
    r"questions (?:from|in) the (?:audience|room|floor)\b",
    r"(?:come|go|turn|over|open(?: it)?(?: up)?) to the (?:audience|room|floor)\b",
    r"who (?:wants|would like|'d like) to (?:start|go first|ask|kick off)\b",
    r"(?:raise|put up) your hands?\b|hands? up\b",
]

QUESTION_FORM = re.compile(
    r"\b(?:(?:what|how|why|which|who|where|when)(?:'s)? (?:are|is|do|does|did|would|should|can|"
    r"could|was|were|have|has|will|you|your|we|kind|sort|other|about)\b"
    r"|(?:what|how|why|which|who|where|when)(?: [\w'-]+){1,3} (?:you|your|we|our|people)\b"
    r"|(?:what|how|why|which|who)(?: [\w'-]+){1,2} (?:are|is|do|does|would|should|can|could)\b"
    r"|\b(?:whether|wants to know)\b"
    r"|(?:do|does|did|are|is|can|could|would|should|have|has|will) (?:you|we|they|people|anyone|"
    r"anybody|there)\b"
    r"|(?:your|any) (?:thoughts|views|take|experiences?|opinions?|comments|suggestions|advice)\b"
    r"|(?:hype|good|bad|better|worse) or\b)"
)

# Words that open a turn ("okay", "thank you") and words that may join them.
# A follow-up to the same discussion: "do you hit that too?", "what about you?"
CONTINUATION = re.compile(r"\b(?:too|as well|either|the same|what about you|how about you)\b")

ACK = frozenset(
    {
        "okay",
        "ok",
        "alright",
        "thank",
        "thanks",
        "cool",
        "great",
        "perfect",
        "wonderful",
        "excellent",
    }
)
LINKS = frozenset(
    {"so", "you", "right", "all", "um", "umm", "uh", "and", "very", "much", "yes", "great", "good"}
)
# Words a sentence rarely ends on: a caption pause after one is not a turn change.
OPEN_ENDED = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "so",
        "we",
        "i",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "only",
        "my",
        "your",
        "our",
        "that",
        "this",
        "if",
        "be",
        "have",
        "has",
        "can",
        "will",
        "would",
        "about",
        "from",
    ]
)

_COMPILED = {fam: (w, [re.compile(r"\b" + p) for p in pats]) for fam, (w, pats) in FAMILIES.items()}
_QA_OPEN = [re.compile(r"\b" + p) for p in QA_OPEN]


@dataclass(frozen=True)
class Cue:
    family: str
    weight: float
    word: int  # index of its first word
    end: int  # index after its last word
    text: str


class Text:
    """Lowercase words joined by spaces, with a map from characters back to words."""

    def __init__(self, words: list[Word]):
        self.words = words
        parts, self.owner = [], []
        for i, w in enumerate(words):
            parts.append(w.norm)
            self.owner += [i] * (len(w.norm) + 1)
        self.text = " ".join(parts)

    def word_at(self, char: int) -> int:
        return self.owner[min(char, len(self.owner) - 1)] if self.owner else 0

    def span(self, first: int, last: int) -> str:
        return " ".join(w.norm for w in self.words[first:last])


def find_cues(text: Text) -> list[Cue]:
    cues = []
    for family, (weight, patterns) in _COMPILED.items():
        for pattern in patterns:
            for m in pattern.finditer(text.text):
                first, last = text.word_at(m.start()), text.word_at(m.end() - 1) + 1
                cues.append(Cue(family, weight, first, last, m.group(0)))
    return sorted(cues, key=lambda c: (c.word, -c.weight))


def qa_openings(text: Text) -> list[int]:
    """Word indices where the floor is opened for questions."""
    return sorted(text.word_at(m.start()) for p in _QA_OPEN for m in p.finditer(text.text))


def question_form(text: Text, first: int, last: int) -> bool:
    return bool(QUESTION_FORM.search(text.span(first, last)))
