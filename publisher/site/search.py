"""The site's search: a Pagefind index (pagefind/ in the show folder), one record per
talk and one per clip, so a clip is its own result with its card's anchor URL.

Pagefind splits the index into chunks and fragments: a query fetches its runtime
(~100 KB, once) and only the chunks holding its words and the fragments of the
results it shows. Its runtime fetches files, so search needs the site served over
HTTP(S) (any static host, or `publisher serve`); opened from disk it is hidden.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import pickle
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from html import escape
from importlib import metadata
from pathlib import Path, PurePosixPath

from pagefind_bin import get_executable

from ..errors import PublisherError
from ..fsutil import write_bytes
from ..show import Show
from .catalog import Catalog

FOLDER = "pagefind"  # under the show folder
UNUSED = ("-ui.", "-highlight.")  # Pagefind's ready-made UIs: the site has its own


def records(catalog: Catalog) -> Iterator[dict]:
    """Every search record: url (site-relative), content and meta (title, context)."""
    for t in catalog.talks:
        people = [p.name for p in t.people] + [p.organisation for p in t.people if p.organisation]
        text = " ".join(ln.text for ln in (t.full.transcript if t.full else []))
        yield _record(
            t.page,
            [t.talk.title, *people, t.talk.description, text],
            title=t.talk.title,
            context=f"{t.track} · {t.talk.year} · talk",
        )
        for c in t.clips:
            ep = c.episode
            names = [p.name for p in ep.credits.people]
            orgs = [p.organisation for p in ep.credits.people if p.organisation]
            yield _record(
                c.anchor,
                [ep.title, c.topic, *names, *orgs, ep.summary, *ep.keywords]
                + [ln.text for ln in ep.transcript],
                title=ep.title,
                context=" · ".join(x for x in (t.talk.title, str(t.talk.year), c.topic) if x),
            )


def _record(url: str, parts: list[str], *, title: str, context: str) -> dict:
    content = "\n".join(p for p in parts if p)
    return dict(url=url, content=content, meta={"title": title, "context": context})


def _document(record: dict, language: str) -> str:
    """A record as the small HTML page the Pagefind CLI indexes: the record's site URL
    (with the clip's anchor) rides in its `url` meta, which the search box links to."""
    meta = {"url": record["url"], **record["meta"]}
    tags = "".join(f'<meta data-pagefind-meta="{k}:{escape(v)}">' for k, v in meta.items())
    body = "".join(f"<p>{escape(line)}</p>" for line in record["content"].splitlines())
    return (
        f'<!doctype html><html lang="{escape(language)}"><head>{tags}</head>'
        f"<body data-pagefind-body><h1>{escape(record['meta']['title'])}</h1>{body}</body></html>"
    )


class Index:
    """The Pagefind index of a catalog, made while the caller renders the pages: the
    pagefind binary (the `pagefind[bin]` wheel) runs in service mode from Index()
    until files(), fed the records and handing back the bundle through its pipes (no
    file is written for it: at 6,000 records, writing them and the bundle cost more
    than indexing), unless `cache` holds the index of the same records by the same
    Pagefind (one file, cache/<key>.pickle)."""

    def __init__(self, show: Show, catalog: Catalog, out_dir: Path, cache: Path | None) -> None:
        language = (show.language or "en").split("-")[0].lower()
        docs = {_name(r["url"]): _document(r, language) for r in records(catalog)}
        whole = [_VERSION, *(f"{name}\0{doc}" for name, doc in docs.items())]
        self.key = hashlib.sha256("\0".join(whole).encode()).hexdigest()[:24]
        self.cache, self.out_dir = cache, out_dir
        self._service: _Service | None = None
        if not (cache and self._cached().is_file()):
            self._service = _Service(docs, language, out_dir)

    def _cached(self) -> Path:
        assert self.cache
        return self.cache / f"{self.key}.pickle"

    def files(self) -> dict[str, bytes]:
        """The index's files by site-relative path (waits for pagefind)."""
        if self._service is None:
            return pickle.loads(self._cached().read_bytes())
        bundle = self._service.result()
        self._service = None
        files = {
            f"{FOLDER}/{path}": data
            for path, data in sorted(bundle.items())
            if not any(u in PurePosixPath(path).name for u in UNUSED)
        }
        if self.cache:
            for old in self.cache.iterdir() if self.cache.is_dir() else []:
                if old.is_dir():  # the layout before 1 file per index
                    shutil.rmtree(old, ignore_errors=True)
                else:  # one index kept: the newest
                    old.unlink(missing_ok=True)
            write_bytes(self._cached(), pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))
        return files

    def stop(self) -> None:
        """End pagefind if it still runs (the build failed meanwhile)."""
        if self._service is not None:
            self._service.stop()
            self._service = None


_VERSION = metadata.version("pagefind-bin")


def _name(url: str) -> str:
    """A record's file name for the pagefind binary, from its URL: Pagefind names each
    result's fragment file by a hash of its content, which holds this name, so an
    unchanged record keeps its fragment's name and bytes when other talks come or go."""
    return hashlib.sha256(url.encode()).hexdigest()[:20] + ".html"


class _Service:
    """`pagefind --service` indexing `docs` (HTML by file name) in a thread; result()
    gives its bundle's files by path. The service's protocol (as the `pagefind` Python
    package speaks it, whose client waits 0.1 s per reply): base64 of a JSON message,
    then a comma, each way; replies carry the request's message_id."""

    def __init__(self, docs: dict[str, str], language: str, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = [str(get_executable()), "--service"]
        try:
            self._run = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err
            )
        except OSError as e:
            raise PublisherError(f"pagefind could not run: {e}", out_dir) from None
        self._files: dict[str, bytes] = {}
        self._buffer = bytearray()  # read from pagefind, not yet a whole reply
        self._problem = ""
        self._thread = threading.Thread(target=self._talk, args=(docs, language), daemon=True)
        self._thread.start()

    def _send(self, message_id: int, payload: dict) -> None:
        assert self._run.stdin
        message = json.dumps({"message_id": message_id, "payload": payload})
        self._run.stdin.write(base64.b64encode(message.encode()) + b",")

    def _reply(self) -> dict:
        """The next reply's payload (an error reply raises RuntimeError)."""
        assert self._run.stdout
        while (end := self._buffer.find(b",")) < 0:
            chunk = self._run.stdout.read1(1 << 20)
            if not chunk:
                raise EOFError("pagefind stopped")
            self._buffer += chunk
        message = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        payload = json.loads(base64.b64decode(message))["payload"]
        if payload.get("type") == "Error":
            raise RuntimeError(payload.get("message") or "an error")
        return payload

    def _talk(self, docs: dict[str, str], language: str) -> None:
        try:
            config = {"force_language": language}
            self._send(0, {"type": "NewIndex", "config": config})
            self._run.stdin.flush()  # type: ignore[union-attr]
            index = self._reply()["index_id"]
            writer = threading.Thread(target=self._add, args=(index, docs), daemon=True)
            writer.start()
            for _ in docs:
                self._reply()
            writer.join()
            self._send(len(docs) + 1, {"type": "GetFiles", "index_id": index})
            self._run.stdin.flush()  # type: ignore[union-attr]
            files = self._reply()["files"]
            self._files = {f["path"]: base64.b64decode(f["content"]) for f in files}
        except (OSError, EOFError, RuntimeError, KeyError, ValueError) as e:
            self._err.seek(0)
            said = self._err.read().decode(errors="replace").strip().splitlines()
            self._problem = said[-1] if said else str(e) or type(e).__name__

    def _add(self, index: int, docs: dict[str, str]) -> None:
        try:
            for n, (name, doc) in enumerate(docs.items(), 1):
                request = {"type": "AddFile", "index_id": index, "file_path": name}
                self._send(n, {**request, "url": None, "file_contents": doc})
            self._run.stdin.flush()  # type: ignore[union-attr]
        except OSError:
            pass  # pagefind stopped: _talk reads why

    def result(self) -> dict[str, bytes]:
        self._thread.join()
        self.stop()
        if self._problem or not self._files:
            raise PublisherError(f"pagefind failed: {self._problem or 'no files'}", self.out_dir)
        return self._files

    def stop(self) -> None:
        """End pagefind (idle in service mode, or still indexing if the build failed)."""
        if self._run.poll() is None:
            self._run.kill()
        self._run.wait()
        self._thread.join()  # it reads EOF now, and may read pagefind's stderr
        for pipe in (self._run.stdin, self._run.stdout):
            if pipe:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._err.close()


def stale(out_dir: Path, keep: set[str]) -> None:
    """Remove index files of an earlier build in out_dir/pagefind that this one did not make."""
    folder = out_dir / FOLDER
    for path in sorted(folder.rglob("*"), reverse=True) if folder.is_dir() else []:
        rel = path.relative_to(out_dir).as_posix()
        if path.is_file() and rel not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
