"""`publisher deploy` through the CLI against a real S3 API server (moto_server on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import boto3
import pytest

import publisher.deploy
from publisher.cli import main
from publisher.deploy import local_etag

FEED = "application/rss+xml; charset=utf-8"
YEAR, DAY, SHORT = (
    "public, max-age=31536000, immutable",
    "public, max-age=86400",
    "public, max-age=300",
)
REQUEST = re.compile(r'"method": "(\w+)", "url": ("(?:[^"\\]|\\.)*")')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """moto_server on a free port of 127.0.0.1; its request log in `log`."""
    base = tmp_path_factory.mktemp("s3")
    log, out = base / "requests.jsonl", base / "server.log"
    env = {**os.environ, "MOTO_ENABLE_RECORDING": "1", "MOTO_RECORDER_FILEPATH": str(log)}
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p0"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.monotonic() + 30
        while "Running on http://127.0.0.1:" not in out.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.05)
        port = out.read_text().split("Running on http://127.0.0.1:")[1].split()[0]
        yield {"url": f"http://127.0.0.1:{port}", "log": log}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials only; no profile files, no instance metadata: nothing leaves 127.0.0.1."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture
def s3(server: dict):
    return boto3.client("s3", endpoint_url=server["url"])


@pytest.fixture
def bucket(s3) -> str:
    name = f"b-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def show_dir(published: Path, tmp_path: Path) -> Path:
    """A copy of a built two-talk show (with its .records), plus a leftover dot-folder."""
    folder = tmp_path / "demo"
    shutil.copytree(published / "public" / "demo", folder)
    assert (folder / ".records").is_dir()
    (folder / ".demo.old").mkdir()
    (folder / ".demo.old" / "feed.xml").write_text("<rss/>")
    return folder


def deploy(server: dict, folder: Path, target: str, *extra: str) -> int:
    return main(["deploy", str(folder), target, "--endpoint-url", server["url"], *extra])


def objects(s3, bucket: str) -> dict[str, dict]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {o["Key"]: o for page in pages for o in page.get("Contents", [])}


def puts(server: dict, bucket: str) -> list[str]:
    """Keys of the PUT requests the server received for `bucket`, in order."""
    keys = []
    # the threaded server appends entries concurrently: two may share a line
    for method, url in REQUEST.findall(server["log"].read_text()):
        path = unquote(urlsplit(json.loads(url)).path).lstrip("/")
        if method == "PUT" and path.startswith(f"{bucket}/"):
            keys.append(path.removeprefix(f"{bucket}/"))
    return keys


def published_files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(s.startswith(".") for s in p.relative_to(folder).parts)
    )


def test_deploy_uploads_the_show_with_types_cache_and_order(server, s3, bucket, show_dir, capsys):
    assert deploy(server, show_dir, f"s3://{bucket}/shows/demo/") == 0
    local = published_files(show_dir)
    found = objects(s3, bucket)
    assert sorted(found) == [f"shows/demo/{rel}" for rel in local]
    assert not any("/." in key for key in found)  # .records, .demo.old never uploaded
    size = sum((show_dir / rel).stat().st_size for rel in local)
    out = capsys.readouterr().out.strip().splitlines()
    line = f"s3://{bucket}/shows/demo/: uploaded {len(local)} ({size:,} bytes), unchanged 0"
    assert out == [f"{line}, deleted 0"]

    def head(rel: str) -> tuple[str, str]:
        h = s3.head_object(Bucket=bucket, Key=f"shows/demo/{rel}")
        return h["ContentType"], h["CacheControl"]

    mp3 = next(rel for rel in local if rel.endswith(".mp3"))
    episode = mp3.rsplit("/", 1)[0]
    assert head(mp3) == ("audio/mpeg", YEAR)
    assert head("feed.xml") == (FEED, SHORT)
    assert head("index.html") == ("text/html; charset=utf-8", SHORT)
    assert head("feeds.opml") == ("text/x-opml; charset=utf-8", SHORT)
    assert head("pagefind/pagefind-entry.json") == ("application/json", SHORT)  # the search
    assert head("artwork.jpg") == ("image/jpeg", DAY)
    assert head(f"{episode}/chapters.json") == ("application/json+chapters", DAY)
    vtt = mp3.removesuffix(".mp3") + ".vtt"
    assert head(vtt) == ("text/vtt; charset=utf-8", DAY)

    order = [key.removeprefix("shows/demo/") for key in puts(server, bucket)]
    assert sorted(order) == local  # one PUT each
    last = {kind: max(i for i, k in enumerate(order) if k.endswith(kind)) for kind in (".mp3",)}
    first = {
        kind: min(i for i, k in enumerate(order) if k.endswith(kind))
        for kind in (".html", ".opml", ".xml", ".vtt", ".jpg")
    }
    assert last[".mp3"] < min(first.values())  # audio first
    assert max(i for i, k in enumerate(order) if not k.endswith(".xml")) < first[".xml"]


def test_second_deploy_uploads_nothing_and_a_changed_file_only_it(server, s3, bucket, show_dir):
    target = f"s3://{bucket}/demo"
    assert deploy(server, show_dir, target) == 0
    before = len(puts(server, bucket))
    assert deploy(server, show_dir, target) == 0
    assert len(puts(server, bucket)) == before

    # same size, different bytes: only the MD5 tells
    mp3 = next(show_dir.glob("episodes/*/*.mp3"))
    data = bytearray(mp3.read_bytes())
    data[-1] ^= 0xFF
    mp3.write_bytes(bytes(data))
    key = f"demo/{mp3.relative_to(show_dir).as_posix()}"
    assert deploy(server, show_dir, target, "--dry-run") == 0
    assert len(puts(server, bucket)) == before  # a dry run changes nothing
    assert deploy(server, show_dir, target) == 0
    assert puts(server, bucket)[before:] == [key]
    remote = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert remote == bytes(data)


def test_a_no_op_deploy_hashes_nothing_again(server, bucket, show_dir, monkeypatch):
    """Local ETags are kept by path, size and mtime: a second deploy reads them back and
    hashes only the file that was touched."""
    target = f"s3://{bucket}/hashes"
    assert deploy(server, show_dir, target) == 0
    hashed: list[str] = []

    def counted(path: Path, size: int) -> str:
        hashed.append(path.name)
        return local_etag(path, size)

    monkeypatch.setattr(publisher.deploy, "local_etag", counted)
    assert deploy(server, show_dir, target) == 0
    assert hashed == []
    feed = show_dir / "feed.xml"
    os.utime(feed, ns=(feed.stat().st_atime_ns, feed.stat().st_mtime_ns + 10**9))
    assert deploy(server, show_dir, target) == 0
    assert hashed == ["feed.xml"]


def test_dry_run_lists_the_changes(server, bucket, show_dir, capsys):
    assert deploy(server, show_dir, f"s3://{bucket}", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    local = published_files(show_dir)
    assert len(out) == len(local) + 1
    assert out[0].startswith("would upload episodes/") and ".mp3 (" in out[0]
    assert out[-2].startswith("would upload ") and ".xml (" in out[-2]
    assert out[-1].startswith(f"s3://{bucket}: would upload {len(local)} (")
    assert puts(server, bucket) == []


def test_multipart_objects_compare_by_their_etag(server, s3, bucket, tmp_path, capsys):
    folder = tmp_path / "big"
    folder.mkdir()
    big = folder / "talk.mp3"
    big.write_bytes(bytes(range(256)) * (9 * 2**20 // 256))  # two 8 MiB parts
    (folder / "feed.xml").write_text("<rss/>")
    assert deploy(server, folder, f"s3://{bucket}/p") == 0
    etag = s3.head_object(Bucket=bucket, Key="p/talk.mp3")["ETag"].strip('"')
    assert etag.endswith("-2") and etag == local_etag(big, big.stat().st_size)
    capsys.readouterr()
    assert deploy(server, folder, f"s3://{bucket}/p") == 0
    assert "uploaded 0 (0 bytes), unchanged 2, deleted 0" in capsys.readouterr().out


def test_prune_deletes_only_with_the_flag(server, s3, bucket, tmp_path, capsys):
    folder = tmp_path / "show"
    (folder / "episodes").mkdir(parents=True)
    for name in ("episodes/a.mp3", "episodes/b.mp3", "feed.xml"):
        (folder / name).write_text(name)
    for key in ("p/.records/x.pickle", "p2/feed.xml"):  # not ours to delete
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert deploy(server, folder, f"s3://{bucket}/p") == 0
    (folder / "episodes" / "b.mp3").unlink()
    capsys.readouterr()
    assert deploy(server, folder, f"s3://{bucket}/p") == 0
    assert "p/episodes/b.mp3" in objects(s3, bucket)
    assert "kept 1 no longer in the folder (--prune deletes them)" in capsys.readouterr().out
    assert deploy(server, folder, f"s3://{bucket}/p", "--prune", "--dry-run") == 0
    assert "would delete p/episodes/b.mp3" in capsys.readouterr().out
    assert "p/episodes/b.mp3" in objects(s3, bucket)
    assert deploy(server, folder, f"s3://{bucket}/p", "--prune") == 0
    assert "unchanged 2, deleted 1" in capsys.readouterr().out
    assert sorted(objects(s3, bucket)) == [
        "p/.records/x.pickle",
        "p/episodes/a.mp3",
        "p/feed.xml",
        "p2/feed.xml",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "case, code, words",
    [
        ("no bucket", 1, ["s3://nope-", "NoSuchBucket"]),
        ("no server", 1, ["s3://b-", "cannot list the bucket", "127.0.0.1"]),
        ("no credentials", 1, ["s3://b-", "no credentials"]),
        ("not s3", 2, ["http://", "s3://bucket/prefix"]),
        ("no folder", 2, ["missing", "no such folder"]),
    ],
)
def test_failures_are_one_line(case, code, words, server, bucket, tmp_path, monkeypatch, capsys):
    folder, target, endpoint = tmp_path, f"s3://{bucket}/p", server["url"]
    (folder / "feed.xml").write_text("<rss/>")
    if case == "no bucket":
        target = f"s3://nope-{bucket}/p"
    elif case == "no server":
        endpoint = f"http://127.0.0.1:{free_port()}"
    elif case == "no credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    elif case == "not s3":
        target = "http://example.org/p"
    else:
        folder = tmp_path / "missing"
    assert main(["deploy", str(folder), target, "--endpoint-url", endpoint]) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("publisher: error: "), err
    assert all(w in err[0] for w in words), err
