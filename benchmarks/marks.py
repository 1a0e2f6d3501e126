"""How right must heard speaker changes be to help? `python benchmarks/marks.py`.

The corpus recordings whose source names its speakers are planned again with their
turns (`<slug>.turns.tsv`) spoiled as a diarizer (`--voices`) spoils them: turns
missed, false turns (a random caption line made a turn, by one of the recording's
speakers), and turns given the wrong voice. Each show is held out whole, as in
`segmentation.py --series`; the models are trained on the corpus as it is. Printed:
F1 of the question starts at ±10 s, one to one, pooled over those recordings, for
their captions alone, their source's marks, and each kind and size of error (every
spoiled row averaged over SEEDS draws).
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmentation import f1  # noqa: E402

from publisher.plan.corpus_turns import marked_talk, read_turns, spoiled  # noqa: E402
from publisher.plan.training import (  # noqa: E402
    Prepared,
    Wording,
    counts,
    fit_model,
    load_corpus,
    prepare,
)

CORPUS = ROOT / "benchmarks" / "corpus"
SEEDS = 2
# (share of turns missed, false turns per minute, share of turns given another voice)
ERRORS = (
    (0.2, 0.0, 0.0),
    (0.4, 0.0, 0.0),
    (0.0, 0.5, 0.0),
    (0.0, 1.0, 0.0),
    (0.0, 2.0, 0.0),
    (0.0, 0.0, 0.2),
    (0.0, 0.0, 0.4),
    (0.2, 0.5, 0.2),
    (0.4, 2.0, 0.3),
)


_CORPUS: dict[str, tuple[list[Prepared], Wording]] = {}  # main's, inherited by fork


def _held_out(show: str) -> dict[str, np.ndarray]:
    """Counts (hits, starts, labels) of one held-out show's marked recordings."""
    preps, wording = _CORPUS["preps"]
    model = fit_model([p for p in preps if p.recording.group != show], wording)
    byname = {p.recording.name: p for p in preps}
    got: dict[str, np.ndarray] = {}

    def add(row: str, prep: Prepared) -> None:
        got[row] = got.get(row, 0) + counts(prep, model, model.start_logits(prep.found))

    for marked in [p for p in preps if p.recording.group == show and p.recording.original]:
        plain = byname[marked.recording.original]
        add("captions alone", plain)
        add("the source's marks", marked)
        seed = CORPUS / f"{plain.recording.name}.txt"
        turns = read_turns(CORPUS / f"{plain.recording.name}.turns.tsv")
        lines = seed.read_text().split("\n")
        for error in ERRORS:
            for n in range(SEEDS):
                wrong = spoiled(turns, lines, plain.recording.talk, error, n)
                talk, _ = marked_talk(seed, plain.recording.talk, wrong)
                add(_label(error), prepare(replace(marked.recording, talk=talk)))
    return got


def _label(error: tuple) -> str:
    missed, false, wrong = error
    parts = [f"{missed:.0%} missed"] if missed else []
    parts += [f"{false:g} false/min"] if false else []
    parts += [f"{wrong:.0%} wrong voice"] if wrong else []
    return ", ".join(parts)


def main() -> None:
    recs = [replace(r, fold=r.series) for r in load_corpus(CORPUS, ROOT)]
    preps = [prepare(r) for r in recs]
    _CORPUS["preps"] = preps, Wording.of(preps)  # read by the forked workers, not pickled (0.5 GB)
    shows = sorted({p.recording.group for p in preps if p.recording.original})
    total: dict[str, np.ndarray] = {}
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        for got in pool.map(_held_out, shows):
            for row, c in got.items():
                total[row] = total.get(row, 0) + c
    marked = sum(1 for p in preps if p.recording.original)
    print(f"{marked} recordings whose source names its speakers, {len(shows)} shows held out")
    print(f"{'speaker changes':44s} {'F1':>5s}  found / starts / questions")
    for row, (hits, hyps, refs) in total.items():
        draws = 1 if row in ("captions alone", "the source's marks") else SEEDS
        score = f1(hits, hyps, refs)  # of the draws' sums: their pooled F1
        hits, hyps, refs = hits / draws, hyps / draws, refs / draws
        print(f"{row:44s} {score:5.3f}  {hits:5.1f} / {hyps:5.1f} / {refs:.0f}")


if __name__ == "__main__":
    main()
