"""The CLI's bad-input contract (one line on stderr, non-zero exit, published
files untouched) in cases the other tests don't reach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import SHORT_SEED, digest, make_show, need


def _build(root: Path, toml: Path, path: str) -> subprocess.CompletedProcess:
    args = ["build", str(toml), "--out", str(root / "public"), "--cache-dir", str(root / "cache")]
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args, "--standin-audio"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
        cwd=root,
    )


def test_missing_ffmpeg_is_one_line_and_leaves_the_published_show(tmp_path):
    toml = make_show(tmp_path, [SHORT_SEED])
    assert _build(tmp_path, toml, os.environ["PATH"]).returncode == 0
    before = digest(tmp_path / "public")
    with toml.open("a") as f:
        f.write('"zzq" = "ZZQ"\n')  # the show changed: its talk is built again, not relinked
    bare = tmp_path / "bin"  # espeak-ng but no ffmpeg (pydub used to warn on import)
    bare.mkdir()
    (bare / "espeak-ng").symlink_to(need("espeak-ng"))
    done = _build(tmp_path, toml, str(bare))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "ffmpeg not found on PATH" in done.stderr and "Traceback" not in done.stderr
    assert digest(tmp_path / "public") == before
