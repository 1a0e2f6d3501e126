"""What a build shows while it runs: on a terminal (a real pseudo-terminal), a live
table of the talks with each one's stage, and progress bars for a talk built in this
process; off a terminal, no escape codes and only the lines it always printed."""

from __future__ import annotations

import fcntl
import http.server
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SHORT_SEED, SHORT_TALK, make_show

from publisher.audio import synthesise_standin
from publisher.ingest import load_talk

PERCENT = re.compile(r"\b\d{1,3}%")


def _command(root: Path, toml: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "publisher", "build", str(toml), "--standin-audio",
        "--out", str(root / "public"), "--cache-dir", str(root / "cache"), *extra,
    ]  # fmt: skip


def _on_terminal(cmd: list[str], cwd: Path) -> tuple[int, str]:
    """Run `cmd` with stdin, stdout and stderr on a 120x30 pseudo-terminal; all it drew."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    quiet = ("NO_COLOR", "TERM", "COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE")
    env = {k: v for k, v in os.environ.items() if k not in quiet} | {"TERM": "xterm"}
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    out = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        out += data
    os.close(master)
    return proc.wait(timeout=120), out.decode("utf-8", "replace")


def _frames(drawn: str) -> list[str]:
    """The lines drawn, escape codes removed."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    return [line for line in re.split(r"[\r\n]+", plain) if line.strip()]


@pytest.fixture()
def recording(tmp_path: Path) -> Iterator[str]:
    """The URL of the short panel's "recording" (stand-in speech) on a loopback server."""
    body = synthesise_standin(load_talk(SHORT_SEED), tmp_path / "prep").read_bytes()

    class One(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "audio/flac")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), One)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/watch?v={load_talk(SHORT_SEED).video_id}"
    httpd.shutdown()


def test_one_talk_on_a_terminal_shows_download_decode_and_render_bars(
    tmp_path: Path, recording: str
):
    toml = make_show(tmp_path, [SHORT_SEED])
    seed = tmp_path / "seeds" / SHORT_SEED.name
    seed.write_text(re.sub(r"(?m)^YouTube URL: .*$", f"YouTube URL: {recording}", seed.read_text()))
    cmd = [c for c in _command(tmp_path, toml) if c != "--standin-audio"]
    code, drawn = _on_terminal(cmd, tmp_path)
    assert code == 0, drawn
    lines = _frames(drawn)
    bars = [line for line in lines if "━" in line]  # rich's bar glyph
    downloading = [line for line in bars if line.startswith("downloading Infrastructure")]
    decoding = [line for line in bars if line.startswith("decoding ")]
    rendering = [line for line in bars if line.startswith('rendering "Infrastructure')]
    assert downloading and decoding and rendering, lines
    assert any(PERCENT.search(line) for line in rendering), rendering
    assert "Demo Forum: 1 building" in lines  # the live table, not "1 queued" to the end
    assert "Demo Forum: 1 queued" not in lines[len(lines) // 2 :]
    assert any(re.match(r"short-panel\s+rendering", line.strip()) for line in lines)
    assert any(re.match(r"Demo Forum: \d+ episodes in ", line) for line in lines[-5:]), lines


def test_talks_in_worker_processes_report_their_stages(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED, SHORT_TALK])
    code, drawn = _on_terminal(_command(tmp_path, toml, "--jobs", "2"), tmp_path)
    assert code == 0, drawn
    rows = [line.strip() for line in _frames(drawn)]
    for talk in ("short-panel", "short-talk"):  # each word a worker sends is drawn
        said = [m[1] for row in rows if (m := re.match(rf"{talk}\s+(\D+?)( \d+%)?$", row))]
        assert {"reading", "planning", "rendering", "tagging"} <= set(said), (talk, said)
        assert any(re.match(rf"{talk}\s+rendering \d{{1,3}}%$", r) for r in rows), rows
    assert "Demo Forum: 2 built" in rows


def test_off_a_terminal_there_are_no_escape_codes_and_no_bars(tmp_path: Path):
    toml = make_show(tmp_path, [SHORT_SEED])
    done = subprocess.run(_command(tmp_path, toml), capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    assert done.stderr == ""  # one talk: no per-talk lines, no bars
    assert re.match(r"Demo Forum: \d+ episodes in ", done.stdout.splitlines()[0])
