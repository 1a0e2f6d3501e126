"""Real speech: voice activity (vad.py), transcription (transcribe.py) with pinned,
checksummed weights (models.py), cuts' no-go spans (spans.py), who speaks (voices.py
with encoder.py, named by naming.py). Importing this package imports no model library:
a talk with captions (and no `voices = true`) never loads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Talk

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Transcription:
    """A show's [transcribe] table: transcribe every talk (`enabled`), not only those
    without captions, and with which Whisper model."""

    enabled: bool = False
    model: str = DEFAULT_MODEL
    voices: bool = False  # diarize every talk (voices.py), not only those transcribed

    def applies(self, talk: Talk) -> bool:
        """Whether `talk` is transcribed (by build and plan alike): it has no
        captions, or the show asks."""
        return self.enabled or not talk.cues

    def hears_voices(self, talk: Talk) -> bool:
        """Whether who speaks in `talk` is heard (speech/naming.py): it is
        transcribed (the models load anyway), or the show asks (voices = true)."""
        return self.voices or self.applies(talk)
