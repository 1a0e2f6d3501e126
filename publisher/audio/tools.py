"""Finding and running the external audio tools (ffmpeg, ffprobe, espeak-ng)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

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


def run_ffmpeg(args: list[str], what: str, path: Path | None) -> None:
    """Run ffmpeg quietly; a failure becomes an AudioError quoting ffmpeg's last error line."""
    cmd = [tool("ffmpeg", what, path), "-nostdin", "-hide_banner", "-v", "error", "-y", *args]
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=err)
        if done.returncode:
            err.seek(0)
            raise AudioError(f"{what}: ffmpeg failed ({last_line(err.read())})", path)


def last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"
