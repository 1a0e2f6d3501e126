"""`publisher serve`: serve public/ to browsers and podcast apps on the LAN.

aiohttp does the HTTP; its FileResponse sends files (sendfile, ETag,
Last-Modified, If-None-Match / If-Modified-Since -> 304, single ranges).
This module fills the gaps found by tests/test_serve.py:

- multiple ranges: answered as multipart/byteranges (overlapping or adjacent
  ranges are coalesced first). Fallback, as RFC 9110 allows: more than
  MAX_RANGES ranges, or several ranges together with a conditional header,
  get the whole file (200) or the 304;
- "bytes=-0" (an empty suffix) is unsatisfiable: 416, not the whole file;
- a range unit other than bytes ("items=0-5") is ignored: the whole file, 200
  (RFC 9110 section 14.2);
- If-Range with an ETag that no longer matches -> the whole file, 200;
- text (feeds, OPML, pages, JSON, transcripts) is sent gzip-compressed to a client
  that accepts gzip and asks for no range: a feed shrinks to about a fifth, and
  apps that poll it hourly revalidate it for a 304 of no body (the gzip variant
  has its own ETag, "<etag>-gzip", as Apache's mod_deflate gives it; Vary:
  Accept-Encoding). Audio and images are compressed already: sent as they are;
- a show left at its backup by a publish killed between its two renames
  (fsutil.replace_dir's fallback) is put back before it would be a 404;
- safe path resolution (no "..", encoded or not, no absolute paths, no dotfiles,
  no symlinks leading out of the root), directory index.html, podcast MIME
  types, CORS on every file.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import html
import os
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from aiohttp import hdrs, web

from .errors import InputError, PublisherError
from .fsutil import backups, restore_dir

MAX_RANGES = 16
CHUNK = 256 * 1024

# By file name first (chapters.json), then by suffix.
_TYPES_BY_NAME = {"chapters.json": "application/json+chapters"}
_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".xml": "application/rss+xml; charset=utf-8",  # every .xml we publish is a feed
    ".opml": "text/x-opml; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
}
# Sent gzip-compressed when the client accepts it: text, not audio or images.
COMPRESSIBLE = {".xml", ".opml", ".html", ".css", ".js", ".json", ".vtt", ".srt", ".txt", ".svg"}
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
}
_RANGE_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def content_type(path: Path) -> str:
    name = path.name.lower()
    return _TYPES_BY_NAME.get(name) or _TYPES.get(path.suffix.lower(), "application/octet-stream")


class _Outside(Exception):
    """The request names something outside the served root."""


def resolve(root: Path, raw_path: str) -> Path:
    """Map a raw request path to a real path inside `root` (already resolved).

    Raises _Outside for traversal attempts and FileNotFoundError for hidden
    names; the result may not exist.
    """
    path = raw_path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        raise _Outside(raw_path)  # absolute-form or garbage
    parts = []
    for raw in path.split("/"):
        part = unquote(raw, errors="strict")
        if part in ("", "."):
            continue
        if part == ".." or "/" in part or "\\" in part or "\0" in part or ":" in part:
            raise _Outside(raw_path)
        if part.startswith("."):
            raise FileNotFoundError(part)  # dotfiles, including half-written temp files
        parts.append(part)
    real = root.joinpath(*parts).resolve()
    if not real.is_relative_to(root):
        raise _Outside(raw_path)  # a symlink leading out of the root
    return real


def parse_ranges(header: str, size: int) -> list[tuple[int, int]] | None:
    """Satisfiable (first, last) byte ranges, coalesced and sorted; None if malformed.

    An empty list means the header was well-formed but nothing is satisfiable.
    """
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    ranges: list[tuple[int, int]] = []
    for spec in specs.split(","):
        m = _RANGE_SPEC.match(spec)
        if not m or m.group(1) == m.group(2) == "":
            return None
        first, last = m.group(1), m.group(2)
        if first == "":  # suffix: the last N bytes
            n = int(last)
            if n > 0 and size > 0:
                ranges.append((max(0, size - n), size - 1))
            continue
        a = int(first)
        b = int(last) if last else max(a, size - 1)
        if b < a:
            return None
        if a < size:
            ranges.append((a, min(b, size - 1)))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _in_bytes(headers: list[str]) -> bool:
    """Whether Range headers are in the one unit served: bytes."""
    return all(h.partition("=")[0].strip().lower() == "bytes" for h in headers)


def _etag(st: os.stat_result) -> str:
    return f"{st.st_mtime_ns:x}-{st.st_size:x}"  # the same value FileResponse sends


def _if_range_holds(request: web.Request, st: os.stat_result) -> bool:
    value = request.headers.get(hdrs.IF_RANGE)
    if value is None:
        return True
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == f'"{_etag(st)}"'  # strong comparison only
    since = request.if_range
    return since is not None and int(st.st_mtime) <= since.timestamp()


def _headers_for(path: Path) -> dict[str, str]:
    headers = dict(_CORS)
    headers[hdrs.CONTENT_TYPE] = content_type(path)
    headers[hdrs.CACHE_CONTROL] = "no-cache"  # revalidate: ETag makes that cheap
    if path.suffix.lower() in COMPRESSIBLE:
        headers[hdrs.VARY] = "Accept-Encoding"  # caches keep the two variants apart
    return headers


def _accepts_gzip(request: web.Request) -> bool:
    """Whether Accept-Encoding allows gzip (listed, or "*", without q=0)."""
    for part in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower().split(","):
        coding, _, params = part.partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        if coding.strip() in ("gzip", "x-gzip", "*"):
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


@functools.lru_cache(maxsize=256)
def _gzipped(path: Path, version: str) -> bytes:
    """The file gzip-compressed (no name, no time: the same file gives the same bytes);
    `version` (its ETag) keys the cache, so a rewritten file is compressed anew."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def _precondition_failed(request: web.Request, etag: str, st: os.stat_result) -> bool:
    """If-Match (strong comparison), else If-Unmodified-Since: RFC 9110 13.2.2's first
    two steps, evaluated before If-None-Match."""
    if (match := request.headers.get(hdrs.IF_MATCH)) is not None:
        tags = {t.strip() for t in match.split(",")}
        return not ("*" in tags or etag in tags)
    since = request.if_unmodified_since
    return since is not None and int(st.st_mtime) > since.timestamp()


def _not_modified(request: web.Request, etag: str, st: os.stat_result) -> bool:
    """If-None-Match (weak comparison, as RFC 9110 asks), else If-Modified-Since."""
    if (match := request.headers.get(hdrs.IF_NONE_MATCH)) is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags
    since = request.if_modified_since
    return since is not None and int(st.st_mtime) <= since.timestamp()


async def _send_gzip(
    request: web.Request, path: Path, st: os.stat_result, headers: dict[str, str]
) -> web.Response:
    """The file's gzip variant: 200, 304 or 412 (conditional headers answered here)."""
    etag = f'"{_etag(st)}-gzip"'
    headers[hdrs.ETAG] = etag
    if _precondition_failed(request, etag, st):
        headers.pop(hdrs.CONTENT_TYPE)
        response = web.Response(status=412, headers=headers)
    elif _not_modified(request, etag, st):
        headers.pop(hdrs.CONTENT_TYPE)
        response = web.Response(status=304, headers=headers)
    else:
        body = await asyncio.to_thread(_gzipped, path, etag)
        headers[hdrs.CONTENT_ENCODING] = "gzip"
        response = web.Response(body=body, headers=headers)
    response.last_modified = st.st_mtime
    return response


async def _send_file(request: web.Request, path: Path) -> web.StreamResponse:
    st = await asyncio.to_thread(path.stat)
    headers = _headers_for(path)
    request_headers = request.headers.copy()
    rng = request_headers.popall(hdrs.RANGE, [])
    request_headers.popall(hdrs.IF_RANGE, None)
    if rng and not _in_bytes(rng):
        rng = []  # another unit: ignored (RFC 9110 14.2), the whole file
    if not rng and hdrs.VARY in headers and _accepts_gzip(request):
        return await _send_gzip(request, path, st, headers)
    if rng and _if_range_holds(request, st):
        ranges = parse_ranges(", ".join(rng), st.st_size)
        if not ranges:
            headers[hdrs.CONTENT_RANGE] = f"bytes */{st.st_size}"
            return web.Response(status=416, headers=headers)
        if len(ranges) == 1:
            a, b = ranges[0]
            request_headers[hdrs.RANGE] = f"bytes={a}-{b}"
        elif len(ranges) <= MAX_RANGES and not _conditional(request):
            return await _send_multipart(request, path, st, ranges, headers)
    return _FileResponse(path, request.clone(headers=request_headers), headers=headers)


class _FileResponse(web.FileResponse):
    """A FileResponse that answers a rewritten copy of the request (ranges resolved)."""

    def __init__(self, path: Path, rewritten: web.BaseRequest, headers: dict[str, str]):
        super().__init__(path, headers=headers)
        self._rewritten = rewritten

    async def prepare(self, request: web.BaseRequest):  # type: ignore[override]
        return await super().prepare(self._rewritten)


def _conditional(request: web.Request) -> bool:
    """Conditional headers present: let FileResponse answer (it handles them all)."""
    return any(
        h in request.headers
        for h in (
            hdrs.IF_MATCH,
            hdrs.IF_NONE_MATCH,
            hdrs.IF_MODIFIED_SINCE,
            hdrs.IF_UNMODIFIED_SINCE,
        )
    )


async def _send_multipart(
    request: web.Request,
    path: Path,
    st: os.stat_result,
    ranges: list[tuple[int, int]],
    headers: dict[str, str],
) -> web.StreamResponse:
    """206 multipart/byteranges, streamed from the file in chunks."""
    boundary = uuid.uuid4().hex
    part_type = headers[hdrs.CONTENT_TYPE]
    heads = [
        (
            f"--{boundary}\r\nContent-Type: {part_type}\r\n"
            f"Content-Range: bytes {a}-{b}/{st.st_size}\r\n\r\n"
        ).encode()
        for a, b in ranges
    ]
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = sum(len(h) for h in heads) + sum(b - a + 1 for a, b in ranges)
    length += 2 * (len(ranges) - 1) + len(tail)  # CRLF between parts
    headers[hdrs.CONTENT_TYPE] = f"multipart/byteranges; boundary={boundary}"
    headers[hdrs.CONTENT_LENGTH] = str(length)
    headers[hdrs.ACCEPT_RANGES] = "bytes"
    headers[hdrs.ETAG] = f'"{_etag(st)}"'
    response = web.StreamResponse(status=206, headers=headers)
    response.last_modified = st.st_mtime
    await response.prepare(request)
    if request.method == hdrs.METH_HEAD:
        return response
    with path.open("rb") as f:
        for i, ((a, b), head) in enumerate(zip(ranges, heads, strict=True)):
            await response.write((b"\r\n" if i else b"") + head)
            f.seek(a)
            left = b - a + 1
            while left:
                chunk = await asyncio.to_thread(f.read, min(CHUNK, left))
                if not chunk:
                    raise ConnectionResetError("file shrank while sending")
                await response.write(chunk)
                left -= len(chunk)
    await response.write(tail)
    await response.write_eof()
    return response


def _listing(root: Path) -> web.Response:
    """The root page when it has no index.html: links to each show's site."""
    shows = sorted(p.name for p in root.iterdir() if (p / "index.html").is_file())
    items = "".join(f'<li><a href="{html.escape(s)}/">{html.escape(s)}</a></li>' for s in shows)
    body = (
        '<!doctype html><html lang="en"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Podcasts</title><h1>Podcasts</h1><ul>{items}</ul></html>"
    )
    return web.Response(text=body, content_type="text/html", headers=_CORS)


def make_app(root: Path) -> web.Application:
    """An aiohttp app serving the files under `root` (GET, HEAD and CORS preflight)."""
    root = Path(root).resolve()

    for backup in root.glob("*.old"):  # at start, and when a show is asked for
        _restore(root / backup.name.removeprefix(".").removesuffix(".old"))

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.method == hdrs.METH_OPTIONS:
            return web.Response(
                status=204,
                headers={
                    **_CORS,
                    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since",
                    "Access-Control-Max-Age": "86400",
                },
            )
        try:
            path = resolve(root, request.raw_path)
        except _Outside:
            raise web.HTTPForbidden(headers=_CORS) from None
        except (FileNotFoundError, UnicodeDecodeError):
            raise web.HTTPNotFound(headers=_CORS) from None
        if path != root and not path.exists():
            _restore(root / path.relative_to(root).parts[0])
        if path.is_dir():
            if not request.path.endswith("/"):
                # relative links in index.html need the trailing slash
                location = request.raw_path.split("?", 1)[0] + "/"
                raise web.HTTPMovedPermanently(location, headers=_CORS)
            if (path / "index.html").is_file():
                path = path / "index.html"
            elif path == root:
                return _listing(root)
        if not path.is_file():
            raise web.HTTPNotFound(headers=_CORS)
        return await _send_file(request, path)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)  # and HEAD
    app.router.add_route(hdrs.METH_OPTIONS, "/{tail:.*}", handle)
    return app


def _restore(target: Path) -> bool:
    """Put back the show folder `target` if a publish killed between its two renames
    left only its backup (under the show's build lock: never in a build's way)."""
    if target.exists() or not backups(target):
        return False
    from .pipeline.lock import BusyError, show_lock

    try:
        with show_lock(target.with_name(f".{target.name}.lock"), str(target)):
            return restore_dir(target) is not None
    except (BusyError, OSError):
        return False  # a build is publishing it now, or the folder is read-only


async def _start(root: Path, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(make_app(root), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    return runner, bound


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve `root` until interrupted (blocking); prints the URL first."""
    root = Path(root)

    if not 0 <= port <= 65535:
        raise InputError(f"--port {port} is not a port number (0 to 65535)")

    async def main() -> None:
        try:
            runner, bound = await _start(root, host, port)
        except OSError as e:
            raise PublisherError(f"cannot serve on {host}:{port}: {e.strerror or e}") from None
        everywhere = host in ("0.0.0.0", "::", "")
        shown = "localhost" if everywhere or host == "127.0.0.1" else host
        where = " (all interfaces)" if everywhere else ""
        print(f"Serving {root} at http://{shown}:{bound}/{where} (Ctrl-C to stop)", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


@contextlib.contextmanager
def serving(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `root` from a background thread; yields the base URL ("http://host:port/")."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner, bound = asyncio.run_coroutine_threadsafe(_start(Path(root), host, port), loop).result()
    try:
        yield f"http://{host}:{bound}/"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
