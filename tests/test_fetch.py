"""Downloads with yt-dlp's generic extractor from a loopback HTTP server the test
starts: plain, resumed after a dropped connection, 404, a refused connection, and the
download archive."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from episode_factory import make_talk
from helpers import SHORT_SEED, need

from publisher.audio import fetch_audio, find_cached_audio
from publisher.errors import FetchError
from publisher.ingest import load_talk
from publisher.model import Talk


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> bytes:
    """10 s of MP3 (~160 KB), big enough to be cut off halfway."""
    path = tmp_path_factory.mktemp("media") / "tone.mp3"
    subprocess.run([need("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=330:duration=10", "-b:a", "128k", str(path)],
                   check=True)  # fmt: skip
    return path.read_bytes()


class QuietServer(ThreadingHTTPServer):
    """A client hanging up early (yt-dlp's probe) is normal here, not worth a traceback."""

    def handle_error(self, request, client_address) -> None:
        pass


class Server:
    """Serves `body` at /talk.mp3 with HEAD and Range support; records requests.

    drop=True cuts every GET without a Range off halfway (the headers promise the
    whole body), so only a resumed download can complete.
    """

    def __init__(self, body: bytes, drop: bool = False) -> None:
        self.body, self.drop, self.requests = body, drop, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_HEAD(self) -> None:
                self._respond(head=True)

            def do_GET(self) -> None:
                self._respond(head=False)

            def _respond(self, head: bool) -> None:
                server.requests.append((self.command, self.path, self.headers.get("Range")))
                if self.path != "/talk.mp3":
                    self.send_error(404)
                    return
                start = 0
                if rng := self.headers.get("Range"):
                    start = int(rng.split("=")[1].split("-")[0])
                part = server.body[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(part)))
                if start:
                    total = len(server.body)
                    self.send_header("Content-Range", f"bytes {start}-{total - 1}/{total}")
                self.end_headers()
                if head:
                    return
                if server.drop and not start:
                    part = part[: len(part) // 2]
                    self.close_connection = True
                self.wfile.write(part)

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def talk_at(url: str) -> Talk:
    return make_talk(
        source=Path("seeds/test/fetch-panel.txt"),
        title="Fetch Test Panel",
        date=dt.date(2018, 11, 14),
        playlist="KVM Forum 2018",
        url=url,
        video_id="fetchvid001",
    )


def test_download_lands_at_the_talks_video_id(audio, tmp_path, capfd):
    with Server(audio) as server:
        path = fetch_audio(talk_at(f"{server.url}/talk.mp3"), tmp_path)
    assert path == tmp_path / "audio" / "fetchvid001.mp3"
    assert path.read_bytes() == audio
    assert find_cached_audio("fetchvid001", tmp_path) == path
    assert not list(path.parent.glob("*.part"))
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # quiet without progress


def test_progress_is_silent_off_a_terminal(audio, tmp_path, capfd):
    with Server(audio) as server:
        path = fetch_audio(talk_at(f"{server.url}/talk.mp3"), tmp_path, progress=True)
    assert path.read_bytes() == audio
    assert capfd.readouterr() == ("", "")


def test_a_dropped_connection_resumes_from_the_part_file(audio, tmp_path):
    with Server(audio, drop=True) as server:
        path = fetch_audio(talk_at(f"{server.url}/talk.mp3"), tmp_path)
    assert path.read_bytes() == audio
    ranges = [r for method, _, r in server.requests if method == "GET" and r]
    assert len(ranges) == 1  # resumed from what the .part file held
    resumed_at = int(ranges[0].split("=")[1].rstrip("-"))
    assert 0 < resumed_at <= len(audio) // 2


def test_a_404_names_the_talk_in_one_line(audio, tmp_path, capfd):
    with Server(audio) as server:
        url = f"{server.url}/missing.mp3"
        with pytest.raises(FetchError) as caught:
            fetch_audio(talk_at(url), tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "Fetch Test Panel" in message and url in message and "404" in message
    assert find_cached_audio("fetchvid001", tmp_path) is None
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_the_archive_prevents_a_second_fetch(audio, tmp_path):
    with Server(audio) as server:
        talk = talk_at(f"{server.url}/talk.mp3")
        fetch_audio(talk, tmp_path).unlink()  # fetched once, then the file is lost
        downloads = len(server.requests)
        with pytest.raises(FetchError, match="archive") as caught:
            fetch_audio(talk, tmp_path)
    # yt-dlp's generic extractor still probes the URL once, but downloads nothing
    assert len(server.requests) - downloads <= 1
    assert "Fetch Test Panel" in str(caught.value)
    assert (tmp_path / "audio" / "archive.txt").read_text().split() == ["generic", "talk"]
    assert list((tmp_path / "audio").iterdir()) == [tmp_path / "audio" / "archive.txt"]


def test_cached_audio_is_used_without_any_request(tmp_path):
    folder = tmp_path / "audio"
    folder.mkdir()
    for name in ["abc123.webm.part", "abc123.ytdl", "archive.txt", "abc1234.m4a"]:
        (folder / name).write_bytes(b"x")
    assert find_cached_audio("abc123", tmp_path) is None
    (folder / "abc123.opus").write_bytes(b"opus")
    talk = dataclasses.replace(talk_at("http://127.0.0.1:9/nowhere.mp3"), video_id="abc123")
    assert fetch_audio(talk, tmp_path) == folder / "abc123.opus"


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
