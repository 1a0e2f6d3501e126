"""The site in a real browser: Debian's chromium driven by Playwright, served by publisher.serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import ROOT, need
from playwright.sync_api import expect

from publisher.feed import feed_urls, write_feeds
from publisher.model import slugify
from publisher.serve import serving
from publisher.site import build_site

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TALK = "AbCdEfGh018"  # the factory's 2018 talk


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("browser")
    (tmp / "public").mkdir()
    with serving(tmp / "public") as url:
        show = make_show(tmp, base_url=url + "test-show/")
        episodes = make_episodes(tmp, show)
        root = out_dir(tmp, show)
        write_feeds(show, episodes, root)
        feeds = feed_urls(show, episodes)
        build_site(show, episodes, root, feeds)
        yield {"url": show.base_url, "root": root, "episodes": episodes, "feeds": feeds}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, uncaught exceptions and failed requests are collected."""

    def __init__(self, browser, width: int = 1280, **options):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, **options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"),
        )
        # a media element cancelling its own metadata fetch is not an error
        self.page.on(
            "requestfailed",
            lambda r: (
                r.failure != "net::ERR_ABORTED" and self.errors.append(f"{r.failure} {r.url}")
            ),
        )

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def pages(site) -> dict[str, str]:
    topic = slugify(next(e.topic for e in site["episodes"] if e.kind == "clip"))
    return {
        "home": site["url"],
        "talk": f"{site['url']}episodes/{TALK}/",
        "topic": f"{site['url']}topics/{topic}.html",
    }


def test_pages_have_no_console_errors_and_screenshots(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    topics = {slugify(e.topic) for e in site["episodes"] if e.topic}
    talks = {e.talk.video_id for e in site["episodes"]}
    every = [site["url"]] + [f"{site['url']}episodes/{v}/" for v in sorted(talks)]
    every += [f"{site['url']}topics/{t}.html" for t in sorted(topics)]
    shots = pages(site)
    for width in (390, 1280):
        w = Watched(browser, width)
        try:
            for url in every:
                page = w.open(url)
                assert page.title()
                name = next((n for n, u in shots.items() if u == url), None)
                if name:
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
                # nothing sticks out sideways at phone width
                overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
                assert overflow <= 0, f"{url} overflows by {overflow}px at {width}px"
            assert w.errors == []
        finally:
            w.close()
    assert {p.name for p in SCREENSHOTS.glob("*.png")} >= {
        f"{n}-{w}.png" for n in shots for w in (390, 1280)
    }


def test_home_lists_talks_and_topics(site, watched):
    page = watched.open(site["url"])
    titles = page.locator(".talk-card-title").all_inner_texts()
    fulls = sorted((e for e in site["episodes"] if e.kind == "full"), key=lambda e: e.pub_date)
    assert titles == [e.talk.title for e in reversed(fulls)]
    counts: dict[str, int] = {}
    for e in site["episodes"]:
        if e.kind == "clip":
            counts[e.topic] = counts.get(e.topic, 0) + 1
    tiles = page.locator(".topic-tile").all_inner_texts()
    assert len(tiles) == len(counts)
    for topic, n in counts.items():
        assert any(t.startswith(topic) and f"{n} clip" in t for t in tiles), tiles
    page.locator(".topic-tile").first.click()
    page.wait_for_url("**/topics/*.html")
    assert page.locator("h1").inner_text() == sorted(counts)[0]


def test_search_narrows_the_list(site, watched):
    page = watched.open(site["url"])
    box = page.get_by_label("Search questions, topics, speakers and transcripts")
    questions = page.locator(".question-item:visible")
    cards = page.locator(".talk-card:visible")
    status = page.locator("#search-status")

    def search(query: str) -> None:
        box.fill(query)
        if query:
            page.wait_for_function(
                "q => document.getElementById('search-status').textContent.includes(q)", arg=query
            )
        else:
            page.wait_for_function("!document.getElementById('search-status').textContent")

    assert questions.count() == 6 and cards.count() == 2
    search("spectre")
    assert questions.count() == 1 and cards.count() == 1
    assert (
        questions.first.locator(".question-link").inner_text()
        == "Are Spectre and Meltdown hype or real?"
    )
    assert "1 question in 1 talk" in status.inner_text()
    search("Erin")  # a speaker of the 2019 talk only
    assert cards.count() == 1 and questions.count() == 3
    assert "Virtualization Maintainers Panel" in cards.inner_text()
    assert not page.locator("#year-2018").is_visible()
    search("agree")  # only in the transcripts: each question shows where
    assert page.locator(".snippet:visible").count() == 6
    assert page.locator(".snippet mark").first.inner_text().lower() == "agree"
    search("no such words here")
    assert page.locator("#no-results").is_visible() and cards.count() == 0
    search("")
    assert questions.count() == 6 and cards.count() == 2
    page.goto(site["url"] + "?q=testing")  # a search can be linked to
    page.wait_for_function("document.getElementById('search-status').textContent")
    assert questions.count() == 1 and box.input_value() == "testing"
    assert watched.errors == []


def test_chapters_and_timestamps_seek_the_player(site, watched):
    page = watched.open(pages(site)["talk"])
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').currentTime") == 0
    full = next(e for e in site["episodes"] if e.kind == "full" and e.talk.video_id == TALK)
    chapter = full.chapters[2]
    page.get_by_role("button", name=chapter.title).click()
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {chapter.start}) < 1.5"
    )
    page.locator(".chapter[aria-current='true']").wait_for()
    assert chapter.title in page.locator(".chapter[aria-current='true']").inner_text()
    stamp = page.locator(".transcript .timestamp").last
    target = float(stamp.get_attribute("data-seek"))
    stamp.focus()
    page.keyboard.press("Enter")  # keyboard works as well as the mouse
    page.wait_for_function(
        f"Math.abs(document.getElementById('player').currentTime - {target}) < 1.5"
    )
    assert watched.errors == []


def test_clip_download_link_fetches_the_clip(site, watched):
    page = watched.open(pages(site)["talk"])
    clip = next(e for e in site["episodes"] if e.kind == "clip" and e.talk.video_id == TALK)
    link = page.locator(f"[id='{clip.guid}'] a[download]")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert Path(download.path()).read_bytes() == clip.path.read_bytes()
    assert download.suggested_filename == slugify(f"{clip.talk.playlist} {clip.title}", 90) + ".mp3"
    assert watched.errors == []


def test_copy_button_copies_the_feed_url(site, browser):
    w = Watched(browser, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = w.open(site["url"])
        row = page.locator(".feed-row", has_text="Every question")
        button = row.get_by_role("button", name="Copy")
        button.click()
        expect(button).to_have_text("Copied")
        expect(page.locator("#copy-status")).to_have_text("Copied the Every question feed address.")
        assert page.evaluate("navigator.clipboard.readText()") == site["feeds"]["clips"]
        page.goto(site["url"])
        page.keyboard.press("Tab")  # the first stop from the keyboard is the skip link
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert w.errors == []
    finally:
        w.close()
