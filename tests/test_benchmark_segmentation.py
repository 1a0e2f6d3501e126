"""benchmarks/segmentation.py's title measure: a title keeps a key term when it has
every word of it, or writes it together or apart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_SPEC = importlib.util.spec_from_file_location(
    "segmentation", Path(__file__).resolve().parent.parent / "benchmarks" / "segmentation.py"
)
segmentation = importlib.util.module_from_spec(_SPEC)
sys.modules["segmentation"] = segmentation  # its dataclasses look their module up
_SPEC.loader.exec_module(segmentation)


@pytest.mark.parametrize(
    ("title", "term", "kept"),
    [
        ("How do patches reach the stable tree?", "patch", True),
        ("How do we think about time scale?", "timescale", True),
        ("Human timescales: do you agree?", "time scale", True),
        ("How do sub blocks work?", "sub-blocks", True),
        ("Have you looked at using gq n two?", "GQN", True),
        ("Is it a start?", "art", False),  # not inside another word
        ("What about the time?", "timescale", False),
        ("Do you scale time?", "timescale", False),  # its words, but not in its order
    ],
)
def test_a_title_keeps_a_term_written_together_or_apart(title, term, kept):
    assert segmentation.keeps_term(title, (term,)) is kept
