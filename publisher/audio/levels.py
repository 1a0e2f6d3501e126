"""What every rendered piece goes through, in every format: its stretch of the raw
decode, gain, limiter and fades (audio.limiter, streamed to the encoder), and the
peak check that encodes it again when the encoder overshoots the limiter.

The encoders overshoot the limiter's ceiling: MP3 and AAC at low bitrates add
quantisation noise on top of the limited peaks. Where that overshoot was measured
(OVERSHOOT) and the ceiling sits under the aim by more than it, a piece is encoded
once and not decoded again; otherwise its peak is read back after each encode."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

from ..fsutil import atomic_path
from ..model import AudioSettings
from . import limiter
from .decode import Decoded
from .tools import run_ffmpeg, sample_peak, version

PEAK_TRIES = 3  # encodes of one file before its peak is left as it is
PEAK_SLACK = 0.4  # dB over the aim (-1.5 dBTP by default, Apple's ceiling is -1) before that
INTERSAMPLE = 0.5  # dB a decoded 44.1 kHz file's true peak may sit above its sample peak
# The most an encoded piece's true peak (ebur128, 4x oversampled) was seen over the
# limiter's ceiling, in dB, by encoder and bitrate, plus 0.3 dB. Measured (issue 15,
# benchmarks/overshoot.py, session 29) on pieces of 20-200 s cut at random from
# high-passed stand-in speech, through audio.limiter at the gain a -16 LUFS render
# needs on the 42-minute benchmark source, over 60-80 pieces a setting:
#   ceiling    gain      MP3 64k                MP3 128k    AAC 64k ("fast")
#   -5.5 dBFS  +19.0 dB  2.92 +- 0.46, max 3.9  max 1.4     1.69 +- 0.34, max 2.8
#   -5.5 dBFS  +19.0 dB  2.82 +- 0.36, max 3.7  max 1.7     1.66 +- 0.45, max 3.9
#   -6.0 dBFS  +20.3 dB  2.99 +- 0.50, max 4.8  max 1.6     1.86 +- 0.57, max 4.2
#   -6.2 dBFS  +24.3 dB  3.01 +- 0.47, max 4.4  max 1.4     2.03 +- 0.49, max 3.4
# and AAC 64k once 5.1 (at -5.5 dBFS, with a slower attack since dropped); the whole
# benchmark build's MP3 64k pieces at most 4.2. The limiter's own output peaks ~1.0
# dB over its ceiling between samples (1.2 at most); the rest is the encoder's.
# (ffmpeg's alimiter, before: MP3 64k at most 3.9, AAC 64k 4.5.) Under
# render.LIMIT_MARGIN the MP3s land at or under the aim + PEAK_SLACK (-1.1 dBTP),
# the bar the read-back holds a file to, so none is decoded again (benchmarks/audio.py
# prints every piece's true peak to watch it); AAC 64k does not, and is read back, as
# is any other encoder or bitrate, or a ceiling with less room.
OVERSHOOT = {("libmp3lame", "64k"): 5.1, ("libmp3lame", "128k"): 2.0, ("aac", "64k"): 5.4}


def layout(decoded: Decoded) -> list[str]:
    """ffmpeg's rate and channel options for the raw decode (and what is made from it)."""
    return ["-ar", str(decoded.analysis.rate), "-ac", str(decoded.analysis.channels)]


def pcm_input(decoded: Decoded) -> list[str]:
    """ffmpeg input options for what limiter.levelled streams to its stdin."""
    return ["-f", "f32le", *layout(decoded), "-i", "pipe:0"]


def levelled(
    decoded: Decoded, start: int, end: int, gain: float, limit: float, fade_ms: int
) -> Iterator[bytes]:
    """Samples start..end of the raw decode, levelled as the recipe says: the gain
    rounded to 0.01 dB and the ceiling to 1e-4, as render-cache keys name them."""
    gain, limit = _rounded(gain, limit)
    return limiter.levelled(decoded.raw, decoded.analysis, start, end, gain, limit, fade_ms)


def _rounded(gain: float, limit: float) -> tuple[float, float]:
    return round(gain, 2), round(limit, 4)


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
    the span, its levels (limiter.LEVELS, the gain and ceiling as applied), the output
    options, the peak check's rules and ffmpeg's version."""
    return [
        decoded.key,
        pcm_input(decoded),
        [start, end, limiter.LEVELS, *_rounded(gain, limit), settings.fade_ms],
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
    """Samples start..end of the raw decode, levelled (limiter.levelled), into `target`
    with ffmpeg's output options codec(decoded, settings), under the peak aim."""
    options = codec(decoded, settings)

    def encode(lim: float, tmp: Path) -> None:
        pcm = levelled(decoded, start, end, gain, lim, settings.fade_ms)
        run_ffmpeg([*pcm_input(decoded), *options, str(tmp)], feed=pcm)

    encode_under_peak(encode, target, limit, settings, options)
