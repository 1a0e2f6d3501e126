"""The incremental site: a build that starts from the published show renders only the
pages whose inputs changed (site/keys.py), and gives the bytes a cold build gives."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from shutil import ignore_patterns

from episode_factory import make_episodes, make_show, out_dir
from many_talks import many_talks
from PIL import Image

from publisher.feed import feed_urls, write_feeds
from publisher.site import build_site
from publisher.site.keys import KEYS


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _stage(root: Path, folder: Path) -> Path:
    """A new show folder with the published media (as a build relinks it), no pages."""
    shutil.copytree(root / "episodes", folder / "episodes", ignore=ignore_patterns("*.html"))
    shutil.copy2(root / "artwork.jpg", folder / "artwork.jpg")
    return folder


def _build(show, episodes, root: Path, published: Path | None = None) -> None:
    write_feeds(show, episodes, root, published=published)
    build_site(show, episodes, root, feed_urls(show, episodes), published=published)


def test_adding_a_talk_renders_only_what_changed_and_matches_a_cold_build(tmp_path):
    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 30)
    root = out_dir(tmp_path, show)  # the show folder the factory's files are in
    new = episodes[-1].talk.video_id
    before = [e for e in episodes if e.talk.video_id != new]
    _build(show, before, root)  # published: every talk but the last
    staged = _stage(root, tmp_path / "staged")
    _build(show, episodes, staged, published=root)  # the last talk added
    cold = _stage(root, tmp_path / "cold")
    _build(show, episodes, cold, published=cold)  # every talk, from nothing
    assert _tree(staged) == _tree(cold)
    talk_pages = {p.relative_to(staged).as_posix() for p in staged.glob("episodes/*/index.html")}
    assert len(talk_pages) == 30
    linked = {r for r in talk_pages if (root / r).exists() and (staged / r).samefile(root / r)}
    # every other talk's page was linked from the published show, the new one rendered
    assert linked == talk_pages - {f"episodes/{new}/index.html"}
    assert not (staged / "index.html").samefile(root / "index.html")  # it lists the new talk
    # a feed with its published bytes is linked (its Last-Modified stays); the others list it
    feeds = [p.relative_to(staged) for p in staged.rglob("*.xml")]
    same = [
        r
        for r in feeds
        if (root / r).is_file() and (root / r).read_bytes() == (staged / r).read_bytes()
    ]
    assert same and all((staged / r).samefile(root / r) for r in same)
    assert new not in " ".join((staged / r).read_text() for r in same)
    assert {"clips.xml", "feed.xml"} <= {r.as_posix() for r in feeds if r not in same}
    # each search result's fragment is named by its content: the published ones stay, linked
    fragments = [p.relative_to(root) for p in root.glob("pagefind/fragment/*")]
    assert fragments and all((staged / r).samefile(root / r) for r in fragments)


def test_a_changed_talk_is_rendered_again(tmp_path):
    """A talk whose episodes changed (a new title) gets its page rendered again, and
    the pages that list it; an unchanged published page is linked, not rewritten."""
    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 6)
    root = out_dir(tmp_path, show)
    _build(show, episodes, root)
    vid = episodes[0].talk.video_id
    renamed = [
        e.__class__(**{**e.__dict__, "title": e.title + " (renamed)"})
        if e.talk.video_id == vid and e.kind == "clip" else e
        for e in episodes
    ]  # fmt: skip
    staged = _stage(root, tmp_path / "staged")
    _build(show, renamed, staged, published=root)
    page = f"episodes/{vid}/index.html"
    assert "(renamed)" in (staged / page).read_text()
    others = [p for p in staged.glob("episodes/*/index.html") if vid not in p.as_posix()]
    assert others and all(p.samefile(root / p.relative_to(staged)) for p in others)
    cold = _stage(root, tmp_path / "cold")
    _build(show, renamed, cold, published=cold)
    assert _tree(staged) == _tree(cold)


def test_renumbered_episodes_render_no_page_again(tmp_path):
    """A talk added in the middle of a season renumbers every later full episode
    (itunes:episode, the feeds' only): their pages are linked, not rendered again."""
    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 6)
    root = out_dir(tmp_path, show)
    _build(show, episodes, root)
    renumbered = [dataclasses.replace(e, number=e.number + 1) for e in episodes]
    assert renumbered != episodes
    staged = _stage(root, tmp_path / "staged")
    _build(show, renumbered, staged, published=root)
    pages = [p.relative_to(staged) for p in staged.rglob("*.html")]
    assert len(pages) > 6 and all((staged / r).samefile(root / r) for r in pages)
    keys = json.loads((staged / KEYS).read_text())  # the keys it would render again for
    assert keys.keys() >= {r.as_posix() for r in pages} and keys == json.loads(
        (root / KEYS).read_text()
    )


def test_covers_met_before_are_not_read_again_and_a_changed_one_is(tmp_path):
    """With a cache, a cover relinked unchanged (same inode, size and mtime) is known by
    its hash from the last build (thumbs/seen.json) and its thumbnails are linked from
    the cache; a cover with new bytes gets new thumbnails. The search index of the
    same records comes from the cache, one file."""
    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 4)
    root, cache = out_dir(tmp_path, show), tmp_path / "cache"
    urls = feed_urls(show, episodes)
    build_site(show, episodes, root, urls, cache_dir=cache)
    seen = json.loads((cache / "thumbs" / "seen.json").read_text())
    thumbs = sorted(p.relative_to(root) for p in root.glob("thumbs/*.jpg"))
    assert seen and thumbs
    assert len(list((cache / "search" / show.slug).iterdir())) == 1  # one index, one file

    def staged(name: str) -> Path:  # as a build relinks the published media
        folder = tmp_path / name
        shutil.copytree(root / "episodes", folder / "episodes", copy_function=os.link,
                        ignore=ignore_patterns("*.html"))  # fmt: skip
        os.link(root / "artwork.jpg", folder / "artwork.jpg")
        return folder

    again = staged("again")
    build_site(show, episodes, again, urls, cache_dir=cache, published=root)
    assert all((again / r).samefile(cache / "thumbs" / r) for r in thumbs)
    assert _tree(again) == _tree(root)
    changed = staged("changed")
    cover = next(p for p in changed.glob("episodes/*/*.jpg"))
    data = cover.read_bytes()
    cover.unlink()  # a new file (the published one is a link of it)
    Image.new("RGB", (400, 400), (200, 30, 30)).save(cover, "JPEG")
    assert cover.read_bytes() != data
    build_site(show, episodes, changed, urls, cache_dir=cache, published=root)
    made = sorted(p.relative_to(changed) for p in changed.glob("thumbs/*.jpg"))
    assert set(made) - set(thumbs)  # the new cover's thumbnails
