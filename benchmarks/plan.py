"""Time planning the bundled 42-minute panel: `python benchmarks/plan.py [SEED] [--runs N]`.

Prints the wall time of make_plan (the target is under 1 s), and for context
the time to parse the seed and to save and load the plan file. Then the whole
job in a fresh process, as a build's worker does it: start Python, import, load
the question model and the embeddings, parse and plan (target: 2 s for a
60-minute talk), with that process's peak RSS (target: 300 MB).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
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
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:  # the fresh process: plan once, report peak memory
        make_plan(load_talk(Path(args.seed)), load_show(ROOT / "feeds" / "kvm-forum.toml").glossary)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
        return
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
    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, str(args.seed), "--once"]
    rss = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()[-1]
    fresh = time.perf_counter() - t0
    print(
        f"fresh process:       {fresh * 1000:7.1f} ms   (start, imports, models, parse, plan;"
        f" {minutes:.0f} min talk), peak RSS {rss} MB"
    )


if __name__ == "__main__":
    main()
