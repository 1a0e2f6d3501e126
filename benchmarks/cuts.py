"""Where cuts land on real speech: `python benchmarks/cuts.py [--noise -50]`.

The five LibriVox clips of Debian pocketsphinx-testdata (scripts/setup.sh test) are
joined with chosen pauses under a room noise (speech/samples.py), so where the clips
speak is known; Whisper tiny.en times the words. A cut is planned in the middle of
each word in turn (one plan per word) and snapped twice: by energy alone (the cutter
before issue 17) and outside the no-go spans a build gives a transcribed talk
(speech/spans.py no_go: speech regions with words, then words). Prints, for each:
cuts inside a word (target 0), cuts outside the known pauses, how far cuts moved from
the plan, and how many moved from where energy alone put them, and by how much.
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
sys.path.insert(0, str(ROOT / "tests"))

from helpers import make_plan  # noqa: E402

from publisher.audio.decode import decode  # noqa: E402
from publisher.audio.render import plan_cuts  # noqa: E402
from publisher.speech.samples import join, librivox, pauses, with_room_noise  # noqa: E402
from publisher.speech.spans import inside, no_go, word_spans  # noqa: E402
from publisher.speech.transcribe import transcribe  # noqa: E402

GAPS = [0.8, 1.2, 0.6, 1.0]  # as tests/test_cuts_speech.py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--noise", type=float, default=-50.0, help="room noise, dBFS RMS (-50)")
    args = ap.parse_args()
    clips = [c.path for c in librivox()]
    if not clips:
        sys.exit("cuts.py: LibriVox clips missing: run scripts/setup.sh test")
    with tempfile.TemporaryDirectory() as tmp:
        clean = join(clips, GAPS, Path(tmp) / "clean.wav")
        source = with_room_noise(clean, Path(tmp) / "room.wav", args.noise)
        cache = Path(tmp) / "cache"
        heard = transcribe(source, cache)
        a = decode(source, cache).analysis
        t0 = time.perf_counter()
        tiers = no_go([], source, cache, heard)
        t1 = time.perf_counter()
        words, quiet = word_spans(heard), pauses(clips, GAPS)
        planned = [(w.start + w.end) / 2 for w in heard if (w.start + w.end) / 2 > 0.5]

        def cut(t: float, spans: list) -> float:
            plan = make_plan((t,), duration=a.duration)
            return plan_cuts(plan, a, source, spans)[1].start / a.rate

        t2 = time.perf_counter()
        energy = [cut(t, []) for t in planned]
        t3 = time.perf_counter()
        spared = [cut(t, tiers) for t in planned]
        t4 = time.perf_counter()
    print(f"input: {a.duration:.1f} s, {len(clips)} LibriVox clips, pauses {GAPS} s, room "
          f"noise {args.noise:g} dBFS; {len(heard)} words; {len(planned)} cuts planned, "
          f"each mid-word")  # fmt: skip
    for name, cuts in (("energy only", energy), ("no-go spans", spared)):
        in_word = sum(inside(t, words) is not None for t in cuts)
        astray = sum(not any(lo < t < hi for lo, hi in quiet) for t in cuts)
        away = [abs(c - p) for c, p in zip(cuts, planned, strict=True)]
        print(f"{name}: {in_word} inside a word, {astray} outside the known pauses; "
              f"moved from the plan: mean {statistics.mean(away):.2f} s, "
              f"max {max(away):.2f} s")  # fmt: skip
    moved = [abs(s - e) for s, e in zip(spared, energy, strict=True) if abs(s - e) > 0.005]
    if moved:
        print(f"moved by the spans: {len(moved)} of {len(planned)} cuts, by mean "
              f"{statistics.mean(moved):.2f} s, median {statistics.median(moved):.2f} s, "
              f"max {max(moved):.2f} s")  # fmt: skip
    print(f"time: no-go spans {1000 * (t1 - t0):.0f} ms (VAD), snapping {len(planned)} cuts "
          f"{1000 * (t4 - t3):.1f} ms (energy only {1000 * (t3 - t2):.1f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
