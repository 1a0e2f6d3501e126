"""Real speech: voice activity (vad.py), transcription (transcribe.py) with pinned,
checksummed weights (models.py), cuts' no-go spans (spans.py). Importing this package
imports no model library: a talk with captions never loads one. Diarization
(voices.py) is to come (issue 17, item 3).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Transcription:
    """A show's [transcribe] table: transcribe every talk (`enabled`), not only those
    without captions, and with which Whisper model."""

    enabled: bool = False
    model: str = DEFAULT_MODEL
