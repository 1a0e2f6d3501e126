"""The site in a real browser: Debian's chromium driven by Playwright, served by publisher.serve.
Phone (390x844) and desktop (1366x900) widths; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import ROOT
from playwright.sync_api import expect

from publisher.feed import feed_urls, write_feeds
from publisher.model import slugify
from publisher.serve import serving
from publisher.site import build_site
from publisher.site.measure import answered

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TALK = "AbCdEfGh018"  # the factory's 2018 talk
PHONE, DESKTOP = 390, 1366
TABBABLE = "a[href], button:not([hidden]), summary, input, [tabindex='0']"


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


class Watched:
    """A page whose console errors, uncaught exceptions and failed requests are collected."""

    def __init__(self, browser, width: int = DESKTOP, **options):
        height = 844 if width == PHONE else 900
        self.context = browser.new_context(viewport={"width": width, "height": height}, **options)
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
        "year": f"{site['url']}years/2018.html",
        "track": f"{site['url']}tracks/kvm-forum-2018.html",
    }


def test_pages_have_no_console_errors_and_screenshots(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    topics = {slugify(e.topic) for e in site["episodes"] if e.topic}
    talks = {e.talk.video_id for e in site["episodes"]}
    every = [site["url"]] + [f"{site['url']}episodes/{v}/" for v in sorted(talks)]
    every += [f"{site['url']}topics/{t}.html" for t in sorted(topics)]
    shots = pages(site)
    every += [shots["year"], shots["track"], f"{site['url']}topics/index.html"]
    for width in (PHONE, DESKTOP):
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
        f"{n}-{w}.png" for n in shots for w in (PHONE, DESKTOP)
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


def search_box(page):
    return page.get_by_label("Search questions, topics, speakers and transcripts")


def search(page, query: str) -> None:
    """Type `query` into the search box and wait for Pagefind's answer."""
    search_box(page).fill(query)
    answered(page, query)


def test_a_newer_query_replaces_results_still_loading(site, watched):
    """A query whose result fragments are still loading when a newer one is typed
    (here held until the newer one waits for them too) adds nothing to the newer
    query's list once they arrive: the list is the one the newer query alone gives."""
    page = watched.open(site["url"])
    held: list = []
    holding = [True]

    def hold(route) -> None:
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/pagefind/fragment/**", hold)
    box = search_box(page)
    box.fill("spectre")
    for _ in range(100):  # until "spectre" awaits its fragments
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    holding[0] = False  # the newer query's other fragments load at once
    box.fill("agree")
    page.wait_for_timeout(1000)
    for route in held:
        route.continue_()
    answered(page, "agree")
    page.wait_for_timeout(500)
    raced = page.locator(".result-title").all_inner_texts()
    page.goto(f"{site['url']}?q=agree")
    answered(page, "agree")
    alone = page.locator(".result-title").all_inner_texts()
    assert len(alone) >= 6
    assert raced == alone


def test_search_finds_a_clip_by_its_anchor(site, watched):
    page = watched.open(site["url"])
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    search(page, "spectre")
    clip = next(e for e in site["episodes"] if e.title == "Are Spectre and Meltdown hype or real?")
    first = page.locator(".result-title").first
    assert first.inner_text() == clip.title
    assert first.get_attribute("href") == f"{site['url']}episodes/{TALK}/index.html#{clip.guid}"
    assert any("/pagefind/" in u for u in fetched) and not any("search.json" in u for u in fetched)
    first.click()  # the result opens its card
    page.wait_for_url(f"**#{clip.guid}")
    assert page.evaluate("document.querySelector(':target').id") == clip.guid
    page.go_back()
    search(page, "agree")  # only in the transcripts: the excerpt shows where
    assert page.locator(".result").count() >= 6
    assert page.locator(".result-excerpt mark").first.inner_text().lower() == "agree"
    search(page, "zzyzx")
    assert "Nothing matches" in page.locator("#search-status").inner_text()
    page.goto(site["url"] + "?q=testing")  # a search can be linked to
    page.wait_for_function("document.getElementById('search-status').textContent")
    titles = page.locator(".result-title").all_inner_texts()
    assert "How do we test QEMU?" in titles
    assert watched.errors == []


def test_clip_card_plays_with_one_tab_stop(site, watched):
    page = watched.open(pages(site)["talk"])
    cards = page.locator("article.clip")
    for i in range(cards.count()):
        stops = cards.nth(i).locator(TABBABLE).filter(visible=True)
        assert stops.count() <= 4  # topic, play, MP3, "More" (the rest folded in it)
    page.locator(".chapter-button").last.focus()  # the last stop before the first card
    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.dataset.title")
        == cards.first.locator("h3").inner_text()
    )
    page.keyboard.press("Enter")  # one shared player plays it
    page.wait_for_function("document.getElementById('clip-player')?.currentTime > 0")
    src = page.evaluate("document.getElementById('clip-player').src")
    assert src.endswith(cards.first.locator("a[download]").get_attribute("href"))
    assert cards.first.locator(".play").get_attribute("aria-pressed") == "true"
    presses = 0
    while (
        page.evaluate("document.activeElement.dataset.title")
        != cards.nth(1).locator("h3").inner_text()
    ):
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= 4, "more than four Tab stops from one card's play to the next"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "end => document.getElementById('clip-player').src.endsWith(end)",
        arg=cards.nth(1).locator("a[download]").get_attribute("href"),
    )
    assert cards.first.locator(".play").get_attribute("aria-pressed") == "false"
    assert page.locator("audio").count() == 2  # the full episode's and the clips' one
    assert watched.errors == []


def test_phone_navigation_and_feed_urls(site, browser):
    w = Watched(browser, PHONE)
    try:
        page = w.open(site["url"])
        for name in ("Talks", "Topics", "Subscribe"):
            link = page.locator(".topnav").get_by_role("link", name=name)
            assert link.is_visible()
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, name
        urls = page.locator(".feed-url")
        assert urls.count() >= 2
        for i in range(urls.count()):  # the whole address shows, wrapped, not cut off
            cut = urls.nth(i).evaluate("e => e.scrollWidth - e.clientWidth")
            assert cut <= 0 and urls.nth(i).inner_text() in site["feeds"].values()
        page.locator(".topnav").get_by_role("link", name="Topics").click()
        page.wait_for_url("**/topics/index.html")
        assert w.errors == []
    finally:
        w.close()


def test_talk_notes_scroll_with_the_page_on_desktop(site, watched):
    page = watched.open(pages(site)["talk"])
    boxed = page.evaluate(
        """() => {
          const out = [];
          for (let e = document.querySelector('.notes'); e; e = e.parentElement) {
            const s = getComputedStyle(e);
            const boxed = ['auto', 'scroll'].includes(s.overflowY) || s.position === 'sticky';
            if (boxed) out.push(e.className);
          }
          return out;
        }"""
    )
    assert boxed == []  # no nested scroll box, no sticky sidebar around the notes
    last = page.locator(".notes > *").last
    last.scroll_into_view_if_needed()
    box = last.bounding_box()
    assert box and box["y"] + box["height"] <= 900
    assert page.locator(".people").count() == 1


def test_chapters_and_timestamps_seek_the_player(site, watched):
    page = watched.open(pages(site)["talk"])
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').currentTime") == 0
    full = next(e for e in site["episodes"] if e.kind == "full" and e.talk.video_id == TALK)
    chapter = full.chapters[2]
    page.locator(".chapter-button", has_text=chapter.title).click()
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
    assert Path(download.path()).read_bytes() == (site["root"] / clip.path).read_bytes()
    assert download.suggested_filename == clip.path.name  # the enclosure's own name
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


def test_opened_from_disk_browses_without_search(site, browser):
    """file:// cannot fetch Pagefind's files: the search box stays hidden, the rest works."""
    w = Watched(browser, PHONE)
    try:
        page = w.open((site["root"] / "index.html").as_uri())
        assert not page.locator("#search").is_visible()
        page.locator(".talk-card-title a").first.click()
        page.wait_for_url("**/episodes/*/index.html")
        page.locator("button.play").first.click()  # the shared player plays from disk too
        page.wait_for_function("document.getElementById('clip-player')?.currentTime > 0")
        assert w.errors == []
    finally:
        w.close()
