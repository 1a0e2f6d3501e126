"""plan/embed.py reads wordllama's float16 table itself: the same vectors as wordllama."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import wordllama

from publisher.plan import embed


def test_table_embeds_exactly_as_wordllama() -> None:
    texts = ["so my question is about live migration", ".", "qemu kvm vhost-user", "zzqx"]
    table = embed._model()
    assert table.rows.dtype == np.float16  # kept as on disk, not widened to float32
    home = Path(wordllama.__file__).parent
    theirs = wordllama.WordLlama.load(cache_dir=home, disable_download=True).embed(texts)
    assert np.array_equal(table.embed(texts), theirs)
