"""Atomic file writes (write to a temporary sibling, then rename over the target), and
files found inside installed packages."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@functools.cache
def code_identity() -> str:
    """A hash of the package's code and templates: new code rebuilds every talk and page."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in (".pyc",) and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` on success.

    On any exception the temporary file is removed and `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; published files must be world-readable
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def keep_or_write(path: Path, data: bytes, online: Path | None = None) -> None:
    """Put `data` at `path`, leaving a file that holds them alone, and hard-linking
    `online` (the published copy) where it holds them: an unchanged file keeps its
    inode and Last-Modified date, for browsers, podcast apps and deploys."""
    if online is not None and online != path and holds(online, data):
        link_at(online, path)
    elif not holds(path, data):
        write_bytes(path, data)


def link_at(src: Path, path: Path) -> None:
    """Make `path` a hard link of `src` (a copy where links are not possible), unless
    it is one already."""
    if not (path.exists() and path.samefile(src)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        link_or_copy(src, path)


def holds(path: Path, data: bytes) -> bool:
    """Whether the file at `path` has exactly these bytes."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def link_or_copy(src: str | Path, target: str | Path) -> None:
    """Hard-link `src` at `target` (a new name), copying where links are not possible."""
    try:
        os.link(src, target)
    except OSError:
        shutil.copy2(src, target)


def copy_file(src: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(src, tmp)


def append_range(src, out, at: int, size: int | None = None) -> None:
    """Append `size` bytes of the open file `src` from byte `at` (to its end if None)
    to the end of the open file `out`, in the kernel where it can."""
    end = os.fstat(src.fileno()).st_size if size is None else at + size
    out.flush()
    out.seek(0, os.SEEK_END)
    with contextlib.suppress(AttributeError, OSError):  # no copy_file_range here
        while at < end:
            copied = os.copy_file_range(src.fileno(), out.fileno(), end - at, at)
            if not copied:
                break
            at += copied
    out.seek(0, os.SEEK_END)
    src.seek(at)
    while at < end:  # what the kernel did not copy, through Python
        data = src.read(min(end - at, 1 << 20))
        if not data:
            raise OSError(f"{getattr(src, 'name', 'a file')} ended before byte {end}")
        out.write(data)
        at += len(data)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# renameat2 errors that mean "can't exchange here", not "failed": EINVAL, ENOSYS and
# EOPNOTSUPP (old kernels, some file systems), EXDEV (overlay file systems).
_CANT_EXCHANGE = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV)


def backup_dir(target: Path) -> Path:
    """Where the fallback swap keeps `target` between its renames: hidden (a dot
    name), so it is never served nor taken for a show."""
    return target.with_name(f".{target.name}.old")


def replace_dir(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target` in one atomic step (Linux
    renameat2 RENAME_EXCHANGE), so `target` is complete at every moment; the old
    contents end up at `new`, for the caller to remove. Where the kernel or file
    system can't exchange, falls back to two renames with `target` at backup_dir()
    between them: a failure puts it back; a kill leaves it for restore_dir()."""
    if not target.exists():
        os.replace(new, target)
        return
    if _exchange(new, target):
        return
    old = backup_dir(target)
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old, target)
        raise
    os.replace(old, new)


def restore_dir(target: Path) -> Path | None:
    """If `target` is gone but its backup is left (a swap killed between its two
    renames), rename the backup back; the backup restored, else None. The caller
    holds the show's lock. `<target>.old` is where versions before 13 left it."""
    if os.path.lexists(target):
        return None
    for old in backups(target):
        os.rename(old, target)
        return old
    return None


def backups(target: Path) -> list[Path]:
    """The backup folders of `target` there are (see restore_dir)."""
    found = (backup_dir(target), target.with_name(target.name + ".old"))
    return [old for old in found if old.is_dir() and not old.is_symlink()]


def _exchange(a: Path, b: Path) -> bool:
    err = _renameat2(a, b, _RENAME_EXCHANGE)
    if err == 0:
        return True
    if err in _CANT_EXCHANGE:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _renameat2(a: Path, b: Path, flags: int) -> int:
    """renameat2(2) through libc: 0, or the errno (ENOSYS where libc lacks it)."""
    import ctypes

    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return errno.ENOSYS
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
        return 0
    return ctypes.get_errno()


_FULL = (errno.ENOSPC, errno.EDQUOT)
_FULL_TEXT = ("No space left on device", "Disk quota exceeded")  # a tool's own words


def full_folder(e: BaseException, folders: dict[str, Path]) -> tuple[str, Path] | None:
    """(name, folder) of the one of `folders` whose disk is full, if `e` came from a
    full disk; None if it did not. The folder is the one holding the file written
    (copyfile names its target second), else for a tool that said so the last folder
    (tools write there), else the one with the least room left."""
    tool = not isinstance(e, OSError) and any(text in str(e) for text in _FULL_TEXT)
    if not (tool or isinstance(e, OSError) and e.errno in _FULL):
        return None
    written = getattr(e, "path", None) if tool else (e.filename2 or e.filename)
    for name, folder in folders.items():
        if written is not None and _inside(Path(os.fsdecode(written)), Path(folder)):
            return name, folder
    if tool:
        return list(folders.items())[-1]
    return min(folders.items(), key=lambda item: _room(item[1]))


def _inside(path: Path, folder: Path) -> bool:
    return path.absolute().is_relative_to(folder.absolute())


def _room(folder: Path) -> int:
    """Bytes free for us in the file system holding `folder` (or its nearest parent)."""
    for where in (folder, *folder.absolute().parents):
        try:
            st = os.statvfs(where)
        except OSError:
            continue
        return st.f_bavail * st.f_frsize
    return 0


def package_file(package: str, *parts: str) -> Path | None:
    """A path inside an installed package, found without importing it (resemblyzer and
    pyannote import torch, yake networkx); None where the package is not installed."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), *parts)
