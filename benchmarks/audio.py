"""Audio speed benchmark (issue 4): our build of one talk vs one plain ffmpeg transcode.

    .venv/bin/python benchmarks/audio.py [--minutes 42] [--dir /tmp/publisher-bench]

Builds (once, cached in --dir) a source shaped like YouTube's best audio: the
bundled seed's stand-in speech as Opus in WebM, 48 kHz stereo, looped to
--minutes. Then, in one run on the same machine, times
  (a) ffmpeg -i SRC -ac 1 -ar 44100 -c:a libmp3lame -b:a 64k OUT.mp3
  (b) our build of the talk from a cold render cache (a child process, so its
      wall time includes start-up and its memory is measured alone),
and prints both, their ratio, the build's peak RSS (Python process, and the
whole process tree sampled every 20 ms) and the time of a no-op rebuild.

(b) is `build_talk`: it uses publisher.pipeline.build_talk_for_benchmark(seed,
source, cache_dir, out) when the pipeline provides it (the whole build: tags,
feeds), else publisher.audio.render_talk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "seeds" / "kvm-forum-2018" / "contributor-qa-panel.txt"
BITRATE = "64k"


def make_source(seed: Path, minutes: float, bench: Path) -> Path:
    """Stand-in speech of the seed as 48 kHz stereo Opus/WebM, looped to `minutes`."""
    from publisher.audio import synthesise_standin
    from publisher.ingest import load_talk

    target = bench / f"source-{minutes:g}min.webm"
    if not target.exists():
        speech = synthesise_standin(load_talk(seed), bench / "standin-cache")
        tmp = target.with_suffix(".tmp.webm")
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", "-1",
                        "-i", str(speech), "-t", str(minutes * 60), "-ac", "2", "-ar", "48000",
                        "-c:a", "libopus", "-b:a", "128k", str(tmp)], check=True)
        tmp.rename(target)
    return target


def fallback_plan(talk):
    """Without the planner: one segment per ~4 minutes, cut at transcript lines."""
    from publisher.model import Plan, Segment

    starts = [0.0]
    for line in talk.transcript:
        if line.start - starts[-1] >= 240 and talk.duration - line.start > 60:
            starts.append(line.start)
    ends = starts[1:] + [talk.duration]
    segs = [Segment(s, e, "question", f"Part {i}", "panel", [], [], f"yt-{talk.video_id}-{int(s):05d}")
            for i, (s, e) in enumerate(zip(starts, ends, strict=True), 1)]
    return Plan(talk.video_id, segs, transcript=talk.transcript)


def talk_plan(seed: Path):
    from publisher.ingest import load_talk

    talk = load_talk(seed)
    try:
        from publisher.plan import make_plan

        return talk, make_plan(talk, {})
    except ImportError:
        return talk, fallback_plan(talk)


def build_talk(seed: Path, source: Path, cache_dir: Path, out: Path, nudge: float = 0.0) -> dict:
    """(b): build one talk from `source`; returns what it did."""
    try:
        from publisher.pipeline import build_talk_for_benchmark
    except ImportError:
        build_talk_for_benchmark = None
    if build_talk_for_benchmark and not nudge:
        build_talk_for_benchmark(seed, source, cache_dir, out)
        return {"via": "publisher.pipeline.build_talk_for_benchmark"}
    from publisher.audio import render_talk
    from publisher.model import AudioSettings

    talk, plan = talk_plan(seed)
    if nudge:  # move one inner boundary
        i = len(plan.segments) // 2
        plan.segments[i - 1].end += nudge
        plan.segments[i].start += nudge
    render = render_talk(talk, plan, source, AudioSettings(bitrate=BITRATE), cache_dir)
    return {"via": "publisher.audio.render_talk", "encodes": render.encodes,
            "pieces": len(render.pieces), "full": render.full_duration}


def child(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    info = build_talk(args.seed, args.source, args.cache, args.out, args.nudge)
    info["wall"] = time.perf_counter() - start
    info["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info["rss_child_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(info))


def tree_rss(pid: int) -> int:
    """Resident KB of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(ln.split()[1]) for ln in f if ln.startswith("VmRSS")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def run_child(args: argparse.Namespace, source: Path, cache: Path, nudge: float = 0.0) -> dict:
    cmd = [sys.executable, __file__, "--child", "--seed", str(args.seed), "--source", str(source),
           "--cache", str(cache), "--out", str(args.dir / "public"), "--nudge", str(nudge)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    if proc.returncode:
        sys.exit(f"build failed (exit {proc.returncode})")
    info = json.loads(out.strip().splitlines()[-1])
    info["outer_wall"] = time.perf_counter() - start
    info["rss_tree_mb"] = peak[0] / 1024
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=42.5)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/publisher-bench"))
    ap.add_argument("--seed", type=Path, default=SEED)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--nudge", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    args.dir.mkdir(parents=True, exist_ok=True)
    source = make_source(args.seed, args.minutes, args.dir)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,"
                            "sample_rate,channels:format=duration", "-of", "csv=p=0", str(source)],
                           capture_output=True, text=True, check=True).stdout.split()
    print(f"source: {source} ({' '.join(probe)}), {source.stat().st_size / 1e6:.1f} MB")

    plain = args.dir / "plain.mp3"
    start = time.perf_counter()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-ac", "1",
                    "-ar", "44100", "-c:a", "libmp3lame", "-b:a", BITRATE, str(plain)], check=True)
    t_plain = time.perf_counter() - start
    print(f"(a) plain ffmpeg -> mp3 {BITRATE} mono: {t_plain:6.1f} s")

    cache = args.dir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = run_child(args, source, cache)
    print(f"(b) our build, cold cache:          {cold['outer_wall']:6.1f} s "
          f"(in-process {cold['wall']:.1f} s, via {cold['via']}, "
          f"{cold.get('pieces', '?')} pieces, {cold.get('encodes', '?')} encodes)")
    print(f"ratio (b)/(a): {cold['outer_wall'] / t_plain:.2f}  (target <= 1.0, aim 0.8)")
    print(f"peak RSS: python {cold['rss_self_mb']:.0f} MB, largest child "
          f"{cold['rss_child_mb']:.0f} MB, whole process tree {cold['rss_tree_mb']:.0f} MB "
          "(target <= 250 MB)")
    again = run_child(args, source, cache)
    print(f"no-op rebuild: {again['outer_wall']:.2f} s (in-process {again['wall']:.2f} s, "
          f"{again.get('encodes', '?')} encodes; target <= 2 s, 0 encodes)")
    moved = run_child(args, source, cache, nudge=5.0)
    print(f"one boundary moved by 5 s: {moved['outer_wall']:.2f} s, "
          f"{moved.get('encodes', '?')} encodes")
    bytes_raw = sum(p.stat().st_size for p in (cache / "render" / "decoded").glob("*.s16le"))
    print(f"render cache: {bytes_raw / 1e6:.0f} MB of decoded PCM kept for fast re-cuts")


if __name__ == "__main__":
    main()
