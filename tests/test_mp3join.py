"""audio.mp3join writes the bytes ffmpeg's concat demuxer and MP3 muxer write with
`-c copy`, for the encodes a build makes, and leaves other MP3s to ffmpeg; the
audio is copied by fsutil.append_range."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from publisher.audio import mp3join, render
from publisher.audio.mp3info import stream_duration
from publisher.fsutil import append_range


def encode(path: Path, seconds: float, bitrate: str, rate: int, channels: int, *more: str) -> Path:
    """Noise and a tone, encoded as a build encodes a piece (render._mp3's options)."""
    src = f"anoisesrc=d={seconds}:a=0.05:seed={len(path.name)},volume=1"
    tone = f"sine=f=440:d={seconds}"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", src]
    cmd += ["-f", "lavfi", "-i", tone, "-filter_complex", "amix=inputs=2"]
    cmd += ["-c:a", "libmp3lame", "-b:a", bitrate, "-ar", str(rate), "-ac", str(channels)]
    subprocess.run([*cmd, *render._BARE, *more, str(path)], check=True)
    return path


def by_ffmpeg(parts: list[Path], target: Path) -> Path:
    render._ffmpeg_concat(parts, target)
    return target


@pytest.mark.parametrize(
    ("bitrate", "rate", "channels"),
    [("64k", 44100, 1), ("128k", 48000, 2), ("96k", 32000, 2)],
)
def test_a_join_is_byte_for_byte_ffmpegs_stream_copy(
    tmp_path, monkeypatch, bitrate, rate, channels
):
    monkeypatch.setattr(mp3join, "BLOCK", 1000)  # frames straddle many reads
    parts = [
        encode(tmp_path / f"{i}.mp3", seconds, bitrate, rate, channels)
        for i, seconds in enumerate([7.3, 0.4, 12.0])
    ]
    mp3join.join(parts, tmp_path / "ours.mp3")
    assert (tmp_path / "ours.mp3").read_bytes() == by_ffmpeg(
        parts, tmp_path / "ffmpeg.mp3"
    ).read_bytes()
    # each inner seam keeps its encoder delay and padding: up to ~0.1 s more each
    assert 19.7 <= MP3(tmp_path / "ours.mp3").info.length <= 19.7 + 0.25


def test_a_join_of_joins_is_ffmpegs_too(tmp_path):
    """A long piece is encoded in chunks and joined; the full episode joins it again."""
    chunks = [encode(tmp_path / f"c{i}.mp3", 5.0 + i, "64k", 44100, 1) for i in range(3)]
    piece = tmp_path / "piece.mp3"
    mp3join.join(chunks, piece)
    last = encode(tmp_path / "last.mp3", 3.0, "64k", 44100, 1)
    mp3join.join([piece, last], tmp_path / "full.mp3")
    expected = by_ffmpeg([by_ffmpeg(chunks, tmp_path / "p.mp3"), last], tmp_path / "f.mp3")
    assert (tmp_path / "full.mp3").read_bytes() == expected.read_bytes()


def test_an_mp3_the_muxer_did_not_write_is_joined_by_ffmpeg(tmp_path):
    plain = encode(tmp_path / "a.mp3", 2.0, "64k", 44100, 1)
    bare = encode(tmp_path / "b.mp3", 2.0, "64k", 44100, 1, "-write_xing", "0")
    with pytest.raises(mp3join.NotOurs):
        mp3join.join([plain, bare], tmp_path / "no.mp3")
    assert not (tmp_path / "no.mp3").exists()
    render._concat([plain, bare], tmp_path / "joined.mp3")
    assert (tmp_path / "joined.mp3").read_bytes() == by_ffmpeg(
        [plain, bare], tmp_path / "f.mp3"
    ).read_bytes()


def test_a_low_rate_whose_info_frame_is_short_is_joined_by_ffmpeg(tmp_path):
    """Under 190 bytes, the muxer's tag CRC reads past its Info frame: not ours to copy."""
    parts = [encode(tmp_path / f"{i}.mp3", 2.0, "32k", 22050, 1) for i in range(2)]
    with pytest.raises(mp3join.NotOurs):
        mp3join.join(parts, tmp_path / "no.mp3")
    render._concat(parts, tmp_path / "joined.mp3")
    expected = by_ffmpeg(parts, tmp_path / "f.mp3").read_bytes()
    assert (tmp_path / "joined.mp3").read_bytes() == expected


def test_a_truncated_part_is_not_joined(tmp_path):
    part = encode(tmp_path / "a.mp3", 3.0, "64k", 44100, 1)
    data = part.read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[:-100])
    with pytest.raises(mp3join.NotOurs):  # its tag counts bytes that are not there
        mp3join.join([part, cut], tmp_path / "no.mp3")


def test_crc_shift_combines_crcs():
    a, b = b"publisher joins", bytes(range(256)) * 3
    assert mp3join._crc_shift(mp3join._crc(a), len(b)) ^ mp3join._crc(b) == mp3join._crc(a + b)


@pytest.mark.parametrize("kernel", [True, False])
def test_append_range_copies_a_range_or_the_rest(tmp_path, monkeypatch, kernel):
    """In the kernel (copy_file_range) or, where it has none, through Python."""
    if not kernel:
        monkeypatch.delattr(os, "copy_file_range")
    data = bytes(range(256)) * 9000
    (tmp_path / "src").write_bytes(data)
    (tmp_path / "out").write_bytes(b"head")
    with open(tmp_path / "src", "rb") as src, open(tmp_path / "out", "r+b") as out:
        append_range(src, out, 1000, 70000)
        append_range(src, out, 2_000_000)
    assert (tmp_path / "out").read_bytes() == b"head" + data[1000:71000] + data[2_000_000:]


@pytest.mark.parametrize(
    ("bitrate", "rate", "per_frame"), [("64k", 44100, 1152), ("32k", 22050, 576)]
)
def test_stream_duration_is_the_audio_frames_the_file_holds(tmp_path, bitrate, rate, per_frame):
    """mp3info reads the Info frame's count (MPEG-1 and MPEG-2 frames alike): the
    frames there are, encoder delay and padding included."""
    path = encode(tmp_path / "a.mp3", 3.0, bitrate, rate, 1)
    part = mp3join.read_part(path)
    with open(path, "rb") as f:
        frames = sum(1 for _ in mp3join._frames(f, part))
    assert stream_duration(path) == frames * per_frame / rate
