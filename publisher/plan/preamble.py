"""What an asker says before (and around) the question: pleasantries and vocatives.

A question clip starts at the first word of the asking turn, so the turn opens
with "hi thank you for the talk my name is dave i work at acme so ..." or a
moderator's "a question for everybody ...". `mark_preamble` replaces such spans
(greetings, thanks, compliments, introductions, meta phrases) with MARK, a hard
break the title's clause finder never crosses; `drop_vocatives` takes a name
said to someone out of a question ("what do you think peter"); `is_pleasantry`
tells a title that is one of those instead of a question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from lemminflect import getAllLemmas

from .words import STOPWORDS, wordset

MARK = "|"  # where a pleasantry was: no clause runs across it
ANY, OPEN, MARKED = "any", "open", "marked"

_W = r"[\w'./+-]+"
_STOPS = "|".join(re.escape(w) for w in sorted(STOPWORDS, key=len, reverse=True))
_NS = rf"(?!(?:{_STOPS}|\|)(?: |$)){_W}"  # a word that is not a function word
_BRIEF = wordset("so i i'm my and but okay ok now um uh what how why do does is are can could")
_FW = rf"(?!(?:{'|'.join(map(re.escape, _BRIEF))})(?: |$)){_W}"  # a word inside a short phrase
# a word of a name or an organisation: not a word that starts the question after it
_VERBS = "tell|talk|speak|explain|walk|share|please|give|say|describe|comment|elaborate|question"
_NW = rf"(?!(?:{_VERBS})s?(?: |$)){_NS}"
_ORG = rf"(?:the |a |an )?{_NW}(?: (?:of )?{_NW}){{0,3}}"
_PRAISE = (
    r"(?:great|nice|good|excellent|wonderful|fantastic|amazing|interesting|fascinating|"
    r"inspiring|awesome|brilliant|lovely|informative|insightful|terrific|fabulous|cool|"
    r"impressive|thought provoking|enlightening|beautiful|very good|really good)"
)
_SAID = (
    r"(?:talks?|presentations?|panel|session|discussion|keynote|lecture|work|questions?|points?|"
    r"answers?|overview|job|demo|speech|conversation|book|play|performance|project|testimony|"
    r"perspectives?|insights?|comments?|remarks|introduction|explanation|time|everything|"
    r"sharing|coming|being here|having (?:me|us)(?: here)?|doing this|organi[sz]ing(?: this)?|"
    r"inviting (?:me|us)|the opportunity|your service|your leadership)"
)
_ROLE = (
    r"(?:students?|engineers?|developers?|maintainers?|researchers?|professors?|scientists?|"
    r"architects?|users?|contributors?|consultants?|lead|managers?|teachers?|journalists?|"
    r"reporters?|programmers?|hackers?|designers?|admins?|administrators?|founders?|interns?|"
    r"members?|fellows?|postdocs?|candidates?)"
)
_AUDIENCE = (
    r"(?:(?:everybody|everyone|all of you|all)(?: (?:on the panel|up here|here))?|"
    r"the chat|the stream|the live stream|the audience|the internet|online|slido|"
    r"both of you|the (?:whole )?panel|the panelists|"
    r"the speakers?|you all|y'all|you guys|you|"
    rf"(?:the |our )?(?:{_NS} )?(?:folks|people|team|side|guys|panelists))"
)
_NOT_SUBJECT = r"(?! (?:about|on|regarding|around|concerning)(?: |$))"
_QUESTION = (
    r"(?:(?:quick|short|small|brief|simple|follow up|follow-up|followup|last|final|general|"
    r"related|technical|big|broad|next|first|second|other|very|little) )*"
    r"(?:questions?|comments?|one)"
)

_HONORIFIC = (
    r"(?:mr|mrs|ms|madam|dr|professor|president|senator|deputy speaker|speaker|chair|chairman|"
    r"chairwoman|council member|councilmember|councilman|councilwoman|commissioner|"
    r"secretary|minister|director|sir|ma'am)"
)

# (pattern, where): ANY counts anywhere; OPEN at the start of the turn, after a MARK or
# after a word that opens a sentence (_OPENERS); MARKED only at the start or right
# after a MARK ("my name is dave | from acme").
# {T} is who a question is put to (a name or a group), {N} a name of the talk's people.
_RULES: list[tuple[str, str]] = [
    (  # greetings
        r"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings)"
        r"(?: (?:everyone|everybody|all|there|folks|guys|again|panel|panelists|{N}))*",
        OPEN,
    ),
    (  # thanks, to whom, and what for
        r"(?:thank you|thanks|thank u|many thanks|thanks again|(?:(?:i|we) (?:(?:just |really )?"
        r"(?:want|wanted|would like|'d like) to )?)?thank (?:the|this|our) panel(?:ists)?)"
        r"(?: (?:(?:very|so) much|a lot|again|all|everyone|everybody|both|guys|folks|"
        r"panel|panelists|{N}|" + _HONORIFIC + r"(?: {N}| {NS})?))*"
        rf"(?: for (?:(?:{_FW} ){{0,3}}?{_SAID}|that|this))?"
        r"(?: (?:and )?to (?:the )?(?:organi[sz]ers|organi[sz]ing committee|speakers?|"
        r"panel(?:ists)?|everyone|all of you|{N}))?",
        ANY,
    ),
    (
        r"(?:it's|it is|it has been|it's been) (?:a|my|an|such a) (?:real |great )?"
        r"(?:pleasure|privilege|hono(?:u)?r)"
        r"(?: to be (?:here|on (?:this|the) panel|with you(?: all)?))?",
        ANY,
    ),
    (
        r"(?:we|i) (?:really |do )?appreciate (?:it|that|you|this|your (?:time|work|testimony|"
        r"comments|remarks|answers|insights|service|leadership|participation|patience))",
        ANY,
    ),
    # compliments
    (
        r"(?:(?:that was|it was|this was|what|such|that's|it's|a|an) )*"
        rf"(?:(?:really|very|so|truly|super) )?{_PRAISE} (?:{_SAID})",
        OPEN,
    ),
    (
        r"(?:that|it|this) (?:was|is) (?:a |an )?(?:(?:really|very|so|absolutely|just) )?"
        rf"{_PRAISE}(?: (?:{_SAID}))?",
        OPEN,
    ),
    (  # "great | so ...": praise on its own
        r"(?:(?:absolutely|really|very) )?(?:great|perfect|wonderful|brilliant|fantastic|"
        r"excellent|awesome|cool|lovely|terrific|super|wow)"
        r"(?= (?:so|okay|ok|and|thanks|thank|um|uh|well|yeah|yes|now|alright|\|) | $)",
        MARKED,
    ),
    (
        r"(?:i )?(?:really )?(?:(?:very|so) much )?(?:enjoyed|liked|loved|appreciated) "
        r"(?:the|your|this|that) (?:talk|presentation|panel|session|discussion|keynote|lecture|"
        r"work|answer|book|play|demo|perspective)(?: (?:very|so) much)?",
        ANY,
    ),
    (
        r"(?:i'm|i am) (?:a )?(?:big|huge|long-time|longtime|great) fan(?: of (?:your|the) {W})?",
        ANY,
    ),
    (r"congratulations(?: (?:on|for) (?:the|your|a) (?:{W} ){{0,2}}?{W})?", OPEN),
    (
        r"(?:very|really|super|so) (?:interesting|insightful|informative|inspiring|fascinating)",
        OPEN,
    ),
    # introductions
    (r"(?:and )?my name(?: is|'s) (?:{NW} ){{0,2}}{NW}", ANY),
    (
        r"(?:and )?(?:i'm|i am) (?:a|an) (?:{NS} ){{0,2}}?"
        + _ROLE
        + rf"(?: (?:at|from|with|for|in|of|on) {_ORG})?",
        ANY,
    ),
    (
        r"(?:and )?(?:i|i'm|i am) (?:also |currently |now )?(?:work|worked|working) "
        rf"(?:at|for|with|in|on) {_ORG}",
        ANY,
    ),
    (rf"(?:and )?(?:i'm |i am )?(?:originally |also )?(?:from|with|at) {_ORG}", MARKED),
    (rf"(?:and )?(?:i'm|i am) (?:originally )?from {_ORG}", ANY),
    # meta phrases: asking to ask, who the question is for, who sent it
    (
        r"(?:so |and )?(?:i (?:have|had|got)|i've got|we have|there's|here's|here is|i've) "
        r"(?:a|one|two|three|another|a couple of|a few|a number of|an|my|one more|just one|"
        r"just a) "
        + _QUESTION
        + r"(?: (?:here|too|also))?"
        + r"(?: about(?= (?:what|how|why|whether|which|who|where|when) ))?"
        + _NOT_SUBJECT
        + r"(?: (?:for|to|from) {T})?",
        ANY,
    ),
    (
        r"(?:and )?(?:(?:my|our|the|this|a|one|another|my next|the next|my last|the last|"
        r"my other|last|next|final|first|second|one more|one last)"
        r"(?: (?:quick|short|small|brief|follow up|follow-up|followup|last|final|next|first|"
        r"second|other|big|general|related))* question"
        r"|(?:this|the next|the last|next|last|another|my next|my last|the first|the second) one"
        r"(?= (?:is|was|for|from) ))(?: (?:is|was|would be|here))?+"
        + _NOT_SUBJECT
        + r"(?: (?:for|to|from) {T})?(?: (?:is|was))?(?: (?:from|for) {T})?"
        r"(?: (?:who |she |he |they |and )?(?:says|asks|writes|is asking))?",
        ANY,
    ),
    (
        r"(?:(?:this is|this one's|that's|here's|here is|it's|and) )?(?:a |one |the |another )?"
        r"(?:question|one) (?:is )?(?:from|for) {T}(?: from " + _ORG + ")?",
        ANY,
    ),
    (r"(?:this|that)(?: one)? is for {T}", ANY),
    (
        r"(?:i )?(?:just )?(?:want|wanted|wanna|would like|'d like|i'd like|would love|i'd love) "
        r"to ask(?: (?:you|{T}))?(?: (?:a|one|two|the|another) (?:quick |short |follow up )?"
        r"questions?)?" + _NOT_SUBJECT,
        ANY,
    ),
    (
        r"(?:can|could|may) i ask(?: you)?"
        r"(?: (?:a|one|two|some) (?:quick |short |few )?questions?)?" + _NOT_SUBJECT,
        ANY,
    ),
    (r"let me ask(?: you)?(?: (?:a|one) (?:quick )?question)?" + _NOT_SUBJECT, ANY),
    (
        r"let me read (?:one|a question|this one|it|this)(?: (?:from|off) {W})?"
        r"(?: (?:it|he|she) (?:says|asks))?",
        ANY,
    ),
    (r"(?:it|he|she|they|somebody|someone) (?:says|writes)", OPEN),
    (r"(?:let's|let me|we'll|we will|i'll) (?:start|begin|go) with {T}", ANY),
    (
        r"(?:we're going to|we are going to|we're gonna|let's|we'll|i'd like to|i want to|"
        r"i'm going to|i'm gonna) open (?:it |this |things |the floor )?up "
        r"(?:to|for) (?:questions|the audience|q and a|you all|everyone|the floor)",
        ANY,
    ),
    (
        r"(?:are there |do we have |does anyone have |does anybody have )?any (?:other |more )?"
        r"questions(?: (?:from the audience|out there))?",
        OPEN,
    ),
    (r"who wants to (?:start|go first|kick off)", OPEN),
    (  # the moderator points at the next asker
        r"(?:(?:yes|yeah|okay|ok|sure) )?(?:you )?(?:(?:right )?(?:over )?there )?"
        r"(?:in|at|on) the (?:front|back|middle|corner|aisle|left|right)(?: (?:there|row))?",
        OPEN,
    ),
    (r"(?:please )?go ahead", OPEN),
    (  # "we'll take the gentleman at the back", "hands up"
        r"(?:we'll|we will|let's|i'll|i will) take (?:the |a |that |this )?"
        r"(?:gentleman|lady|woman|man|person|young man|young lady)"
        r"(?: (?:in|at|on|over|with) (?:the )?{NS}(?: {NS})?)?"
        r"|(?:the |that |this )(?:gentleman|lady|woman|man|person|young man|young lady)"
        r" (?:in|at|on|over) the (?:front|back|middle|corner|aisle|left|right|{NS})",
        ANY,
    ),
    (r"(?:just |only )?(?:one|two|three|a couple) more(?: questions?)?(?= (?:so|okay|ok) )", OPEN),
    (r"(?:(?:i|we) (?:see|got) )?(?:a |any )?hands? up", OPEN),
    (  # "yes you sir", "the lady please", "sorry": the chair picks the next asker
        r"(?:(?:yes|yeah|okay|ok) )?(?:(?:you|the) )?(?:sir|madam|ma'am|lady|gentleman)"
        r"(?: (?:please|there|here))?|sorry",
        OPEN,
    ),
    (  # "... a military threat | down here the lady please": mid-turn, the next asker
        r"(?:(?:down|over|up|back) )?(?:here|there) (?:the |you )?(?:sir|madam|ma'am|lady|"
        r"gentleman)(?: please)?|(?:the|you) (?:sir|madam|ma'am|lady|gentleman) please",
        ANY,
    ),
    (r"(?:can|could|may) i (?:come|go|turn) (?:back )?to (?:you|{T})", ANY),
    (
        r"who(?:'s| is| has)(?: got)? (?:the |my |a |our )?(?:second |other |next |roving )?"
        r"(?:mic|mike|microphone)",
        ANY,
    ),
    (r"(?:the )?(?:mic|mike|microphone) is (?:yours|coming|on its way)", ANY),
    (
        r"(?:(?:someone|somebody|you|there|we)(?:'s|'ve| has| have) got|(?:we'll|we will|i'll|"
        r"let's) get) (?:a|the) (?:mic|mike|microphone)(?: (?:to|over to) (?:you|{T}))?",
        ANY,
    ),
    (
        r"(?:we have|we've got|there's) (?:about |only |just )?(?:\d+|a few|a couple of|one|two|"
        r"three|four|five|ten|fifteen) (?:more )?minutes?(?: left)?",
        ANY,
    ),
    (
        r"(?:we have )?time for (?:one|two|three|a few|a couple of|another|one more|two more)"
        r"(?: more)?(?: questions?| quick ones?| ones?)?",
        ANY,
    ),
    (
        r"(?:i'll|i'm going to|i'm gonna|let me|we'll) (?:pass|hand|turn) (?:it )?"
        r"(?:over |back |on )?to {T}",
        ANY,
    ),
    (r"(?:over|back) to you(?: {N})?", ANY),
]
# a sentence opens after these: an OPEN pattern may start after them
_OPENERS = wordset(
    "so okay ok and but well yes yeah oh wow um uh alright right hi hello also first"
)

# the answer begins: what a panelist says to the asker
_ANSWER = re.compile(
    r"(?<= )(?:(?:thank you|thanks) for (?:the|your|that|this) (?:great |good |excellent )?question"
    r"|(?:that's|that is|it's|it is|what) (?:a |an )?(?:really |very )?(?:great|good|excellent|"
    r"interesting|fantastic|tough|hard|difficult|fair) question"
    r"|(?:great|good|excellent) question(?= (?:so|yeah|yes|well|okay|ok|um|uh|i|we|and|thank|"
    r"thanks|right|actually|i'm|i've|it's|the) ))(?= )"
)
ANSWER_AFTER = 4  # words: an answer phrase this early acknowledges the previous question

_NAME_BEFORE = wordset(
    "with to for from about and or than like as mr ms mrs dr professor by tell ask give show "
    "thank meet convince"
)
# words after which a name from the talk's casing (not a known panelist) is a vocative
_OPEN_AFTER = wordset(
    "think guys all everyone everybody agree feel say too also first please here there now "
    "then yourself thoughts views view opinion comments take answer begin start that this it"
)


def _compile(names: frozenset[str]) -> list[tuple[re.Pattern, str]]:
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    name = rf"(?:{alt})" if alt else r"(?!x)x"
    named = rf"{name}(?: (?:and )?{name})*"
    target = rf"(?:{named}|{_AUDIENCE}|{_NS}(?: {_NS})?)"
    out = []
    for pattern, where in _RULES:
        body = (
            pattern.replace("{T}", target)
            .replace("{N}", named)
            .replace("{NS}", _NS)
            .replace("{NW}", _NW)
            .replace("{W}", _W)
            .replace("{{", "{")
            .replace("}}", "}")
        )
        out.append((re.compile(rf"(?<= )(?:{body})(?= )"), where))
    return out


@functools.lru_cache(maxsize=128)  # a talk's own: training cycles through ~100 talks
def _rules(names: frozenset[str]) -> list[tuple[re.Pattern, str]]:
    return _compile(names)


def _name_like(word: str, names: frozenset[str]) -> bool:
    """'dave', 'peter': a name, not 'curious' or 'wondering' ("i'm curious")."""
    if word in names:
        return True
    if word in STOPWORDS or word.endswith(("ing", "ed")):
        return False
    pos = set(getAllLemmas(word))
    return not pos & {"ADJ", "ADV"}


def _self_named(words: list[str], names: frozenset[str]) -> list[tuple[int, int]]:
    """'i'm dave (smith)' before 'from', 'and', 'i', 'so' or the end: an introduction."""
    out = []
    follow = {"from", "with", "at", "and", "i", "so", "i'm", "my", "here", "thank", "thanks", MARK}
    for i, w in enumerate(words[:-1]):
        if w not in {"i'm", "i"} or (w == "i" and words[i + 1] != "am"):
            continue
        k = i + (2 if w == "i" else 1)
        run = 0
        while k + run < len(words) and run < 2 and _name_like(words[k + run], names):
            run += 1
        after = words[k + run] if k + run < len(words) else MARK
        if run and (after in follow or words[k] in names):
            out.append((i, k + run))
    return out


def word_index(words: list[str]) -> dict[int, int]:
    """Where each word starts in f" {' '.join(words)} " -> its index in `words`."""
    index, at = {}, 1
    for k, w in enumerate(words):
        index[at] = k
        at += len(w) + 1
    return index


def mark_preamble(words: list[str], names: Iterable[str] = ()) -> list[str]:
    """The words with each greeting, thanks, compliment, self-introduction and meta
    phrase ("a question for everybody", "this one is for peter") replaced by MARK."""
    names = frozenset(names)
    for _ in range(4):  # a span removed can open the next: "thanks | great talk"
        drop = {k for a, b in _self_named(words, names) for k in range(a, b)}
        text = f" {' '.join(words)} "
        index = word_index(words)
        for rule, where in _rules(names):
            for m in rule.finditer(text):
                a = index.get(m.start())
                if a is None:
                    continue
                prev = words[a - 1] if a else MARK
                if where == ANY or prev == MARK or (where == OPEN and prev in _OPENERS):
                    drop.update(range(a, a + len(m.group().split())))
        if not drop:
            return words
        out: list[str] = []
        for k, w in enumerate(words):
            if k not in drop:
                out.append(w)
            elif not out or out[-1] != MARK:
                out.append(MARK)
        if out == words:
            return words
        words = out
    return words


def cut_at_answer(words: list[str]) -> list[str]:
    """The turn up to where a panelist starts answering ("thank you for the question")."""
    text = f" {' '.join(words)} "
    for m in _ANSWER.finditer(text):
        k = text[: m.start()].count(" ") - 1
        if k >= ANSWER_AFTER:
            return words[:k]
    return words


def drop_vocatives(clause: list[str], names: Iterable[str], strict: bool = True) -> list[str]:
    """'what do you guys think peter' -> 'what do you think': the people a question is
    put to are not part of it. With `strict` (names from the talk's casing, not a
    list of people) a name only goes after words that take no object ("think")."""
    names = set(names)
    out: list[str] = []
    k = 0
    while k < len(clause):
        w = clause[k]
        if w in {"guys", "folks"} and out and out[-1] == "you":
            k += 1
            continue
        if w not in names:
            out.append(w)
            k += 1
            continue
        end = k + 1  # a run: "peter and maria"
        while end < len(clause) and (
            clause[end] in names
            or (clause[end] == "and" and end + 1 < len(clause) and clause[end + 1] in names)
        ):
            end += 1
        prev = out[-1] if out else ""
        nxt = clause[end] if end < len(clause) else ""
        if strict:
            vocative = prev in _OPEN_AFTER and (not nxt or nxt in _BRIEF)
        else:
            vocative = bool(out) and prev not in _NAME_BEFORE and prev not in _AUX_BEFORE
            vocative = vocative and prev not in _DET_BEFORE
        if vocative:
            k = end
            continue
        out.extend(clause[k:end])
        k = end
    return out


_AUX_BEFORE = wordset(
    "do does did is are was were can could would should will has have had doesn't don't "
    "didn't isn't aren't wasn't can't won't wouldn't"
)
_DET_BEFORE = wordset("a an the my your our his her their")


def strip_edges(words: list[str], names: Iterable[str]) -> list[str]:
    """A phrase without the names and openers at either end of it ('so maria ...')."""
    names = set(names) | {MARK}
    words = list(words)
    while words and (words[0] in names or words[0] in _OPENERS):
        words.pop(0)
    while words and words[-1] in names:
        words.pop()
    return words


_PLEASANT_START = re.compile(
    r"^(?:(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|thank|thanks|"
    r"many thanks|welcome|congratulations|cheers|my name|i'm (?:a |an )?(?:big |huge )?fan)\b|"
    r"i (?:work|worked) (?:at|for|with|on)|"
    + _PRAISE
    + r" (?:talk|presentation|panel|session|question|point|answer|job|work|overview|keynote)|"
    r"(?:(?:i|we) (?:have|had|got)|i've got) (?:a|one|two|another|a couple of|a few|an) "
    r"(?:(?:quick|short|small|follow up|last|final|related|general) )*(?:questions?|comments?)\b|"
    r"(?:a|one|my|the|this|another|next|last|final) (?:(?:quick|short|follow up|last|final|"
    r"next|first|second|other) )*(?:question|one) (?:is |was )?(?:for|from|to)\b|"
    r"(?:my|the|our) (?:(?:quick|short|follow up|last|final|next|first|second|other) )*"
    r"question (?:is|was)\b|"
    r"questions? (?:for|from)\b|this (?:one )?is for\b|that (?:one )?is for\b|"
    r"this is (?:a question )?(?:from|for)\b|"
    r"(?:i )?(?:just )?(?:want|wanted|would like|'d like|i'd like) to ask\b|"
    r"(?:can|could|may) i ask\b|let me (?:ask|read)\b|any (?:other |more )?questions\b|"
    r"(?:let's|let me) (?:start|begin) with\b|(?:we're|we are) going to open\b|"
    r"(?:very|really|so) (?:interesting|insightful|informative|inspiring)\b|"
    r"(?:that|it|this) was (?:a |an )?(?:really |very |so )?" + _PRAISE + r"\b)"
)


def is_pleasantry(title: str, names: Iterable[str] = ()) -> bool:
    """Is this title a greeting, thanks, an introduction, a compliment, a meta phrase
    ("a question for everybody", "my question is") or a bare name, not a question?"""
    words = re.findall(r"[\w'-]+", title)
    if not words:
        return True
    low = [w.lower() for w in words]
    text = " ".join(low)
    if _PLEASANT_START.match(text):
        return True
    names = {n.lower() for n in names}
    if names:
        return set(low) <= names | {"and", "mr", "ms", "dr", "professor"}
    # no names given: one to three capitalised words ("Peter", "Peter Feiner")
    return len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() for w in words)
