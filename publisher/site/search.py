"""The site's search: a Pagefind index (pagefind/ in the show folder), one record per
talk and one per clip, so a clip is its own result with its card's anchor URL.

Pagefind splits the index into chunks and fragments: a query fetches its runtime
(~100 KB, once) and only the chunks holding its words and the fragments of the
results it shows. Its runtime fetches files, so search needs the site served over
HTTP(S) (any static host, or `publisher serve`); opened from disk it is hidden.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from html import escape
from importlib import metadata
from pathlib import Path

from pagefind_bin import get_executable

from ..errors import PublisherError
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
    pagefind binary (the `pagefind[bin]` wheel) runs as a child process from Index()
    until files(), unless `cache` holds the index of the same records by the same
    Pagefind (a no-op rebuild)."""

    def __init__(self, show: Show, catalog: Catalog, out_dir: Path, cache: Path | None) -> None:
        language = (show.language or "en").split("-")[0].lower()
        docs = {_name(r["url"]): _document(r, language) for r in records(catalog)}
        whole = [_VERSION, *(f"{name}\0{doc}" for name, doc in docs.items())]
        self.key = hashlib.sha256("\0".join(whole).encode()).hexdigest()[:24]
        self.cache, self.out_dir = cache, out_dir
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._run: subprocess.Popen | None = None
        if not (cache and (cache / self.key).is_dir()):
            if cache:  # beside the cache: the bundle is renamed into it, not copied
                cache.parent.mkdir(parents=True, exist_ok=True)
            where = str(cache.parent) if cache else None
            self._tmp = tempfile.TemporaryDirectory(prefix=".pagefind-", dir=where)
            self._run = _start(docs, language, Path(self._tmp.name), out_dir)

    def files(self) -> dict[str, bytes]:
        """The index's files by site-relative path (waits for pagefind)."""
        if self._run is None or self._tmp is None:
            assert self.cache, "an index is either cached or running"
            return _read(self.cache / self.key)
        bundle = _finish(self._run, Path(self._tmp.name) / "bundle", self.out_dir)
        self._run = None
        if self.cache:
            for old in self.cache.glob("*") if self.cache.is_dir() else []:
                shutil.rmtree(old, ignore_errors=True)  # one index kept: the newest
            self.cache.mkdir(parents=True, exist_ok=True)
            bundle = bundle.rename(self.cache / self.key)
        return _read(bundle)

    def stop(self) -> None:
        """End pagefind if it still runs (the build failed meanwhile); remove its files."""
        if self._run is not None:
            self._run.kill()
            self._run.communicate()
            self._run = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


_VERSION = metadata.version("pagefind-bin")


def _name(url: str) -> str:
    """A record's file name for the pagefind binary, from its URL: Pagefind names each
    result's fragment file by a hash of its content, which holds this name, so an
    unchanged record keeps its fragment's name and bytes when other talks come or go."""
    return hashlib.sha256(url.encode()).hexdigest()[:20] + ".html"


def _start(docs: dict[str, str], language: str, tmp: Path, out_dir: Path) -> subprocess.Popen:
    """Start the pagefind binary over `docs` (by file name, written under tmp/records),
    into tmp/bundle."""
    site, bundle = tmp / "records", tmp / "bundle"
    site.mkdir()
    for name, doc in docs.items():
        (site / name).write_text(doc, encoding="utf-8")
    command = [str(get_executable()), "--site", str(site), "--output-path", str(bundle)]
    command += ["--force-language", language, "--silent"]
    try:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        raise PublisherError(f"pagefind could not run: {e}", out_dir) from None


def _finish(run: subprocess.Popen, bundle: Path, out_dir: Path) -> Path:
    """Wait for pagefind; its bundle's folder, or the error it ended with."""
    stdout, stderr = run.communicate()
    if run.returncode:
        problem = (stderr or stdout).strip().splitlines() or ["no output"]
        raise PublisherError(f"pagefind failed: {problem[-1]}", out_dir)
    return bundle


def _read(bundle: Path) -> dict[str, bytes]:
    return {
        f"{FOLDER}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
        for p in sorted(bundle.rglob("*"))
        if p.is_file() and not any(u in p.name for u in UNUSED)
    }


def stale(out_dir: Path, keep: set[str]) -> None:
    """Remove index files of an earlier build in out_dir/pagefind that this one did not make."""
    folder = out_dir / FOLDER
    for path in sorted(folder.rglob("*"), reverse=True) if folder.is_dir() else []:
        rel = path.relative_to(out_dir).as_posix()
        if path.is_file() and rel not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)
