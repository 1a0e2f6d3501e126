"""Decode a talk's source ONCE into a raw 16-bit PCM file in the cache, at the output
rate and channels and high-passed under speech, analysing it on the fly (ffmpeg
decodes on one core while numpy analyses on the other)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..fsutil import atomic_path
from . import cache, halves
from .analyse import CHUNK_BLOCKS, Analyser, Analysis
from .analyse import VERSION as ANALYSIS
from .progress import bar
from .tools import follow, last_line, tool, version

HIGHPASS_HZ = 70  # rumble under this is cut from the decode, so from every output


@dataclass(frozen=True)
class Decoded:
    """A source decoded to raw interleaved s16le at `analysis.rate`/`analysis.channels`."""

    source: Path
    key: str
    raw: Path
    analysis: Analysis


def _paths(source: Path, cache_dir: Path, rate: int, channels: int) -> tuple[str, Path, Path]:
    shape = _output(rate, channels, halves.probe(source).channels)
    recipe = [shape, version("ffmpeg"), ANALYSIS]
    k = cache.key("decode", cache.source_identity(source), recipe)
    where = cache.folder(cache_dir, "decoded")
    return k, where / f"{k}.s16le", where / f"{k}.npz"


def check_source(source: Path) -> None:
    if not source.is_file():
        raise AudioError("audio file not found", source)
    if source.stat().st_size == 0:
        raise AudioError("the audio file is empty (zero bytes)", source)


def cached_analysis(source: Path, cache_dir: Path, rate: int = 44100) -> Analysis | None:
    """The analysis of `source` at any channel count, if one is cached."""
    for channels in (1, 2):
        npz = _paths(source, cache_dir, rate, channels)[2]
        if npz.exists():
            return Analysis.load(npz)
    return None


def decode(
    source: Path,
    cache_dir: Path,
    *,
    channels: int = 1,
    rate: int = 44100,
    need_raw: bool = True,
    progress: bool = False,
    expected: float | None = None,
    freed: Callable[[], None] | None = None,
) -> Decoded:
    """The cached decode of `source`, made if missing. With need_raw=False a
    cached analysis is enough (the raw file may have been cleaned away). freed() is
    called once a core is free: when the first of two halves is decoded, or else
    when the decode is done (or was cached)."""
    check_source(source)
    freed = freed or (lambda: None)
    k, raw, npz = _paths(source, cache_dir, rate, channels)
    if npz.exists() and (raw.exists() or not need_raw):
        freed()
        return Decoded(source, k, raw, Analysis.load(npz))
    ffmpeg = tool("ffmpeg", path=source)
    analyser = Analyser(rate, channels)
    chunk = analyser.block * CHUNK_BLOCKS * channels * 2
    shape = halves.probe(source)
    fmt = _output(rate, channels, shape.channels)
    with (
        tempfile.TemporaryFile() as err,
        atomic_path(raw) as tmp,
        bar(f"decoding {source.name}", expected, progress) as shown,
    ):
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(source)]
        seconds = _long_enough_to_split(shape.seconds)
        returncode = 0
        if not (
            seconds
            and halves.decode_halves(cmd, fmt, seconds, tmp, analyser, shown.advance, err, freed)
        ):
            if seconds:  # the halves failed: start over in one go
                analyser = Analyser(rate, channels)
                tmp.write_bytes(b"")
            # ffmpeg writes the raw file; we analyse it as it grows (no pipe copies)
            with (
                open(tmp, "rb") as pcm,
                subprocess.Popen([*cmd, "-map", "0:a:0", *fmt, str(tmp)], stderr=err) as proc,
            ):
                for data in follow(pcm, lambda: proc.poll() is not None, chunk):
                    analyser.feed(np.frombuffer(data, "<i2").reshape(-1, channels))
                    shown.advance(len(data) / (2 * channels * rate))
            returncode = proc.returncode
            if not seconds:  # (after halves that failed, they said so)
                freed()
        if returncode:
            err.seek(0)
            raise AudioError(
                f"cannot decode the audio, corrupt or not audio (ffmpeg: {last_line(err.read())})",
                source,
            )
        analysis = analyser.result()
        if analysis.samples == 0:
            raise AudioError("the audio file holds no sound (corrupt or truncated?)", source)
    analysis.save(npz)
    return Decoded(source, k, raw, analysis)


def _output(rate: int, channels: int, source_channels: int | None) -> list[str]:
    """ffmpeg's output options for the raw decode."""
    shape = _shape(rate, channels, source_channels)
    return [*shape, "-ac", str(channels), "-ar", str(rate), "-f", "s16le"]


def _shape(rate: int, channels: int, source_channels: int | None) -> list[str]:
    """ffmpeg's filter for every decode: the output channels, then rate, then a
    high-pass under speech (rumble, handling noise). Everything is made from this
    decode, so the analysis measures exactly what is encoded. Stereo to mono is
    the mean of the channels (pan, as swr's downmix to 16 bits made it), made before
    resampling: one channel to resample, not two."""
    if channels == 1 and source_channels == 2:
        downmix = "pan=mono|c0=0.5*c0+0.5*c1"
    elif channels == source_channels:
        downmix = ""
    else:
        downmix = f"aformat=channel_layouts={'mono' if channels == 1 else 'stereo'}"
    chain = [downmix, f"aresample={rate}", f"highpass=f={HIGHPASS_HZ:g}"]
    return ["-af", ",".join(step for step in chain if step)]


def _long_enough_to_split(seconds: float | None) -> float | None:
    """The source's length if it is worth decoding as two halves on two cores."""
    if (os.cpu_count() or 1) < 2 or not seconds:
        return None
    return seconds if seconds >= halves.MIN_SECONDS else None
