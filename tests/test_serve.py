"""publisher.serve over real sockets: ranges, conditionals, MIME, CORS, traversal, concurrency."""

from __future__ import annotations

import asyncio
import email
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from publisher.serve import parse_ranges, serving

SECRET = b"top secret, outside the served root"
DATA = bytes(range(256)) * 40  # 10240 bytes, every offset recognisable
BIG = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("serve")
    (base / "secret.txt").write_bytes(SECRET)
    root = base / "public"
    ep = root / "show" / "episodes" / "vid"
    ep.mkdir(parents=True)
    (root / "show" / "index.html").write_text("<!doctype html><title>show home</title>")
    (ep / "index.html").write_text("<!doctype html><title>talk</title>")
    files = {
        "show/episodes/vid/clip.mp3": DATA,
        "show/feed.xml": b"<rss/>",
        "show/feeds.opml": b"<opml/>",
        "show/search.json": b"{}",
        "show/episodes/vid/chapters.json": b'{"version":"1.2.0","chapters":[]}',
        "show/episodes/vid/full.vtt": b"WEBVTT\n",
        "show/episodes/vid/full.srt": b"1\n00:00:00,000 --> 00:00:01,000\nhi\n",
        "show/episodes/vid/full.transcript.json": b'{"version":"1.0.0","segments":[]}',
        "show/artwork.jpg": b"\xff\xd8\xff\xe0jpeg",
        "show/.feed.xml.tmp": b"half written",
        "show/big.mp3": os.urandom(BIG),
    }
    for rel, data in files.items():
        (root / rel).write_bytes(data)
    os.symlink(base / "secret.txt", root / "show" / "leak.txt")
    os.symlink(base, root / "show" / "outside")
    os.symlink(ep / "clip.mp3", root / "show" / "latest.mp3")  # inside: allowed
    with serving(root) as url:
        parts = urlsplit(url)
        yield {"root": root, "base": base, "host": parts.hostname, "port": parts.port}


def request(site: dict, method: str, path: str, headers: dict | None = None):
    """One raw request (http.client sends the path exactly as given)."""
    conn = http.client.HTTPConnection(site["host"], site["port"], timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


CLIP = "/show/episodes/vid/clip.mp3"


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        (CLIP, "audio/mpeg"),
        ("/show/feed.xml", "application/rss+xml"),
        ("/show/feeds.opml", "text/x-opml"),
        ("/show/search.json", "application/json"),
        ("/show/episodes/vid/chapters.json", "application/json+chapters"),
        ("/show/episodes/vid/full.vtt", "text/vtt"),
        ("/show/episodes/vid/full.srt", "application/x-subrip"),
        ("/show/episodes/vid/full.transcript.json", "application/json"),
        ("/show/artwork.jpg", "image/jpeg"),
        ("/show/", "text/html"),
    ],
)
def test_mime_types(site, path, mime):
    status, headers, _ = request(site, "GET", path)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == mime


def test_get_whole_file_and_head(site):
    status, headers, body = request(site, "GET", CLIP)
    assert (status, body) == (200, DATA)
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"] and headers["Last-Modified"]
    h_status, h_headers, h_body = request(site, "HEAD", CLIP)
    assert (h_status, h_body) == (200, b"")
    assert h_headers["Content-Length"] == str(len(DATA))
    for name in ("Content-Type", "ETag", "Last-Modified", "Accept-Ranges"):
        assert h_headers[name] == headers[name]


@pytest.mark.parametrize(
    ("rng", "first", "last"),
    [
        ("bytes=10-19", 10, 19),
        ("bytes=0-0", 0, 0),
        ("bytes=-500", len(DATA) - 500, len(DATA) - 1),  # suffix
        ("bytes=10000-", 10000, len(DATA) - 1),  # open-ended
        ("bytes=10200-99999", 10200, len(DATA) - 1),  # clamped to the end
        ("bytes=-99999", 0, len(DATA) - 1),  # suffix longer than the file
        ("bytes=0-9,5-19", 0, 19),  # overlapping ranges coalesce to one
    ],
)
def test_single_range(site, rng, first, last):
    for method in ("GET", "HEAD"):
        status, headers, body = request(site, method, CLIP, {"Range": rng})
        assert status == 206
        assert headers["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
        assert headers["Content-Length"] == str(last - first + 1)
        assert body == (DATA[first : last + 1] if method == "GET" else b"")


@pytest.mark.parametrize(
    "rng",
    [
        "bytes=10240-",  # starts at the end
        "bytes=20000-30000",
        "bytes=-0",  # empty suffix (plain aiohttp sends the whole file)
        "bytes=abc",
        "bytes=5-2",
        "bytes=",
        "bytes=1-2-3",
        "bytes=10240-,20000-",  # several, none satisfiable
    ],
)
def test_unsatisfiable_or_malformed_range(site, rng):
    status, headers, body = request(site, "GET", CLIP, {"Range": rng})
    assert status == 416
    assert headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert DATA[:16] not in body


def test_multiple_ranges_are_multipart(site):
    status, headers, body = request(site, "GET", CLIP, {"Range": "bytes=0-9, 100-109,-5"})
    assert status == 206
    assert headers["Content-Type"].startswith("multipart/byteranges; boundary=")
    assert headers["Content-Length"] == str(len(body))
    raw = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
    message = email.message_from_bytes(raw)
    parts = [(p["Content-Range"], p.get_payload(decode=True)) for p in message.get_payload()]
    n = len(DATA)
    assert parts == [
        (f"bytes 0-9/{n}", DATA[0:10]),
        (f"bytes 100-109/{n}", DATA[100:110]),
        (f"bytes {n - 5}-{n - 1}/{n}", DATA[-5:]),
    ]
    assert all(p["Content-Type"] == "audio/mpeg" for p in message.get_payload())
    h_status, h_headers, h_body = request(site, "HEAD", CLIP, {"Range": "bytes=0-9,100-109"})
    assert (h_status, h_body) == (206, b"")
    assert h_headers["Content-Type"].startswith("multipart/byteranges")


def test_too_many_ranges_fall_back_to_whole_file(site):
    rng = "bytes=" + ",".join(f"{i * 100}-{i * 100 + 9}" for i in range(50))
    status, headers, body = request(site, "GET", CLIP, {"Range": rng})
    assert (status, body) == (200, DATA)
    assert "Content-Range" not in headers


def test_if_range(site):
    _, headers, _ = request(site, "HEAD", CLIP)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    for validator in (etag, modified):
        status, _, body = request(site, "GET", CLIP, {"Range": "bytes=0-9", "If-Range": validator})
        assert (status, body) == (206, DATA[:10])
    for stale in ('"0-0"', "Mon, 01 Jan 2001 00:00:00 GMT"):
        status, _, body = request(site, "GET", CLIP, {"Range": "bytes=0-9", "If-Range": stale})
        assert (status, body) == (200, DATA)


def test_conditional_requests_and_change(site):
    path = site["root"] / "show" / "episodes" / "vid" / "full.vtt"
    _, headers, _ = request(site, "GET", "/show/episodes/vid/full.vtt")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    for cond in ({"If-None-Match": etag}, {"If-Modified-Since": modified}, {"If-None-Match": "*"}):
        status, h, body = request(site, "GET", "/show/episodes/vid/full.vtt", cond)
        assert (status, body) == (304, b"")
        assert h["ETag"] == etag
    status, _, _ = request(site, "GET", "/show/episodes/vid/full.vtt", {"If-None-Match": '"x"'})
    assert status == 200
    path.write_text("WEBVTT\n\nNOTE changed\n")
    os.utime(path, (time.time() + 5, time.time() + 5))
    status, h, body = request(site, "GET", "/show/episodes/vid/full.vtt", {"If-None-Match": etag})
    assert status == 200 and b"changed" in body
    assert h["ETag"] != etag


@pytest.mark.parametrize(
    "path",
    ["/show/episodes/vid/full.vtt", "/show/episodes/vid/chapters.json", CLIP, "/show/feed.xml"],
)
def test_cors(site, path):
    status, headers, _ = request(site, "GET", path, {"Origin": "https://app.example"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Range" in headers["Access-Control-Expose-Headers"]
    status, headers, _ = request(
        site,
        "OPTIONS",
        path,
        {"Origin": "https://app.example", "Access-Control-Request-Headers": "range"},
    )
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Range" in headers["Access-Control-Allow-Headers"]


def test_directories(site):
    status, headers, _ = request(site, "GET", "/show/episodes/vid")
    assert status == 301 and headers["Location"] == "/show/episodes/vid/"
    status, _, body = request(site, "GET", "/show/episodes/vid/")
    assert status == 200 and b"<title>talk</title>" in body
    status, _, body = request(site, "GET", "/")
    assert status == 200 and b'href="show/"' in body  # the root lists the shows
    assert request(site, "GET", "/show/episodes/")[0] == 404  # no index, no listing


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/show/../../secret.txt",
        "/show/episodes/../../../secret.txt",
        "/%2e%2e/secret.txt",
        "/show/%2e%2e/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/show/..%2f..%2fsecret.txt",
        "/show/..%5c..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "/show/leak.txt",  # symlink to a file outside
        "/show/outside/secret.txt",  # symlink to a folder outside
        "/show/.feed.xml.tmp",  # dotfile (a half-written temp file)
        "http://evil.example/../secret.txt",  # absolute-form request target
    ],
)
def test_path_traversal_is_blocked(site, path):
    status, _, body = request(site, "GET", path)
    assert status in (400, 403, 404)
    assert SECRET not in body and b"half written" not in body


def test_absolute_paths_stay_inside_root(site):
    secret = site["base"] / "secret.txt"
    for path in (str(secret), "/" + str(secret), "/%2F" + str(secret).lstrip("/")):
        status, _, body = request(site, "GET", path)
        assert status in (403, 404)
        assert SECRET not in body


def test_symlink_inside_root_is_served(site):
    status, _, body = request(site, "GET", "/show/latest.mp3")
    assert (status, body) == (200, DATA)


def test_slow_client_does_not_block_others(site):
    """One client stops reading a 16 MB file; twenty others still get answers (each
    request gives up after 10 s, so a server blocked by the slow one fails this)."""
    slow = socket.create_connection((site["host"], site["port"]))
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.sendall(b"GET /show/big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        assert slow.recv(1024).startswith(b"HTTP/1.1 200")  # it is being served
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(lambda _: request(site, "GET", CLIP), range(20)))
        assert all(status == 200 and body == DATA for status, _, body in results)
        # the slow transfer is still open, stalled mid-file, not finished
        slow.setblocking(False)
        assert len(slow.recv(65536)) > 0
    finally:
        slow.close()


def test_parse_ranges_units():
    assert parse_ranges("bytes=0-4", 10) == [(0, 4)]
    assert parse_ranges("bytes=8-,0-1", 10) == [(0, 1), (8, 9)]
    assert parse_ranges("bytes=0-1,2-3", 10) == [(0, 3)]  # adjacent coalesce
    assert parse_ranges("bytes=-0", 10) == []
    assert parse_ranges("bytes=0-", 0) == []
    assert parse_ranges("bytes=x", 10) is None


def test_serve_prints_url_and_serves(site):
    code = "import sys; from publisher.serve import serve; serve(sys.argv[1], port=0)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(site["root"])],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving ") and "http://localhost:" in line
        port = int(line.split("http://localhost:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/show/feed.xml")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"<rss/>")
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_plain_fileresponse_gaps(tmp_path):
    """What aiohttp's FileResponse alone does; serve.py fills each gap (tested above).

    If this fails after an aiohttp upgrade, aiohttp fixed a gap and the
    workaround in serve.py can shrink.
    """
    (tmp_path / "f.bin").write_bytes(DATA)

    async def plain(request: web.Request) -> web.FileResponse:
        return web.FileResponse(tmp_path / "f.bin")

    async def main() -> list[tuple[int, int]]:
        app = web.Application()
        app.router.add_get("/f", plain)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        out = []
        for headers in (
            {"Range": "bytes=0-1,5-6"},
            {"Range": "bytes=-0"},
            {"Range": "bytes=0-1", "If-Range": '"stale"'},
        ):
            result = await asyncio.to_thread(
                request, {"host": "127.0.0.1", "port": port}, "GET", "/f", headers
            )
            out.append((result[0], len(result[2])))
        await runner.cleanup()
        return out

    assert asyncio.run(main()) == [(416, 0), (206, len(DATA)), (206, 2)]


def test_server_thread_stops(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    before = threading.active_count()
    with serving(tmp_path) as url:
        parts = urlsplit(url)
        site = {"host": parts.hostname, "port": parts.port}
        assert request(site, "GET", "/a.txt")[2] == b"a"
    time.sleep(0.1)
    assert threading.active_count() <= before
    with pytest.raises(OSError):
        socket.create_connection((parts.hostname, parts.port), timeout=1)
