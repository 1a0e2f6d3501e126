"""Decode a long source as two halves at once, one per core, then join them.

ffmpeg decodes Opus on one core, so the one decode of a long talk would
otherwise run while the other core waits. The halves overlap by OVERLAP
seconds; the join is aligned by cross-correlation (a seek may land a few
samples off) and made at the quietest 100 ms block boundary in the overlap.
The result is a single decode's audio, except that after the join it may sit a
fraction of an output sample off (a seek lands on the source's sample grid:
Opus/WebM 384 samples at 48 kHz early = 352.8 at 44.1 kHz), ~29 dB SNR against
a single decode: inaudible, and 5 us off in time.

Both halves are analysed while they are decoded. The second half's blocks must
line up with the joined file, so its analysis starts from the offset that a
short probe seek near the start shows. Seeks land off by a constant per format
(with ffmpeg 5.1: Opus/WebM 8 ms early, 353 samples at 44.1 kHz, unless the seek
hits a cluster's start; M4A 22 samples; MP3 and Ogg exact), so the probe seeks
to the same place in a CYCLE as the second half. If the join finds another
offset, the second half is analysed again from the join, as it was before.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fsutil import append_range
from .analyse import CHUNK_BLOCKS, Analyser
from .tools import Follower

OVERLAP = 3.0  # seconds each half reaches past the middle
MIN_SECONDS = 600.0  # shorter sources decode in one go
SEARCH = 2048  # samples a seek may be off by, at most
PROBE_AT = 60.0  # seconds into the source where a probe seek measures the seek offset...
CYCLE = 10.0  # ...plus where the second half starts modulo this: containers index on a grid
PROBE_LEN = 10.0  # seconds the probe decodes


@dataclass(frozen=True)
class Shape:
    """What ffprobe tells of a source's first audio stream (None: it cannot tell)."""

    seconds: float | None
    channels: int | None


def probe(source: Path) -> Shape:
    """The source's duration by its container and its first audio stream's channels,
    probed once per version of the file (the decode asks for them twice a build)."""
    st = source.stat()
    return _probe(str(source), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _probe(source: str, size: int, mtime: int) -> Shape:
    ffprobe = shutil.which("ffprobe")
    if not ffprobe:
        return Shape(None, None)
    cmd = [ffprobe, "-v", "error", "-select_streams", "a:0", "-of", "json"]
    cmd += ["-show_entries", "format=duration:stream=channels", source]
    done = subprocess.run(cmd, capture_output=True, text=True)
    try:
        found = json.loads(done.stdout or "{}")
    except ValueError:
        return Shape(None, None)
    streams = found.get("streams") or [{}]
    return Shape(
        _number(found.get("format", {}).get("duration"), float),
        _number(streams[0].get("channels"), int),
    )


def _number(value, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def decode_halves(
    cmd: list[str],
    fmt: list[str],
    seconds: float,
    target: Path,
    analyser: Analyser,
    advance: Callable[[float], None],
    err,
    freed: Callable[[], None],
) -> bool:
    """Decode into `target` (raw s16le in the output format `fmt`) feeding `analyser`
    in order; False if the halves could not be joined (the caller then decodes in
    one go). `cmd` is ffmpeg's command line up to its closing "-i", source. freed()
    is called once, when the first half to end is decoded (a core is free)."""
    rate, block = analyser.rate, analyser.block
    middle, reach = round(seconds * rate / 2 / block) * block, round(OVERLAP * rate)
    at = _Place(middle, reach, -(-(reach // 2) // block) * block)
    second = target.with_name(target.name + ".half")
    tail = Analyser(rate, analyser.channels)  # the second half from at.last_join on
    try:
        second.write_bytes(b"")  # to open before ffmpeg writes it
        offset = _decode_both(cmd, fmt, target, second, analyser, tail, at, err, freed)
        advance(analyser.samples / rate)
        fed = analyser.samples
        if offset is None or not _join(target, second, analyser, tail, offset, at):
            return False
        advance((analyser.samples - fed) / rate)
        return True
    finally:
        second.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Place:
    """Where the halves meet, in output samples."""

    middle: int  # a block boundary
    reach: int  # how far each half reaches past the middle
    after: int  # how far after the middle the join may fall, at most (whole blocks)

    @property
    def begin(self) -> int:
        """The output sample the second half starts at, if its seek is exact."""
        return self.middle - self.reach

    @property
    def last_join(self) -> int:
        return self.middle + self.after


def _decode_both(
    cmd: list[str],
    fmt: list[str],
    target: Path,
    second: Path,
    analyser: Analyser,
    tail: Analyser,
    at: _Place,
    err,
    freed: Callable[[], None],
) -> int | None:
    """Decode the halves into `target` and `second` while `analyser` takes the first
    up to where the join may fall and `tail` the second from at.last_join on, placed
    by where a probe's seek landed; that offset, or None if a decode failed. freed()
    once, when either ffmpeg is done."""
    rate, block = analyser.rate, analyser.block
    start, source, out = cmd[:-2], cmd[-2:], ["-map", "0:a:0", *fmt]
    probe_at, probe_len = _probe_place(at.begin, analyser)
    first_cmd = [*start, *source, "-t", _s(at.middle + at.reach, rate), *out, str(target)]
    with subprocess.Popen(first_cmd, stderr=err) as one:
        # the probe decodes while the first half starts, and the second half starts
        # after it: never more than two ffmpeg at once
        probe = [*start, "-ss", _s(probe_at, rate), *source, "-t", _s(probe_len + rate, rate)]
        probed = subprocess.run([*probe, *out, "-"], capture_output=True).stdout
        second_cmd = [*start, "-ss", _s(at.begin, rate), *source, *out, str(second)]
        with (
            subprocess.Popen(second_cmd, stderr=err) as two,
            open(target, "rb") as pcm,
            open(second, "rb") as later,
        ):
            # both in turns, in this one thread (a second one's buffers would stay
            # resident through the encodes)
            first, rest, offset = _reader(pcm, analyser, 0, at.begin // block * block, one), None, 0
            free = False
            while not (first.done and rest and rest.done):
                fed = _feed_one(first, analyser)
                if rest:
                    fed |= _feed_one(rest, tail)
                else:
                    found = _seek_offset(target, probe_at, probed, probe_len, analyser, one)
                    if found is not None:
                        offset = found
                        rest = _reader(later, tail, at.last_join - at.begin - offset, None, two)
                if not free and (one.poll() is not None or two.poll() is not None):
                    free = True
                    freed()
                if not fed:
                    time.sleep(0.02)
    return None if one.returncode or two.returncode else offset


def _join(
    target: Path, second: Path, analyser: Analyser, tail: Analyser, offset: int, at: _Place
) -> bool:
    """Align the decoded halves, analyse what is left around the join, and append the
    second half to `target` from the join on; False if a half came out short."""
    rate, channels, block, reach = analyser.rate, analyser.channels, analyser.block, at.reach
    a = np.memmap(target, "<i2", "r").reshape(-1, channels)
    b = np.memmap(second, "<i2", "r").reshape(-1, channels)
    if len(a) < at.middle + reach // 2 or len(b) < 2 * reach:
        return False
    lag = _lag(a[at.begin : at.middle + reach], b[: 2 * reach], rate)
    lag = offset if lag is None else lag  # a silent overlap: trust the probe
    join = _quiet_join(a, at.middle, reach // 2, block)
    start_b = join - at.begin - lag  # b's sample that continues a at `join`
    del a, b
    with open(target, "rb") as pcm:
        _feed(pcm, analyser, analyser.samples, join)
    with open(second, "rb") as pcm:
        if lag == offset:  # the tail's blocks line up: analyse only up to it
            _feed(pcm, analyser, start_b, at.last_join - at.begin - lag)
            analyser.extend(tail)
        else:  # the seek landed elsewhere: analyse the rest again, placed by `lag`
            _feed(pcm, analyser, start_b, None)
        with open(target, "r+b") as whole:
            whole.truncate(join * 2 * channels)
            append_range(pcm, whole, start_b * 2 * channels)
    return True


def _s(samples: int, rate: int) -> str:
    """A sample position as ffmpeg's seconds."""
    return f"{samples / rate:.6f}"


def _exited(proc: subprocess.Popen | None) -> Callable[[], bool]:
    """Whether a process (None: one already done) has exited, as a question to ask later."""
    return lambda: proc is None or proc.poll() is not None


def _probe_place(before: int, analyser: Analyser) -> tuple[int, int]:
    """(start, length) in samples of the probe for a seek to sample `before`: at the
    same place in a CYCLE, after PROBE_AT or (a short source) whole CYCLEs before
    `before`, so on a block boundary as the halves seek. It decodes a second more
    than it uses, as a seek may land early or late."""
    rate, block, cycle = analyser.rate, analyser.block, round(CYCLE * analyser.rate)
    size = min(round(PROBE_LEN * rate), before // 2)
    at = round(PROBE_AT * rate) + before % cycle
    if at + size + rate > before:
        at = before + (size + rate) // -cycle * cycle
    return max(0, at) // block * block, size


def _seek_offset(
    target: Path, at: int, probed: bytes, size: int, analyser: Analyser, one: subprocess.Popen
) -> int | None:
    """How far (samples) the probe's seek to sample `at` landed from it, as _lag
    measures it: its first `size` samples (`probed`) against the first half
    (`target`, written by `one`); 0 if that cannot tell, None until `one` has
    written that far."""
    channels = analyser.channels
    written = target.stat().st_size >= (at + size) * 2 * channels
    if not written and one.poll() is None:
        return None
    b = np.frombuffer(probed, "<i2")[: size * channels].reshape(-1, channels)
    if len(b) < size or not written:
        return 0
    a = np.memmap(target, "<i2", "r", shape=(at + size, channels))
    return _lag(a[at:], b, analyser.rate) or 0


def _reader(pcm, analyser: Analyser, at: int, end: int | None, writer) -> Follower:
    """Whole chunks of samples `at` to `end` (None: to the end) of a file `writer`
    (a process, None if done) is writing."""
    frame = 2 * analyser.channels
    pcm.seek(at * frame)
    limit = None if end is None else (end - at) * frame
    return Follower(pcm, _exited(writer), analyser.block * CHUNK_BLOCKS * frame, limit)


def _feed_one(reader: Follower, analyser: Analyser) -> bool:
    """Feed the analyser the reader's next chunk if it is written; whether it was."""
    data = reader.read()
    if data:
        analyser.feed(np.frombuffer(data, "<i2").reshape(-1, analyser.channels))
    return bool(data)


def _feed(pcm, analyser: Analyser, at: int, end: int | None) -> None:
    """Feed the analyser samples `at` to `end` (None: to the end) of a written file."""
    reader = _reader(pcm, analyser, at, end, None)
    while _feed_one(reader, analyser):
        pass


def _lag(a: np.ndarray, b: np.ndarray, rate: int) -> int | None:
    """The shift s (|s| <= SEARCH) for which b[i] best matches a[i + s], found on
    b's loudest half second (corr[s] = sum a[i + s] b[i], by FFT); None if b is
    silent there (any shift sounds the same)."""
    x = a.mean(axis=1).astype(np.float64)
    y = b.mean(axis=1).astype(np.float64)
    size = rate // 2
    starts = range(SEARCH, len(y) - size - SEARCH, size // 4)
    if not starts:
        return None
    at = max(starts, key=lambda i: float(np.sum(np.square(y[i : i + size]))))
    probe = y[at : at + size]
    if np.sqrt(np.mean(np.square(probe))) < 30:
        return None
    window = x[at - SEARCH : at + size + SEARCH]
    n = 1 << (len(window) + size).bit_length()
    corr = np.fft.irfft(np.fft.rfft(window, n) * np.conj(np.fft.rfft(probe, n)), n)
    return int(np.argmax(corr[: 2 * SEARCH + 1])) - SEARCH


def _quiet_join(a: np.ndarray, middle: int, reach: int, block: int) -> int:
    """The block boundary within `reach` of the middle with the least energy around it."""
    best, quietest = middle, np.inf
    for at in range(middle - reach // block * block, middle + reach, block):
        energy = float(np.mean(np.square(a[at - block // 4 : at + block // 4].astype(np.float64))))
        if energy < quietest:
            best, quietest = at, energy
    return best
