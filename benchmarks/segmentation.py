"""Question finding on real recordings: `python benchmarks/segmentation.py [--shipped]`.

For every labelled recording in benchmarks/corpus/ the question model is trained
on all the *other* recordings (leave one recording out), the whole plan is made
with it, and its question clips are scored against the hand labels:

- precision, recall and F1 of the question starts at ±10 s, one to one (a start
  on a labelled follow-up counts neither way);
- titles that keep one of the question's key terms, and titles that are pleasantries;
- the asker's role (moderator/host or audience) of each matched question.

Then per shape and pooled, and two pooled profiles: the F1 at other tolerances than
±10 s (how much is a start found but placed off, how much is not found at all), and
at each model's decoding threshold moved by SHIFTS log-odds (the trade of precision
for recall the threshold makes). `--shipped` scores the shipped model instead (which
saw every recording: an in-sample figure, not a measure of generalisation).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.plan import make_plan  # noqa: E402
from publisher.plan.scorer import bundled_model  # noqa: E402
from publisher.plan.segment import asked_by_audience  # noqa: E402
from publisher.plan.titles import is_pleasantry  # noqa: E402
from publisher.plan.training import (  # noqa: E402
    Prepared,
    Recording,
    counts,
    cross_validated,
    labelled_starts,
    load_corpus,
    match,
    prepare,
)
from publisher.plan.words import stem, tokens  # noqa: E402

TOLERANCES = (5.0, 10.0, 20.0, 30.0, 60.0)  # seconds a found start may be off
SHIFTS = (-1.0, -0.5, 0.0, 0.5, 1.0)  # log-odds added to a model's decoding offset


@dataclass
class Score:
    hits: int = 0
    hyps: int = 0
    refs: int = 0
    titled: int = 0  # matched questions whose title keeps a key term
    pleasant: int = 0  # question titles that are pleasantries
    roles: int = 0  # matched questions whose asker role is right
    asked: int = 0  # labelled questions with a candidate at their start ...
    asked_right: int = 0  # ... whose asker the role model reads right there
    ms: float = 0.0

    def add(self, o: Score) -> None:
        for k in ("hits", "hyps", "refs", "titled", "pleasant", "roles", "asked", "asked_right"):
            setattr(self, k, getattr(self, k) + getattr(o, k))

    def row(self) -> str:
        p, r, f = scores(self.hits, self.hyps, self.refs)
        n = max(self.hits, 1)
        return (
            f"{self.refs:3d} {self.hyps:3d} {self.hits:3d}  {p:4.2f} {r:4.2f} {f:4.2f}"
            f"  {self.titled:3d} {self.titled / n:4.2f}  {self.roles:3d} {self.roles / n:4.2f}"
            f"  {self.pleasant:3d}"
        )


def scores(hits: int, hyps: int, refs: int) -> tuple[float, float, float]:
    """Precision, recall and F1 of `hyps` found starts against `refs` labelled ones
    (1.0 where there was nothing to find and nothing was found)."""
    p = hits / hyps if hyps else float(not refs)
    r = hits / refs if refs else float(not hyps)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def f1(hits: int, hyps: int, refs: int) -> float:
    return scores(hits, hyps, refs)[2]


def _stems(text: str) -> set[str]:
    return {stem(t.lower()) for t in tokens(text)}


def keeps_term(title: str, terms: tuple[str, ...]) -> bool:
    """Every word of a term, stemmed, is in the title; or the term is a run of the
    title's words written together or apart ("timescale" / "time scale", "sub-blocks"
    / "sub blocks", "GQN" / "gq n")."""
    have = _stems(title)
    return any(_stems(t) and _stems(t) <= have or _written_in(t, title) for t in terms)


def _written_in(term: str, title: str) -> bool:
    joined = "".join(re.findall(r"[a-z0-9]+", term.lower()))
    words = re.findall(r"[a-z0-9]+", title.lower())
    runs = ("".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1))
    return bool(joined) and any(_same(r, joined) for r in runs)


def _same(a: str, b: str) -> bool:
    return stem(a) == stem(b) or a.removesuffix("s") == b.removesuffix("s")


def role_reading(prep: Prepared, model) -> tuple[int, int]:
    """(labelled questions with a candidate at their start, those whose asker the role
    model reads right): the role model alone, at every labelled start."""
    picked, ys = labelled_starts(prep)
    audience = asked_by_audience(model.asking(prep.found)[picked], prep.context, model)
    return len(ys), int((audience == (ys > 0.5)).sum())


def within(rec: Recording, starts: list[float]) -> np.ndarray:
    """(hits, hypotheses, labels) of the found `starts` at each of TOLERANCES."""
    ref, neutral = [q.start for q in rec.questions], list(rec.followups)
    rows = []
    for tol in TOLERANCES:
        m = match(ref, starts, neutral, tol)
        rows.append((len(m.pairs), m.hypotheses, len(ref)))
    return np.array(rows)


def shifted(prep: Prepared, model) -> np.ndarray:
    """(hits, hypotheses, labels) with the model's offset moved by each of SHIFTS: the
    starts the planner chooses and keeps, without the rest of its plan."""
    logits = model.start_logits(prep.found)
    return np.array([counts(prep, model.moved(d), logits) for d in SHIFTS])


def profile(label: str, steps: list[str], rows: np.ndarray) -> str:
    """One line: the pooled F1, and how many starts count, at each step of a profile."""
    cells = [f"{step} {f1(*row):.3f} ({row[1]})" for step, row in zip(steps, rows, strict=True)]
    return f"  {label:26s}" + "   ".join(cells)


def score(rec: Recording, model) -> tuple[Score, list[str], list[float]]:
    t0 = time.perf_counter()
    plan = make_plan(rec.talk, model=model)
    ms = (time.perf_counter() - t0) * 1000
    qs = [s for s in plan.segments if s.kind == "question"]
    m = match([q.start for q in rec.questions], [s.start for s in qs], list(rec.followups))
    s = Score(len(m.pairs), m.hypotheses, len(rec.questions), ms=ms)
    s.pleasant = sum(is_pleasantry(q.title) for q in qs)
    misses = []
    for i, j in m.pairs:
        label, seg = rec.questions[i], qs[j]
        s.titled += keeps_term(seg.title, label.terms)
        s.roles += seg.speakers[0].role == label.asker if seg.speakers else False
        if not keeps_term(seg.title, label.terms):
            misses.append(f"    title {seg.start / 60:5.1f} m: {seg.title!r} lacks {label.terms}")
    return s, misses, [q.start for q in qs]


def head(width: int) -> str:
    """The table's heading, its first column `width` wide (the longest recording name)."""
    return (
        f"{'recording':{width}s} {'shape':9s} {'kind':12s} {'min':>4s}  ref hyp hit  prec  rec"
        "   F1  title frac  role frac  pls"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus")
    ap.add_argument("--shipped", action="store_true", help="score the shipped model (in-sample)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list titles missing a term")
    ap.add_argument("--series", action="store_true", help="hold out each show whole (its series)")
    args = ap.parse_args()
    recs = load_corpus(args.corpus, ROOT)
    if args.series:  # a show's other recordings are left out with it: a new show's figures
        recs = [replace(r, fold=r.series) for r in recs]
    preps = [prepare(r) for r in recs]
    width = max(len(r.name) for r in recs)
    pad = f"{'':9s} {'':12s} {'':4s}"  # under shape, kind and minutes in a summary row
    print(head(width))
    shapes: dict[str, Score] = defaultdict(Score)
    total = Score()
    pairs = ((p, bundled_model()) for p in preps) if args.shipped else cross_validated(preps)
    scores: dict[str, Score] = {}
    near = np.zeros((len(TOLERANCES), 3), int)
    moved = np.zeros((len(SHIFTS), 3), int)
    for prep, model in pairs:
        rec = prep.recording
        s, misses, starts = score(rec, model)
        s.asked, s.asked_right = role_reading(prep, model)
        scores[rec.name] = s
        minutes = rec.talk.duration / 60
        print(f"{rec.name:{width}s} {rec.shape:9s} {rec.captions:12s} {minutes:4.0f}  {s.row()}")
        if args.verbose:
            print("\n".join(misses))
        if not rec.original:  # a turn-marked variant is reported apart, below
            shapes[rec.shape].add(s)
            total.add(s)
            near += within(rec, starts)
            moved += shifted(prep, model)
    print()
    for shape, s in sorted(shapes.items()):
        print(f"{'shape: ' + shape:{width}s} {pad}  {s.row()}")
    print(f"{'pooled':{width}s} {pad}  {total.row()}")
    print("\npooled F1 (found starts that count), one to one:")
    print(profile("within", [f"±{t:g} s" for t in TOLERANCES], near))
    print(profile("offset moved (log-odds)", [f"{d:+g}" for d in SHIFTS], moved))
    print("\nroles read at every labelled start (the role model alone, whatever is found):")
    for name, s in [*(("shape: " + k, v) for k, v in sorted(shapes.items())), ("pooled", total)]:
        if s.asked:
            share = s.asked_right / s.asked
            print(f"  {name:42s} {s.asked_right:3d} of {s.asked:3d} ({share:.2f})")
    variants = [r for r in recs if r.original]
    if variants:
        marked, plain = Score(), Score()
        for r in variants:
            marked.add(scores[r.name])
            plain.add(scores[r.original])
        print(f"\n{len(variants)} recordings again with the source's speaker changes as >> marks:")
        print(f"{'  without marks':{width}s} {pad}  {plain.row()}")
        print(f"{'  with marks':{width}s} {pad}  {marked.row()}")
    how = "leave-one-series-out" if args.series else "leave-one-recording-out"
    how = "shipped model (in-sample)" if args.shipped else how
    print(f"\n{len(recs) - len(variants)} recordings, {how}; ±10 s, one to one")


if __name__ == "__main__":
    main()
