"""QA: a failed download reads as one short line naming the talk."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from test_build import SHORT_SEED

from publisher.audio import fetch_audio
from publisher.errors import FetchError
from publisher.ingest import load_talk


def test_a_refused_connection_is_one_line_without_yt_dlps_repeat(tmp_path):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    talk = dataclasses.replace(load_talk(SHORT_SEED), url=f"http://127.0.0.1:{port}/talk.mp3")
    with pytest.raises(FetchError) as err:
        fetch_audio(talk, tmp_path)
    message = str(err.value)
    assert message.startswith(f'{SHORT_SEED}: cannot fetch the audio of "{talk.title}"')
    assert message.endswith("Connection refused") and "caused by" not in message, message
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("*.mp3"))
