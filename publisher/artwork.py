"""Cover art: the show's square artwork and one cover per talk (Pillow).

Covers are 3000x3000 RGB JPEGs. A cover is only redrawn when its inputs
change: the hash of the inputs is kept in the JPEG comment.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from .errors import ShowError
from .fsutil import write_bytes
from .model import Talk
from .show import Show

SIZE = 3000
EMBED_SIZE = 1400  # the copy embedded in each MP3 (Apple's minimum size)
QUALITY = 88
DESIGN = "cover-v3"  # bump to redraw every cover
FONTS = Path("/usr/share/fonts/truetype/dejavu")
MARGIN = 240
WHITE = (255, 255, 255)
DIM = (200, 212, 230)
# Background colours (top, bottom, accent) picked per year so seasons differ.
PALETTES = [
    ((12, 30, 66), (22, 96, 136), (255, 196, 61)),
    ((40, 16, 64), (150, 40, 90), (255, 170, 90)),
    ((8, 48, 44), (20, 120, 96), (250, 220, 90)),
    ((50, 20, 20), (160, 60, 30), (255, 214, 120)),
    ((20, 24, 40), (70, 80, 140), (120, 230, 200)),
]


def show_artwork(show: Show, path: Path) -> Path:
    """The show's cover at `path`: show.artwork squared and resized, or a generated one."""
    source = _source_bytes(show)
    key = _key("show", show.title, show.author, source)
    if not _fresh(path, key):
        if source is not None:
            img = _square(source, show)
        else:
            img = _background(PALETTES[0])
            _draw_show(img, show)
        _save(img, path, key)
    return path


def talk_artwork(talk: Talk, show: Show, path: Path) -> Path:
    """A talk's cover at `path`: show title, talk title, year/playlist and speakers."""
    source = _source_bytes(show)
    speakers = [s.name for s in talk.speakers]
    host = talk.moderator.name if talk.moderator else ""
    key = _key("talk", show.title, talk.title, talk.playlist, talk.year, speakers, host, source)
    if not _fresh(path, key):
        palette = PALETTES[talk.year % len(PALETTES)]
        if source is not None:
            img = _square(source, show)
            img = Image.blend(img, Image.new("RGB", img.size, palette[0]), 0.6)
        else:
            img = _background(palette)
        _draw_talk(img, talk, show, palette[2])
        _save(img, path, key)
    return path


def embedded_cover(art: Path, size: int = EMBED_SIZE) -> Path:
    """A smaller copy of a cover for embedding as APIC, beside it; made once per cover."""
    art = Path(art)
    out = art.with_name(f"{art.stem}-{size}.jpg")
    key = _key("embed", size, art.read_bytes())
    if not _fresh(out, key):
        with Image.open(art) as img:
            img.draft("RGB", (size, size))  # JPEG decodes at 1/2 scale: no full-size copy
            _save(img.convert("RGB").resize((size, size), Image.LANCZOS), out, key)
    return out


# --- drawing ----------------------------------------------------------------------


def _draw_show(img: Image.Image, show: Show) -> None:
    d = ImageDraw.Draw(img)
    accent = PALETTES[0][2]
    width = SIZE - 2 * MARGIN
    font, lines = _fit(d, show.title, "DejaVuSans-Bold.ttf", width, 4, 520, 160)
    y = _block(d, lines, font, MARGIN, 620, WHITE)
    d.rectangle((MARGIN, y + 70, MARGIN + 520, y + 110), fill=accent)
    label = _font("DejaVuSans.ttf", 130)
    d.text((MARGIN, y + 190), "PODCAST", font=label, fill=DIM)
    _wave(img, show.title, y + 420, SIZE - MARGIN - 200)
    if show.author and show.author != show.title:
        d.text(
            (MARGIN, SIZE - MARGIN - 130), show.author, font=_font("DejaVuSans.ttf", 110), fill=DIM
        )


def _draw_talk(img: Image.Image, talk: Talk, show: Show, accent: tuple[int, int, int]) -> None:
    """Show title at the top, speakers at the bottom, the talk title and a year pill between."""
    d = ImageDraw.Draw(img)
    width = SIZE - 2 * MARGIN
    head, head_lines = _fit(d, show.title.upper(), "DejaVuSans-Bold.ttf", width, 1, 140, 80)
    _block(d, head_lines, head, MARGIN, MARGIN, accent)
    d.rectangle((MARGIN, MARGIN + 220, MARGIN + 420, MARGIN + 256), fill=accent)

    bottom = SIZE - MARGIN
    names = ", ".join(s.name for s in talk.speakers)
    host = f"Moderated by {talk.moderator.name}" if talk.moderator else ""
    if names or host:
        # the moderator keeps a line of their own however many panelists there are
        font, lines = _fit(
            d, f"With {names}" if names else host, "DejaVuSans.ttf", width, 4, 120, 70
        )
        if names and host:
            lines += _fit(d, host, "DejaVuSans.ttf", width, 1, font.size, font.size)[1]
        bottom -= len(lines) * _step(font)
        _block(d, lines, font, MARGIN, bottom, DIM)

    top, pill_h = 640, 200
    room = bottom - top - pill_h - 110 - 140
    font, lines = _fit(d, talk.title, "DejaVuSans-Bold.ttf", width, 5, 330, 110, room)
    y = _block(d, lines, font, MARGIN, top, WHITE) + 110

    pill = _font("DejaVuSans-Bold.ttf", 120)
    label = talk.playlist or str(talk.year)
    w = d.textlength(label, font=pill)
    d.rounded_rectangle((MARGIN, y, MARGIN + w + 120, y + pill_h), radius=pill_h // 2, fill=accent)
    d.text((MARGIN + 60, y + pill_h // 2), label, font=pill, fill=PALETTES[0][0], anchor="lm")
    _wave(img, talk.title, y + pill_h + 120, bottom - 120)


def _background(palette) -> Image.Image:
    """A vertical gradient between the palette's two colours."""
    top, bottom, _ = (np.array(c, dtype=np.float32) for c in palette)
    t = np.linspace(0.0, 1.0, SIZE, dtype=np.float32)[:, None]
    column = top * (1 - t) + bottom * t  # (SIZE, 3)
    strip = Image.fromarray(column[:, None, :].round().astype(np.uint8), "RGB")  # 1 px wide
    return strip.resize((SIZE, SIZE), Image.NEAREST)  # no full-size float array: ~27 MB, not 130


def _wave(img: Image.Image, seed: str, top: int, bottom: int) -> None:
    """A faint audio-waveform band between `top` and `bottom`, shaped by `seed`."""
    if bottom - top < 120:
        return
    overlay = Image.new("RGBA", (SIZE, bottom - top), (0, 0, 0, 0))  # just the band
    d = ImageDraw.Draw(overlay)
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8]))
    heights = np.convolve(rng.random(120), np.ones(5) / 5, mode="same")
    step = SIZE / len(heights)
    reach = (bottom - top) // 2
    for i, h in enumerate(heights):
        x = int(i * step)
        half = int(reach * (0.1 + 0.9 * h))
        box = (x + 6, reach - half, x + int(step) - 6, reach + half)
        d.rounded_rectangle(box, radius=8, fill=(255, 255, 255, 22))
    img.paste(overlay, (0, top), overlay)


def _fit(
    d: ImageDraw.ImageDraw,
    text: str,
    face: str,
    width: int,
    max_lines: int,
    big: int,
    small: int,
    height: int | None = None,
):
    """The largest font (big..small) at which `text` wraps into max_lines lines of `width`
    (and, if given, fits `height`); at the smallest size extra lines end in an ellipsis."""
    size = big
    while True:
        font = _font(face, size)
        lines = _wrap(d, text, font, width)
        fits = height is None or len(lines) * _step(font) <= height
        if (len(lines) <= max_lines and fits) or size <= small:
            break
        size = max(small, int(size * 0.92))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and d.textlength(lines[-1] + "…", font=font) > width:
            lines[-1] = lines[-1].rsplit(" ", 1)[0] if " " in lines[-1] else lines[-1][:-1]
        lines[-1] = lines[-1].rstrip(" ,;:") + "…"
    return font, lines


def _wrap(d: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Greedy word wrap; explicit newlines start new lines; long words are split."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            if d.textlength(trial, font=font) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            while d.textlength(word, font=font) > width:
                cut = next(
                    i for i in range(len(word), 0, -1) if d.textlength(word[:i], font=font) <= width
                )
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _block(d: ImageDraw.ImageDraw, lines: list[str], font, x: int, y: int, fill) -> int:
    """Draw lines from (x, y) down; returns the y below the last line."""
    step = _step(font)
    for line in lines:
        d.text((x, y), line, font=font, fill=fill)
        y += step
    return y


def _step(font) -> int:
    return int(font.size * 1.18)


def _font(face: str, size: int):
    try:
        return ImageFont.truetype(str(FONTS / face), size)
    except OSError:
        return ImageFont.load_default(size=size)


# --- files and caching -----------------------------------------------------------------


def image_problem(path: Path) -> str:
    """Why the image file at `path` can't be used as artwork ("" if it can): it is read
    whole (a cut-off file fails here, not in every talk's cover); a FIFO is not opened."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "artwork is not a regular file"
        with Image.open(path) as img:
            img.draft("RGB", (SIZE, SIZE))
            img.load()
    except OSError as e:
        return f"cannot read artwork: {e.strerror}" if e.strerror else _unusable(e)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as e:
        return _unusable(e)
    return ""


def _unusable(e: Exception) -> str:
    """An image library error as words, without the object reprs Pillow puts in them."""
    if isinstance(e, UnidentifiedImageError):
        return "artwork is not an image file Pillow can read"
    reason = re.sub(r"\s*<[^>]*>", "", str(e)).strip() or type(e).__name__
    return f"artwork is not an image ({reason})"


def _source_bytes(show: Show) -> bytes | None:
    if show.artwork is None:
        return None
    try:
        return Path(show.artwork).read_bytes()
    except OSError as e:
        raise _artwork_error(show, f"cannot read artwork: {e.strerror}") from None


def _artwork_error(show: Show, problem: str) -> ShowError:
    return ShowError(f"{problem} (the artwork set in {show.path})", show.artwork)


def _square(data: bytes, show: Show) -> Image.Image:
    """The show's own artwork, centre-cropped to a square, flattened to RGB, resized."""
    try:
        with Image.open(io.BytesIO(data)) as src:
            src.load()
            img = src.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as e:
        raise _artwork_error(show, _unusable(e)) from None
    flat = Image.new("RGB", img.size, WHITE)
    flat.paste(img, (0, 0), img)
    return ImageOps.fit(flat, (SIZE, SIZE), Image.LANCZOS)


def _key(*parts) -> str:
    h = hashlib.sha256(DESIGN.encode())
    for p in parts:
        h.update(b"\0" + (p if isinstance(p, bytes) else repr(p).encode()))
    return h.hexdigest()


def _comment(key: str) -> bytes:
    return f"publisher {key}".encode()


def _fresh(path: Path, key: str) -> bool:
    try:
        with Image.open(path) as img:
            return img.info.get("comment") == _comment(key)
    except (OSError, UnidentifiedImageError):
        return False


def _save(img: Image.Image, path: Path, key: str) -> None:
    buf = io.BytesIO()
    if img.mode != "RGB":  # convert() copies even when nothing changes: 27 MB at 3000 px
        img = img.convert("RGB")
    # no optimize=True: its Huffman pass holds every coefficient (+27 MB) for ~15% smaller files
    img.save(buf, "JPEG", quality=QUALITY, comment=_comment(key))
    write_bytes(Path(path), buf.getvalue())
