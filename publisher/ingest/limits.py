"""What every input text keeps to: characters XML can carry, and sizes and times no
real conference recording comes near. One place, so the seed, caption and plan
readers refuse the same things (a person edits those files: an error naming the
line is right), and `publisher add` strips the same characters from what YouTube
sends (machine-made: nobody to ask).

Limits, each far past anything real:
- MAX_LINE characters in a seed line (YouTube allows 100 in a title and 5,000 in a
  whole description), except inside json3 captions, which may be one long line;
- MAX_CUE characters of text in one caption cue (real cues hold 40 to 200);
- MAX_TALK: no caption cue or plan time past 24 h (YouTube keeps 12 h at most);
- MAX_GAP: no cue starts more than 4 h after every cue before it has ended
  (a lunch break in a day-long stream is shorter; "99:59:59" is a typo);
- MAX_FILE bytes in a seed or plan file (a 12 h talk's json3 captions take ~10 MB).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import InputError

MAX_LINE = 10_000
MAX_CUE = 5_000
MAX_TALK = 24 * 3600.0
MAX_GAP = 4 * 3600.0
MAX_FILE = 64 * 2**20

# Control characters but tab and newline (XML 1.0 refuses most; the rest is junk in a
# title), the non-characters U+FFFE/U+FFFF and lone surrogates (json3 "\ud800").
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def bad_char(text: str) -> str | None:
    """A description of the first character no input text may hold, else None."""
    m = _BAD.search(text)
    return None if m is None else f"control character U+{ord(m.group()):04X}"


def strip_bad(text: str) -> str:
    """`text` without the characters bad_char() finds (for machine-made text)."""
    return _BAD.sub("", text)


def check_value(value: object, where: str = "") -> str | None:
    """What is wrong with the first string in a TOML value (lists and tables too, keys
    included): a bad character, or more than MAX_LINE characters. None if nothing.
    `where` names the value ("title", "show"); keys extend it ("show.title")."""
    if isinstance(value, str):
        if bad := bad_char(value):
            return f"{bad} in {where or 'a value'}: delete it"
        if len(value) > MAX_LINE:
            return f"{where or 'a value'} is {len(value):,} characters long (at most {MAX_LINE:,})"
        return None
    items: list[tuple[object, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if problem := check_value(key, f"a key in {where or 'the file'}"):
                return problem
            items.append((item, f"{where}.{key:.40}" if where else f"{key:.40}"))
    elif isinstance(value, list):
        items = [(item, where) for item in value]
    return next((p for item, name in items if (p := check_value(item, name))), None)


def check_lines(
    lines: list[str], path: Path, error: type[InputError] = InputError, long_ok: range = range(0)
) -> None:
    """Raise `error` naming the first line that holds a bad character or is longer
    than MAX_LINE (lines numbered in `long_ok` may be)."""
    for n, line in enumerate(lines, 1):
        if bad := bad_char(line):
            raise error(f"{bad} in the text: delete it", path, n)
        if len(line) > MAX_LINE and n not in long_ok:
            raise error(f"line is {len(line):,} characters long (at most {MAX_LINE:,})", path, n)


def read_input(path: Path, what: str, error: type[InputError] = InputError) -> str:
    """The text of a seed or plan file (a UTF-8 BOM dropped) as `error` naming the
    file if it can't be: missing, a symlink loop, no permission, not a regular file
    (a FIFO would block the build), too big, or not UTF-8 (naming the line)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # opening a FIFO never blocks
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise error(f"cannot read {what}: not a regular file", path)
            if info.st_size > MAX_FILE:
                raise error(f"{what} is {info.st_size:,} bytes (at most {MAX_FILE:,})", path)
            with os.fdopen(os.dup(fd), "rb") as f:
                data = f.read(MAX_FILE + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise error(f"cannot read {what}: file not found", path) from None
    except OSError as e:
        raise error(f"cannot read {what}: {e.strerror or e}", path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise error(f"not UTF-8 text (bad byte 0x{data[e.start]:02x})", path, line) from None
