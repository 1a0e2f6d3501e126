"""How far two labellings of the same recordings agree: `python benchmarks/agreement.py
[--planner]`.

benchmarks/corpus/second/ holds a second, independent labelling of some corpus
recordings (made from the transcript and the labelling guide alone, without the
first labels). For each, the first labelling is the reference and the second is
scored against it as the benchmark scores the planner (±10 s, one to one, a start
on a follow-up neither right nor wrong), and the other way round. Also: askers
that agree, and the second labeller's key terms that keep one of the first's.
This is how high the planner's F1 can meaningfully go on these labels.

`--planner` also scores the planner against each labelling, with a model trained
on every other recording (leave one out), as benchmarks/segmentation.py does.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from segmentation import f1, keeps_term  # noqa: E402

from publisher.plan import make_plan  # noqa: E402
from publisher.plan.training import (  # noqa: E402
    Question,
    Recording,
    fit_model,
    load_corpus,
    match,
    prepare,
    read_labels,
)


def compare(
    first: tuple[Question, ...],
    first_follow: tuple[float, ...],
    second: tuple[Question, ...],
    second_follow: tuple[float, ...],
) -> dict[str, int]:
    """Counts for one recording: the second labelling scored against the first
    (hits, hyps: the second's questions that count), the reverse (hyps_back), and of
    the matched questions those whose askers agree and whose key terms overlap."""
    m = match([q.start for q in first], [q.start for q in second], list(first_follow))
    back = match([q.start for q in second], [q.start for q in first], list(second_follow))
    pairs = [(first[i], second[j]) for i, j in m.pairs]
    return {
        "refs": len(first),
        "refs_back": len(second),
        "hits": len(m.pairs),
        "hyps": m.hypotheses,
        "hits_back": len(back.pairs),
        "hyps_back": back.hypotheses,
        "askers": sum(a.asker == b.asker for a, b in pairs),
        "terms": sum(keeps_term(" ".join(b.terms), a.terms) for a, b in pairs),
    }


def planned(rec: Recording, others: list) -> list[float]:
    """The question starts the planner finds in `rec` with a model trained on `others`."""
    plan = make_plan(rec.talk, model=fit_model(others))
    return [s.start for s in plan.segments if s.kind == "question"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus")
    ap.add_argument("--planner", action="store_true", help="score the planner against both")
    args = ap.parse_args()
    corpus = load_corpus(args.corpus, ROOT)
    recs = {r.name: r for r in corpus}
    second = sorted((args.corpus / "second").glob("*.labels.toml"))
    preps = [prepare(r) for r in corpus] if args.planner else []  # turn-marked ones too
    total: dict[str, int] = {}
    print(
        f"{'recording':44s} {'shape':9s}  1st 2nd hit  F1 (1st ref / 2nd ref)  askers  terms"
        + ("   planner F1 vs 1st / 2nd" if args.planner else "")
    )
    for path in second:
        rec = recs[path.name.removesuffix(".labels.toml")]
        qs, follow = read_labels(tomllib.loads(path.read_text()))
        c = compare(rec.questions, rec.followups, qs, follow)
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        line = (
            f"{rec.name[:44]:44s} {rec.shape:9s}  {c['refs']:3d} {c['refs_back']:3d} {c['hits']:3d}"
            f"  {f1(c['hits'], c['hyps'], c['refs']):.2f} / "
            f"{f1(c['hits_back'], c['hyps_back'], c['refs_back']):.2f}"
            f"             {c['askers']:3d}    {c['terms']:3d}"
        )
        if args.planner:
            hyp = planned(rec, [p for p in preps if p.recording.group != rec.group])
            vs = []
            for refs, fol, key in ((rec.questions, rec.followups, "p1"), (qs, follow, "p2")):
                m = match([q.start for q in refs], hyp, list(fol))
                score = {"hits": len(m.pairs), "hyps": m.hypotheses, "refs": len(refs)}
                for k, v in score.items():
                    total[f"{key}_{k}"] = total.get(f"{key}_{k}", 0) + v
                vs.append(f1(**score))
            line += f"   {vs[0]:.2f} / {vs[1]:.2f}"
        print(line, flush=True)
    if not second:
        return
    t = total
    print(
        f"\npooled, {len(second)} recordings: {t['hits']} of {t['refs']} first-labelled "
        f"questions found by the second labelling ({t['hyps']} counted); F1 "
        f"{f1(t['hits'], t['hyps'], t['refs']):.2f} (first as reference), "
        f"{f1(t['hits_back'], t['hyps_back'], t['refs_back']):.2f} (second as reference); "
        f"askers agree {t['askers']}/{t['hits']}, key terms overlap {t['terms']}/{t['hits']}"
    )
    if args.planner:
        p1, p2 = (f1(t[f"{k}_hits"], t[f"{k}_hyps"], t[f"{k}_refs"]) for k in ("p1", "p2"))
        print(f"planner (leave one out) F1: {p1:.2f} vs the first labels, {p2:.2f} vs the second")


if __name__ == "__main__":
    main()
