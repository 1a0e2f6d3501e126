"""Audio speed benchmark (issues 4, 15): our build of one talk vs the fastest plain
ffmpeg transcode to the same MP3 (64 kbps mono 44.1 kHz).

    .venv/bin/python benchmarks/audio.py [--minutes 42] [--repeat 3] [--dir /tmp/publisher-bench]

Builds (once, cached in --dir) a source shaped like YouTube's best audio: the
bundled seed's stand-in speech over a room's noise floor (--room-tone: pink
noise at -54 dBFS; 'off' leaves the stand-in's digital silence), as Opus in WebM,
48 kHz stereo, looped to --minutes (180: a full conference day); past the seed's
length its captions are looped with it, short of it they stop with it (a seed of
that length in --dir), so the talk is planned and cut over the whole source.
Then, in one run on the same machine, times
  - the naive plain command (ffmpeg -i SRC -ac 1 -ar 44100 -c:a libmp3lame -b:a 64k),
    once, and the other plain commands in PLAIN once each; the fastest is (a);
  - (a) and (b), our build of the talk from a cold render cache (a child process,
    so its wall time includes start-up and its memory is measured alone), in turns,
and prints their ratio (and its floor: the build's CPU time spread over both
cores, over (a)'s wall time), the build's peak RSS (Python process, and the whole
process tree sampled every 20 ms), its CPU time per core (user+sys of the tree /
wall / 2), where its wall time goes stage by stage (with each stage's CPU time:
cores busy = CPU / wall, by the build's own processes (a child counts once it is
waited for) and by the whole machine), the loudness and true peak (ffmpeg ebur128) of every
piece and of the full episode, the time of a no-op rebuild and the encodes of a
rebuild with one boundary moved.

(b) is `whole_build`: the seed built as a one-talk show by publisher.pipeline.build
(plan, audio, tags, feeds, site) from the source, linked in as its cached download.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _measure import Stages, machine_cpu, peak_rss_mb, run_measured, tree_cpu  # noqa: E402  (benchmarks/, the script's folder)

SEED = ROOT / "seeds" / "kvm-forum-2018" / "contributor-qa-panel.txt"
BITRATE = "64k"
MONO = "pan=mono|c0=0.5*c0+0.5*c1"  # the source is stereo: downmix first, then resample
NAIVE = ["-ac", "1", "-ar", "44100"]  # resamples both channels, then downmixes
PLAIN = {  # the same MP3 by one ffmpeg command; measured: the fastest is the bar
    "pan, swr": ["-af", f"{MONO},aresample=44100"],
    "pan, soxr": ["-af", f"{MONO},aresample=44100:resampler=soxr"],
    "pan, swr, -threads 1": ["-threads", "1", "-af", f"{MONO},aresample=44100"],
}


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_source(seed: Path, minutes: float, bench: Path, tone: float | None) -> tuple[Path, Path]:
    """Stand-in speech of the seed as 48 kHz stereo Opus/WebM looped to `minutes`, over
    pink-noise room tone at `tone` dBFS (None: none), and the seed with its captions
    looped alike (the seed itself if it is long enough)."""
    from publisher.audio import synthesise_standin
    from publisher.ingest import load_talk

    speech = synthesise_standin(load_talk(seed), bench / "standin-cache")
    named = "" if tone is None else f"-tone{tone:g}"
    target = bench / f"source-{minutes:g}min{named}.webm"
    if not target.exists():
        tmp = target.with_suffix(".tmp.webm")
        loop = ["-stream_loop", "-1", "-i", str(speech), "-t", str(minutes * 60)]
        mix = [] if tone is None else ["-filter_complex", ROOM_TONE.format(level=10 ** (tone / 20))]
        out = ["-ac", "2", "-ar", "48000", "-c:a", "libopus", "-b:a", "128k", str(tmp)]
        ffmpeg(*loop, *mix, *out)
        tmp.rename(target)
    return target, looped_seed(seed, speech, minutes, bench)


# Real recordings never fall to digital silence: a room's noise floor runs under the
# speech. The stand-in has none (its pauses are exact zeros, a quarter to a third of
# the talk, in runs of up to 40 s), and on exact zeros ffmpeg's IIR filters (swr's
# resampler in the naive command, our decode's high-pass) slow down several-fold:
# their state decays into denormal floats.
ROOM_TONE = (
    "anoisesrc=color=pink:amplitude={level}:sample_rate=48000:seed=1,"
    "aformat=channel_layouts=stereo[tone];"
    "[0:a]aresample=48000,aformat=channel_layouts=stereo[speech];"
    "[speech][tone]amix=inputs=2:duration=first:normalize=0"
)


STAMP = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)")


def looped_seed(seed: Path, speech: Path, minutes: float, bench: Path) -> Path:
    """The seed with its caption blocks repeated every length of `speech` up to `minutes`
    (or only those said in the first `minutes`, for a shorter source)."""
    probe = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    period = float(subprocess.run([*probe, str(speech)], capture_output=True, text=True).stdout)
    if abs(minutes * 60 - period) <= 1:
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


def stage_build(seed: Path, source: Path, video_id: str, cache_dir: Path, out: Path) -> None:
    """Set up the one-talk show (b) builds, in the parent, untimed: the source is linked
    in as the talk's cached download, and the seed is copied into `out` so its plan
    file is written there, not beside the original."""
    cached = cache_dir / "audio" / f"{video_id}{source.suffix}"
    cached.parent.mkdir(parents=True, exist_ok=True)
    if not cached.exists():
        os.symlink(source.resolve(), cached)
    work = out / "seeds"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(seed, work / seed.name)
    show_file = out / "bench.toml"  # publishing pins each feed's guid in it
    if not show_file.exists():
        show_file.write_text(SHOW.format(seed=seed.name, bitrate=BITRATE))


def whole_build(cache_dir: Path, out: Path):
    """The whole build (plan, audio, tags, feeds, site) of the show stage_build set up:
    what `publisher build` does, and nothing more (the seed is read by the build)."""
    from publisher.pipeline import Options, build
    from publisher.show import load_show

    result = build(load_show(out / "bench.toml"), Options(out=out / "public", cache_dir=cache_dir))
    if result.errors:
        raise result.errors[0]
    return result


SHOW = """[show]
title = "Benchmark"
description = "Benchmark build"
author = "publisher"
owner_name = "publisher"
owner_email = "bench@example.org"
language = "en"
category = "Technology"
base_url = "http://localhost/bench/"
seeds = ["seeds/{seed}"]

[audio]
bitrate = "{bitrate}"
channels = 1
"""


def build_talk(
    seed: Path, source: Path, cache_dir: Path, out: Path, planned: Path, render_only: bool = False
) -> dict:
    """(b): build one talk from `source`; returns what it did."""
    if not render_only:
        result = whole_build(cache_dir, out)
        return {
            "via": "publisher build (plan, audio, tags, feeds, site)",
            "encodes": result.encodes,
            "pieces": sum(len(t.render.pieces) for t in result.tasks if t.render),
            "files": [str(p) for t in result.tasks if t.render for p in _files(t.render)],
        }
    from publisher.audio import render_talk
    from publisher.model import AudioSettings

    talk, plan = pickle.loads(planned.read_bytes())
    render = render_talk(talk, plan, source, AudioSettings(bitrate=BITRATE), cache_dir)
    return {
        "via": "publisher.audio.render_talk",
        "encodes": render.encodes,
        "pieces": len(render.pieces),
        "files": [str(p) for p in _files(render)],
    }


def _files(render) -> list[Path]:
    """The rendered pieces, then the full episode."""
    return [*(p.path for p in render.pieces), render.full]


def timed(clock: Stages) -> None:
    """Log the build's stages, and the audio steps inside them, on `clock`."""
    from publisher import apart, audio
    from publisher.audio import render
    from publisher.pipeline import session, stages

    session.TALK_STAGES = tuple(clock.wrap(session, s.__name__) for s in _bound(session))
    clock.wrap(session.Build, "_publish", "publish (records, feeds, site, swap)")
    clock.wrap(session, "prune_decoded")
    clock.wrap(audio, "silences", "decode + analysis (silences)")
    clock.wrap(stages, "talk_art", "cover and thumbnails")
    clock.wrap(apart.Apart, "result", "planner apart (left after the decode)")
    clock.wrap(render, "decode", "decode (cached: the analysis)")
    clock.wrap(render, "_encode_all", "encodes")
    clock.wrap(render, "_concat", "join (stream copy)")


def _bound(session):
    """The talk stages, each set as a module attribute so Stages.wrap can replace it."""
    for stage in session.TALK_STAGES:
        setattr(session, stage.__name__, stage)
        yield stage


def child(args: argparse.Namespace) -> None:
    start, busy = time.perf_counter(), machine_cpu()
    clock = Stages()
    import publisher.pipeline  # noqa: F401  (timed: a build imports it too)

    imports = time.perf_counter() - start, tree_cpu(), 0.0, machine_cpu() - busy
    clock.log.append(("imports", 0.0, *imports))
    timed(clock)  # the planner: in its stage (plan_talk), or apart (Apart.result)
    info = build_talk(args.seed, args.source, args.cache, args.out, args.planned, args.render_only)
    info["wall"] = time.perf_counter() - start
    info["stages"] = clock.rows()
    info["rss_self_mb"] = peak_rss_mb()
    print(json.dumps(info))


def run_child(
    args: argparse.Namespace, source: Path, cache: Path, planned: Path, render_only: bool = False
) -> dict:
    paths = ["--source", str(source), "--cache", str(cache), "--planned", str(planned)]
    paths += ["--render-only"] if render_only else []
    cmd = [sys.executable, __file__, "--child", "--seed", str(args.seed), *paths]
    if not render_only:
        talk, _ = pickle.loads(planned.read_bytes())
        stage_build(args.seed, source, talk.video_id, cache, args.dir / "public")
    run = run_measured([*cmd, "--out", str(args.dir / "public")], env=installed())
    if run.returncode:
        sys.exit(f"build failed (exit {run.returncode})")
    info = json.loads(run.stdout.strip().splitlines()[-1])
    info["outer_wall"] = run.wall
    info["rss_tree_mb"], info["pss_tree_mb"] = run.rss_mb, run.pss_mb
    info["at_peak"] = run.peak_summary()
    info["cpu"], info["per_core"] = run.cpu, run.per_core()
    info["others"] = run.others / run.wall  # cores other processes kept busy meanwhile
    return info


def cli_rebuild(args: argparse.Namespace, cache: Path) -> float:
    """Wall seconds of the show stage_build set up, built again as a user builds it
    (`publisher build`, no stage timers): the median of three."""
    out = args.dir / "public"
    cmd = [sys.executable, "-m", "publisher", "build", str(out / "bench.toml")]
    cmd += ["--out", str(out / "public"), "--cache-dir", str(cache)]
    walls = []
    for _ in range(3):
        run = run_measured(cmd, env=installed())
        if run.returncode:
            sys.exit(f"rebuild failed (exit {run.returncode})")
        walls.append(run.wall)
    return statistics.median(walls)


@functools.cache
def installed() -> dict[str, str]:
    """The environment (b) runs in: as an installed package runs, its modules' bytecode
    compiled once and cached (__pycache__, which git ignores). A shell with
    PYTHONDONTWRITEBYTECODE set would have each build compile publisher's ~150 modules
    from source again: ~0.1 s of CPU, a third of a no-op rebuild's."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    compile_all = [sys.executable, "-m", "compileall", "-q", str(ROOT / "publisher")]
    subprocess.run(compile_all, env=env, check=True)
    return env


def plain(source: Path, options: list[str], folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds one plain ffmpeg command takes to make the MP3."""
    start, cpu = time.perf_counter(), tree_cpu(children=True)
    mp3 = ["-c:a", "libmp3lame", "-b:a", BITRATE, str(folder / "plain.mp3")]
    ffmpeg("-i", str(source), *options, *mp3)
    return time.perf_counter() - start, tree_cpu(children=True) - cpu


def plain_commands(source: Path, folder: Path) -> str:
    """Time the naive command and each of PLAIN once; the name of the fastest (by CPU
    time: on a shared machine the wall time tells the load more than the command)."""
    wall, cpu = plain(source, NAIVE, folder)
    print(f"plain ffmpeg, naive ({' '.join(NAIVE)}): {wall:.1f} s (CPU {cpu:.1f} s)")
    times = {name: plain(source, options, folder) for name, options in PLAIN.items()}
    for name, (wall, cpu) in times.items():
        print(f"plain ffmpeg, {name} ({' '.join(PLAIN[name])}): {wall:.1f} s (CPU {cpu:.1f} s)")
    return min(times, key=lambda name: times[name][1])


def print_stages(run: dict) -> None:
    """Where the build's wall time went (after {start-up} s of interpreter and imports)."""
    startup = run["outer_wall"] - run["wall"]
    print(f"  where the time goes (start-up and imports {startup:.1f} s, then):")
    print(
        f"    {'stage':40} {'at':>6} {'wall':>6} {'cpu':>6} cores busy (by the build, "
        "by the machine), python peak RSS"
    )
    for label, start, wall, cpu, peak, machine in run["stages"]:
        busy, all_busy = (cpu / wall, machine / wall) if wall > 0 else (0.0, 0.0)
        print(
            f"    {label:40} {start:6.2f} {wall:6.2f} {cpu:6.2f} {busy:4.2f} {all_busy:4.2f} "
            f"{peak:4.0f} MB"
        )


def levels(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) of an audio file by ffmpeg ebur128."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)]
    cmd += ["-af", "ebur128=peak=true", "-f", "null", "-"]
    err = subprocess.run(cmd, capture_output=True, text=True).stderr
    summary = err[err.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def print_levels(files: list[Path]) -> None:
    """Loudness and true peak of every piece and the full episode (the last file)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(levels, files))
    shown = [f"{lufs:.1f}/{peak:.1f}" for lufs, peak in found[:-1]]
    print(f"  pieces, LUFS/dBTP: {' '.join(shown)}")
    lufs, peak = found[-1]
    loud = [x for x, _ in found]
    worst = max(p for _, p in found)
    ok = worst <= -1 and all(abs(x + 16) <= 1 for x in loud)
    print(
        f"  full episode {lufs:.1f} LUFS, {peak:.1f} dBTP; every file: {min(loud):.1f} to "
        f"{max(loud):.1f} LUFS, true peak at most {worst:.1f} dBTP "
        f"(target -16 +- 1 LUFS, <= -1 dBTP): {'ok' if ok else 'MISSED'}"
    )


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
    ap.add_argument(
        "--room-tone", default="-54", help="dBFS of the pink noise under the speech, or 'off'"
    )
    for hidden in ("--source", "--cache", "--out", "--planned"):
        ap.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--render-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    args.dir.mkdir(parents=True, exist_ok=True)
    tone = None if args.room_tone == "off" else float(args.room_tone)
    source, args.seed = make_source(args.seed, args.minutes, args.dir, tone)
    cache = args.dir / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    planned = args.dir / "plan.pickle"
    planned.write_bytes(pickle.dumps(talk_plan(args.seed)))
    show = "stream=codec_name,sample_rate,channels:format=duration"
    probe = ["ffprobe", "-v", "error", "-show_entries", show, "-of", "csv=p=0", str(source)]
    shape = subprocess.run(probe, capture_output=True, text=True, check=True).stdout.split()
    print(
        f"source: {source} ({' '.join(shape)}), {source.stat().st_size / 1e6:.1f} MB; stand-in "
        f"speech, room tone {'none (digital silence)' if tone is None else f'{tone:g} dBFS'}"
    )
    print(f"seed: {args.seed}")

    best = plain_commands(source, args.dir)
    ratios = []
    for n in range(1, args.repeat + 1):  # alternate (a) and (b): other load hits both alike
        t_plain, cpu_plain = plain(source, PLAIN[best], args.dir)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(args.dir / "public", ignore_errors=True)  # no published talk to relink
        cold = run_child(args, source, cache, planned)
        ratios.append(cold["outer_wall"] / t_plain)
        print(
            f"run {n}: (a) plain ffmpeg ({best}) {t_plain:5.1f} s (CPU {cpu_plain:.1f} s) | "
            f"(b) our build, cold cache "
            f"{cold['outer_wall']:5.1f} s ({cold.get('pieces', '?')} pieces, "
            f"{cold.get('encodes', '?')} encodes; CPU {cold['cpu']:.1f} s = "
            f"{cold['per_core']:.0%} of 2 cores; other processes kept {cold['others']:.1f} "
            f"cores busy meanwhile) | ratio {ratios[-1]:.2f} (its CPU spread over 2 cores "
            f"would take {cold['cpu'] / 2 / t_plain:.2f}: the floor) | peak memory: "
            f"python RSS {cold['rss_self_mb']:.0f} MB, process tree RSS "
            f"{cold['rss_tree_mb']:.0f} MB / PSS {cold['pss_tree_mb']:.0f} MB "
            f"(at peak: {cold['at_peak']})"
        )
        if n == 1:
            print_stages(cold)
            print_levels([Path(f) for f in cold["files"]])
    print(
        f"ratio (b)/(a): median {statistics.median(ratios):.2f}, best {min(ratios):.2f} "
        f"(target <= 0.7, aim 0.6); peak memory target <= 250 MB"
    )
    again = run_child(args, source, cache, planned)
    user = cli_rebuild(args, cache)
    print(
        f"no-op rebuild: {user:.2f} s as `publisher build` (target <= 0.5 s); the timed "
        f"child: {again['outer_wall']:.2f} s (in-process {again['wall']:.2f} s, with its "
        f"stage timers' imports), {again.get('encodes', '?')} encodes (target 0)"
    )
    print_stages(again)
    moved = run_child(args, source, cache, nudged(planned, args, 5.0))
    from publisher.audio.render import MAX_CHUNK  # (not at the top: the children time imports)

    # a piece's file is named by its recipe: a piece rendered again has a new name
    redone = len(set(moved["files"][:-1]) - set(cold["files"][:-1]))
    print(
        f"one boundary moved by 5 s: {moved['outer_wall']:.2f} s, {redone} pieces rendered "
        f"again in {moved.get('encodes', '?')} encodes (a piece over {MAX_CHUNK:g} s is "
        f"encoded in chunks; target: the 2 pieces it touches)"
    )
    raw = sum(p.stat().st_size for p in (cache / "render" / "decoded").glob("*.s16le"))
    print(f"render cache keeps {raw / 1e6:.0f} MB of decoded PCM for fast re-cuts")


if __name__ == "__main__":
    main()
