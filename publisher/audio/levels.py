"""The filters every rendered piece goes through, in every format: gain, limiter, fades."""

from __future__ import annotations


def level_chain(gain: float, limit: float, length: float, fade_ms: int) -> str:
    """ffmpeg's -af chain for a piece `length` seconds long: a constant gain (dB),
    a sample-peak limiter at `limit` (linear), and short fades in and out."""
    fade = min(fade_ms / 1000, length / 4)
    return (
        f"volume={gain:.2f}dB,"
        f"alimiter=limit={limit:.4f}:level=0:latency=1:attack=5:release=50,"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={length - fade:.6f}:d={fade:.3f}"
    )
