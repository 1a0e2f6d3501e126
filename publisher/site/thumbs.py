"""Small JPEGs for the pages, made once from each cover (the 3000 px art is for podcast apps).

A thumbnail is named by its source's content hash and width, thumbs/<hash>-<w>.jpg, so
a page can offer them in `srcset` and a browser may cache them forever; a cache folder
keeps them across builds (a build writes a fresh staging folder).

Resizing a 3000 px cover costs about 40 ms, 40 s for a thousand talks: each talk's
stage makes its cover's thumbnails in the cache (prepare), in parallel with the other
talks, so the publish step only reads them.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..errors import PublisherError
from ..fsutil import write_bytes

WIDTHS = (160, 320, 640)  # px: a 36-160 px logo or card at 1x-2x, a 240 px hero at 2x
QUALITY = 82
FOLDER = "thumbs"  # under the cache folder, and under the show folder
SEEN = "seen.json"  # in the cache folder: a picture's file identity -> its content hash


def cache_folder(cache_dir: Path) -> Path:
    """Where the thumbnails are kept across builds."""
    return cache_dir / FOLDER


def prepare(picture: Path, cache_dir: Path) -> None:
    """Make the thumbnails of `picture` in the cache now (a talk's stage, for its cover),
    so that the publish step finds them there."""
    ThumbMaker(cache_folder(cache_dir))(picture)


@dataclass(frozen=True)
class Thumbs:
    """One picture's thumbnails: width -> site-relative path, smallest first."""

    paths: dict[int, str]

    @property
    def smallest(self) -> str:
        return next(iter(self.paths.values()))

    def at_least(self, px: int) -> str:
        """The smallest thumbnail at least `px` wide (else the largest): an <img> src."""
        return next((p for w, p in self.paths.items() if w >= px), list(self.paths.values())[-1])


class ThumbMaker:
    """Makes (or finds in `cache`) the thumbnails of each picture, once per content."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache
        self.files: dict[str, bytes | Path] = {}  # site-relative path -> JPEG (or its file)
        self._done: dict[str, Thumbs] = {}  # content hash -> its thumbs
        self._seen: dict[Path, Thumbs | None] = {}  # picture -> its thumbs (read once)
        self._saved = self._load()  # file identity -> content hash, from earlier builds
        self._hashes = dict(self._saved)  # ... and this build's
        self._met: set[str] = set()  # the identities of the pictures met by this maker

    def __call__(self, picture: Path) -> Thumbs | None:
        """The thumbnails of `picture` (a file in the show folder, unchanged while this
        maker is used: each is read once), None if it is missing."""
        if picture not in self._seen:
            self._seen[picture] = self._thumbs(picture)
        return self._seen[picture]

    def _thumbs(self, picture: Path) -> Thumbs | None:
        try:
            st = picture.stat()
        except FileNotFoundError:
            return None
        # a cover relinked from the published show keeps its inode, size and mtime: its
        # hash and cached thumbnails are found without reading it (1,000 covers: ~1 s)
        same = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
        digest = self._hashes.get(same, "")
        self._met.add(same)
        if digest not in self._done and not self._found(digest):
            try:
                data = picture.read_bytes()
            except FileNotFoundError:
                return None
            digest = hashlib.sha256(data).hexdigest()[:16]
            self._hashes[same] = digest
            if digest not in self._done:
                self._done[digest] = self._make(picture, data, digest)
        return self._done[digest]

    def _found(self, digest: str) -> bool:
        """Whether the thumbnails of content `digest` are all in the cache: if so, they
        are linked from there (not read) and known as done."""
        if not digest or not self.cache:
            return False
        names = _names(digest)
        if not all((self.cache / n).is_file() for n in names.values()):
            return False
        for n in names.values():
            self.files[n] = self.cache / n
        self._done[digest] = Thumbs(names)
        return True

    def _load(self) -> dict[str, str]:
        try:
            seen = json.loads((self.cache / SEEN).read_text()) if self.cache else {}
        except (OSError, ValueError):
            return {}
        return seen if isinstance(seen, dict) else {}

    def save(self) -> None:
        """Keep the hashes of the pictures this maker met for the next build (in the
        cache; those of pictures no longer shown are dropped)."""
        kept = {k: v for k, v in self._hashes.items() if k in self._met}
        if self.cache and kept != self._saved:
            write_bytes(self.cache / SEEN, json.dumps(kept, sort_keys=True).encode())
            self._saved = kept

    def _make(self, picture: Path, data: bytes, digest: str) -> Thumbs:
        """Make the thumbnails of `data` (unless the cache has them): with a cache, the
        show links the cache's files, so the published ones keep their inodes."""
        if self._found(digest):
            return self._done[digest]
        names = _names(digest)
        for w, jpeg in zip(WIDTHS, _resize(picture, data), strict=True):
            if self.cache:  # atomic: talks' stages may share a cover's thumbnails
                write_bytes(self.cache / names[w], jpeg)
            self.files[names[w]] = self.cache / names[w] if self.cache else jpeg
        return Thumbs(names)


def _names(digest: str) -> dict[int, str]:
    """The thumbnails of content `digest`: width -> path (site-relative, and in the cache)."""
    return {w: f"{FOLDER}/{digest}-{w}.jpg" for w in WIDTHS}


def _resize(picture: Path, data: bytes) -> list[bytes]:
    """`data` as a JPEG of each of WIDTHS (square art stays square; never upscaled
    beyond the original, so small art gives the same bytes for the larger widths)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (max(WIDTHS), max(WIDTHS)))  # JPEG: decode at 1/2..1/8 scale
            img = img.convert("RGB")
            out = []
            for w in WIDTHS:
                scaled = img.copy()
                scaled.thumbnail((w, w * img.height // max(1, img.width)), Image.LANCZOS)
                buf = io.BytesIO()
                scaled.save(buf, "JPEG", quality=QUALITY, optimize=True, progressive=True)
                out.append(buf.getvalue())
            return out
    except (OSError, ValueError) as e:
        raise PublisherError(f"cover art is not a readable image: {e}", picture) from None
