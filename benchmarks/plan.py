"""Time planning the bundled 42-minute panel: `python benchmarks/plan.py [SEED] [--runs N]`.

Prints the wall time of make_plan (the target is under 1 s), and for context
the time to parse the seed and to save and load the plan file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.ingest import load_talk  # noqa: E402
from publisher.plan import make_plan  # noqa: E402
from publisher.plan.planfile import load_plan, save_plan  # noqa: E402
from publisher.show import load_show  # noqa: E402


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "seed", nargs="?", default=ROOT / "seeds/kvm-forum-2018/contributor-qa-panel.txt"
    )
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    glossary = load_show(ROOT / "feeds" / "kvm-forum.toml").glossary
    t0 = time.perf_counter()
    talk = load_talk(Path(args.seed))
    parse = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = make_plan(talk, glossary)
    cold = time.perf_counter() - t0
    warm, plan = timed(lambda: make_plan(talk, glossary), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "talk.plan.toml"
        save, _ = timed(lambda: save_plan(plan, path, talk), args.runs)
        load, _ = timed(lambda: load_plan(path, talk, glossary), args.runs)
    minutes = talk.duration / 60
    questions = sum(s.kind == "question" for s in first.segments)
    print(f"talk: {talk.title} ({minutes:.1f} min, {len(talk.transcript)} lines)")
    print(f"parse seed:          {parse * 1000:7.1f} ms")
    print(f"make_plan (first):   {cold * 1000:7.1f} ms   (includes imports warming up)")
    print(
        f"make_plan (median):  {warm * 1000:7.1f} ms   target < 1000 ms -> "
        f"{'OK' if warm < 1 else 'SLOW'}"
    )
    print(f"save plan file:      {save * 1000:7.1f} ms")
    print(f"load plan file:      {load * 1000:7.1f} ms   (re-corrects the transcript)")
    print(f"segments: {len(first.segments)} ({questions} questions)")


if __name__ == "__main__":
    main()
