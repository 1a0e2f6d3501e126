"""The optional M4A (AAC-LC) of every piece and of the full episode ([audio] formats).

Each piece is encoded from the raw decode with the MP3 pieces' levels and cached
by content beside them. The full episode is not joined from the pieces as the MP3
is: an AAC file starts with 1024 priming samples and its first frame decodes from
nothing, so a stream copy leaves a gap at every join. Instead one more encode
takes the same levelled pieces in turn, each padded with silence to the length its
MP3 has in the full MP3: both full episodes share one timeline, so one set of
chapter times fits both, and their lengths agree to the millisecond.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..model import AudioSettings, Render
from . import cache
from .decode import Decoded
from .levels import encode_span, encode_under_peak, layout, levelled, pcm_input, recipe
from .progress import bar
from .tools import run_ffmpeg

FORMAT = "m4a"
# ffmpeg's "fast" AAC coder: 3x faster than its default "twoloop" (as fast as LAME here),
# and by its author's account as good or better from 64 kbps a channel up
CODER = "fast"

Job = Callable[[Decoded], None]


def add_m4a(
    render: Render,
    decoded: Decoded,
    raw: Callable[[], Decoded],
    gain: float,
    limit: float,
    settings: AudioSettings,
    cache_dir: Path,
    *,
    jobs: int | None = None,
    progress: bool = False,
    label: str = "",
) -> Render:
    """`render` with an M4A of each piece and of the full episode as alternates,
    encoded only where the render cache lacks them. `decoded` is the decode (its
    analysis at least), `raw()` gives it with its raw PCM (called only when something is encoded);
    `gain` and `limit` are the MP3 pieces' levels; `label` names the talk on the progress bar."""
    rate = settings.sample_rate
    spans = [(round(p.start * rate), round(p.end * rate)) for p in render.pieces]
    pads = [round(p.duration * rate) for p in render.pieces]  # each MP3's length in the full
    made = [recipe(decoded, *span, gain, limit, settings, _aac) for span in spans]
    where = cache.folder(cache_dir, "pieces")
    paths = [where / f"{cache.key('m4a', r)}.m4a" for r in made]
    full_key = cache.key("m4a-full", made, pads)
    full = cache.folder(cache_dir, "full") / f"{full_key}.m4a"
    common = dict(gain=gain, limit=limit, settings=settings)
    todo: list[tuple[int, Job]] = []  # (samples, encode)
    if not full.exists():
        job = functools.partial(_encode_full, spans=spans, pads=pads, target=full, **common)
        todo.append((sum(pads), job))
    for (start, end), path in zip(spans, paths, strict=True):
        if not path.exists():
            job = functools.partial(
                encode_span, start=start, end=end, target=path, codec=_aac, **common
            )
            todo.append((end - start, job))
    if todo:
        _run(raw(), todo, jobs, progress, label)
    pieces = [
        dataclasses.replace(p, alternates={**p.alternates, FORMAT: path})
        for p, path in zip(render.pieces, paths, strict=True)
    ]
    return dataclasses.replace(
        render,
        pieces=pieces,
        alternates={**render.alternates, FORMAT: full},
        encodes=render.encodes + len(todo),
    )


def _run(
    decoded: Decoded, todo: list[tuple[int, Job]], jobs: int | None, progress: bool, label: str
) -> None:
    """Run the encodes in parallel, longest first so the cores finish together."""
    rate = decoded.analysis.rate
    todo = sorted(todo, key=lambda item: -item[0])
    with (
        bar(f"rendering M4A of {label}", sum(n for n, _ in todo) / rate, progress) as shown,
        ThreadPoolExecutor(max(1, jobs or os.cpu_count() or 1)) as pool,
    ):

        def one(item: tuple[int, Job]) -> None:
            item[1](decoded)
            shown.advance(item[0] / rate)

        list(pool.map(one, todo))


def _aac(decoded: Decoded, settings: AudioSettings) -> list[str]:
    return [
        "-c:a", "aac", "-aac_coder", CODER, "-b:a", settings.bitrate, *layout(decoded),
        "-map_metadata", "-1", "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "ipod",
    ]  # fmt: skip


def _encode_full(
    decoded: Decoded,
    spans: list[tuple[int, int]],
    pads: list[int],
    target: Path,
    gain: float,
    limit: float,
    settings: AudioSettings,
) -> None:
    """The full episode in one encode: the levelled pieces in turn, each padded with
    silence to its MP3's length."""

    def encode(lim: float, tmp: Path) -> None:
        pcm = _padded(decoded, spans, pads, gain, lim, settings.fade_ms)
        run_ffmpeg([*pcm_input(decoded), *_aac(decoded, settings), str(tmp)], feed=pcm)

    encode_under_peak(encode, target, limit, settings, _aac(decoded, settings))


def _padded(
    decoded: Decoded,
    spans: list[tuple[int, int]],
    pads: list[int],
    gain: float,
    limit: float,
    fade_ms: int,
) -> Iterator[bytes]:
    """Each span levelled as its piece is, then silence (float32 zeros) up to its pad."""
    for (start, end), pad in zip(spans, pads, strict=True):
        yield from levelled(decoded, start, end, gain, limit, fade_ms)
        yield bytes(max(0, pad - (end - start)) * 4 * decoded.analysis.channels)
