"""Finding and running the external audio tools (ffmpeg, ffprobe, espeak-ng)."""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import AudioError

_INSTALL = {"ffmpeg": "ffmpeg", "ffprobe": "ffmpeg", "espeak-ng": "espeak-ng"}


def tool(name: str, what: str = "", path: Path | None = None) -> str:
    """The absolute path of an external tool, or a one-line AudioError saying how to get it."""
    found = shutil.which(name)
    if not found:
        pkg = _INSTALL.get(name, name)
        where = f"{what}: " if what else ""
        raise AudioError(f"{where}{name} not found on PATH (apt-get install {pkg})", path)
    return found


@functools.cache
def version(name: str) -> str:
    """The first line of `name -version` (a render-cache key part: a new encoder renders
    again)."""
    done = subprocess.run([tool(name), "-version"], capture_output=True, check=False)
    return done.stdout.decode("utf-8", "replace").partition("\n")[0].strip()


@contextlib.contextmanager
def about(what: str, source: Path | None = None) -> Iterator[None]:
    """Name whose audio it is (`what`: a talk) in any AudioError raised inside, once, at
    the boundary (render_talk, silences): the code inside raises with the file at fault
    and the problem only (`source` if it named no file), and takes no name to pass on."""
    try:
        yield
    except AudioError as e:
        path = e.path if e.path is not None else source
        raise type(e)(f"{what}: {e.message}" if what else e.message, path, e.line) from e


def run_ffmpeg(
    args: list[str], what: str = "", path: Path | None = None, feed: Iterable[bytes] | None = None
) -> None:
    """Run ffmpeg quietly, writing `feed` to its stdin ("-i pipe:0"); a failure becomes an
    AudioError quoting ffmpeg's last error line (after `what` if given: callers outside
    publisher.audio name their task)."""
    cmd = [tool("ffmpeg", what, path), "-hide_banner", "-v", "error", "-y", *args]
    cmd[1:1] = ["-nostdin"] if feed is None else []
    stdin = subprocess.DEVNULL if feed is None else subprocess.PIPE
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err)
        try:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg stopped: its error says why
                for data in feed or ():
                    proc.stdin.write(data)
        except BaseException:
            proc.kill()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                if proc.stdin:
                    proc.stdin.close()
            proc.wait()
        if proc.returncode:
            err.seek(0)
            where = f"{what}: " if what else ""
            raise AudioError(f"{where}ffmpeg failed ({last_line(err.read())})", path)


# ffmpeg's closing lines after the error that says what went wrong
_GENERIC = ("Conversion failed!", "Error marking filters as finished", "Error closing file")


def last_line(stderr: bytes) -> str:
    """The last line of a tool's stderr that says what went wrong."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    telling = [ln for ln in lines if not ln.startswith(_GENERIC)]
    return (telling or lines or ["no message"])[-1]


def sample_peak(path: Path) -> float:
    """An audio file's sample peak in dBFS (a decode, no oversampling: cheap)."""
    meter = "astats=measure_perchannel=none:measure_overall=Peak_level"
    cmd = [tool("ffmpeg"), "-nostdin", "-hide_banner", "-nostats", "-v", "info"]
    cmd += ["-i", str(path), "-map", "0:a:0", "-af", meter, "-f", "null", "-"]
    done = subprocess.run(cmd, capture_output=True)
    found = re.findall(rb"Peak level dB: (-?[\d.]+|-inf)", done.stderr)
    if done.returncode or not found:
        raise AudioError(f"cannot measure the peak ({last_line(done.stderr)})", path)
    return float(found[-1])


class Follower:
    """Whole `chunk`-byte pieces of a file a tool is still writing, then the rest once
    `finished()`; at most `limit` bytes if given. It never waits: read() is None
    while the next piece is not written yet."""

    def __init__(
        self, pcm: BinaryIO, finished: Callable[[], bool], chunk: int, limit: int | None = None
    ) -> None:
        self.pcm, self.finished, self.chunk, self.limit = pcm, finished, chunk, limit
        self.buf = bytearray()
        self.done = False

    def read(self) -> bytearray | None:
        """The next piece if it is all written (the caller's to keep), else None."""
        want = self.chunk if self.limit is None else min(self.chunk, self.limit)
        if self.done or want <= 0:
            self.done = True
            return None
        done = self.finished()  # asked before reading: all written by then is readable
        self.buf += self.pcm.read(want - len(self.buf))
        if len(self.buf) < want and not done:
            return None
        piece, self.buf = self.buf, bytearray()  # handed on, not copied
        self.limit = None if self.limit is None else self.limit - want
        self.done = len(piece) < want
        return piece or None


def follow(
    pcm: BinaryIO, finished: Callable[[], bool], chunk: int, limit: int | None = None
) -> Iterator[bytearray]:
    """A Follower's pieces, waiting for each."""
    reader = Follower(pcm, finished, chunk, limit)
    while not reader.done:
        piece = reader.read()
        if piece:
            yield piece
        elif not reader.done:
            time.sleep(0.02)
