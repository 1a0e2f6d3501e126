"""What a talk's audio adds to it, for build and plan alike: its words where it is
transcribed (Transcription.applies), and who speaks where that is asked
(Transcription.hears_voices). Models load only when one of them applies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Talk
from . import Transcription
from .naming import Voices, voiced_talk
from .transcribe import transcribe, transcribed_talk
from .words import Word


@dataclass(frozen=True)
class Heard:
    talk: Talk  # with its transcribed cues and voice turns, where heard
    words: list[Word] | None  # the words transcribed, with their ends; None: captions
    voices: Voices | None  # None: no one was listened for


def hear(talk: Talk, source: Path, cache_dir: Path, wanted: Transcription) -> Heard:
    """`talk` as its audio tells it, as far as `wanted` asks."""
    words, listen = None, wanted.hears_voices(talk)  # asked of the talk as it came
    if wanted.applies(talk):
        words = transcribe(source, cache_dir, wanted.model)
        talk = transcribed_talk(talk, words, source)
    voices = None
    if listen:
        talk, voices = voiced_talk(talk, source, cache_dir)
    return Heard(talk, words, voices)
