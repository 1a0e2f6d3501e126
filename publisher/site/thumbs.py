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
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..errors import PublisherError
from ..fsutil import write_bytes

WIDTHS = (160, 320, 640)  # px: a 36-160 px logo or card at 1x-2x, a 240 px hero at 2x
QUALITY = 82
FOLDER = "thumbs"  # under the cache folder, and under the show folder


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
        self.files: dict[str, bytes] = {}  # site-relative path -> JPEG, to write
        self._done: dict[str, Thumbs] = {}  # content hash -> its thumbs
        self._seen: dict[Path, Thumbs | None] = {}  # picture -> its thumbs (read once)

    def __call__(self, picture: Path) -> Thumbs | None:
        """The thumbnails of `picture` (a file in the show folder, unchanged while this
        maker is used: each is read once), None if it is missing."""
        if picture not in self._seen:
            self._seen[picture] = self._thumbs(picture)
        return self._seen[picture]

    def _thumbs(self, picture: Path) -> Thumbs | None:
        try:
            data = picture.read_bytes()
        except FileNotFoundError:
            return None
        digest = hashlib.sha256(data).hexdigest()[:16]
        if digest not in self._done:
            self._done[digest] = self._make(picture, data, digest)
        return self._done[digest]

    def _make(self, picture: Path, data: bytes, digest: str) -> Thumbs:
        names = {w: f"{FOLDER}/{digest}-{w}.jpg" for w in WIDTHS}
        cached = {w: self._cached(n) for w, n in names.items()}
        if any(v is None for v in cached.values()):
            cached = dict(zip(WIDTHS, _resize(picture, data), strict=True))
            for w, jpeg in cached.items():
                if self.cache:  # atomic: talks' stages may share a cover's thumbnails
                    write_bytes(self.cache / names[w], jpeg)
        for w, jpeg in cached.items():
            self.files[names[w]] = jpeg  # type: ignore[assignment]
        return Thumbs(names)

    def _cached(self, name: str) -> bytes | None:
        try:
            return (self.cache / name).read_bytes() if self.cache else None
        except FileNotFoundError:
            return None


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
