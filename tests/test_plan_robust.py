"""The same question starts (±10 s) whatever the caption chunking, timing offset or format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import BUNDLED_SEED, SHAPES

from publisher.ingest import parse_seed
from publisher.plan import make_plan
from publisher.plan.words import words_of

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests" / "fixtures" / "plan"
SEEDS = SHAPES  # the labelled transcripts


def _ts(t: float, sep: str = ",") -> str:
    ms = int(round(t * 1000))
    return (
        f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"
    )


def _split(text: str) -> tuple[str, str, str]:
    head, rest = text.split("Captions:", 1)
    body, tail = rest.split("YouTube URL:", 1)
    return head, body, tail


def _timed_words(text: str, path: Path) -> list[tuple[float, str]]:
    """Every word with its time; caption markers like [Applause] kept as one word."""
    talk = parse_seed(text, path)
    words = [(w.time, w.text) for w in words_of(talk.transcript)]
    markers = [(c.start, c.text.strip()) for c in talk.cues if c.text.strip().startswith("[")]
    return sorted(words + markers)


def _chunks(words: list[tuple[float, str]], sizes: list[int]) -> list[list[tuple[float, str]]]:
    """Cues of the given word counts in turn; like YouTube's, a cue never spans a silence
    (over 2 s between words), since a cue's text carries no timing inside it."""
    out: list[list[tuple[float, str]]] = [[]]
    k = 0
    for i, w in enumerate(words):
        marker = w[1].startswith("[") or out[-1][-1:] and out[-1][-1][1].startswith("[")
        full = len(out[-1]) == sizes[k % len(sizes)]
        if out[-1] and (full or marker or w[0] - words[i - 1][0] > 2.0):
            out.append([])
            k += 1
        out[-1].append(w)
    return [c for c in out if c]


def rechunked(text: str, path: Path, sizes: list[int]) -> str:
    """The seed with its captions cut into cues of other lengths (YouTube-style overlap)."""
    head, _, tail = _split(text)
    chunks = _chunks(_timed_words(text, path), sizes)
    cues = []
    for i, c in enumerate(chunks):
        end = chunks[i + 2][0][0] if i + 2 < len(chunks) else c[-1][0] + 1.0
        cues.append(f"\t{_ts(c[0][0])} --> {_ts(end)}\n{' '.join(w for _, w in c)}\n")
    return f"{head}Captions: \n" + "\n".join(cues) + f"\nYouTube URL:{tail}"


def shifted(text: str, seconds: float) -> str:
    head, body, tail = _split(text)

    def move(m: re.Match) -> str:
        h, mi, s, ms = (int(g) for g in m.groups())
        return _ts(h * 3600 + mi * 60 + s + ms / 1000 + seconds)

    body = re.sub(r"(\d\d):(\d\d):(\d\d),(\d\d\d)", move, body)
    return f"{head}Captions:{body}YouTube URL:{tail}"


def rolling_webvtt(text: str, path: Path) -> str:
    """The seed with YouTube's rolling WebVTT (as yt-dlp writes it) as its captions."""
    head, _, tail = _split(text)
    chunks = _chunks(_timed_words(text, path), [6, 8, 7])
    out = ["WEBVTT", "Kind: captions", "Language: en", ""]
    prev = ""
    for i, c in enumerate(chunks):
        start = c[0][0]
        nxt = chunks[i + 1][0][0] if i + 1 < len(chunks) else c[-1][0] + 1.0
        timed = c[0][1] + "".join(f"<{_ts(t, '.')}><c> {w}</c>" for t, w in c[1:])
        out += [
            f"{_ts(start, '.')} --> {_ts(nxt - 0.01, '.')} align:start position:0%",
            prev,
            timed,
            "",
        ]
        line = " ".join(w for _, w in c)
        out += [
            f"{_ts(nxt - 0.01, '.')} --> {_ts(nxt, '.')} align:start position:0%",
            line,
            " ",
            "",
        ]
        prev = line
    body = "\n".join("\t" + ln if ln else "" for ln in out)
    return f"{head}Captions: \n{body}\nYouTube URL:{tail}"


def starts(text: str, path: Path) -> list[float]:
    plan = make_plan(parse_seed(text, path))
    return [s.start for s in plan.segments if s.kind == "question"]


def assert_same(base: list[float], other: list[float], tol: float = 10.0) -> None:
    """The same starts within `tol`, one to one, but for at most one borderline start
    in six that the model takes, or places elsewhere, in one chunking and not the
    other (a caption line's first word is a candidate, so chunking moves candidates:
    the bundled panel's rolling WebVTT adds 2 starts scored within 0.6 log-odds of
    the threshold)."""
    unmatched = list(other)
    for a in base:
        near = [b for b in unmatched if abs(a - b) <= tol]
        if near:
            unmatched.remove(min(near, key=lambda b: abs(a - b)))
    missing = len(base) - (len(other) - len(unmatched))
    allowed = max(1, len(base) // 6)
    shown = ([round(x) for x in base], [round(x) for x in other])
    assert max(missing, len(unmatched)) <= allowed, shown


def _unstable_kvm(path: Path, request) -> None:
    """The bundled panel as YouTube chunked it gets two starts inside answers (21:16
    and 40:39, 0.6 log-odds over the offset) that every other chunking drops (0.2-1.4
    under it), and its travel question's start (28:37, labelled 28:39), which the others
    place 22-25 s late: three starts of thirteen move, where one in six may (issue 12)."""
    if path == BUNDLED_SEED:
        request.applymarker(pytest.mark.xfail(strict=True, reason=_unstable_kvm.__doc__))


@pytest.fixture(scope="module", params=sorted(SEEDS))
def seed(request) -> tuple[str, Path, list[float]]:
    path = SEEDS[request.param]
    text = path.read_text(encoding="utf-8")
    return text, path, starts(text, path)


@pytest.mark.parametrize("sizes", [[3, 4, 5], [10, 12, 14], [7]])
def test_rechunked_captions_give_the_same_starts(seed, sizes, request):
    text, path, base = seed
    assert base
    _unstable_kvm(path, request)
    assert_same(base, starts(rechunked(text, path, sizes), path))


@pytest.mark.parametrize("offset", [7.3, 61.0])
def test_time_shifted_captions_give_shifted_starts(seed, offset):
    text, path, base = seed
    moved = starts(shifted(text, offset), path)
    assert_same(base, [t - offset for t in moved])


def test_rolling_webvtt_captions_give_the_same_starts(seed, request):
    text, path, base = seed
    _unstable_kvm(path, request)
    vtt = rolling_webvtt(text, path)
    assert "WEBVTT" in vtt and "<c>" in vtt
    talk = parse_seed(vtt, path)
    # the parser collapsed the rolling duplicates: every word once
    assert [w.norm for w in words_of(talk.transcript)] == [
        w.norm for w in words_of(parse_seed(text, path).transcript)
    ]
    assert_same(base, starts(vtt, path))


def test_talk_without_qa_stays_one_clip_in_every_variant():
    path = (
        ROOT / "benchmarks" / "corpus" / "mit-agi-artificial-general-intelligence-lex-fridman.txt"
    )
    text = path.read_text(encoding="utf-8")
    variants = [rechunked(text, path, [3, 4, 5]), shifted(text, 7.3), rolling_webvtt(text, path)]
    assert all(starts(v, path) == [] for v in [text, *variants])
