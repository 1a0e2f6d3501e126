"""Train the question model on the whole labelled corpus and write it into the package.

    .venv/bin/python scripts/train_planner.py [--corpus benchmarks/corpus]

Writes publisher/data/question_model.json. benchmarks/segmentation.py measures the
same training procedure with every recording held out in turn.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from publisher.plan.scorer import MODEL_PATH
from publisher.plan.training import fit_model, load_corpus, prepare

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "benchmarks" / "corpus")
    args = ap.parse_args()
    preps = [prepare(r) for r in load_corpus(args.corpus, ROOT)]
    model = fit_model(preps)
    model.save(MODEL_PATH)
    print(f"trained on {len(preps)} recordings -> {MODEL_PATH.relative_to(ROOT)}")
    print(f"offset {model.offset}, short {model.short} s, penalty {model.penalty}")


if __name__ == "__main__":
    main()
