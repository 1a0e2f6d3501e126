"""Stand-in audio: espeak-ng reads each transcript line inside its caption slot,
with silence between, so captions line up with the audio. Never the real recording:
it lives under <cache>/standin/, not <cache>/audio/."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

# pydub warns at import when ffmpeg is missing; tools.tool() reports that in one line
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

from ..errors import AudioError
from ..fsutil import atomic_path
from ..model import WORD_SECONDS, Line, Talk
from .tools import last_line, tool

RATE = 22050  # espeak-ng's native rate
VERSION = 3
# (voice, pitch) per speaker; unattributed lines use the first
VOICES = [
    ("en-us", 50),
    ("en-gb", 40),
    ("en-us+f3", 55),
    ("en-us+m3", 35),
    ("en-gb+f2", 60),
    ("en-us+m7", 45),
]
MAX_WPM = 450  # espeak-ng's fastest
PACE = 0.96  # nominal; espeak-ng speaks ~10% faster than asked, so lines end in time
WINDOW = 64  # lines in flight at once


def synthesise_standin(talk: Talk, cache_dir: Path) -> Path:
    """FLAC of stand-in speech for the talk, as long as its captions (cached by transcript)."""
    what = f'"{talk.title}"'
    lines = [ln for ln in talk.transcript if ln.text.strip()]
    if not lines:
        raise AudioError(f"{what}: no transcript to synthesise stand-in audio from", talk.source)
    digest = hashlib.sha256(
        json.dumps(
            [VERSION, talk.duration, [(ln.start, ln.end, ln.text, ln.speaker) for ln in lines]]
        ).encode()
    ).hexdigest()[:16]
    # keyed by content alone: talks with the same transcript share one file, so its
    # decode and encodes (benchmarks/year.py --share)
    target = Path(cache_dir) / "standin" / f"{digest}.flac"
    if target.exists():
        return target
    espeak = tool("espeak-ng", what, talk.source)
    ffmpeg = tool("ffmpeg", what, talk.source)
    total = round(max(talk.duration, lines[-1].end) * RATE)
    with atomic_path(target) as tmp, tempfile.TemporaryFile() as err:
        pcm = ["-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]
        cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-y", *pcm, "-c:a", "flac"]
        cmd += ["-f", "flac", str(tmp)]
        with subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=err) as proc:
            assert proc.stdin
            try:
                _write_speech(espeak, lines, total, proc.stdin, what, talk.source)
                proc.stdin.close()
            except BrokenPipeError:  # ffmpeg stopped (a full disk?): its error says why
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
        if proc.returncode:
            err.seek(0)
            raise AudioError(
                f"{what}: stand-in encode failed ({last_line(err.read())})", talk.source
            )
    return target


def _write_speech(espeak: str, lines: list[Line], total: int, out, what: str, seed: Path) -> None:
    """Stream PCM: silence up to each line's start, then its speech cut to its slot."""
    at = 0
    nexts = [ln.start for ln in lines[1:]] + [total / RATE]
    slots = [max(0.0, min(ln.end, nxt) - ln.start) for ln, nxt in zip(lines, nexts, strict=True)]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        for i in range(0, len(lines), WINDOW):
            batch = list(zip(lines[i : i + WINDOW], slots[i : i + WINDOW], strict=True))
            spoken = pool.map(lambda item: _speak(espeak, *item, what, seed), batch)
            for (ln, slot), pcm in zip(batch, spoken, strict=True):
                start = min(max(round(ln.start * RATE), at), total)
                pcm = _fit(pcm, min(round(slot * RATE), total - start))
                _silence(out, start - at)
                out.write(pcm.tobytes())
                at = start + len(pcm)
    _silence(out, total - at)


def _silence(out, samples: int) -> None:
    """Write `samples` of silence a second at a time: a long pause needs no big buffer."""
    second = bytes(2 * RATE)
    for _ in range(samples // RATE):
        out.write(second)
    out.write(bytes(2 * (samples % RATE)))


def _speak(espeak: str, line: Line, slot: float, what: str, seed: Path) -> AudioSegment:
    """espeak-ng speech of one line, fast enough (up to 450 wpm) to fit its slot."""
    voice, pitch = (
        VOICES[zlib.crc32(line.speaker.encode()) % len(VOICES)] if line.speaker else VOICES[0]
    )
    wpm = _pace(len(line.text.split()), slot)
    done = subprocess.run(
        [espeak, "--stdout", "-v", voice, "-p", str(pitch), "-s", str(wpm)],
        input=line.text.encode(),
        capture_output=True,
    )
    if done.returncode or not done.stdout:
        raise AudioError(f"{what}: espeak-ng failed ({last_line(done.stderr)})", seed)
    try:  # pydub reads espeak-ng's streamed WAV, whose header gives no real length
        return AudioSegment(data=done.stdout)
    except Exception as e:  # noqa: BLE001 (pydub raises plain exceptions on bad headers)
        raise AudioError(f"{what}: espeak-ng gave unreadable audio ({e})", seed) from None


def _pace(words: int, slot: float) -> int:
    """Words per minute for a line: the pace transcripts assume (model.word_times, so a
    cut inside a line splits its text where it splits its speech), up to MAX_WPM."""
    step = min(slot / max(words, 1), WORD_SECONDS) * PACE
    return int(min(MAX_WPM, 60 / max(step, 60 / MAX_WPM)))


def _fit(speech: AudioSegment, room: int) -> np.ndarray:
    """Trim trailing silence; cut to `room` samples with a 10 ms fade-out if too long."""
    pcm = np.frombuffer(speech.raw_data, "<i2")
    loud = np.flatnonzero(np.abs(pcm) > 64)
    end = loud[-1] + 1 if len(loud) else 0
    if end <= room:
        return pcm[:end]
    cut = speech.get_sample_slice(0, max(room, 0)).fade_out(10)
    return np.frombuffer(cut.raw_data, "<i2")
