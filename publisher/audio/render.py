"""Cut a talk into one MP3 per plan segment (gaps become pieces too) at the quietest
point near each planned boundary, at broadcast loudness, and join them into the
full episode without a second full encode. Everything lands in the render cache."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioError
from ..fsutil import atomic_path
from ..model import AudioSettings, Piece, Plan, Render, Segment, Talk, timestamp
from . import cache
from .analyse import Analysis, quietest
from .decode import Decoded, decode
from .mp3info import gapless_duration, stream_duration
from .progress import bar
from .tools import run_ffmpeg, tool

REACH = 1.5  # a cut may move this far (seconds) to find quiet
JOIN = 0.25  # segments closer than this share one cut
MIN_PIECE = 0.2  # shortest piece (seconds)
LIMIT_MARGIN = 1.0  # dB the sample-peak limiter sits under the true-peak target (MP3 overshoot)


@dataclass(frozen=True)
class Cut:
    """A stretch of the source in samples, and the segment it is (None for a gap)."""

    start: int
    end: int
    segment: Segment | None


def render_talk(
    talk: Talk,
    plan: Plan,
    source: Path,
    settings: AudioSettings,
    cache_dir: Path,
    *,
    standin: bool = False,
    jobs: int | None = None,
    progress: bool = False,
) -> Render:
    """Render the plan's pieces and the full episode (untagged) into the render cache."""
    what = f'"{talk.title}"'
    tool("ffmpeg", what, source)
    decoded = decode(
        source,
        cache_dir,
        channels=settings.channels,
        rate=settings.sample_rate,
        what=what,
        need_raw=False,
        progress=progress,
        expected=talk.duration,
    )
    a = decoded.analysis
    _check_length(talk, a, source, what)
    if a.loudness == float("-inf"):
        raise AudioError(f"{what}: the audio is silent", source)
    gain = settings.loudness - a.loudness
    cuts = plan_cuts(plan, a, what, source)
    where = cache.folder(cache_dir, "pieces")
    fmt = [
        settings.bitrate,
        settings.channels,
        settings.sample_rate,
        settings.fade_ms,
        settings.true_peak,
    ]
    paths = [
        where / f"{cache.key('piece', decoded.key, c.start, c.end, round(gain, 2), fmt)}.mp3"
        for c in cuts
    ]
    todo = [(c, p) for c, p in zip(cuts, paths, strict=True) if not p.exists()]
    if todo:
        if not decoded.raw.exists():
            decoded = decode(
                source,
                cache_dir,
                channels=settings.channels,
                rate=settings.sample_rate,
                what=what,
                progress=progress,
            )
        _encode_all(decoded, todo, gain, settings, jobs, progress, what)
    rate = a.rate
    pieces = [
        Piece(c.start / rate, c.end / rate, p, stream_duration(p), c.segment)
        for c, p in zip(cuts, paths, strict=True)
    ]
    full = cache.folder(cache_dir, "full") / f"{cache.key('full', [p.name for p in paths])}.mp3"
    if not full.exists():
        _concat(paths, full, what, source)
    return Render(source, standin, pieces, full, gapless_duration(full), encodes=len(todo))


def _check_length(talk: Talk, a: Analysis, source: Path, what: str) -> None:
    """Audio much shorter than the captions is truncated or the wrong file."""
    if talk.duration - a.duration > min(0.1 * talk.duration, 30.0):
        raise AudioError(
            f"{what}: the audio lasts {timestamp(a.duration)} but the captions run to "
            f"{timestamp(talk.duration)} (truncated, or the wrong file?)",
            source,
        )


def plan_cuts(plan: Plan, a: Analysis, what: str, source: Path) -> list[Cut]:
    """Pieces that partition the whole source: the plan's segments, and the gaps
    between them, with each inner boundary snapped to the quietest nearby point."""
    points, owners = [0.0], []  # planned boundaries; owners[i] spans points[i]..points[i+1]
    for seg in sorted(plan.segments, key=lambda s: s.start):
        start, end = max(seg.start, 0.0), min(seg.end, a.duration)
        if end - start < MIN_PIECE or start < points[-1] - REACH:
            raise AudioError(
                f"{what}: segment {seg.title!r} ({timestamp(seg.start)}-{timestamp(seg.end)}) "
                f"overlaps another or lies outside the audio ({timestamp(a.duration)})",
                plan.path or source,
                seg.line or None,
            )
        if start > points[-1] + JOIN:
            owners.append(None)
            points.append(start)
        elif len(points) > 1:  # shares the previous cut
            points[-1] = (points[-1] + start) / 2
        owners.append(seg)
        points.append(end)
    if a.duration > points[-1] + JOIN:
        owners.append(None)
        points.append(a.duration)
    points[-1] = a.duration
    cuts = [0.0]
    for i in range(1, len(points) - 1):
        lo, hi = cuts[-1] + MIN_PIECE, points[i + 1] - MIN_PIECE
        cuts.append(quietest(a, points[i], REACH, lo, hi))
    samples = [round(t * a.rate) for t in cuts] + [a.samples]
    return [Cut(samples[i], samples[i + 1], owners[i]) for i in range(len(owners))]


def _encode_all(
    decoded: Decoded,
    todo: list[tuple[Cut, Path]],
    gain: float,
    settings: AudioSettings,
    jobs: int | None,
    progress: bool,
    what: str,
) -> None:
    """Encode pieces in parallel, longest first so the cores finish together."""
    rate = decoded.analysis.rate
    todo = sorted(todo, key=lambda cp: cp[0].start - cp[0].end)
    total = sum(c.end - c.start for c, _ in todo) / rate
    with (
        bar(f"rendering {what}", total, progress) as shown,
        ThreadPoolExecutor(max(1, jobs or os.cpu_count() or 1)) as pool,
    ):

        def one(item: tuple[Cut, Path]) -> None:
            _encode(decoded, *item, gain, settings, what)
            shown.advance((item[0].end - item[0].start) / rate)

        list(pool.map(one, todo))


def _encode(
    decoded: Decoded, cut: Cut, target: Path, gain: float, settings: AudioSettings, what: str
) -> None:
    """One ffmpeg run: seek into the raw file, gain + limiter + fades, MP3."""
    rate, channels = decoded.analysis.rate, decoded.analysis.channels
    length = (cut.end - cut.start) / rate
    fade = min(settings.fade_ms / 1000, length / 4)
    limit = 10 ** ((settings.true_peak - LIMIT_MARGIN) / 20)
    chain = (
        f"volume={gain:.2f}dB,"
        f"alimiter=limit={limit:.4f}:level=0:latency=1:attack=5:release=50,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={length - fade:.6f}:d={fade:.3f}"
    )
    fmt = ["-f", "s16le", "-ar", str(rate), "-ac", str(channels)]
    with atomic_path(target) as tmp:
        run_ffmpeg(
            [
                *fmt,
                "-ss",
                f"{cut.start / rate:.6f}",
                "-t",
                f"{length:.6f}",
                "-i",
                str(decoded.raw),
                "-af",
                chain,
                "-c:a",
                "libmp3lame",
                "-b:a",
                settings.bitrate,
                "-ar",
                str(rate),
                "-ac",
                str(channels),
                *_BARE,
                str(tmp),
            ],
            what,
            decoded.source,
        )


_BARE = ["-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3"]


def _concat(parts: list[Path], target: Path, what: str, source: Path) -> None:
    """Join piece MP3s frame by frame (no re-encode) into the full episode."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".txt", dir=target.parent, delete=False
    ) as listing:
        for p in parts:
            quoted = str(p.resolve()).replace("'", "'\\''")
            listing.write(f"file '{quoted}'\n")
    try:
        with atomic_path(target) as tmp:
            run_ffmpeg(
                ["-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy", *_BARE, str(tmp)],
                what,
                source,
            )
    finally:
        os.unlink(listing.name)
