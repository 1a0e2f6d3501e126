"""Pruning the render cache: decoded PCM past a budget goes, oldest first; nothing
rendered is encoded again, and a re-cut decodes once more."""

from __future__ import annotations

import os
import time
from pathlib import Path

from helpers import make_plan, make_talk

from publisher.audio import render_talk, synthesise_standin
from publisher.audio.cache import MIN_AGE, prune_decoded
from publisher.model import AudioSettings


def _decoded(cache: Path, name: str, size: int, age: float) -> Path:
    path = cache / "render" / "decoded" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * size)
    when = time.time() - age
    os.utime(path, (when, when))
    return path


def test_the_oldest_decodes_past_the_budget_go(tmp_path: Path):
    old = _decoded(tmp_path, "a.s16le", 1000, age=MIN_AGE * 3)
    older = _decoded(tmp_path, "b.s16le", 1000, age=MIN_AGE * 4)
    new = _decoded(tmp_path, "c.s16le", 1000, age=MIN_AGE * 2)
    fresh = _decoded(tmp_path, "d.s16le", 1000, age=1)  # maybe in use by another build
    writing = _decoded(tmp_path, ".e.s16le.x.tmp.s16le", 1000, age=MIN_AGE * 9)
    analysis = _decoded(tmp_path, "b.npz", 10, age=MIN_AGE * 9)

    assert prune_decoded(tmp_path, budget=2500) == 2000

    assert fresh.exists() and new.exists() and writing.exists() and analysis.exists()
    assert not old.exists() and not older.exists()
    assert prune_decoded(tmp_path, budget=0) == 1000  # `new`; the fresh one stays
    assert fresh.exists() and not new.exists()


def test_a_pruned_talk_renders_without_encoding_and_recuts_by_decoding(tmp_path: Path):
    talk, cache = make_talk(), tmp_path / "cache"
    source = synthesise_standin(talk, cache)
    first = render_talk(talk, make_plan(), source, AudioSettings(), cache, standin=True)
    for raw in (cache / "render" / "decoded").glob("*.s16le"):
        os.utime(raw, (time.time() - 2 * MIN_AGE,) * 2)
    assert prune_decoded(cache, budget=0) > 0
    assert not list((cache / "render" / "decoded").glob("*.s16le"))

    again = render_talk(talk, make_plan(), source, AudioSettings(), cache, standin=True)
    assert again.encodes == 0 and again.full == first.full

    moved = make_plan(bounds=(11.0, 26.5))
    recut = render_talk(talk, moved, source, AudioSettings(), cache, standin=True)
    assert 0 < recut.encodes < first.encodes + 1
    assert list((cache / "render" / "decoded").glob("*.s16le"))  # decoded again


def test_the_cache_key_is_the_recipe(tmp_path: Path, monkeypatch):
    """A piece is found again while nothing that makes it changes, and made again when
    its levels, its codec options or the encoder's version change."""
    from publisher.audio import levels, limiter, render, tools

    talk, cache = make_talk(), tmp_path / "cache"
    source = synthesise_standin(talk, cache)
    settings = AudioSettings(formats=("mp3", "m4a"))

    def encodes() -> int:
        return render_talk(talk, make_plan(), source, settings, cache, standin=True).encodes

    first = encodes()
    assert first > 0 and encodes() == 0

    monkeypatch.setattr(limiter, "LEVELS", limiter.LEVELS + " (changed)")
    assert encodes() == first  # a new limiter: every piece and the full M4A again
    monkeypatch.setattr(render, "_BARE", [*render._BARE, "-fflags", "+bitexact"])
    assert 0 < encodes() < first  # new MP3 output options: the MP3 pieces, not the M4As
    assert encodes() == 0
    monkeypatch.setattr(tools, "version", lambda name: "ffmpeg version 99")
    monkeypatch.setattr(levels, "version", tools.version)
    monkeypatch.setattr(render, "version", tools.version)
    assert encodes() == first  # a new ffmpeg makes everything again
