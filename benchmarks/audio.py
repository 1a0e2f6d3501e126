"""Audio speed benchmark (issue 4): our build of one talk vs one plain ffmpeg transcode.

    .venv/bin/python benchmarks/audio.py [--minutes 42] [--dir /tmp/publisher-bench]

Builds (once, cached in --dir) a source shaped like YouTube's best audio: the
bundled seed's stand-in speech as Opus in WebM, 48 kHz stereo, looped to
--minutes; past the seed's length its captions are looped with it (a longer
seed in --dir), so the talk is planned and cut over the whole source. Then, in
one run on the same machine, times
  (a) ffmpeg -i SRC -ac 1 -ar 44100 -c:a libmp3lame -b:a 64k OUT.mp3
  (b) our build of the talk from a cold render cache (a child process, so its
      wall time includes start-up and its memory is measured alone),
and prints both, their ratio, the build's peak RSS (Python process, and the
whole process tree sampled every 20 ms) and the time of a no-op rebuild.

(b) is `whole_build`: the seed built as a one-talk show by publisher.pipeline.build
(plan, audio, tags, feeds, site) from the source, linked in as its cached download.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _measure import run_measured  # noqa: E402  (benchmarks/, the script's folder)

SEED = ROOT / "seeds" / "kvm-forum-2018" / "contributor-qa-panel.txt"
BITRATE = "64k"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_source(seed: Path, minutes: float, bench: Path) -> tuple[Path, Path]:
    """Stand-in speech of the seed as 48 kHz stereo Opus/WebM looped to `minutes`, and
    the seed with its captions looped alike (the seed itself if it is long enough)."""
    from publisher.audio import synthesise_standin
    from publisher.ingest import load_talk

    speech = synthesise_standin(load_talk(seed), bench / "standin-cache")
    target = bench / f"source-{minutes:g}min.webm"
    if not target.exists():
        tmp = target.with_suffix(".tmp.webm")
        loop = ["-stream_loop", "-1", "-i", str(speech), "-t", str(minutes * 60)]
        ffmpeg(*loop, "-ac", "2", "-ar", "48000", "-c:a", "libopus", "-b:a", "128k", str(tmp))
        tmp.rename(target)
    return target, looped_seed(seed, speech, minutes, bench)


STAMP = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)")


def looped_seed(seed: Path, speech: Path, minutes: float, bench: Path) -> Path:
    """The seed with its caption blocks repeated every length of `speech` up to `minutes`."""
    probe = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    period = float(subprocess.run([*probe, str(speech)], capture_output=True, text=True).stdout)
    if minutes * 60 <= period + 1:
        return seed
    head, rest = seed.read_text().split("Captions: \n", 1)
    captions, tail = rest.split("\nYouTube URL:", 1)
    blocks = [b.strip("\t\n") for b in captions.split("\n\n") if STAMP.search(b)]

    def shifted(block: str, by: float) -> str | None:
        t = [int(x) for x in STAMP.search(block).groups()]
        start = t[0] * 3600 + t[1] * 60 + t[2] + t[3] / 1000 + by
        end = t[4] * 3600 + t[5] * 60 + t[6] + t[7] / 1000 + by
        if end > minutes * 60:
            return None
        stamp = f"{_srt(start)} --> {_srt(end)}"
        return STAMP.sub(stamp, block, count=1)

    looped = []
    for k in range(math.ceil(minutes * 60 / period)):
        looped += [b for b in (shifted(b, k * period) for b in blocks) if b]
    target = bench / f"{seed.stem}-{minutes:g}min.txt"
    text = f"{head}Captions: \n\t" + "\n\n".join(looped) + "\n\nYouTube URL:" + tail
    target.write_text(text)
    return target


def _srt(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def fallback_plan(talk):
    """Without the planner: one segment per ~4 minutes, cut at transcript lines."""
    from publisher.model import Plan, Segment

    starts = [0.0]
    for line in talk.transcript:
        if line.start - starts[-1] >= 240 and talk.duration - line.start > 60:
            starts.append(line.start)
    ends = starts[1:] + [talk.duration]
    guid = f"yt-{talk.video_id}-"
    segs = [
        Segment(s, e, "question", f"Part {i}", "panel", [], [], f"{guid}{int(s):05d}")
        for i, (s, e) in enumerate(zip(starts, ends, strict=True), 1)
    ]
    return Plan(talk.video_id, segs, transcript=talk.transcript)


def talk_plan(seed: Path):
    """The talk and its plan, made by the planner when there is one."""
    from publisher.ingest import load_talk

    talk = load_talk(seed)
    try:
        from publisher.plan import make_plan
    except ImportError:
        return talk, fallback_plan(talk)
    return talk, make_plan(talk, {})


def whole_build(seed: Path, source: Path, cache_dir: Path, out: Path):
    """The whole build (plan, audio, tags, feeds, site) of one seed from a local source file.

    The source is linked in as the talk's cached download; the seed is copied
    into `out` so its plan file is written there, not beside the original.
    """
    from publisher.ingest import load_talk
    from publisher.pipeline import Options, build
    from publisher.show import Show, podcast_guid

    talk = load_talk(seed)
    cached = cache_dir / "audio" / f"{talk.video_id}{source.suffix}"
    cached.parent.mkdir(parents=True, exist_ok=True)
    if not cached.exists():
        os.symlink(source.resolve(), cached)
    work = out / "seeds"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed, work / seed.name)
    show = Show(
        path=out / "bench.toml",
        slug="bench",
        title="Benchmark",
        description="Benchmark build",
        author="publisher",
        owner_name="publisher",
        owner_email="bench@example.org",
        language="en",
        category="Technology",
        subcategory="",
        base_url="http://localhost/bench/",
        seeds=[work / seed.name],
        podcast_guid=podcast_guid("localhost/bench/feed.xml"),
    )
    result = build(show, Options(out=out / "public", cache_dir=cache_dir))
    if result.errors:
        raise result.errors[0]
    return result


def build_talk(
    seed: Path, source: Path, cache_dir: Path, out: Path, planned: Path, render_only: bool = False
) -> dict:
    """(b): build one talk from `source`; returns what it did."""
    if not render_only:
        result = whole_build(seed, source, cache_dir, out)
        return {
            "via": "publisher build (plan, audio, tags, feeds, site)",
            "encodes": result.encodes,
            "pieces": sum(len(t.render.pieces) for t in result.tasks if t.render),
        }
    from publisher.audio import render_talk
    from publisher.model import AudioSettings

    talk, plan = pickle.loads(planned.read_bytes())
    render = render_talk(talk, plan, source, AudioSettings(bitrate=BITRATE), cache_dir)
    return {
        "via": "publisher.audio.render_talk",
        "encodes": render.encodes,
        "pieces": len(render.pieces),
    }


def child(args: argparse.Namespace) -> None:
    start = time.perf_counter()
    info = build_talk(args.seed, args.source, args.cache, args.out, args.planned, args.render_only)
    info["wall"] = time.perf_counter() - start
    info["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(info))


def run_child(
    args: argparse.Namespace, source: Path, cache: Path, planned: Path, render_only: bool = False
) -> dict:
    paths = ["--source", str(source), "--cache", str(cache), "--planned", str(planned)]
    paths += ["--render-only"] if render_only else []
    cmd = [sys.executable, __file__, "--child", "--seed", str(args.seed), *paths]
    run = run_measured([*cmd, "--out", str(args.dir / "public")])
    if run.returncode:
        sys.exit(f"build failed (exit {run.returncode})")
    info = json.loads(run.stdout.strip().splitlines()[-1])
    info["outer_wall"] = run.wall
    info["rss_tree_mb"], info["pss_tree_mb"] = run.rss_mb, run.pss_mb
    info["at_peak"] = run.peak_summary()
    return info


def nudged(planned: Path, args: argparse.Namespace, seconds: float) -> Path:
    """Move one inner boundary in the build's plan file (as an organiser would)."""
    from publisher.ingest import load_talk
    from publisher.plan.planfile import load_plan, plan_path, save_plan

    seed = args.dir / "public" / "seeds" / args.seed.name
    talk, path = load_talk(seed), plan_path(seed)
    plan = load_plan(path, talk)
    i = len(plan.segments) // 2
    plan.segments[i - 1].end += seconds
    plan.segments[i].start += seconds
    save_plan(plan, path, talk)
    return planned


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=42.5)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/publisher-bench"))
    ap.add_argument("--seed", type=Path, default=SEED)
    ap.add_argument("--repeat", type=int, default=3, help="(a)/(b) pairs to run")
    for hidden in ("--source", "--cache", "--out", "--planned"):
        ap.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--render-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    args.dir.mkdir(parents=True, exist_ok=True)
    source, args.seed = make_source(args.seed, args.minutes, args.dir)
    cache = args.dir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    planned = args.dir / "plan.pickle"
    planned.write_bytes(pickle.dumps(talk_plan(args.seed)))
    show = "stream=codec_name,sample_rate,channels:format=duration"
    probe = ["ffprobe", "-v", "error", "-show_entries", show, "-of", "csv=p=0", str(source)]
    shape = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.split()
    print(f"source: {source} ({' '.join(shape)}), {source.stat().st_size / 1e6:.1f} MB")
    print(f"seed: {args.seed}")

    mp3 = ["-ac", "1", "-ar", "44100", "-c:a", "libmp3lame", "-b:a", BITRATE]
    ratios = []
    for n in range(1, args.repeat + 1):  # alternate (a) and (b): other load hits both alike
        start = time.perf_counter()
        ffmpeg("-i", str(source), *mp3, str(args.dir / "plain.mp3"))
        t_plain = time.perf_counter() - start
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(args.dir / "public", ignore_errors=True)  # no published talk to relink
        cold = run_child(args, source, cache, planned)
        ratios.append(cold["outer_wall"] / t_plain)
        print(
            f"run {n}: (a) plain ffmpeg -> mp3 {BITRATE} mono {t_plain:5.1f} s | "
            f"(b) our build, cold cache {cold['outer_wall']:5.1f} s "
            f"(via {cold['via']}, {cold.get('pieces', '?')} pieces, "
            f"{cold.get('encodes', '?')} encodes) | ratio {ratios[-1]:.2f} | "
            f"peak memory: python RSS {cold['rss_self_mb']:.0f} MB, process tree "
            f"RSS {cold['rss_tree_mb']:.0f} MB / PSS {cold['pss_tree_mb']:.0f} MB "
            f"(at peak: {cold['at_peak']})"
        )
    print(
        f"ratio (b)/(a): median {statistics.median(ratios):.2f}, best {min(ratios):.2f} "
        f"(target <= 1.0, aim 0.8); peak memory target <= 250 MB"
    )
    again = run_child(args, source, cache, planned)
    print(
        f"no-op rebuild: {again['outer_wall']:.2f} s (in-process {again['wall']:.2f} s, "
        f"{again.get('encodes', '?')} encodes; target <= 2 s, 0 encodes)"
    )
    moved = run_child(args, source, cache, nudged(planned, args, 5.0))
    print(
        f"one boundary moved by 5 s: {moved['outer_wall']:.2f} s, "
        f"{moved.get('encodes', '?')} encodes"
    )
    raw = sum(p.stat().st_size for p in (cache / "render" / "decoded").glob("*.s16le"))
    print(f"render cache keeps {raw / 1e6:.0f} MB of decoded PCM for fast re-cuts")


if __name__ == "__main__":
    main()
