"""Cut a talk into one MP3 per plan segment (gaps become pieces too) at the quietest
point near each planned boundary, at broadcast loudness, and join them into the
full episode without a second full encode. Everything lands in the render cache."""

from __future__ import annotations

import functools
import math
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AudioError
from ..fsutil import atomic_path
from ..model import AudioSettings, Piece, Plan, Render, Segment, Talk, timestamp
from . import cache, mp3join
from .analyse import Analysis, normalising_gain, quietest
from .decode import Decoded, decode
from .levels import encode_span, layout, recipe
from .m4a import add_m4a
from .mp3info import gapless_duration, stream_duration
from .progress import bar
from .snap import WIDEN, snap
from .tools import about, run_ffmpeg, tool, version

if TYPE_CHECKING:
    from ..speech.vad import Span

REACH = 1.5  # a cut may move this far (seconds) to find quiet
JOIN = 0.25  # segments closer than this share one cut
MIN_PIECE = 0.2  # shortest piece (seconds)
MAX_CHUNK = 300.0  # longer pieces are encoded in chunks, in parallel
SPLIT_REACH = 5.0  # a chunk split may move this far to find quiet
# dB the sample-peak limiter sits under the true-peak aim (-1.5 dBTP): -6.2 dBFS. At
# 64 kbps the MP3's true peak overshoots the limiter by 2.9 +- 0.4 dB, 4.8 at most
# (levels.OVERSHOOT): under this margin + levels.PEAK_SLACK, so no piece's peak is
# read back at MP3 64k or 128k (AAC 64k, up to 5.1 over: read back)
LIMIT_MARGIN = 4.7


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
    no_go: Sequence[Sequence[Span]] = (),
) -> Render:
    """Render the plan's pieces and the full episode (untagged) into the render cache;
    no cut lands inside a `no_go` span (speech.spans.no_go) where one can avoid it.
    An AudioError names the talk (and the source, unless it names another file)."""
    with about(f'"{talk.title}"', source):
        return _render(talk, plan, source, settings, cache_dir, standin, jobs, progress, no_go)


def _render(
    talk: Talk,
    plan: Plan,
    source: Path,
    settings: AudioSettings,
    cache_dir: Path,
    standin: bool,
    jobs: int | None,
    progress: bool,
    no_go: Sequence[Sequence[Span]],
) -> Render:
    label = f'"{talk.title}"'  # on the progress bars
    tool("ffmpeg", path=source)
    load = functools.partial(
        decode, source, cache_dir, channels=settings.channels, rate=settings.sample_rate,
        progress=progress, expected=talk.duration,
    )  # fmt: skip
    decoded = load(need_raw=False)
    a = decoded.analysis
    _check_length(talk, a, source)
    if a.loudness == float("-inf"):
        raise AudioError("the audio is silent", source)
    limit = 10 ** ((settings.true_peak - LIMIT_MARGIN) / 20)
    gain = normalising_gain(a, settings.loudness, limit)
    cuts = plan_cuts(plan, a, source, no_go)
    chunks = [split(c, a) for c in cuts]
    where = cache.folder(cache_dir, "pieces")
    chunk_path = {
        ch: where / f"{cache.key('chunk', recipe(decoded, *ch, gain, limit, settings, _mp3))}.mp3"
        for parts in chunks
        for ch in parts
    }
    joined = [_BARE, version("ffmpeg")]  # a stream copy's recipe
    paths = [
        chunk_path[parts[0]] if len(parts) == 1
        else where / f"{cache.key('joined', [chunk_path[ch].name for ch in parts], joined)}.mp3"
        for parts in chunks
    ]  # fmt: skip
    full_key = cache.key("full", [p.name for p in paths], joined)
    full = cache.folder(cache_dir, "full") / f"{full_key}.mp3"
    needed = [
        ch
        for parts, path in zip(chunks, paths, strict=True)
        if not path.exists()
        for ch in parts
        if not chunk_path[ch].exists()
    ]
    joins = {
        path: [chunk_path[ch] for ch in parts]
        for parts, path in zip(chunks, paths, strict=True)
        if len(parts) > 1 and not path.exists()
    }
    if needed:
        if not decoded.raw.exists():
            decoded = load(need_raw=True)
        todo = [(ch, chunk_path[ch]) for ch in needed]
        _encode_all(decoded, todo, joins, gain, limit, settings, jobs, progress, label)
    for path, parts in joins.items():
        if not path.exists():  # its chunks were all in the cache already
            _concat(parts, path)
    if not full.exists():
        _concat(paths, full)
    rate = a.rate
    pieces = [
        Piece(c.start / rate, c.end / rate, p, stream_duration(p), c.segment)
        for c, p in zip(cuts, paths, strict=True)
    ]
    render = Render(source, standin, pieces, full, gapless_duration(full), encodes=len(needed))
    if "m4a" in settings.formats:
        raw = functools.partial(load, need_raw=True)
        render = add_m4a(
            render, decoded, raw, gain, limit, settings, cache_dir,
            jobs=jobs, progress=progress, label=label,
        )  # fmt: skip
    return render


def _check_length(talk: Talk, a: Analysis, source: Path) -> None:
    """Audio much shorter than the captions is truncated or the wrong file."""
    if talk.duration - a.duration > min(0.1 * talk.duration, 30.0):
        raise AudioError(
            f"the audio lasts {timestamp(a.duration)} but the captions run to "
            f"{timestamp(talk.duration)} (truncated, or the wrong file?)",
            source,
        )


def plan_cuts(
    plan: Plan, a: Analysis, source: Path, no_go: Sequence[Sequence[Span]] = ()
) -> list[Cut]:
    """Pieces that partition the whole source: the plan's segments, and the gaps
    between them, with each inner boundary snapped to the quietest nearby point outside
    the `no_go` spans (audio.snap; noted on stderr where none is near)."""
    points, owners = [0.0], []  # planned boundaries; owners[i] spans points[i]..points[i+1]
    for seg in sorted(plan.segments, key=lambda s: s.start):
        start, end = max(seg.start, 0.0), min(seg.end, a.duration)
        if end - start < MIN_PIECE or start < points[-1] - REACH:
            raise AudioError(
                f"segment {seg.title!r} ({timestamp(seg.start)}-{timestamp(seg.end)}) "
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
        cut, clear = snap(a, points[i], REACH, lo, hi, no_go)
        if not clear:
            print(
                f"publisher: note: {source.name}: no pause within {REACH * WIDEN[-1]:g} s of "
                f"the cut at {timestamp(points[i])}: cut at the quietest point instead",
                file=sys.stderr,
            )
        cuts.append(cut)
    samples = [round(t * a.rate) for t in cuts] + [a.samples]
    return [Cut(samples[i], samples[i + 1], owners[i]) for i in range(len(owners))]


def split(cut: Cut, a: Analysis) -> list[tuple[int, int]]:
    """A long piece as near-equal chunks of at most MAX_CHUNK seconds, split at the
    quietest point near each ideal split, so both cores have work to share; the
    chunks are encoded separately and joined frame by frame."""
    length = (cut.end - cut.start) / a.rate
    count = math.ceil(length / MAX_CHUNK)
    bounds = [cut.start / a.rate]
    for i in range(1, count):
        ideal = bounds[0] + i * length / count
        lo, hi = bounds[-1] + MIN_PIECE, ideal + length / count / 2
        bounds.append(quietest(a, ideal, SPLIT_REACH, lo, hi))
    samples = [cut.start, *(round(t * a.rate) for t in bounds[1:]), cut.end]
    return list(zip(samples, samples[1:], strict=False))


def _encode_all(
    decoded: Decoded,
    todo: list[tuple[tuple[int, int], Path]],
    joins: dict[Path, list[Path]],
    gain: float,
    limit: float,
    settings: AudioSettings,
    jobs: int | None,
    progress: bool,
    label: str,
) -> None:
    """Encode pieces in parallel, longest first so the cores finish together; a piece
    in chunks (`joins`: its path -> its chunks') is joined by the worker that encodes
    its last chunk, while the other core still encodes."""
    rate = decoded.analysis.rate
    todo = sorted(todo, key=lambda item: item[0][0] - item[0][1])
    total = sum(end - start for (start, end), _ in todo) / rate
    encoding = {target for _, target in todo}
    waiting = {path: set(parts) & encoding for path, parts in joins.items()}
    lock = threading.Lock()
    with (
        bar(f"rendering {label}", total, progress) as shown,
        ThreadPoolExecutor(max(1, jobs or os.cpu_count() or 1)) as pool,
    ):

        def one(item: tuple[tuple[int, int], Path]) -> None:
            (start, end), target = item
            encode_span(decoded, start, end, target, gain, limit, settings, _mp3)
            shown.advance((end - start) / rate)
            with lock:
                for left in waiting.values():
                    left.discard(target)
                ready = [path for path, left in waiting.items() if not left]
                for path in ready:
                    del waiting[path]
            for path in ready:
                _concat(joins[path], path)

        list(pool.map(one, todo))


def _mp3(decoded: Decoded, settings: AudioSettings) -> list[str]:
    return ["-c:a", "libmp3lame", "-b:a", settings.bitrate, *layout(decoded), *_BARE]


_BARE = ["-map_metadata", "-1", "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3"]


def _concat(parts: list[Path], target: Path) -> None:
    """Join piece MP3s frame by frame (no re-encode), byte for byte as an ffmpeg
    stream copy would (audio.mp3join); ffmpeg joins parts mp3join does not know."""
    try:
        mp3join.join(parts, target)
    except mp3join.NotOurs:
        _ffmpeg_concat(parts, target)


def _ffmpeg_concat(parts: list[Path], target: Path) -> None:
    """Join MP3s with ffmpeg's concat demuxer, copying the stream."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".txt", dir=target.parent, delete=False
    ) as listing:
        for p in parts:
            quoted = str(p.resolve()).replace("'", "'\\''")
            listing.write(f"file '{quoted}'\n")
    try:
        with atomic_path(target) as tmp:
            concat = ["-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy"]
            run_ffmpeg([*concat, *_BARE, str(tmp)])
    finally:
        os.unlink(listing.name)
