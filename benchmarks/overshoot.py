"""How far an encoder's true peak overshoots the limiter (issue 15): the figures
behind publisher.audio.levels.OVERSHOOT, which decide whether a piece's peak is
read back after encoding.

    .venv/bin/python benchmarks/overshoot.py [--source SRC] [--pieces 60] [--seed 15]

Cuts --pieces stretches of 20-200 s at random from the source's decode (default:
the 42-minute benchmark source that benchmarks/audio.py makes), puts each through
the levels at the gain and ceiling a build uses (levels.levelled,
render.LIMIT_MARGIN), encodes it with every encoder of levels.OVERSHOOT, and prints
per encoder the true peak (ffmpeg ebur128, 4x oversampled) over the ceiling: mean,
spread, the five highest and the table's value for it (the most seen + 0.3 dB).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.audio.analyse import normalising_gain  # noqa: E402
from publisher.audio.decode import decode  # noqa: E402
from publisher.audio.levels import OVERSHOOT, levelled, pcm_input  # noqa: E402
from publisher.audio.m4a import _aac  # noqa: E402
from publisher.audio.render import LIMIT_MARGIN, _mp3  # noqa: E402
from publisher.audio.tools import run_ffmpeg  # noqa: E402
from publisher.model import AudioSettings  # noqa: E402


def true_peak(path: Path) -> float:
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)]
    err = subprocess.run([*cmd, "-af", "ebur128=peak=true", "-f", "null", "-"], **_TEXT).stderr
    return float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", err[err.rindex("Summary:") :])[1])


_TEXT = {"capture_output": True, "text": True}
CODECS = {"libmp3lame": _mp3, "aac": _aac}  # the output options the build encodes with


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=Path("/tmp/publisher-bench/source-42min.webm"))
    ap.add_argument("--cache", type=Path, default=Path("/tmp/publisher-bench/overshoot-cache"))
    ap.add_argument("--pieces", type=int, default=60)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    decoded = decode(args.source, args.cache)
    a, settings = decoded.analysis, AudioSettings()
    limit = 10 ** ((settings.true_peak - LIMIT_MARGIN) / 20)
    ceiling = 20 * math.log10(limit)
    gain = normalising_gain(a, settings.loudness, limit)
    print(f"{args.source.name}: gain {gain:+.2f} dB, limiter ceiling {ceiling:.2f} dBFS")
    rng = random.Random(args.seed)
    spans = []
    for _ in range(args.pieces):
        length = rng.uniform(20, 200)
        start = round(rng.uniform(0, a.duration - length) * a.rate)
        spans.append((start, start + round(length * a.rate)))

    def over(job: tuple[tuple[int, int], str, str]) -> float:
        (start, end), codec, bitrate = job
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / ("piece.mp3" if codec == "libmp3lame" else "piece.m4a")
            options = CODECS[codec](decoded, dataclasses.replace(settings, bitrate=bitrate))
            pcm = levelled(decoded, start, end, gain, limit, settings.fade_ms)
            run_ffmpeg([*pcm_input(decoded), *options, str(out)], feed=pcm)
            return true_peak(out) - ceiling

    with ThreadPoolExecutor(2) as pool:
        for codec, bitrate in OVERSHOOT:
            seen = np.array(list(pool.map(over, [(s, codec, bitrate) for s in spans])))
            print(
                f"  {codec} {bitrate}: {seen.mean():.2f} +- {seen.std():.2f} dB over the "
                f"ceiling, highest {np.sort(seen)[-5:].round(1).tolist()} "
                f"(table: {OVERSHOOT[(codec, bitrate)]}, most seen + 0.3: {seen.max() + 0.3:.1f})"
            )


if __name__ == "__main__":
    main()
