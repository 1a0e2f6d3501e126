"""A build that downloads: one talk's audio comes from a loopback server, the
other's URL answers 404. The build publishes the first, names the second, and
exits non-zero; a rebuild never downloads again."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import feedparser
import pytest

from publisher.audio import synthesise_standin
from publisher.cli import main
from publisher.ingest import load_talk

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "seeds"


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves /watch?v=ID from the folder as ID.flac; anything else is a 404."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Handler.requests.append(self.path)
        if "v=" in self.path:
            self.path = "/" + self.path.split("v=")[1] + ".flac"
        super().do_GET()

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client closing early is fine here; keep stderr for publisher's own lines


@pytest.fixture()
def server(tmp_path: Path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(Handler, directory=str(root))
    httpd = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def seed_at(src: Path, dest: Path, url: str) -> Path:
    lines = src.read_text().splitlines()
    lines = [f"YouTube URL: {url}" if ln.startswith("YouTube URL:") else ln for ln in lines]
    dest.write_text("\n".join(lines) + "\n")
    return dest


def test_404_names_the_talk_and_the_other_talk_is_published(server, tmp_path: Path, capsys):
    www, base = server
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    talk = load_talk(FIXTURES / "short-panel.txt")
    # The "recording" the server holds for the panel: stand-in speech, made once.
    synthesise_standin(talk, tmp_path / "prep").rename(www / f"{talk.video_id}.flac")
    seed_at(FIXTURES / "short-panel.txt", seeds / "panel.txt", f"{base}/watch?v={talk.video_id}")
    missing = seed_at(
        FIXTURES / "short-talk.txt", seeds / "talk.txt", f"{base}/watch?v=bT7nQ2xLk9Z"
    )
    toml = tmp_path / "show.toml"
    toml.write_text(
        '[show]\ntitle = "T"\ndescription = "D"\nauthor = "A"\nowner_name = "O"\n'
        'owner_email = "o@example.org"\nbase_url = "http://127.0.0.1:8000/t/"\n'
        'seeds = ["seeds/*.txt"]\n'
    )
    args = [
        "build",
        str(toml),
        "--out",
        str(tmp_path / "public"),
        "--cache-dir",
        str(tmp_path / "c"),
    ]

    assert main(args) == 1
    err = capsys.readouterr().err
    assert load_talk(missing).title in err and "404" in err
    errors = [ln for ln in err.splitlines() if ln.startswith("publisher: error:")]
    assert len(errors) == 1 and "404" in errors[0]  # other lines: talks built
    feed = feedparser.parse(str(tmp_path / "public" / "show" / "feed.xml"))
    assert [e.id for e in feed.entries] == [f"yt-{talk.video_id}"]
    assert list((tmp_path / "c" / "audio").glob(f"{talk.video_id}.*"))

    fetched = len([r for r in Handler.requests if talk.video_id in r])
    assert fetched >= 1
    main(args)
    assert len([r for r in Handler.requests if talk.video_id in r]) == fetched  # cached
