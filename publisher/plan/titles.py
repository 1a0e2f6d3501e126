"""Titles a reader would write: the asker's question, cleaned of caption noise.

Captions have no punctuation or casing, so we find the question clauses in the
asking turn (wh-words, "do you", reported "whether ..."), drop fillers and
stutters, pick the clause that carries the most meaning, and prefix the
subject ("Spectre and Meltdown: ...") when the clause alone would be vague.
The turn starts at the asker's first word: greetings, thanks, introductions and
meta phrases ("a question for everybody") are marked off first (.preamble), a
name the question is put to is dropped, and a request said as a statement ("tell
us about your experience with X") is asked as a question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from lemminflect import getAllLemmas

from .preamble import MARK, cut_at_answer, drop_vocatives, mark_preamble, strip_edges
from .preamble import is_pleasantry as is_pleasantry  # re-exported: benchmarks count them
from .statements import OWN, PRONOUNS, asked, requests
from .words import STOPWORDS, wordset

MAX_CHARS = 90
REQUEST_COST = 1.5  # a request ("tell us about X") yields to a real question in the turn
CLAUSE_WORDS = 20  # a question clause is cut after this many words
LONG_CHARS = 60  # a longer clause loses a trailing "when ..." / "while ..." clause
_FILLERS = re.compile(
    r"\b(?:um+|uh+|umm|ah|oh|er|you know|i mean|kind of|sort of|basically|actually|really|maybe|"
    r"like a|sort of like|just)\b ?"
)
_STUTTER = re.compile(r"\b((?:[\w'-]+ ){1,3})\1+")
_WH = {"what", "how", "why", "which", "who", "where", "when"}
_AUX = wordset(
    "do does did are is was were can could would should have has will doesn't don't didn't "
    "isn't aren't wasn't can't couldn't won't wouldn't shouldn't"
)
_DO = {"do", "does", "did"}
_CONTRACTED = {"it's": "it", "that's": "that", "there's": "there", "they're": "they"}
_WH_NEXT = _AUX | set(_CONTRACTED) | {"you", "your", "we"}
# verbs that take a wh-clause as object: "decide what goes in" is one question
_TAKES_WH = wordset("decide decides choose chooses know determine determines about on figure")
_BELIEVE = wordset("believe think feel agree say know accept expect worry hope suggest argue")
_SUBORDINATE = wordset("while because since although if when unless so")
_EMBEDS = wordset("of from with for that's")
_TIME = wordset("tomorrow today tonight yesterday now again")
_PREPS = wordset("with for in on at to from of about by")
_DETS = wordset("a an the some any this that these those")
# a question can't end on a modal without its verb, "able" without "to", or a
# preposition without its object ("... commitments beyond?", "... will only be able?")
_AFTER_ONLY = wordset("beyond among amongst despite unlike towards toward upon within across")
_CANT_END = _AFTER_ONLY | wordset("able")
_MODALS = wordset("might may shall must can could will would should cannot")
_THAT = wordset("that if whether when because")  # "... aware | that the agency might": cut
_POINTING = wordset("this that these those them")  # "beyond those", "about that": an object
_LOOSE = wordset("people them everyone everybody stuff things it")
_OPINION = wordset(
    "thoughts thought think opinion opinions comment comments experience experiences "
    "suggestions ideas view views feel say guys take perspective"
)
# Words that frame a question without saying what it is about: "can you talk a little bit".
_FRAME = _OPINION | wordset(
    "talk little bit elaborate explain tell general able expand speak share describe give"
)
_WONDER = {"wondering", "wonder", "curious", "asking", "asks", "know"}
_HEAR = wordset("hear more learn question questions")  # "... about how X works" is asked
_TURN = {"and", "now", "then", "right", "well", "also", "but"}
_ASKED = {"", "question", "questions", "is", "was"}  # "my question is where do you see"
_NEW_PHRASE = {"the", "a", "then", "we", "so", "also"}
_SUBJ = {"you", "we", "they", "people", "it", "there", "anyone", "this", "that", "i"}
# Words after which a new clause starts in unpunctuated speech.
_BREAK = wordset(
    "okay ok so not because um but anyway yeah alright thank i i'm i've honestly yes sure"
) | {MARK}
# a sentence starts after these: "so should distributions ...", "| is there ..."
_OPENS = {"", MARK, "so", "okay", "ok", "now", "alright", "yeah", "yes", "well"}
_SUBJECT_BEFORE = re.compile(
    r"\b(?:stay on|staying on|move on to|moving on to|talk about|switch to|turn to)\s+"
    r"(?:the\s+|a\s+)*"
    r"((?:[\w'-]+\s+){0,3}?)(?:topic|subject|area|theme)\b"
)
_HEADS = {"issues", "issue", "problems", "things", "stuff", "aspects", "questions", "topics"}
_GENERIC = {"different", "new", "next", "another", "related", "other", "topic", "question", "same"}
_SUBJECT = re.compile(
    r"\b(?:(?:question|questions) (?:here |is |was )?(?:about|on|regarding)|topic is|subject is|"
    r"talk about|wrap up with|asking about|curious about)\s+"
    r"(?:the\s+)?((?:[\w'-]+\s+){0,5}[\w'-]+)"
)
_VAGUE = {"that", "this", "it", "those", "these", "them", "there", "things", "stuff"}
_PERSONS = {"i", "we", "you", "he", "she", "they"}  # "a question about | i got ...": no subject
ACRONYMS = wordset(
    """
    api apis cpu cpus gpu io irc kvm qemu mmu tlb vm vms url usb pci pcie dma iommu vfio
    acpi uefi bios amd ibm arm sev tdx bpf ebpf ci os ram ssd nvme numa rbd xfs lkml rcu
    smp nfs dpdk spdk tcp udp ip http dns tls ssh aws gcp gke rfc gpl lts abi isa rpc
    """
)


def clean(text: str) -> str:
    text = " ".join(text.split())
    for _ in range(2):
        text = _FILLERS.sub("", text.lower() + " ").strip()
        text = _STUTTER.sub(r"\1", text + " ").strip()
    return text


def _is_start(words: list[str], i: int) -> bool:
    """Does a direct question (or a reported 'whether') start at words[i]?"""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if set(words[i + 1 : i + 3]) & _WH:
        return False  # a false start: "how is how it's used"
    if w == "whether":
        return True
    prev = words[i - 1] if i else ""
    if w in _WH and prev in _EMBEDS:
        return False  # "a lot of what you need": part of a statement
    if w in {"when", "where"}:  # "when C has worked ..." continues a sentence;
        return nxt in _AUX  # "(topic) where do you see X going" asks
    if w in {"which", "who"} and prev not in _BREAK | _TURN | _ASKED:
        return False  # a relative clause: "the archive which is not welcoming"
    cleft = {"is", "was"} & set(words[i + 2 : i + 6])
    if w == "what" and nxt not in _AUX and _pos(nxt) == {"VERB"} and cleft:
        return False  # "what helped a lot was X": a statement
    if w in _WH:
        asks = words[i - 2] in _WONDER | _HEAR if i >= 2 else False  # "hear more about how X"
        about = prev == "about" and w in {"how", "why", "what"} and asks
        return about or nxt == "about" or bool(set(words[i + 1 : i + 5]) & _WH_NEXT)
    if w not in _AUX or prev in _WH | {"or"}:  # "how do you ..." starts at "how";
        return False  # "... or do you ..." is the second half of one question
    if prev in {"we", "i", "they", "he", "she", "you"}:
        return False  # a statement: "we did it gradually"
    if w in {"is", "was"} and nxt == "that" and prev not in _BREAK | _TURN | {""}:
        return False  # "the problem is that X": a statement
    if not _agrees(w, nxt):
        return False  # "do it to an extent": 'do' is the verb, not a question's
    if nxt in _SUBJ:  # "did you ...", "is there ..."
        return True
    do_type = w in _DO | {"doesn't", "don't", "didn't"}
    subject = nxt not in STOPWORDS or nxt in {"the", "a", "this", "that", "these", "those"}
    if not do_type and prev in _OPENS and subject:  # "| should distributions enable X"
        pos = _pos(nxt)
        return nxt in _DETS or not pos or ("NOUN" in pos and "VERB" not in pos)
    if not (do_type and subject and prev not in _SUBJ):
        return False  # "we did it"
    return nxt in _SUBJ or _verb_after(words, i + 2)  # "does Rust make", not "did 242 of"


_SINGULAR = frozenset({"it", "this", "that", "he", "she"})
_PLURAL = frozenset({"you", "we", "they", "people"})
# an auxiliary and the subjects it cannot take: "do it" is the verb 'do' and its
# object, and "are i am", "does you" are captions misheard, not questions
_DISAGREES = {
    "do": _SINGULAR | {"i'm"},
    "don't": _SINGULAR,
    "does": _PLURAL | {"i"},
    "doesn't": _PLURAL | {"i"},
    "are": _SINGULAR | {"i"},
    "aren't": _SINGULAR | {"i"},
    "were": _SINGULAR | {"i"},
    "weren't": _SINGULAR | {"i"},
    "is": _PLURAL | {"i"},
    "isn't": _PLURAL | {"i"},
}


def _agrees(aux: str, subject: str) -> bool:
    """Can `subject` follow `aux` in a question?"""
    return subject not in _DISAGREES.get(aux, ())


def _verb_after(words: list[str], k: int) -> bool:
    """A verb within three words of words[k]: the subject of a "do" question has one."""
    return any("VERB" in _pos(w) and w not in STOPWORDS for w in words[k : k + 3])


def _clause_end(words: list[str], i: int) -> int:
    """Where the clause starting at i ends: a discourse break, a new question, or 16 words."""
    limit = 5 if words[i + 1 : i + 2] == ["about"] else CLAUSE_WORDS  # "what about X" is short
    j = i + 1
    while j < len(words) and j - i < limit:
        w, after = words[j], words[j + 1] if j + 1 < len(words) else ""
        if w == MARK:
            break  # a pleasantry: the clause ended before it
        if j - i >= 3 and w == "well" and words[j - 1] in _VAGUE:
            break  # "... thoughts on that | well they're real": the answer begins
        # "you could not work without", "what do you like and not like"
        negated = w == "not" and (words[j - 1] in _AUX or words[j - 1] == "and")
        if j - i >= 3 and w in _BREAK and not _intensifier(words, j) and not negated:
            break
        if j - i >= 4 and w in {"our", "my"} and _pos(words[j - 1]) == {"NOUN"}:
            break  # "... in the next few years | our team tried": the answer begins
        if j - i >= 2 and w in _WH and set(words[j + 1 : j + 3]) & (_AUX | {"you", "about"}):
            break
        if words[j - 1] in _TAKES_WH and w in _WH and limit > 5:
            j += 1
            continue
        if j - i >= 4 and words[j - 1] in _TIME and "VERB" in _pos(w) and w not in STOPWORDS:
            break  # "... start tomorrow | pick a small driver": the answer begins
        verb = j - i >= 5 and w in {"is", "are"} and words[j - 1] not in STOPWORDS
        if verb and set(words[i + 1 : j - 1]) & _WH_NEXT and not _reports(words, i, j):
            break  # "how it's used in X | is a good way": a second verb
        if (j - i >= 4 and w in {"what", "how", "why"}) or (limit == 5 and w in _WH):
            break  # a second question, or "what about X" ends
        joins = "between" in words[i:j]  # "between X and the Y"
        if j - i >= 4 and w == "and" and after in _NEW_PHRASE and not joins:
            break
        echo = " ".join(words[j : j + 2]) in " ".join(words[i:j]) and words[j - 1] != "or"
        if j - i >= 4 and echo:
            break  # words said again: the asker restarts, or an answer echoes them
        alternative = words[j - 1] == "or"  # "do you X or do you Y"
        if w == "do" and after in {"that", "this"}:
            j += 2  # "how did you do that": its object ends the question
            break
        if j - i >= 3 and w in _AUX and after in _SUBJ and not alternative:
            break
        j += 1
    return j


def _reports(words: list[str], i: int, j: int) -> bool:
    """'do you believe that the public is ...': the verb at j is the reported clause's."""
    return any(words[k] == "that" and words[k - 1] in _BELIEVE for k in range(i + 1, j - 1))


def _clauses(words: list[str], important: set[str]) -> list[tuple[int, int, list[str], bool]]:
    """Question clauses (start, end, words, is_reported) starting at wh-words, inversions
    or 'whether'."""
    out: list[tuple[int, int, list[str], bool]] = []
    covered = 0  # a clause never starts inside the previous one
    for i, w in enumerate(words):
        if i < covered or not _is_start(words, i):
            continue
        end = _clause_end(words, i)
        clause = _trim(words[i:end])
        covered = i + len(clause)
        reported = bool(set(words[max(i - 3, 0) : i]) & _WONDER)
        if reported and clause[:1] != ["whether"] and len(clause) > 2 and clause[1] in _SUBJ:
            clause.insert(1, "do")  # "I was wondering how you handle" -> "how do you handle"
        elif w in _WH:
            clause = _direct(clause)
        if "whether" in clause[2:] and clause[clause.index("whether", 2) - 1] == "or":
            k = clause.index("whether", 2)  # "... or whether that is X" -> "... or is that X"
            clause = clause[:k] + _invert(clause[k:])
        clause = _tidy(clause, important, long=end - i >= CLAUSE_WORDS)
        if len(clause) >= 3:
            out.append((i, end, clause, w == "whether"))
    return out


def _direct(clause: list[str]) -> list[str]:
    """A reported wh-clause as a direct question: 'how each of you decides' ->
    'how does each of you decide', 'how it's used' -> 'how is it used'."""
    if len(clause) < 3:
        return clause
    wh, body = clause[0], clause[1:]
    if body[0] in _AUX or body[0] == "about":
        return clause
    if body[0] in _CONTRACTED:
        return [wh, "are" if body[0] == "they're" else "is", _CONTRACTED[body[0]]] + body[1:]
    if body[0] in {"you", "we", "they", "i"} and _pos(body[1]) == {"VERB"}:
        return [wh, "do"] + body
    for k, w in enumerate(body[1:5], 1):
        after = body[k + 1] if k + 1 < len(body) else ""
        if w in {"is", "are", "was", "were", "can", "should", "will", "would", "could"}:
            if after in _SUBJ or after in _DETS:
                return clause  # already direct: "what tools are you using"
            if body[0] in _SUBJ and k > 1:
                return clause  # "what you need is ...": a statement
            return [wh, w] + body[:k] + body[k + 1 :]  # "what the problem is"
        if w in _AUX or w in _WH or w in _BREAK:
            return clause
        pronoun = body[k - 1] in {"it", "this", "that", "one", "he", "she", "everyone"}
        named = k >= 2 and body[k - 1] not in STOPWORDS and "NOUN" in _pos(body[k - 1])
        subject = pronoun or named  # "how the community handles": a verb after its subject
        if w.endswith("s") and (_pos(w) == {"VERB"} or (subject and "VERB" in _pos(w))):
            return [wh, "does"] + body[:k] + [_lemmas(w)["VERB"][0]] + body[k + 1 :]
    return clause


def _tidy(clause: list[str], important: set[str], long: bool = False) -> list[str]:
    """End a clause where a reader would: drop a trailing subordinate clause when it
    runs long, then loose trailing phrases, until it fits in a title."""
    clause = _trim(clause)
    if long or len(" ".join(clause)) > LONG_CHARS:
        cut = next((k for k in range(4, len(clause)) if _subordinate(clause, k)), None)
        if cut and sum(w not in STOPWORDS for w in clause[:cut]) >= 3:
            clause = _trim(clause[:cut])
    while len(" ".join(clause)) > MAX_CHARS - 1:
        clause = _trim(clause[:-1])
    while True:
        shorter = _trim(_drop_loose_tail(clause, important))
        if len(shorter) == len(clause):
            return clause
        clause = shorter


def _subordinate(clause: list[str], k: int) -> bool:
    """Does a subordinate clause start at clause[k]? Not "so" in "so hard"."""
    return clause[k] in _SUBORDINATE and not _intensifier(clause, k)


def _intensifier(words: list[str], k: int) -> bool:
    """ "so" before an adjective or adverb ("still so hard"): no new clause."""
    after = words[k + 1] if k + 1 < len(words) else ""
    pos = _pos(after)
    return words[k] == "so" and after not in STOPWORDS and bool(pos) and pos <= {"ADJ", "ADV"}


def _drop_loose_tail(clause: list[str], important: set[str]) -> list[str]:
    """'... on a public', '... the old': an adjective left without its noun;
    '... with a theme', '... for people': a trailing phrase naming nothing of the talk."""
    if len(clause) < 5:
        return clause
    if clause[-2] in _DETS and "ADJ" in _pos(clause[-1]):
        return clause[:-2]
    for k in range(max(len(clause) - 7, 4), len(clause) - 1):
        if clause[k] not in _PREPS:
            continue
        tail = clause[k + 1 :]
        loose = all(w in _LOOSE for w in tail) or (tail[0] in _DETS and not set(tail) & important)
        before = clause[k - 1]  # "see X going | in the next years": _trim would eat "going"
        dangling = before.endswith("ing") and (before in STOPWORDS or _verb_only(before))
        if loose and not dangling and sum(w not in STOPWORDS for w in clause[:k]) >= 2:
            return clause[:k]
    return clause


def _names_little(clause: list[str], important: set[str]) -> bool:
    """'can you talk a little bit', 'how were you able to effectively': a question
    naming at most one thing, and nothing the talk is about."""
    return not set(clause) & important and sum(w not in STOPWORDS | _FRAME for w in clause) < 2


_THINKERS = wordset("you we they people guys all")


_LIKE = wordset("look looks looked be is was were seem seems feel feels sound sounds")


def _ends_ok(prev: str, last: str) -> bool:
    """'what do you think', 'what would you say', 'what should it look like': a
    question may end on these."""
    return (last in {"think", "say", "mean"} and prev in _THINKERS) or (
        last == "like" and prev in _LIKE
    )


def _named_by(prev: str) -> bool:
    """'confidential computing', 'kernel networking': an -ing noun after its modifier."""
    return prev not in STOPWORDS and "ADJ" in _pos(prev) and not _verb_only(prev)


def _trim(clause: list[str]) -> list[str]:
    """Drop what a question can't end on: function words, a dangling -ing verb, a stray 'it'.
    'do that' ends on its object: 'how did you do it'."""
    clause = list(clause)
    if len(clause) > 1 and clause[-2] in _DO and clause[-1] in {"that", "this"}:
        clause[-1] = "it"
    while clause:
        last, prev = clause[-1], clause[-2] if len(clause) > 1 else ""
        if last in _MODALS or last.endswith(("'ll", "'d")):  # its verb was lost ("it'll"):
            near = range(max(len(clause) - 6, 1), len(clause) - 1)  # so goes its clause, if short
            back = [k for k in near if clause[k] in _THAT]
            clause = clause[: back[0]] if back else clause[:-1]
            continue
        done = last == "it" and prev in _DO
        pronoun_ok = (
            _object_you(prev, last) or done or (last in {"it", "them"} and _verb_only(prev))
        ) or (last in _POINTING and prev in _PREPS | _AFTER_ONLY)
        if (
            (last in STOPWORDS and not (pronoun_ok or _ends_ok(prev, last)))
            or last in _CANT_END
            or (_verb_only(last) and not _named_by(prev))
        ):
            clause.pop()
        else:
            break
    return clause


def _object_you(prev: str, last: str) -> bool:
    """'for you', 'show you': a question may end on 'you' as an object; not as a
    subject whose verb was cut off ('that you', 'if you', 'did you', 'and you')."""
    return last == "you" and (prev in _PREPS or (prev not in STOPWORDS and "VERB" in _pos(prev)))


@functools.lru_cache(maxsize=65536)
def _lemmas(word: str) -> dict:
    return getAllLemmas(word)


def _pos(word: str) -> set[str]:
    return set(_lemmas(word))


def _verb_only(word: str) -> bool:
    """'explaining', 'slowing': a clause cut off in the middle of a verb phrase."""
    return word.endswith(("ing", "ed")) and _pos(word) == {"VERB"}


def _invert(clause: list[str]) -> list[str]:
    """'whether every fix should be tagged' -> 'should every fix be tagged'."""
    body = clause[3:] if clause[1:3] == ["or", "not"] else clause[1:]  # "whether or not"
    for k, w in enumerate(body[:6]):
        if w in _AUX - _DO - {"have", "has"} and k > 0:
            return [w] + body[:k] + body[k + 1 :]
    if body and body[0] in {"we", "you", "they", "i", "people"}:
        return ["do"] + body
    if body and body[0] in {"this", "it", "that"}:
        for k, w in enumerate(body[1:4], 1):
            if w.endswith("s") and not w.endswith(
                "ss"
            ):  # "this also works" -> "does this also work"
                return ["does"] + body[:k] + [w[:-1]] + body[k + 1 :]
    return ["whether"] + body


def _meaning(clause: list[str], keywords: set[str]) -> float:
    content = [w for w in clause if w not in STOPWORDS]
    score = min(len(content), 6) + 2.0 * sum(w in keywords for w in content)
    score += 1.5 if {"you", "your"} & set(clause) else 0.0
    short_ok = clause[:2] in (["what", "about"], ["how", "about"])  # "what about documentation"
    score -= 3.0 if (len(content) < 2 and not short_ok) or clause[-1] in _VAGUE else 0.0
    return score - 0.3 * max(len(clause) - 10, 0)


def case_word(word: str, known: dict[str, str]) -> str:
    """The talk's casing of `word` (`known`), else an acronym's capitals, unless it is
    also an English word ('arm', 'ram': a robot's arm is not ARM)."""
    low = word.lower()
    if low in known:
        return known[low]
    if low in ACRONYMS and not _pos(low):
        return low.upper()
    return "I" if low == "i" else low


def sentence(
    words: list[str],
    known: dict[str, str],
    question: bool,
    limit: int = MAX_CHARS,
    cap: bool = True,
) -> str:
    """The words as a title: cased as the talk spells them, cut to `limit` characters
    where a question (_trim) or a heading can end."""
    out = [case_word(w, known) for w in words]
    while out and len(" ".join(out)) > limit - 1:
        out.pop()
    low = [w.lower() for w in out]
    if len(out) < len(words) and len(low) > 3 and _pos(low[-1]) == {"ADJ"}:
        low.pop()  # "... with the city of new": its noun was cut, so goes the adjective
    out = out[: len(_trim(low) if question else _heading_end(low)) or 1]
    if out and cap:
        out[0] = out[0][0].upper() + out[0][1:]
    return " ".join(out) + ("?" if question else "")


def _heading_end(words: list[str]) -> list[str]:
    """A heading ends on a word that names something: not on a function word."""
    while len(words) > 1 and words[-1] in STOPWORDS and words[-1] not in {"you", "it"}:
        if _ends_ok(words[-2], words[-1]):
            break
        words = words[:-1]
    return words


def subject_of(text: str) -> list[str]:
    """The subject a turn announces: 'a big topic is the Spectre and Meltdown issues'."""
    for m in list(_SUBJECT_BEFORE.finditer(text)) + list(_SUBJECT.finditer(text)):
        first = m.group(1).split()[:1]
        if first and (first[0] in _VAGUE | _WH | _PERSONS or first[0] in {"whether", "how"}):
            continue  # "talk about that": no subject named
        words = _trim_subject(m.group(1).split())
        if set(words) - _GENERIC - STOPWORDS:
            return words
    return []


def announced_topic(turn: str) -> str:
    """A short subject the asker names ("let's talk about X"), as a topic; "" if none."""
    words = subject_of(clean(turn))
    while words and words[-1] in _HEADS:
        words.pop()
    return " ".join(words) if 0 < len(words) <= 3 else ""


def _trim_subject(words: list[str]) -> list[str]:
    stops = {"so", "and", "how", "what", "is", "i", "we", "you", "it's", "that"}
    cut = next(
        (
            k
            for k, w in enumerate(words)
            if (w in stops and k >= 2) or w in _WH or (w in _AUX and k)
        ),
        None,
    )  # a subject is a noun phrase: "in summary X are ..." ends before "are"
    words = words[:cut]
    while words[:2] in (["in", "summary"], ["in", "short"], ["in", "general"]):
        words = words[2:]
    while words and words[-1] in STOPWORDS:
        words.pop()
    while words and words[0] in STOPWORDS:
        words.pop(0)
    return words


def _vague(clause: list[str]) -> bool:
    """'what about you', 'what are your thoughts on that': no subject of its own."""
    return not [w for w in clause if w not in STOPWORDS | _OPINION | _VAGUE]


def join_pairs(words: list[str], pairs: set[tuple[str, str]]) -> list[str]:
    """'the KVM and API' -> 'the KVM API' where the talk says the term without 'and'."""
    out: list[str] = []
    for w in words:
        if len(out) >= 2 and out[-1] == "and" and (out[-2], w) in pairs:
            out.pop()
        out.append(w)
    return out


def question_title(
    turn: str,
    keywords: set[str],
    known: dict[str, str],
    pairs: set[tuple[str, str]] | frozenset = frozenset(),
    *,
    names: Iterable[str] | None = None,
    about: Sequence[str] = (),
) -> str:
    """The title for a question asked in `turn` (the asker's words, raw captions).

    `keywords` are the clip's key words, `known` the talk's casing of terms and
    `pairs` the two-word terms it uses (to undo a misheard 'and' between them).
    `names` are the lowercase names of the people a question may be put to (the
    panel, presenters, moderator); without them the capitalised words of `known`
    stand in, and a name is only dropped where it can't be an object ("think X").
    `about`: the clip's terms (Topics.distinct), best first; a question that names no subject
    ("can you talk a little bit") is headed by the first the asker said before it."""
    people = frozenset(n.lower() for n in names) if names is not None else _names_in(known)
    words = _expand(join_pairs(clean(turn).split(), set(pairs)))
    words = [_reported_if(words, k) for k in range(len(words))]
    words = mark_preamble(cut_at_answer(words), people)
    text = " ".join(words)
    proper = {k for k, v in known.items() if v != k}
    important = set(keywords) | proper | ACRONYMS
    found = _candidates(words, important, people, strict=names is None)
    # the asker speaks first: later clauses are more likely part of an answer
    scored = [
        (_meaning(c, keywords) - 0.25 * k - cost, k) for k, (_, _, c, cost) in enumerate(found)
    ]
    start, end, best, _ = found[max(scored)[1]] if found else (0, 0, None, 0.0)
    subject = subject_of(text)
    if not set(subject) - people - STOPWORDS:
        subject = []  # "a question about kushti": a name, not a subject
    if best is None:
        if subject:
            return sentence(subject, known, question=True)
        opening = _opening(words, people) or clean(turn).split()[:8]
        return _headed(_heading(about[:1], words, opening, people, known), opening, known, False)
    if _vague(best):
        subject = subject or _subject_near(words, start, end)
        asked = _asked_about(best, subject) if subject else []
        if asked:
            return sentence(asked, known, question=True)
        clear = [(m, k) for m, k in scored if not _vague(found[k][2])]
        if clear:  # "are they hype or real ... what are your thoughts on that"
            best = found[max(clear)[1]][2]
    if not subject and _names_little(best, important):
        subject = _heading(about, words[:start], best, people, known)  # what set it up
    if not subject:  # the clip's main subject, said before or with the question, not in it
        subject = _heading(about[:1], words[:end], best, people, known)
    return _headed(subject, best, known, True)


def _headed(subject: list[str], words: list[str], known: dict[str, str], question: bool) -> str:
    """`words` as a title, headed by `subject` where that names something they don't."""
    if subject and (set(subject) - STOPWORDS - set(words)):
        head = sentence(subject, known, question=False)
        rest = sentence(words, known, question, limit=MAX_CHARS - len(head) - 2, cap=False)
        return f"{head}: {rest}"
    return sentence(words, known, question)


def _heading(
    phrases: Sequence[str],
    said: list[str],
    question: list[str],
    people: frozenset[str],
    known: dict[str, str],
) -> list[str]:
    """The first key phrase said in `said` that the question leaves out: the subject a
    title heads it with ("Humanoid robots: ..."). Never a name: not the people's, nor
    another proper noun no dictionary knows (an asker introducing themselves)."""
    said_set, left_out = set(said), set(question) | people
    for phrase in phrases:
        words = phrase.split()
        named = any(not _pos(w) and known.get(w, w).istitle() for w in words)
        if set(words) <= said_set and not set(words) & left_out and not named:
            return words
    return []


def _candidates(
    words: list[str], important: set[str], people: frozenset[str], strict: bool
) -> list[tuple[int, int, list[str], float]]:
    """The turn's questions in order: (start, end, words, cost), the questions it asks
    and (at a cost) the requests it makes, without the names they are put to."""
    found = [(a, b, _invert(c) if rep else c, 0.0) for a, b, c, rep in _clauses(words, important)]
    found += [(a, b, c, REQUEST_COST) for a, b, c in _requests(words, important)]
    found = [(a, b, _trim(drop_vocatives(c, people, strict)), cost) for a, b, c, cost in found]
    return sorted((f for f in found if len(f[2]) >= 3), key=lambda f: f[0])


def _names_in(known: dict[str, str]) -> frozenset[str]:
    """Without a list of people: the words the talk writes with one capital ('Peter')."""
    return frozenset(k for k, v in known.items() if v.isalpha() and v.istitle() and len(v) > 1)


_WH_CONTRACTED = {"what's": "what is", "how's": "how is", "where's": "where is", "who's": "who is"}


def _reported_if(words: list[str], k: int) -> str:
    """'i wanted to ask if you can X': a reported question, as 'whether' (when it inverts)."""
    if words[k] != "if" or not 0 < k < len(words) - 1:
        return words[k]
    asks = words[k - 1] in _WONDER | {"ask"}
    return "whether" if asks and words[k + 1] in _SUBJ - {"people", "anyone"} else "if"


def _expand(words: list[str]) -> list[str]:
    """'what's the biggest' -> 'what is the biggest': a wh-question starts at 'what'."""
    return [p for w in words for p in _WH_CONTRACTED.get(w, w).split()]


def _asked_about(clause: list[str], subject: list[str]) -> list[str]:
    """'what do you think' + 'rust in the kernel' -> 'what do you think about rust in
    the kernel'; 'what about you' + 'emacs versus vi' gives the subject alone; [] for
    another vague question without an opinion word ('how did you do that'): the
    subject heads it instead."""
    clause = list(clause)
    while clause and (clause[-1] in _VAGUE or clause[-1] in _PREPS):
        clause.pop()
    if clause[:2] in (["what", "about"], ["how", "about"]) and len(clause) <= 3:
        return subject  # "Emacs versus VI ... what about you": the subject is the question
    if len(clause) < 3 or not set(clause) & _OPINION:
        return []
    return clause + ["about" if clause[-1] in {"think", "feel", "say"} else "on"] + subject


def _subject_near(words: list[str], start: int, end: int) -> list[str]:
    """What a subject-less question ('what do you think') is about: the subject said
    just before it in the same sentence ('... rust in the kernel what do you think'),
    else one said right after it ('... think about X')."""
    before = words[max(start - 16, 0) : start]
    if MARK in before:
        before = before[len(before) - before[::-1].index(MARK) :]
    while before and before[-1] in _TURN | {"so", "okay", "ok"}:
        before.pop()  # "... rust in the kernel so what do you think"
    for k in range(len(before) - 1, -1, -1):
        if before[k] in {"about", "regarding", "on"}:
            phrase = _noun_phrase(before[k + 1 :])
            if phrase and before[-1] == phrase[-1]:
                return phrase
    phrase = _noun_phrase(before, last=True)
    if phrase and before[-1] == phrase[-1]:  # said right before the question
        return phrase
    after = words[end : end + 12]
    return _noun_phrase(after[1:]) if after[:1] in (["about"], ["on"], ["of"]) else []


_JOINS = wordset("of in for on with and to")


def _noun_phrase(words: list[str], last: bool = False) -> list[str]:
    """The first (or last) run of words naming something: 'rust in the kernel'."""
    runs: list[list[str]] = [[]]
    for w in words:
        pos = _pos(w)
        named = w not in STOPWORDS and w != MARK and not _verb_only(w)
        named = named and pos != {"VERB"} and pos != {"ADV"} and w not in _GENERIC
        if named or (runs[-1] and (w in _JOINS or w in _DETS)):
            runs[-1].append(w)
        elif runs[-1]:
            runs.append([])
    runs = [_trim_subject(r) for r in runs]
    runs = [r[-6:] if last else r[:6] for r in runs if set(r) - STOPWORDS - _VAGUE]
    if not runs:
        return []
    return _trim_subject(runs[-1] if last else runs[0])


def _requests(words: list[str], important: set[str]) -> list[tuple[int, int, list[str]]]:
    """Questions said as requests (.statements), asked: (start, end, question words)."""
    out = []
    for a, b, kind in requests(words):
        end = _clause_end(words, b - 1)
        end = next((k for k in range(b + 2, end) if words[k] in PRONOUNS), end)
        obj = _trim(words[b:end])
        if not obj or obj[0] in _WH | {"whether", "if"}:
            continue  # "tell us how you ...": a reported question, found as one
        if not set(obj) - STOPWORDS - _VAGUE - OWN - _OPINION or (
            obj[0] in _VAGUE and len(obj) < 3
        ):
            continue  # "tell us your thoughts", "tell us about that": about nothing named
        out.append((a, end, _tidy(asked(kind, words[a], obj), important)))
    return out


def _opening(words: list[str], names: frozenset[str]) -> list[str]:
    """Without a question: the first stretch of the turn that says something (not a
    pleasantry, not a name), at most 8 words; [] if it is all pleasantries."""
    stretches: list[list[str]] = [[]]
    for w in words:
        if w == MARK:
            stretches.append([])
        else:
            stretches[-1].append(w)
    said = []
    for stretch in stretches:
        stretch = strip_edges(stretch, names)
        while stretch and stretch[0] in _PREPS | _TURN | {"so"}:
            stretch.pop(0)  # "| of it you ...": the end of a pleasantry
        out = _trim(stretch[:8])
        while len(out) > 1 and out[-1] in {"you", "it", "them"}:
            out = _trim(out[:-1])  # a statement cut off: "... tv show you"
        if out and not is_pleasantry(" ".join(out), names):
            said.append(out)
    meaningful = [s for s in said if sum(w not in STOPWORDS for w in s) >= 2]
    return (meaningful or said or [[]])[0]
