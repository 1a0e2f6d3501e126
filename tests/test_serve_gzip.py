"""`publisher serve` sends text gzip-compressed with ETag and Last-Modified, and
answers revalidation with 304: what podcast apps polling a feed hourly rely on."""

from __future__ import annotations

import gzip
import http.client
import os
import time
import urllib.request
from urllib.parse import urlsplit

import feedparser
import pytest
from episode_factory import make_episodes, make_show, out_dir

from publisher.feed import write_feeds
from publisher.serve import serving


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("gzip")
    show = make_show(tmp)
    root = out_dir(tmp, show)
    write_feeds(show, make_episodes(tmp, show), root)
    with serving(tmp / "public") as url:
        parts = urlsplit(url)
        yield {
            "root": root,
            "url": f"{url}{show.slug}/",
            "host": parts.hostname,
            "port": parts.port,
        }


def request(site, path: str, headers: dict | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection(site["host"], site["port"], timeout=10)
    try:
        conn.request(method, f"/test-show/{path}", headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_feed_is_sent_gzipped_with_validators(site):
    raw = (site["root"] / "clips.xml").read_bytes()
    status, h, body = request(site, "clips.xml", GZIP)
    assert status == 200 and h["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == raw and len(body) < len(raw) / 3
    assert int(h["Content-Length"]) == len(body)
    assert h["Vary"] == "Accept-Encoding" and h["Content-Type"].startswith("application/rss+xml")
    assert h["ETag"].endswith('-gzip"') and h["Last-Modified"]
    plain = request(site, "clips.xml")  # no Accept-Encoding: the file as it is
    assert plain[2] == raw and "Content-Encoding" not in plain[1]
    assert plain[1]["ETag"] != h["ETag"]  # each variant its own validator
    refused = request(site, "clips.xml", {"Accept-Encoding": "gzip;q=0, identity"})
    assert refused[2] == raw


def test_revalidation_answers_304(site):
    _, h, _ = request(site, "feed.xml", GZIP)
    etag, modified = h["ETag"], h["Last-Modified"]
    for cond in (
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-Modified-Since": modified},
    ):
        status, h304, body = request(site, "feed.xml", GZIP | cond)
        assert (status, body) == (304, b"")
        assert h304["ETag"] == etag
    status, _, body = request(site, "feed.xml", GZIP | {"If-None-Match": '"other"'})
    assert status == 200 and body


def test_preconditions_are_answered_on_the_gzip_path(site):
    """If-Match and If-Unmodified-Since (a client that edits only what it saw) get 412
    when they fail, the gzip variant when they hold, as FileResponse does for the plain."""
    _, h, _ = request(site, "clips.xml", GZIP)
    etag, modified = h["ETag"], h["Last-Modified"]
    for cond in ({"If-Match": etag}, {"If-Match": "*"}, {"If-Unmodified-Since": modified}):
        status, h2, body = request(site, "clips.xml", GZIP | cond)
        assert status == 200 and h2["Content-Encoding"] == "gzip" and body, cond
    for cond in (
        {"If-Match": '"other"'},
        {"If-Match": f"W/{etag}"},  # If-Match compares strongly
        {"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"If-Match": '"other"', "If-None-Match": etag},  # If-Match is evaluated first
    ):
        status, _, body = request(site, "clips.xml", GZIP | cond)
        assert (status, body) == (412, b""), cond


def test_a_changed_file_gets_a_new_etag(site):
    path = site["root"] / "topics" / "testing.xml"
    _, h, _ = request(site, "topics/testing.xml", GZIP)
    path.write_bytes(path.read_bytes().replace(b"</channel>", b"<!-- new --></channel>"))
    os.utime(path, (time.time() + 5, time.time() + 5))
    status, h2, body = request(site, "topics/testing.xml", GZIP | {"If-None-Match": h["ETag"]})
    assert status == 200 and b"<!-- new -->" in gzip.decompress(body)
    assert h2["ETag"] != h["ETag"]


def test_audio_images_and_ranges_are_sent_as_they_are(site):
    mp3 = next((site["root"] / "episodes").rglob("*.mp3"))
    rel = mp3.relative_to(site["root"]).as_posix()
    for path in (rel, "artwork.jpg"):
        status, h, body = request(site, path, GZIP)
        assert status == 200 and "Content-Encoding" not in h
        assert body == (site["root"] / path).read_bytes()
    status, h, body = request(site, "feed.xml", GZIP | {"Range": "bytes=0-4"})
    assert (status, body) == (206, b"<?xml") and "Content-Encoding" not in h


def test_head_gives_the_gzip_headers_without_a_body(site):
    _, get, body = request(site, "feed.xml", GZIP)
    status, head, empty = request(site, "feed.xml", GZIP, method="HEAD")
    assert (status, empty) == (200, b"")
    assert head["ETag"] == get["ETag"] and head["Content-Length"] == str(len(body))


def test_feed_readers_get_gzip_and_then_304(site):
    """feedparser asks for gzip and revalidates with the ETag it was given, as apps do."""
    url = site["url"] + "clips.xml"
    first = feedparser.parse(url)
    assert first.status == 200 and not first.bozo and len(first.entries) == 6
    assert first.headers["content-encoding"] == "gzip"
    again = feedparser.parse(url, etag=first.etag, modified=first.modified)
    assert again.status == 304 and again.entries == []
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert gzip.decompress(resp.read()) == (site["root"] / "clips.xml").read_bytes()


def test_yt_dlp_reads_the_gzipped_feed(site):
    """yt-dlp (which asks for gzip) reads every item of the feed as served."""
    import yt_dlp

    opts = {"quiet": True, "no_warnings": True, "extract_flat": True, "skip_download": True}
    with yt_dlp.YoutubeDL(opts) as ydl:
        info = ydl.extract_info(site["url"] + "clips.xml", download=False)
    parsed = feedparser.parse((site["root"] / "clips.xml").read_bytes())
    got = [x["url"].partition("#")[0] for x in info["entries"]]  # less yt-dlp's own fragment
    assert got == [e.enclosures[0].href for e in parsed.entries]
    assert len(info["entries"]) == 6
