"""A no-op rebuild imports no renderer, site, tagger or artwork (issue 15: it must
start fast): publisher.audio and the later stages load them when first used."""

from __future__ import annotations

import subprocess
import sys

LATER = ["publisher.audio.render", "publisher.site", "publisher.tags", "publisher.artwork"]


def test_the_build_driver_imports_no_stage_it_may_not_run():
    check = f"import sys, publisher.pipeline; print([m for m in {LATER!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_audio_package_still_names_its_api():
    from publisher import audio
    from publisher.audio.render import render_talk

    assert audio.render_talk is render_talk
    assert callable(audio.fetch_audio) and callable(audio.synthesise_standin)
