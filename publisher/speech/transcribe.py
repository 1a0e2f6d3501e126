"""Transcribe a source with faster-whisper: VAD first (Whisper invents text on
noise), word timestamps, cached by the audio's content hash and the model."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..fsutil import atomic_path
from ..ingest.transcript import clean_transcript
from ..model import Talk
from . import models
from .pcm import RATE, content_hash, read_pcm
from .vad import Span, cached_regions, speech_in
from .words import Word, to_cues

VERSION = 2  # of the cached transcript's recipe (chunking, decoding options)
MARGIN = 0.3  # seconds of context read around each chunk
WINDOW = 29.0  # seconds Whisper reads at once: regions are packed into chunks this long
BEAM = 5  # beam search width: 1 is faster, 5 gets "ill-disposed" right


def chunks(spans: list[Span], window: float = WINDOW) -> list[Span]:
    """Pack consecutive speech regions into chunks of at most `window` seconds (a
    longer region is a chunk of its own), so each Whisper window is mostly speech."""
    out: list[Span] = []
    for s in spans:
        if out and s.end - out[-1].start <= window:
            out[-1] = Span(out[-1].start, s.end)
        else:
            out.append(s)
    return out


def transcribe_samples(
    samples: np.ndarray, model: str = models.DEFAULT_MODEL, regions: list[Span] | None = None
) -> list[Word]:
    """The words spoken in 16 kHz mono samples, with their times in seconds, each
    kept inside the speech region it is said in (`regions`: the VAD's, if known)."""
    whisper = models.whisper(model)
    regions = speech_in(samples) if regions is None else regions
    words: list[Word] = []
    for c in chunks(regions):
        lo, hi = max(0.0, c.start - MARGIN), c.end + MARGIN
        segments, _ = whisper.transcribe(
            samples[int(lo * RATE) : int(hi * RATE)],
            language="en" if model.endswith(".en") else None, beam_size=BEAM,
            word_timestamps=True, vad_filter=False, condition_on_previous_text=False,
        )  # fmt: skip
        for seg in segments:
            for w in seg.words or []:
                text = w.word.strip()
                start, end = lo + float(w.start), lo + float(w.end)
                if words and text and not w.word[0].isspace():  # "ill" "-disposed": one word
                    words[-1] = Word(words[-1].text + text, words[-1].start, end)
                elif text:
                    words.append(Word(text, start, end))
    return [_within(w, regions) for w in words]


def _within(word: Word, regions: list[Span]) -> Word:
    """A word clipped to the speech region it overlaps most: Whisper stretches words
    at a pause into the silence (and starts a chunk's first word at its edge)."""
    best = max(regions, key=lambda r: min(r.end, word.end) - max(r.start, word.start))
    if min(best.end, word.end) <= max(best.start, word.start):
        return Word(word.text, round(word.start, 3), round(word.end, 3))
    start, end = max(word.start, best.start), min(word.end, best.end)
    return Word(word.text, round(start, 3), round(end, 3))


def cache_path(source: Path, cache_dir: Path, model: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", model)
    return Path(cache_dir) / "speech" / f"{content_hash(source)[:32]}-{name}-v{VERSION}.json"


def transcribe(source: Path, cache_dir: Path, model: str = models.DEFAULT_MODEL) -> list[Word]:
    """The words of `source`, transcribed once per audio content and model."""
    path = cache_path(source, cache_dir, model)
    if path.exists():
        return [Word(*w) for w in json.loads(path.read_text())["words"]]
    samples = read_pcm(source)
    words = transcribe_samples(samples, model, cached_regions(source, cache_dir, samples))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        rows = [[w.text, w.start, w.end] for w in words]
        Path(tmp).write_text(json.dumps({"model": model, "words": rows}))
    return words


def transcribed_talk(talk: Talk, words: list[Word], source: Path) -> Talk:
    """`talk` with cues and transcript from the `words` transcribed from `source`."""
    cues = to_cues(words)
    if not cues:
        raise AudioError(f"{talk.title!r}: no speech heard to transcribe", source)
    return dataclasses.replace(talk, cues=cues, transcript=clean_transcript(cues))
