"""`publisher deploy`: copy a built show to S3-compatible storage (AWS S3, R2, MinIO).

Only what changed is uploaded: a file is unchanged when the object has its
size and its ETag, computed locally the way S3 computes it (the MD5, or for a
multipart upload the MD5 of the parts' MD5s and "-<parts>", with the part size
used here). Files go up in four waves, each finished before the next starts:
audio, then what pages and feeds point at (images, transcripts, chapters),
then pages (HTML, OPML, JSON, CSS, JS), then feeds, so a feed never names a
missing file. Nothing published is deleted unless `prune` is set; dotfiles
(.records, .<slug>.old) are never uploaded nor deleted. Local ETags are kept
beside the folder (.<slug>.etags.json, keyed by path, size and mtime), so a no-op
deploy hashes nothing again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from .errors import InputError, PublisherError
from .fsutil import atomic_path
from .serve import content_type

TRANSFER = TransferConfig(multipart_threshold=8 * 2**20, multipart_chunksize=8 * 2**20)
WORKERS = 8
SHORT = "public, max-age=300"  # feeds, pages, OPML, search index: change on every build
# by wave: audio (published bytes are forever), assets, pages, feeds
CACHE_CONTROL = ("public, max-age=31536000, immutable", "public, max-age=86400", SHORT, SHORT)
_PAGES = ("text/html", "text/x-opml", "text/css", "text/javascript", "application/json;")


@dataclass(frozen=True)
class DeploySummary:
    target: str
    uploaded: tuple[str, ...]  # keys, in upload order
    uploaded_bytes: int
    unchanged: int
    deleted: tuple[str, ...]
    stale: tuple[str, ...]  # published, no longer in the folder, kept (no prune)
    dry_run: bool = False

    def line(self) -> str:
        up, rm = ("would upload", "would delete") if self.dry_run else ("uploaded", "deleted")
        line = (
            f"{self.target}: {up} {len(self.uploaded)} ({self.uploaded_bytes:,} bytes), "
            f"unchanged {self.unchanged}, {rm} {len(self.deleted)}"
        )
        if self.stale:
            line += f"; kept {len(self.stale)} no longer in the folder (--prune deletes them)"
        return line


@dataclass(frozen=True)
class _File:
    path: Path
    key: str
    size: int
    wave: int
    content_type: str


def wave(path: Path) -> int:
    """0 audio, 1 what pages and feeds point at, 2 pages, 3 feeds: the upload order."""
    kind = content_type(path) + ";"
    if kind.startswith("audio/"):
        return 0
    if kind.startswith("application/rss+xml"):
        return 3
    if kind.startswith(_PAGES) and not path.name.endswith(".transcript.json"):
        return 2
    return 1


def local_etag(path: Path, size: int) -> str:
    """The ETag S3 gives `path` uploaded with TRANSFER (quotes stripped)."""
    whole, parts = hashlib.md5(), []
    with path.open("rb") as f:
        while chunk := f.read(TRANSFER.multipart_chunksize):
            whole.update(chunk)
            parts.append(hashlib.md5(chunk).digest())
    if size < TRANSFER.multipart_threshold:
        return whole.hexdigest()
    return f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"


class _Etags:
    """Local ETags by (path, size, mtime_ns), read from and saved to one JSON file; a
    file whose size or mtime changed is hashed again."""

    def __init__(self, path: Path):
        self.path, self._lock = path, threading.Lock()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = {}
        chunk = TRANSFER.multipart_chunksize
        self.known: dict[str, list] = data.get("etags", {}) if data.get("chunk") == chunk else {}
        self.fresh: dict[str, list] = {}

    def of(self, f: _File) -> str:
        mtime = f.path.stat().st_mtime_ns
        key = f.key
        hit = self.known.get(key)
        etag = hit[2] if hit and hit[:2] == [f.size, mtime] else local_etag(f.path, f.size)
        with self._lock:
            self.fresh[key] = [f.size, mtime, etag]
        return etag

    def save(self, files: list[_File]) -> None:
        here = {f.key for f in files}
        kept = {k: v for k, v in (self.known | self.fresh).items() if k in here}
        with atomic_path(self.path) as tmp:
            data = {"chunk": TRANSFER.multipart_chunksize, "etags": kept}
            Path(tmp).write_text(json.dumps(data))


def deploy(
    folder: Path,
    target: str,
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    prune: bool = False,
    dry_run: bool = False,
    report: Callable[[str], None] | None = None,
) -> DeploySummary:
    """Upload `folder` to `target` ("s3://bucket/prefix"); `report` gets one line per change."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no such folder to deploy", folder)
    bucket, prefix = _parse_target(target)
    try:
        session = boto3.session.Session(profile_name=profile)
        s3 = session.client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10),
        )
    except (BotoCoreError, ValueError) as e:  # unknown profile, malformed endpoint URL
        raise PublisherError(f"{target}: {e}") from None
    files = _local_files(folder, prefix)
    etags = _Etags(folder.parent / f".{folder.resolve().name}.etags.json")
    remote = _remote_objects(s3, bucket, prefix, target)
    gone = tuple(sorted(set(remote) - {f.key for f in files}))
    say = report or (lambda line: None)

    def upload(f: _File) -> None:
        extra = {"ContentType": f.content_type, "CacheControl": CACHE_CONTROL[f.wave]}
        try:
            s3.upload_file(str(f.path), bucket, f.key, ExtraArgs=extra, Config=TRANSFER)
        except (BotoCoreError, ClientError) as e:
            where = f"{f.path}: upload to s3://{bucket}/{f.key} failed"
            raise PublisherError(f"{where}: {_why(e)}") from None
        etags.of(f)  # kept for the next deploy's comparison

    with ThreadPoolExecutor(WORKERS) as pool:
        same = pool.map(lambda f: _same(f, remote.get(f.key), etags), files)
        changed = [f for f, unchanged in zip(files, same, strict=True) if not unchanged]
        changed.sort(key=lambda f: f.wave)
        for w in range(len(CACHE_CONTROL)):  # each wave done before the next starts
            batch = [f for f in changed if f.wave == w]
            for f in batch:
                say(f"{'would upload' if dry_run else 'upload'} {f.key} ({f.size:,} bytes)")
            if not dry_run:
                list(pool.map(upload, batch))
    if not dry_run:
        etags.save(files)
    if prune:
        for key in gone:
            say(f"{'would delete' if dry_run else 'delete'} {key}")
        if not dry_run:
            _delete(s3, bucket, gone)
    return DeploySummary(
        target=target,
        uploaded=tuple(f.key for f in changed),
        uploaded_bytes=sum(f.size for f in changed),
        unchanged=len(files) - len(changed),
        deleted=gone if prune else (),
        stale=() if prune else gone,
        dry_run=dry_run,
    )


def _parse_target(target: str) -> tuple[str, str]:
    """("bucket", "prefix/") from "s3://bucket/prefix"; the prefix is "" or ends in "/"."""
    url = urlsplit(target)
    if url.scheme != "s3" or not url.netloc or url.query or url.fragment:
        raise InputError(f"{target}: the target must look like s3://bucket/prefix")
    prefix = url.path.strip("/")
    return url.netloc, f"{prefix}/" if prefix else ""


def _local_files(folder: Path, prefix: str) -> list[_File]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        size = path.stat().st_size
        files.append(_File(path, prefix + rel.as_posix(), size, wave(path), content_type(path)))
    return files


def _remote_objects(s3, bucket: str, prefix: str, target: str) -> dict[str, tuple[int, str]]:
    """{key: (size, etag)} of the objects under `prefix`, dot-named ones left out."""
    found = {}
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                rel = obj["Key"][len(prefix) :]
                if not any(part.startswith(".") for part in rel.split("/")):
                    found[obj["Key"]] = (obj["Size"], obj["ETag"].strip('"'))
    except (BotoCoreError, ClientError) as e:
        raise PublisherError(f"{target}: cannot list the bucket: {_why(e)}") from None
    return found


def _same(f: _File, remote: tuple[int, str] | None, etags: _Etags) -> bool:
    return remote is not None and remote[0] == f.size and remote[1] == etags.of(f)


def _delete(s3, bucket: str, keys: tuple[str, ...]) -> None:
    for i in range(0, len(keys), 1000):  # DeleteObjects takes up to 1,000 keys
        batch = [{"Key": k} for k in keys[i : i + 1000]]
        try:
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        except (BotoCoreError, ClientError) as e:
            where = f"s3://{bucket}/{batch[0]['Key']}"
            raise PublisherError(f"{where}: delete failed: {_why(e)}") from None
        for err in answer.get("Errors", []):
            raise PublisherError(f"s3://{bucket}/{err['Key']}: delete failed: {err['Message']}")


def _why(e: Exception) -> str:
    if isinstance(e, NoCredentialsError):
        return "no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)"
    if isinstance(e, ClientError):
        error = e.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message') or 'no message'}"
    return str(e)
