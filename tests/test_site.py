"""The static site: pages, relative links, players, downloads, search index, escaping, rebuilds."""
# The browser side (Pagefind queries, keyboard, phone widths) is in tests/test_browser.py.

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest
from episode_factory import make_episodes, make_show, out_dir

from publisher.feed import feed_urls, write_feeds
from publisher.model import slugify, timestamp
from publisher.site import build_site
from publisher.site.build import STANDIN_LABEL
from publisher.site.catalog import paragraphs
from publisher.site.keys import KEYS
from publisher.site.sanitize import clean_html


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("site")
    show = make_show(tmp)
    episodes = make_episodes(tmp, show)
    root = out_dir(tmp, show)
    write_feeds(show, episodes, root)
    feeds = feed_urls(show, episodes)
    paths = build_site(show, episodes, root, feeds)
    return {"show": show, "episodes": episodes, "root": root, "feeds": feeds, "paths": paths}


_SIMPLE = re.compile(r"""([\w-]+)|\.([\w-]+)|#([\w-]+)|\[([\w-]+)(=["']([^"']*)["'])?\]""")


def find(el: lxml.html.HtmlElement, selector: str) -> list:
    """Elements matching a simple CSS selector (tag, .class, #id, [attr], [attr="v"], descendants).

    lxml's own .cssselect() needs the cssselect package, which the project does not depend on.
    """
    steps = []
    for compound in selector.split():
        tests = []
        tag = "*"
        for name, cls, ident, attr, has_value, value in _SIMPLE.findall(compound):
            if name:
                tag = name
            elif cls:
                tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')")
            elif ident:
                tests.append(f"@id='{ident}'")
            elif has_value:
                tests.append(f"@{attr}='{value}'")
            else:
                tests.append(f"@{attr}")
        steps.append(tag + "".join(f"[{t}]" for t in tests))
    return el.xpath(".//" + "//".join(steps))


def page(built: dict, rel: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((built["root"] / rel).read_bytes())


def talk_pages(built: dict) -> list[str]:
    return sorted({f"episodes/{e.talk.video_id}/index.html" for e in built["episodes"]})


def topic_pages(built: dict) -> list[str]:
    return sorted({f"topics/{slugify(e.topic)}.html" for e in built["episodes"] if e.topic})


def browse_pages(built: dict) -> list[str]:
    years = {f"years/{e.talk.year}.html" for e in built["episodes"]}
    tracks = {f"tracks/{slugify(e.talk.playlist)}.html" for e in built["episodes"]}
    return ["topics/index.html", *sorted(years), *sorted(tracks)]


def all_pages(built: dict) -> list[str]:
    return ["index.html", *talk_pages(built), *topic_pages(built), *browse_pages(built)]


def clips(built: dict) -> list:
    return [e for e in built["episodes"] if e.kind == "clip"]


def test_writes_every_page_and_returns_paths(built):
    root = built["root"]
    expected = {root / p for p in all_pages(built)}
    expected |= {root / "static" / n for n in ("site.css", "site.js", "icon.svg")}
    expected.add(root / KEYS)  # each page's inputs, hashed: the next build renders what changed
    search = {p for p in built["paths"] if p.parent.name == "pagefind" or "pagefind" in p.parts}
    thumbs = {p for p in built["paths"] if p.parent == root / "thumbs"}
    assert set(built["paths"]) == expected | search | thumbs
    assert root / "pagefind" / "pagefind.js" in search and not (root / "search.json").exists()
    # three sizes of each distinct cover: the show's art and the two talks'
    assert len(thumbs) == 3 * 3 and all(p.suffix == ".jpg" for p in thumbs)
    assert all(p.is_file() and p.stat().st_size > 0 for p in expected)
    assert [p for p in root.rglob(".*") if p.is_file()] == [root / KEYS]  # no temp files left


def test_home_lists_years_talks_topics_and_feeds(built):
    doc = page(built, "index.html")
    years = [a.get("href") for a in find(doc, ".browse a.pill")]
    assert years == ["years/2019.html", "years/2018.html"] + [
        f"tracks/kvm-forum-{y}.html" for y in (2018, 2019)
    ]
    for e in built["episodes"]:
        if e.kind == "full":
            link = find(doc, f'.talk-card[data-id="{e.guid}"] .talk-card-title a')[0]
            assert link.text_content() == e.talk.title
            assert link.get("href") == f"episodes/{e.talk.video_id}/index.html"
            year = page(built, f"years/{e.talk.year}.html")
            row = find(year, f'.talk-row[data-id="{e.guid}"] a')[0]
            assert row.get("href") == f"../episodes/{e.talk.video_id}/index.html"
            track = page(built, f"tracks/{slugify(e.talk.playlist)}.html")
            assert find(track, f'.talk-card[data-id="{e.guid}"] .question-item')
    counts = {}
    for c in clips(built):
        counts[c.topic] = counts.get(c.topic, 0) + 1
    tiles = {
        find(t, ".topic-name")[0].text_content(): find(t, ".topic-count")[0].text_content()
        for t in find(doc, ".topic-tile")
    }
    assert set(tiles) == set(counts)
    for topic, n in counts.items():
        assert tiles[topic].startswith(f"{n} clip")
    # every main feed can be copied: the URL in full and a button naming it
    values = {i.text_content(): i.get("id") for i in find(doc, "code.feed-url")}
    for key in ("feed", "clips", "year:2018", "year:2019"):
        assert built["feeds"][key] in values
        assert find(doc, f'button[data-copy="{values[built["feeds"][key]]}"]')
    opml = find(doc, '#subscribe a[download][href="feeds.opml"]')
    assert opml and (built["root"] / "feeds.opml").is_file()
    art = find(doc, "img.hero-art")[0]  # a small thumbnail: the 3000 px art is for apps
    assert art.get("src").startswith("thumbs/") and built["show"].title in art.get("alt")
    widths = [c.split()[1] for c in art.get("srcset").split(", ")]
    assert widths == ["160w", "320w", "640w"] and art.get("sizes") == "240px"
    assert not [
        i
        for p in all_pages(built)
        for i in page(built, p).iter("img")
        if "artwork.jpg" in i.get("src") or i.get("src").endswith("cover.jpg")
    ]


def test_links_are_relative_and_resolve(built):
    """Every href/src on every page is relative and names a file (and anchor) that exists."""
    root = built["root"]
    for rel in all_pages(built):
        doc = page(built, rel)
        for el, attr in [(el, "href") for el in doc.iter() if el.get("href")] + [
            (el, "src") for el in doc.iter() if el.get("src")
        ]:
            value = el.get(attr)
            parts = urlsplit(value)
            if parts.scheme in ("http", "https"):
                assert (
                    parts.hostname in ("www.youtube.com", "youtube.com")
                    or value in built["feeds"].values()
                ), f"{rel}: absolute link {value}"
                continue
            assert not value.startswith("/"), f"{rel}: {value}"
            target = (root / rel).parent / unquote(parts.path) if parts.path else root / rel
            target = Path(os.path.normpath(target))
            assert target.is_relative_to(root), f"{rel}: {value} leaves the site"
            assert target.is_file(), f"{rel}: {value} -> missing {target}"
            if parts.fragment and target.suffix == ".html":
                anchors = lxml.html.fromstring(target.read_bytes()).xpath(
                    "//*[@id=$id]", id=parts.fragment
                )
                assert anchors, f"{rel}: {value} has no #{parts.fragment}"


def test_talk_page(built):
    for full in [e for e in built["episodes"] if e.kind == "full"]:
        rel = f"episodes/{full.talk.video_id}/index.html"
        doc = page(built, rel)
        assert find(doc, "h1")[0].text_content() == full.talk.title
        player = find(doc, "audio#player")[0]
        assert player.get("src") == full.path.name  # relative to the talk's own folder
        seeks = [float(b.get("data-seek")) for b in find(doc, ".chapter-button")]
        assert seeks == pytest.approx([c.start for c in full.chapters], abs=0.001)
        titles = [t.text_content() for t in find(doc, ".chapter-title")]
        assert titles == [c.title for c in full.chapters]
        notes = find(doc, ".notes")[0]
        assert "Watch the original video" in notes.text_content()
        people = {
            find(p, ".person-name")[0].text.strip(): find(p, ".role")[0].text_content()
            for p in find(doc, ".person")
        }
        assert people[full.talk.moderator.name] == "Moderator"
        assert all(people[s.name] == "Panelist" for s in full.talk.speakers)
        # transcript: a seek button per paragraph, speakers named, all the words there
        paras = find(doc, ".transcript-para")
        assert [float(find(p, ".timestamp")[0].get("data-seek")) for p in paras] == (
            pytest.approx([p.start for p in paragraphs(full.transcript, full.chapters)], abs=0.001)
        )
        text = find(doc, ".transcript")[0].text_content()
        assert all(ln.text in text for ln in full.transcript)
        names = {s.text_content() for s in find(doc, ".transcript .speaker")}
        assert names == {ln.speaker for ln in full.transcript}
        for clip in [c for c in clips(built) if c.talk is full.talk]:
            card = doc.get_element_by_id(clip.guid)
            assert not find(card, "audio")  # one shared player, not one per card
            assert find(card, "button.play")[0].get("data-play") == clip.path.name
            dl = find(card, "a[download]")[0]
            assert dl.get("href") == clip.path.name
            assert dl.get("download") == clip.path.name  # the published file's own name
            facts = find(card, ".facts")[0].text_content()
            assert timestamp(clip.duration) in facts
            assert f"{clip.size / 1000:.0f} kB" in facts or f"{clip.size / 1e6:.1f} MB" in facts


def test_clip_labels_and_question_counts(built):
    doc = page(built, "episodes/AbCdEfGh018/index.html")
    labels = [e.text_content().strip() for e in find(doc, ".clip .eyebrow")]
    assert labels == ["Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]
    headings = [h.text_content() for h in find(doc, ".transcript-chapter")]
    full = next(e for e in built["episodes"] if e.guid == "yt-AbCdEfGh018")
    assert headings == [c.title for c in full.chapters]
    links = [a.get("href") for a in find(doc, ".transcript-chapter a")]  # to the clip's card
    cards = [c.get("id") for c in find(doc, ".clip")]
    assert links == [f"#{c.guid}" for c in full.chapters if c.guid in cards] and len(links) == 3


def test_human_download_name(built):
    doc = page(built, "episodes/AbCdEfGh018/index.html")
    names = [a.get("download") for a in find(doc, ".clip a[download]")]
    assert "kvm-forum-2018-q02-are-spectre-and-meltdown-hype-or-real.mp3" in names


def test_topic_pages(built):
    for rel in topic_pages(built):
        slug = Path(rel).stem
        doc = page(built, rel)
        expected = {c.guid for c in clips(built) if slugify(c.topic) == slug}
        assert {a.get("id") for a in find(doc, "article.clip")} == expected
        for card in find(doc, "article.clip"):
            clip = next(c for c in clips(built) if c.guid == card.get("id"))
            src = f"../episodes/{clip.talk.video_id}/{clip.path.name}"
            assert find(card, "button.play")[0].get("data-play") == src
            assert find(card, "a[download]")[0].get("href") == src
        feed = built["feeds"][f"topic:{slug}"]
        assert [c.text_content() for c in find(doc, "code.feed-url")] == [feed]
        assert find(doc, f'a[href="{slug}.xml"]')
        assert (built["root"] / "topics" / f"{slug}.xml").is_file()
    years = {c.talk.year for c in clips(built) if c.topic == "Live migration"}
    assert years == {2018, 2019}  # the factory spreads a topic over both years
    doc = page(built, "topics/live-migration.html")
    assert [h.text_content() for h in find(doc, "h2.section-title")] == ["2019", "2018"]


def test_search_records_one_per_talk_and_clip(built):
    from publisher.site.catalog import make_catalog
    from publisher.site.search import records

    found = {r["url"]: r for r in records(make_catalog(built["show"], built["episodes"]))}
    for c in clips(built):
        item = found[f"episodes/{c.talk.video_id}/index.html#{c.guid}"]  # its card's anchor
        assert item["meta"]["title"] == c.title and c.topic in item["meta"]["context"]
        assert all(s.name in item["content"] for s in c.speakers)
        assert all(ln.text in item["content"] for ln in c.transcript)
    assert len(found) == len(built["episodes"])  # a talk and each of its clips
    home = page(built, "index.html")
    assert find(home, '#search[data-pagefind="pagefind/pagefind.js"] input#q')
    assert find(home, 'label[for="q"]')
    assert (built["root"] / "pagefind" / "pagefind-entry.json").is_file()


def test_each_page_advertises_its_own_feeds(built):
    feeds = built["feeds"]

    def alternates(rel: str) -> list[str]:
        links = page(built, rel).xpath("//head/link[@rel='alternate']")
        assert all(ln.get("type") == "application/rss+xml" and ln.get("title") for ln in links)
        return [ln.get("href") for ln in links]

    assert alternates("index.html") == [feeds["feed"], feeds["clips"]]
    for rel in topic_pages(built):
        assert alternates(rel) == [feeds[f"topic:{Path(rel).stem}"]]
    for e in [e for e in built["episodes"] if e.kind == "full"]:
        got = alternates(f"episodes/{e.talk.video_id}/index.html")
        track = feeds[f"track:{slugify(e.talk.playlist)}"]
        assert got == [feeds[f"year:{e.talk.year}"], track, feeds["clips"]]
        assert alternates(f"years/{e.talk.year}.html") == [feeds[f"year:{e.talk.year}"]]
        assert alternates(f"tracks/{slugify(e.talk.playlist)}.html") == [track]


def test_talk_page_names_each_speaker_once(built):
    for full in [e for e in built["episodes"] if e.kind == "full"]:
        doc = page(built, f"episodes/{full.talk.video_id}/index.html")
        assert len(find(doc, "ul.people")) == 1
        for s in full.talk.people:
            assert [p.text.strip() for p in find(doc, ".person-name")].count(s.name) == 1
            if s.organisation:  # a job and organisation once, in the speaker list
                assert doc.text_content().count(s.organisation) == 1, s.organisation
        for card in find(doc, "article.clip"):  # a card: one credits line, names only
            (line,) = find(card, ".credits")
            assert line.text_content().split()[:2] == ["Asked", "by"]
            assert not [
                s
                for s in full.talk.people
                if s.organisation and s.organisation in card.text_content()
            ]


def test_accessibility_basics(built):
    for rel in all_pages(built):
        doc = page(built, rel)
        assert doc.get("lang") == built["show"].language
        assert all(img.get("alt") is not None for img in doc.iter("img")), rel
        for el in find(doc, "button"):
            assert el.text_content().strip() or el.get("aria-label"), rel
        for audio in doc.iter("audio"):
            assert audio.get("aria-label") and audio.get("controls") is not None
        for field in find(doc, "input"):  # the search box
            assert find(doc, f'label[for="{field.get("id")}"]'), rel
        assert find(doc, "a.skip-link[href='#main']") and find(doc, "main#main")
        assert len(find(doc, "h1")) == 1, rel


def test_standin_is_labelled(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    standin = {e.talk.video_id for e in episodes[:4]}  # the first talk: full + 3 clips
    episodes = [dataclasses.replace(e, standin=e.talk.video_id in standin) for e in episodes]
    root = out_dir(tmp_path, show)
    build_site(show, episodes, root, feed_urls(show, episodes))
    for e in episodes:
        if e.kind == "full":
            text = page({"root": root}, f"episodes/{e.talk.video_id}/index.html").text_content()
            assert (STANDIN_LABEL in text) == e.standin
    home = page({"root": root}, "index.html")
    for card in find(home, ".talk-card"):
        marked = STANDIN_LABEL in card.text_content()
        assert marked == any(e.standin for e in episodes if e.guid == card.get("data-id"))


def test_escaping_and_notes_cleaning(tmp_path):
    show = make_show(tmp_path, title="Tom & Jerry's <Forum>")
    episodes = make_episodes(tmp_path, show)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    first = episodes[0]
    talk = dataclasses.replace(first.talk, title="Q&A <script>alert(1)</script>")
    notes = '<p>Hi <a href="javascript:alert(1)">click</a> <a href="https://ok.example/">ok</a></p>'
    episodes = [dataclasses.replace(e, talk=talk) if e.talk is first.talk else e for e in episodes]
    episodes[0] = dataclasses.replace(episodes[0], notes_html=notes + evil)
    episodes[1] = dataclasses.replace(episodes[1], title=evil)
    root = out_dir(tmp_path, show)
    build_site(show, episodes, root, feed_urls(show, episodes))
    for rel in ("index.html", f"episodes/{talk.video_id}/index.html"):
        raw = (root / rel).read_text()
        assert "<script>alert" not in raw and "<img src=x" not in raw
        assert "Tom &amp; Jerry&#39;s &lt;Forum&gt;" in raw
    doc = page({"root": root}, f"episodes/{talk.video_id}/index.html")
    assert find(doc, "h1")[0].text_content() == talk.title
    hrefs = [a.get("href") for a in find(doc, ".notes a")]
    assert "https://ok.example/" in hrefs and not any("javascript" in (h or "") for h in hrefs)


def test_rebuild_leaves_unchanged_files_alone(built):
    root = built["root"]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in built["paths"]}
    os.utime(root / "index.html", ns=(1, 1))  # make a rewrite visible
    build_site(built["show"], built["episodes"], root, built["feeds"])
    assert (root / "index.html").stat().st_mtime_ns == 1
    for p, (_, data) in before.items():
        assert p.read_bytes() == data
    renamed = [dataclasses.replace(e, title=e.title + " (again)") for e in built["episodes"]]
    build_site(built["show"], renamed, root, built["feeds"])
    assert (root / "index.html").stat().st_mtime_ns != 1
    assert "(again)" in (root / "index.html").read_text()
    build_site(built["show"], built["episodes"], root, built["feeds"])  # restore for other tests


def test_clean_html():
    assert clean_html("<p>a<b>b</b></p>") == "<p>a<b>b</b></p>"
    assert clean_html("<ul><li>x<li>y</ul>") == "<ul><li>x</li><li>y</li></ul>"
    assert clean_html("<div onclick=x>t</div><style>p{}</style>") == "t"
    assert clean_html('<a href="https://e.org/?a=1&amp;b=2">l</a>') == (
        '<a href="https://e.org/?a=1&amp;b=2" rel="noopener">l</a>'
    )
    assert clean_html('<a href="data:text/html,x">l</a>') == "<a>l</a>"
    assert clean_html("<p>unclosed") == "<p>unclosed</p>"
    assert clean_html("1 < 2 & 3") == "1 &lt; 2 &amp; 3"


def test_paragraphs_group_by_speaker_and_length():
    from publisher.model import Chapter, Line

    lines = [
        Line(0, 5, "a", "X"),
        Line(5, 10, "b", "X"),
        Line(10, 15, "c", "Y"),
        Line(60, 65, "d", "Y"),
        Line(65, 70, "e", None),
    ]
    got = [(p.start, p.speaker, p.text) for p in paragraphs(lines)]
    assert got == [(0, "X", "a b"), (10, "Y", "c"), (60, "Y", "d"), (65, None, "e")]
    chapters = [Chapter(0, 5, "Intro"), Chapter(5, 70, "First question")]
    opened = paragraphs(lines, chapters)
    got = [(p.start, p.text, p.chapter and p.chapter.title) for p in opened]
    assert got[:2] == [(0, "a", "Intro"), (5, "b", "First question")]


def test_talks_without_full_episode_or_feeds(tmp_path):
    """Clips alone, no feeds known yet: the pages still build, with nothing dangling."""
    show = make_show(tmp_path)
    episodes = [e for e in make_episodes(tmp_path, show) if e.kind == "clip"]
    root = out_dir(tmp_path, show)
    build_site(show, episodes, root, {})
    doc = page({"root": root}, "episodes/AbCdEfGh018/index.html")
    assert not find(doc, "audio#player") and not find(doc, ".chapter")
    assert len(find(doc, "article.clip")) == 3
    home = page({"root": root}, "index.html")
    assert not find(home, "code.feed-url") and len(find(home, ".talk-card")) == 2


def test_home_page_stays_small_at_many_talks(tmp_path):
    """At 400 talks (1,200 clips) the home page shows the newest talks and links every
    year and track page, which list the rest; benchmarks/search.py measures 1,000."""
    from many_talks import many_talks

    from publisher.site.build import HOME_TALKS

    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 400)
    root = out_dir(tmp_path, show)
    build_site(show, episodes, root, feed_urls(show, episodes))
    home = (root / "index.html").read_bytes()
    assert len(home) <= 100_000
    doc = lxml.html.fromstring(home)
    assert len(find(doc, ".talk-card")) == HOME_TALKS
    pills = {a.get("href") for a in find(doc, ".browse a.pill")}
    years = {f"years/{e.talk.year}.html" for e in episodes}
    tracks = {f"tracks/{slugify(e.talk.playlist)}.html" for e in episodes}
    assert pills == years | tracks and all((root / p).is_file() for p in pills)
    listed = set()
    for rel in years:
        listed |= {r.get("data-id") for r in find(page({"root": root}, rel), ".talk-row")}
    assert listed == {e.guid for e in episodes if e.kind == "full"}  # every talk, once a year


def test_a_big_topic_is_split_into_pages(tmp_path, monkeypatch):
    """A topic with more clips than TOPIC_PAGE gets pages of at most that many, newest
    first, each linking every page; every clip of the topic is on exactly one."""
    from collections import Counter

    from many_talks import many_talks

    import publisher.site.build

    TOPIC_PAGE = 3  # pages of 3 clips (60 in use): this fixture's topics are smaller
    monkeypatch.setattr(publisher.site.build, "TOPIC_PAGE", TOPIC_PAGE)
    show = make_show(tmp_path)
    episodes = many_talks(make_episodes(tmp_path, show), 40)
    root = out_dir(tmp_path, show)
    build_site(show, episodes, root, feed_urls(show, episodes))
    counts = Counter(slugify(e.topic) for e in episodes if e.kind == "clip" and e.topic)
    slug, total = counts.most_common(1)[0]
    assert total > TOPIC_PAGE  # the fixture is big enough to need pages
    rels = [f"topics/{slug}.html"] + [
        f"topics/{slug}.{n}.html" for n in range(2, -(-total // TOPIC_PAGE) + 1)
    ]
    seen, dates = [], []
    for rel in rels:
        doc = page({"root": root}, rel)
        cards = find(doc, "article.clip")
        assert 0 < len(cards) <= TOPIC_PAGE
        seen += [c.get("id") for c in cards]
        dates += [int(h.text_content()) for h in find(doc, "h2.section-title")]
        pager = [a.get("href") for a in find(doc, "nav.pager a")]
        assert sorted([*pager, rel.removeprefix("topics/")]) == sorted(
            r.removeprefix("topics/") for r in rels
        )
        assert find(doc, 'nav.pager span[aria-current="page"]')[0].text_content() == str(
            rels.index(rel) + 1
        )
    assert not (root / f"topics/{slug}.{len(rels) + 1}.html").exists()
    assert sorted(seen) == sorted(e.guid for e in episodes if slugify(e.topic) == slug)
    assert dates == sorted(dates, reverse=True)  # newest first across the pages
