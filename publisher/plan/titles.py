"""Titles a reader would write: the asker's question, cleaned of caption noise.

Captions have no punctuation or casing, so we find the question clauses in the
asking turn (wh-words, "do you", reported "whether ..."), drop fillers and
stutters, pick the clause that carries the most meaning, and prefix the
subject ("Spectre and Meltdown: ...") when the clause alone would be vague.
"""

from __future__ import annotations

import re

from .words import STOPWORDS

MAX_CHARS = 90
_FILLERS = re.compile(
    r"\b(?:um+|uh+|umm|you know|i mean|kind of|sort of|basically|actually|really|maybe|"
    r"i guess|i think|like a|sort of like|just)\b ?"
)
_STUTTER = re.compile(r"\b((?:[\w'-]+ ){1,3})\1+")
_WH = {"what", "how", "why", "which", "who", "where", "when"}
_AUX = {"do", "does", "did", "are", "is", "can", "could", "would", "should", "have", "has", "will"}
_SUBJ = {"you", "we", "they", "people", "it", "there", "anyone", "this", "that", "i"}
# Words after which a new clause starts in unpunctuated speech.
_BREAK = {"okay", "ok", "so", "not", "because", "um", "but", "anyway", "yeah", "alright", "thank"}
_SUBJECT = re.compile(
    r"\b(?:question|questions|topic|subject|talk about|wrap up with|move on to|start with|"
    r"big topic is|asking about|curious about)\s+(?:here\s+)?(?:about|is|of|on|with)?\s*"
    r"(?:the\s+)?((?:[\w'-]+\s+){0,5}[\w'-]+)"
)
_VAGUE = {"that", "this", "it", "those", "these", "them", "there", "things", "stuff"}
_ACRONYMS = set(
    "api apis cpu cpus gpu io irc kvm qemu mmu tlb vm vms url usb pci pcie dma iommu vfio acpi "
    "uefi bios amd ibm arm sev tdx bpf ebpf ci os ram ssd nvme numa rbd xfs lkml rcu smp nfs "
    "dpdk spdk tcp udp ip http dns tls ssh aws gcp gke rfc gpl lts abi isa rpc".split()
)


def clean(text: str) -> str:
    text = " ".join(text.split())
    for _ in range(2):
        text = _FILLERS.sub("", text.lower() + " ").strip()
        text = _STUTTER.sub(r"\1", text + " ").strip()
    return text


def _clauses(words: list[str]) -> list[tuple[list[str], bool]]:
    """Question clauses (words, is_reported) starting at wh-words, inversions or 'whether'."""
    out = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        start = (w in _WH and nxt not in {"i", "we're"}) or (w in _AUX and nxt in _SUBJ)
        if not start and w != "whether":
            continue
        j = i + 1
        while j < len(words) and j - i < 16:
            if j - i >= 4 and (words[j] in _BREAK or (words[j] in _WH and j - i >= 6)):
                break
            if j - i >= 5 and words[j] in _AUX and j + 1 < len(words) and words[j + 1] in _SUBJ:
                break
            j += 1
        clause = words[i:j]
        while clause and clause[-1] in STOPWORDS and clause[-1] not in {"you", "it", "them"}:
            clause.pop()
        if len(clause) >= 3:
            out.append((clause, w == "whether"))
    return out


def _invert(clause: list[str]) -> list[str]:
    """'whether every fix should be tagged' -> 'should every fix be tagged'."""
    body = clause[1:]
    for k, w in enumerate(body[:6]):
        if w in _AUX - {"do", "does", "did", "have", "has"} and k > 0:
            return [w] + body[:k] + body[k + 1 :]
    if body and body[0] in {"we", "you", "they", "i", "people"}:
        return ["do"] + body
    if len(body) > 1 and body[0] in {"this", "it", "that"} and body[1].endswith("s"):
        return ["does", body[0], body[1][:-1]] + body[2:]
    return ["whether"] + body


def _meaning(clause: list[str], keywords: set[str]) -> float:
    content = [w for w in clause if w not in STOPWORDS]
    score = len(content) + 2.0 * sum(w in keywords for w in content)
    score += 1.5 if {"you", "your"} & set(clause) else 0.0
    score -= 3.0 if len(content) < 2 or (set(clause[-2:]) & _VAGUE) else 0.0
    return score - 0.15 * max(len(clause) - 12, 0)


def case_word(word: str, known: dict[str, str]) -> str:
    low = word.lower()
    if low in known:
        return known[low]
    if low in _ACRONYMS:
        return low.upper()
    return "I" if low == "i" else low


def sentence(words: list[str], known: dict[str, str], question: bool) -> str:
    out = [case_word(w, known) for w in words]
    if out:
        out[0] = out[0][0].upper() + out[0][1:]
    text = " ".join(out)
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rsplit(" ", 1)[0]
    return text + ("?" if question else "")


def subject_of(text: str) -> list[str]:
    """The subject a turn announces: 'a big topic is the Spectre and Meltdown issues'."""
    m = _SUBJECT.search(text)
    if not m:
        return []
    words = m.group(1).split()
    cut = next((k for k, w in enumerate(words) if w in {"so", "and", "how", "what", "is"} and k >= 2), None)
    words = words[:cut]
    while words and words[-1] in STOPWORDS:
        words.pop()
    while words and words[0] in STOPWORDS:
        words.pop(0)
    return words


def question_title(turn: str, keywords: set[str], known: dict[str, str]) -> str:
    """The title for a question asked in `turn` (the asker's words, raw captions)."""
    text = clean(turn)
    words = text.split()
    clauses = [(_invert(c) if reported else c) for c, reported in _clauses(words)]
    best = max(clauses, key=lambda c: _meaning(c, keywords), default=None)
    subject = subject_of(text)
    if best is None:
        return sentence(subject or words[:8], known, question=bool(subject))
    vague = _meaning(best, keywords) < 3 or not (set(best) - STOPWORDS) & keywords
    if subject and vague and not set(subject) <= set(best):
        head = sentence(subject, known, question=False)
        return head + ": " + sentence(best, known, question=True).lower()[:MAX_CHARS - len(head) - 2]
    return sentence(best, known, question=True)
