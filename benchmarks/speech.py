"""Transcription on real speech: `python benchmarks/speech.py [--minutes 42]`.

The input is Debian pocketsphinx-testdata's five LibriVox clips (scripts/setup.sh
test installs them) joined with pauses, looped to `--minutes` of audio. A child
process decodes it, runs Silero VAD, then faster-whisper tiny.en with word
timestamps (publisher/speech/, no transcript cache), while this process samples the
child's process tree's memory. Prints, against issue 17's targets:

- VAD and diarization real-time factors (target together <= 0.05),
- speaker time labelled right on the built real-voice panel and pyannote's sample
  call (target >= 90%; speech/panel.py),
- transcription real-time factor, VAD included (target <= 0.1 on 2 cores),
- WER against the clips' transcripts (target <= 5%), on the whole looped input,
- peak RSS of the process tree (target <= 600 MB).

The loop repeats the same 30 s, so the WER is of those five sentences, many times.
Figures on a shared machine are noisy: the CPU other processes used is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _measure import run_measured  # noqa: E402

from publisher.audio.tools import tool  # noqa: E402
from publisher.speech.samples import join, librivox  # noqa: E402

GAPS = [1.0, 2.0, 0.5, 1.5, 1.2]  # after each clip, the last one too (the loop's seam)


def child(source: Path, model: str) -> None:
    """Decode, VAD, transcribe: print the timings and the words as JSON."""
    from publisher.speech.pcm import RATE, read_pcm
    from publisher.speech.transcribe import transcribe_samples
    from publisher.speech.vad import speech_in
    from publisher.speech.voices import diarize

    t0 = time.perf_counter()
    samples = read_pcm(source)
    t1 = time.perf_counter()
    regions = speech_in(samples)
    t2 = time.perf_counter()
    turns = diarize(samples, regions, None)
    t3 = time.perf_counter()
    words = transcribe_samples(samples, model)  # runs the VAD again, as a build does
    t4 = time.perf_counter()
    print(json.dumps({
        "seconds": len(samples) / RATE, "decode": t1 - t0, "vad": t2 - t1,
        "voices": t3 - t2, "clusters": len({t.cluster for t in turns}),
        "transcribe": t4 - t3, "regions": len(regions), "words": [w.text for w in words],
    }))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=5.0, help="length of the input (5)")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.model)
    clips = librivox()
    if not clips:
        sys.exit("speech.py: LibriVox clips missing: run scripts/setup.sh test")
    with tempfile.TemporaryDirectory() as tmp:
        once = join([c.path for c in clips], GAPS, Path(tmp) / "once.wav")
        loops = max(1, math.ceil(args.minutes * 60 / _seconds(once)))
        source = Path(tmp) / "long.wav"
        subprocess.run([tool("ffmpeg"), "-v", "error", "-stream_loop", str(loops - 1),
                        "-i", str(once), "-c", "copy", str(source)], check=True)  # fmt: skip
        run = run_measured([sys.executable, __file__, "--child", str(source),
                            "--model", args.model])  # fmt: skip
    if run.returncode:
        sys.exit(f"speech.py: the child failed ({run.returncode})")
    got = json.loads(run.stdout.strip().splitlines()[-1])
    from publisher.speech.score import wer

    said = " ".join(c.text for c in clips * loops)
    length = got["seconds"]
    print(f"input: {length / 60:.1f} min of LibriVox ({loops} x {len(clips)} clips), "
          f"model {args.model}, {got['regions']} speech regions")  # fmt: skip
    print(f"decode: {got['decode']:.1f} s")
    vad, voices = got["vad"], got["voices"]
    print(f"VAD: {vad:.1f} s, RTF {vad / length:.4f}")
    print(f"diarization (windows, embeddings, clusters): {voices:.1f} s, RTF "
          f"{voices / length:.4f}, {got['clusters']} voice(s) found (1 reader)")  # fmt: skip
    print(f"VAD + diarization: RTF {(vad + voices) / length:.4f} (target <= 0.05)")
    for name, (right, recall, precision) in voice_accuracy().items():
        print(f"speaker time labelled right, {name}: {right:.1%} (target >= 90%)")
        print(f"voice changes found within 1 s, {name}: recall {recall:.0%}, "
              f"precision {precision:.0%} (see benchmarks/marks.py)")  # fmt: skip
    print(f"transcription (VAD + Whisper, word times): {got['transcribe']:.1f} s, "
          f"RTF {got['transcribe'] / length:.3f} (target <= 0.1)")  # fmt: skip
    print(f"WER: {wer([(said, ' '.join(got['words']))]):.1%} (target <= 5%)")
    print(f"peak RSS of the tree: {run.rss_mb:.0f} MB (target <= 600): {run.peak_summary()}")
    print(f"wall {run.wall:.1f} s, CPU {run.cpu:.1f} s, {run.per_core():.0%} of 2 cores; "
          f"other processes used {run.others:.1f} CPU s meanwhile")  # fmt: skip


def voice_accuracy() -> dict[str, tuple[float, float, float]]:
    """Speaker time labelled right, and the recall and precision of the voice changes
    found, on the built panel (4 real voices, told 4+1 as a seed's people would) and
    on pyannote's sample call (told 2 voices)."""
    from publisher.speech.panel import build_panel, pyannote_sample
    from publisher.speech.pcm import read_pcm
    from publisher.speech.score import changes_found, speaker_time_right
    from publisher.speech.vad import speech_in
    from publisher.speech.voices import diarize

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "built panel": (build_panel(Path(tmp)), 5),
            "pyannote sample": (pyannote_sample(), 2),
        }
        for name, (found, count) in cases.items():
            if found is None:
                sys.exit(f"speech.py: the {name}'s voices are missing: run scripts/setup.sh test")
            samples = read_pcm(found[0])
            turns = diarize(samples, speech_in(samples), count)
            truth = [(t.start, t.end, t.voice) for t in found[1]]
            heard = [(t.start, t.end, t.cluster) for t in turns]
            out[name] = (speaker_time_right(truth, heard), *changes_found(truth, heard))
    return out


def _seconds(path: Path) -> float:
    out = subprocess.run([tool("ffprobe"), "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(path)], capture_output=True, text=True)  # fmt: skip
    return float(out.stdout)


if __name__ == "__main__":
    main()
