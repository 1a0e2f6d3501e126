"""Join MP3 files frame by frame: the bytes ffmpeg's concat demuxer and MP3 muxer
write with `-c copy` (checked against it in the tests), without a process, and
with the audio copied in the kernel rather than read into Python.

Every part is a file ffmpeg's MP3 muxer wrote (a libmp3lame encode, or a join):
an Info frame holding a LAME tag, then the audio frames. The joined file is a new
Info frame, then each part's audio frames in turn. Its Info frame counts the
frames and bytes, holds a seek table sampled as the muxer samples it, the first
part's encoder delay, the last part's padding, and the CRC-16 of all the audio,
combined from the CRCs the parts' tags hold.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import append_range, atomic_path

RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version
_BITRATES = {  # kbit/s by bitrate index: MPEG-1 Layer III, MPEG-2/2.5 Layer III
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
TAG_SIZE = 156  # the Info tag, "Info" to the tag's CRC
TOC_SIZE = 100
BAGS = 400  # seek points the muxer samples, halved when full
TAG_CRC_OF = 190  # bytes from the Info frame's start the tag's CRC covers
BLOCK = 1 << 20  # bytes of a part read at a time, to find its frames


class NotOurs(ValueError):
    """A part that is not an MP3 as ffmpeg's muxer writes it (join it with ffmpeg),
    or a header that is not Layer III's."""


@dataclass(frozen=True)
class Header:
    """An MPEG audio Layer III frame header."""

    mpeg1: bool
    rate: int
    mono: bool
    bitrate: int  # kbit/s

    @classmethod
    def read(cls, data: bytes) -> Header:
        if len(data) < 4 or data[0] != 0xFF or (data[1] & 0xE6) != 0xE2:
            raise NotOurs("no Layer III frame header")
        version, rate_index, bitrate_index = (data[1] >> 3) & 3, (data[2] >> 2) & 3, data[2] >> 4
        if version == 1 or rate_index == 3 or bitrate_index in (0, 15):
            raise NotOurs("a reserved or free-format frame header")
        mpeg1 = version == 3
        rate = RATES[version][rate_index]
        return cls(mpeg1, rate, data[3] >> 6 == 3, _BITRATES[mpeg1][bitrate_index])

    def size(self, padded: bool) -> int:
        return (144 if self.mpeg1 else 72) * 1000 * self.bitrate // self.rate + padded

    @property
    def tag_at(self) -> int:
        """Where the Info tag starts in the frame: after the header and side info."""
        return 4 + ((17 if self.mono else 32) if self.mpeg1 else (9 if self.mono else 17))


@dataclass(frozen=True)
class Part:
    path: Path
    audio_at: int  # the first audio frame's byte offset (the Info frame is before it)
    audio_size: int
    delay: int
    padding: int
    crc: int  # CRC-16 of the audio frames, from the LAME tag
    header: Header  # of the Info frame


def read_part(path: Path) -> Part:
    """A part's Info frame, as ffmpeg's MP3 muxer wrote it."""
    with open(path, "rb") as f:
        head = f.read(4096)
        size = os.fstat(f.fileno()).st_size
    h = Header.read(head)
    at = h.tag_at
    frame = h.size(bool(head[2] & 2))
    if head[at : at + 4] not in (b"Info", b"Xing") or len(head) < at + TAG_SIZE:
        raise NotOurs("no Info frame")
    length, crc = struct.unpack(">IH", head[at + 148 : at + 154])
    if length != size:  # the muxer counts the whole file, its Info frame too
        raise NotOurs("a LAME tag that does not count this file")
    coded = int.from_bytes(head[at + 141 : at + 144], "big")
    return Part(path, frame, size - frame, coded >> 12, coded & 0xFFF, crc, h)


def join(parts: list[Path], target: Path) -> None:
    """Write the parts' audio frames, joined, to `target` (atomically)."""
    read = [read_part(p) for p in parts]
    head, info = _info_header(read[0].header)
    if info.size(False) < TAG_CRC_OF:
        raise NotOurs("an Info frame shorter than its tag's CRC covers (ffmpeg reads past it)")
    frame = bytearray(info.size(False))
    frame[:4] = head
    count, size, bags, crc, rates = 0, len(frame), _Bags(), 0, set()
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        out.write(frame)  # a placeholder, written again at the end
        for part in read:
            with open(part.path, "rb") as f:
                for length, bitrate in _frames(f, part):
                    count, size = count + 1, size + length
                    rates.add(bitrate)
                    bags.add(size)
                append_range(f, out, part.audio_at, part.audio_size)
            crc = _crc_shift(crc, part.audio_size) ^ part.crc
        at = info.tag_at
        frame[at : at + 4] = b"Xing" if len(rates) > 1 else b"Info"
        frame[at + 4 : at + 16] = struct.pack(">III", 0x0F, count, size)
        frame[at + 16 : at + 16 + TOC_SIZE] = bags.toc(size)
        frame[at + 120 : at + 124] = b"Lavf"  # no encoder: a stream copy
        coded = read[0].delay << 12 | min(read[-1].padding, 0xFFF)
        frame[at + 141 : at + 144] = coded.to_bytes(3, "big")
        frame[at + 148 : at + 154] = struct.pack(">IH", size, crc)
        frame[at + 154 : at + 156] = struct.pack(">H", _crc(bytes(frame[:TAG_CRC_OF])))
        out.seek(0)
        out.write(frame)


def _info_header(h: Header) -> tuple[bytes, Header]:
    """The joined file's Info frame header, as the muxer makes it: the parts' version,
    rate and channels, at their bitrate or the next that holds the tag."""
    rates = _BITRATES[h.mpeg1]
    index = rates.index(h.bitrate)
    while Header(h.mpeg1, h.rate, h.mono, rates[index]).size(False) < h.tag_at + TAG_SIZE:
        index += 1
    version = 3 if h.mpeg1 else 2 if h.rate in RATES[2] else 0
    rate_index = RATES[version].index(h.rate)
    head = bytes([0xFF, 0xE3 | version << 3, index << 4 | rate_index << 2, 0xC0 if h.mono else 0])
    return head, Header(h.mpeg1, h.rate, h.mono, rates[index])


def _frames(f, part: Part):
    """(size, kbit/s) of each audio frame of a part, reading BLOCK bytes at a time."""
    end, pos, data, base = part.audio_at + part.audio_size, part.audio_at, b"", part.audio_at
    known: dict[int, tuple[int, int]] = {}  # frame size and kbit/s by header bytes 1-2
    while pos < end:
        if pos + 4 > base + len(data):  # the next header is not read yet
            f.seek(pos)
            data, base = f.read(BLOCK), pos
            if len(data) < 4:
                raise NotOurs("a truncated frame")
        i = pos - base
        key = data[i + 1] << 8 | data[i + 2]
        if data[i] != 0xFF or key not in known:
            h = Header.read(data[i : i + 4])
            known[key] = (h.size(bool(data[i + 2] & 2)), h.bitrate)
        length, bitrate = known[key]
        yield length, bitrate
        pos += length
    if pos != end:
        raise NotOurs("a truncated frame")


class _Bags:
    """The muxer's seek points: the byte count after every `want` frames, up to BAGS
    of them; when full, every second one is dropped and `want` doubles."""

    def __init__(self) -> None:
        self.bag, self.want, self.seen = [0] * BAGS, 1, 0
        self.pos = 0

    def add(self, size: int) -> None:
        self.seen += 1
        if self.seen == self.want:
            self.bag[self.pos] = size
            self.pos += 1
            if self.pos == BAGS:
                self.bag[: BAGS // 2] = self.bag[1::2]
                self.want *= 2
                self.pos = BAGS // 2
            self.seen = 0

    def toc(self, size: int) -> bytes:
        points = [
            min(256 * self.bag[i * self.pos // TOC_SIZE] // size, 255) for i in range(1, TOC_SIZE)
        ]
        return bytes([0, *points])


# CRC-16/ARC (reflected 0x8005, from 0), as ffmpeg's AV_CRC_16_ANSI_LE
_TABLE = []
for _byte in range(256):
    _c = _byte
    for _ in range(8):
        _c = _c >> 1 ^ (0xA001 if _c & 1 else 0)
    _TABLE.append(_c)


def _crc(data: bytes, crc: int = 0) -> int:
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ crc >> 8
    return crc


def _apply(matrix: list[int], vector: int) -> int:
    out, bit = 0, 0
    while vector:
        if vector & 1:
            out ^= matrix[bit]
        vector, bit = vector >> 1, bit + 1
    return out


_ZERO_BIT = [1 << i >> 1 ^ (0xA001 if i == 0 else 0) for i in range(16)]


def _crc_shift(crc: int, length: int) -> int:
    """The CRC register `crc` run on through `length` zero bytes (so that
    crc(a + b) = _crc_shift(crc(a), len(b)) ^ crc(b)), in log(length) steps."""
    step, bits = _ZERO_BIT, 8 * length
    while bits:
        if bits & 1:
            crc = _apply(step, crc)
        step = [_apply(step, column) for column in step]
        bits >>= 1
    return crc
