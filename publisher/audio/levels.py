"""What every rendered piece goes through, in every format: its stretch of the raw
decode, gain, limiter and fades, and the peak check that encodes it again when the
encoder overshoots the limiter.

The encoders overshoot the limiter's ceiling: MP3 and AAC at low bitrates add
quantisation noise on top of the limited peaks. Where that overshoot was measured
(OVERSHOOT) and the ceiling sits under the aim by more than it, a piece is encoded
once and not decoded again; otherwise its peak is read back after each encode."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from ..fsutil import atomic_path
from ..model import AudioSettings
from .decode import Decoded
from .tools import run_ffmpeg, sample_peak, version

PEAK_TRIES = 3  # encodes of one file before its peak is left as it is
PEAK_SLACK = 0.4  # dB over the aim (-1.5 dBTP by default, Apple's ceiling is -1) before that
INTERSAMPLE = 0.5  # dB a decoded 44.1 kHz file's true peak may sit above its sample peak
# The most an encoded piece's true peak (ebur128, 4x oversampled) was seen over the
# limiter's ceiling, in dB, by encoder and bitrate, plus 0.3 dB. Measured (issue 15,
# benchmarks/overshoot.py) on pieces of 20-200 s cut at random from high-passed
# stand-in speech, through level_chain at the gain a -16 LUFS render needs, limited
# hard. Session 8, at the gains of the fitted limiter model (+23.3 dB on the
# 42-minute benchmark source, ceiling -5.5 dBFS): MP3 64k 2.83 +- 0.37 dB, at most
# 3.8 (60 pieces), and again 2.67 +- 0.38, at most 3.8 (80 others); in the 3-hour
# benchmark build at most 3.9 (58 pieces: -1.6 dBTP); MP3 128k 1.1 +- 0.35, at most
# 1.8 (20); AAC 64k ("fast" coder) 2.0 +- 0.7, at most 4.5 (20): more than before.
# Before (+17 dB): MP3 64k 2.6 +- 0.45, at most 4.1 (60); MP3 128k 1.0 +- 0.4, at
# most 2.6 (20); AAC 64k 1.6 +- 0.4, at most 3.9 (60). Under render.LIMIT_MARGIN the
# MP3s land at or under the aim + PEAK_SLACK (-1.1 dBTP), the bar the read-back
# holds a file to, so no MP3 piece is decoded again (benchmarks/audio.py prints
# every piece's true peak to watch it); AAC 64k does not, and is read back, as is
# any other encoder or bitrate, or a ceiling with less room.
OVERSHOOT = {("libmp3lame", "64k"): 4.1, ("libmp3lame", "128k"): 2.9, ("aac", "64k"): 4.8}


def layout(decoded: Decoded) -> list[str]:
    """ffmpeg's rate and channel options for the raw decode (and what is made from it)."""
    return ["-ar", str(decoded.analysis.rate), "-ac", str(decoded.analysis.channels)]


def raw_input(decoded: Decoded, start: int | None = None, end: int | None = None) -> list[str]:
    """ffmpeg input options for samples start..end of the raw decode (all of it if None)."""
    seek = []
    if start is not None and end is not None:
        rate = decoded.analysis.rate
        seek = ["-ss", f"{start / rate:.6f}", "-t", f"{(end - start) / rate:.6f}"]
    return ["-f", "s16le", *layout(decoded), *seek, "-i", str(decoded.raw)]


def overshoot(options: list[str]) -> float | None:
    """The most the encoder that `options` (ffmpeg output options) choose was measured
    to overshoot the limiter by, in dB; None if it was not measured."""
    codec = options[options.index("-c:a") + 1] if "-c:a" in options else None
    bitrate = options[options.index("-b:a") + 1] if "-b:a" in options else None
    return OVERSHOOT.get((codec, bitrate))


def needs_check(limit: float, settings: AudioSettings, options: list[str]) -> bool:
    """Whether a file encoded with `options` under a limiter at `limit` (linear) must
    have its peak read back: unless the measured overshoot keeps it under the aim."""
    over = overshoot(options)
    peak = 20 * math.log10(limit) + over if over is not None else math.inf
    return round(peak, 3) > settings.true_peak + PEAK_SLACK  # (not fooled by a float's last bit)


def encode_under_peak(
    encode: Callable[[float, Path], None],
    target: Path,
    limit: float,
    settings: AudioSettings,
    options: list[str],
) -> None:
    """encode(limit, tmp) into `target`, with ffmpeg's output `options`. Unless the
    encoder's measured overshoot keeps it under the aim, read back the file's peak,
    and while it is over the aim encode again with the limit lowered by the excess
    (at 64 kbps MP3 and AAC encoders can overshoot the limiter by over 2.5 dB)."""
    with atomic_path(target) as tmp:
        for _ in range(PEAK_TRIES):
            encode(limit, tmp)
            if not needs_check(limit, settings, options):
                break
            peak = sample_peak(tmp) + INTERSAMPLE  # ~true peak, cheaply
            over = peak - settings.true_peak
            if over <= PEAK_SLACK:
                break
            limit *= 10 ** (-(over + 0.2) / 20)  # aim under the target this time


def level_chain(gain: float, limit: float, length: float, fade_ms: int) -> str:
    """ffmpeg's -af chain for a piece `length` seconds long: a constant gain (dB),
    a sample-peak limiter at `limit` (linear), and short fades in and out."""
    fade = min(fade_ms / 1000, length / 4)
    return (
        f"volume={gain:.2f}dB,"
        f"alimiter=limit={limit:.4f}:level=0:latency=1:attack=5:release=50,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={length - fade:.6f}:d={fade:.3f}"
    )


def recipe(
    decoded: Decoded,
    start: int,
    end: int,
    gain: float,
    limit: float,
    settings: AudioSettings,
    codec: Callable[[Decoded, AudioSettings], list[str]],
) -> list[object]:
    """What decides the bytes encode_span writes, for its render-cache key: the decode,
    the span, the filter graph and output options it runs, the peak check's rules and
    ffmpeg's version."""
    length = (end - start) / decoded.analysis.rate
    return [
        decoded.key,
        raw_input(decoded, start, end)[:-2],  # not "-i <path>": the key names the decode
        level_chain(gain, limit, length, settings.fade_ms),
        codec(decoded, settings),
        [PEAK_TRIES, PEAK_SLACK, INTERSAMPLE, settings.true_peak],
        needs_check(limit, settings, codec(decoded, settings)),
        version("ffmpeg"),
    ]


def encode_span(
    decoded: Decoded,
    start: int,
    end: int,
    target: Path,
    gain: float,
    limit: float,
    settings: AudioSettings,
    codec: Callable[[Decoded, AudioSettings], list[str]],
) -> None:
    """Samples start..end of the raw decode through the level chain into `target`
    with ffmpeg's output options codec(decoded, settings), under the peak aim."""
    length = (end - start) / decoded.analysis.rate
    source = raw_input(decoded, start, end)
    options = codec(decoded, settings)

    def encode(lim: float, tmp: Path) -> None:
        chain = level_chain(gain, lim, length, settings.fade_ms)
        run_ffmpeg([*source, "-af", chain, *options, str(tmp)])

    encode_under_peak(encode, target, limit, settings, options)
