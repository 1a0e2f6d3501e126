"""A full disk: the build fails with one line, and the published show stays as it was."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from helpers import SHORT_SEED, build, digest, make_show


@pytest.fixture()
def small_disk(tmp_path: Path):
    """A 7 MB tmpfs: room for one published copy of the short panel, not two."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs and needs root, as CI has")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=7m", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_disk_full_keeps_the_published_show(tmp_path: Path, small_disk: Path, capsys):
    toml = make_show(tmp_path, [SHORT_SEED])
    out_args = ("--out", str(small_disk))
    assert build(tmp_path, toml, *out_args) == 0
    published = small_disk / "demo"
    before = digest(published)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (1024 * 1024))  # the next staged copy can't fit now
    with toml.open("a") as f:
        f.write('"zzq" = "ZZQ"\n')  # the show changed: its talk is built again, not relinked
    capsys.readouterr()

    status = build(tmp_path, toml, *out_args)

    err = capsys.readouterr().err.strip().splitlines()
    assert status == 1
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert "Traceback" not in err[0]
    assert digest(published) == before
    left = sorted(p.name for p in small_disk.iterdir())
    assert left == [".demo.lock", "demo", "filler"]  # no staging left
