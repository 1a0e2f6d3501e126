"""`publisher add`: a playlist on a loopback server -> seeds that load, listed once in
the show file; re-runs add only what is new; failures are named and isolated."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import feedparser
import pytest
from helpers import FIXTURES, WWW, add, need, project

from publisher.add.listing import TalkInfo
from publisher.add.seedtext import seed_text
from publisher.audio import fetch_audio
from publisher.cli import main
from publisher.errors import SeedError
from publisher.ingest import load_talk, parse_seed
from publisher.ingest.captions import parse_captions
from publisher.ingest.people import People, find_people, is_name
from publisher.ingest.transcript import clean_transcript
from publisher.model import Cue, Line, Speaker
from publisher.plan import make_plan
from publisher.plan.planfile import load_plan, save_plan
from publisher.show import load_show
from publisher.speech.samples import join, librivox

# --- the loopback site (the `site` fixture in conftest.py serves fixtures/add/www) -----
#
# What yt-dlp (2026.10.26) makes of such pages, learnt by trying it on them:
# - An RSS feed is a playlist (generic extractor): title = <channel><title>; each
#   <item> is a "url_transparent" entry whose <title>, <description>, <pubDate> and
#   itunes:duration override what the linked page gives, and whose <guid> becomes
#   the id where the page's extractor honours it (video.js pages, not <video> ones).
# - A plain <video><source><track kind="captions" srclang="en"> page goes to the
#   "html5" embed extractor: subtitles {"en": [vtt url]}, but id "<page>-1", title
#   "<og:title> (1)", no duration, and any JSON-LD on the page is ignored.
# - A video.js page (player.src([...]) + player.addRemoteTextTrack({srclang})) goes
#   to the generic extractor: id "<page>", title = og:title, description =
#   og:description, subtitles by srclang, upload date = the HTTP Last-Modified.
# - JSON-LD VideoObject (name, description, uploadDate, duration, hasPart chapters)
#   is read only when the page has no media element at all, and gives no subtitles.
# So the playlist carries each talk's metadata, and a single-video URL is a
# video.js page whose file date is the talk's date.


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


# --- add a playlist ----------------------------------------------------------------


def test_playlist_adds_seeds_that_load_once_and_then_only_new_talks(site, tmp_path, capsys):
    www, base = site
    show = project(tmp_path / "p")
    folder = tmp_path / "p" / "seeds" / "kvm-forum-2019"

    assert add(f"{base}/kvm-forum-2019.xml", show) == 0
    seeds = sorted(folder.glob("*.txt"))
    assert [p.name for p in seeds] == [
        "fast-boot-for-lightweight-guests.txt",
        "live-migration-at-scale.txt",
        "virtio-performance-deep-dive.txt",
    ]
    talks = {t.title: t for t in map(load_talk, seeds)}
    assert {t.playlist for t in talks.values()} == {"KVM Forum 2019"}
    fast, live, virtio = (
        talks[k]
        for k in (
            "Fast Boot for Lightweight Guests",
            "Live Migration at Scale",
            "Virtio Performance Deep Dive",
        )
    )
    assert (fast.date, live.date, virtio.date) == (
        dt.date(2019, 10, 30),
        dt.date(2019, 10, 30),
        dt.date(2019, 10, 31),
    )
    assert fast.url == f"{base}/talks/fast-boot.html" and fast.video_id == "fast-boot-1"
    assert live.video_id == "example-forum-live-migration"  # the playlist's <guid>
    assert [(s.name, s.organisation) for s in fast.speakers] == [
        ("Lena Okafor", "Brightfield Systems"),
        ("Tom Ruiz", "Acme Cloud"),
    ]
    assert [(s.name, s.organisation) for s in live.speakers] == [("Ana Lima", "Northwind Cloud")]
    assert virtio.speakers == [] and virtio.moderator is None
    # the captions of all three formats (vtt, json3, srt) came through as spoken
    assert [c.text for c in live.cues] == [
        "thanks for coming",
        "today I will show how we migrate thousands of guests a day",
    ]
    assert virtio.cues[-1].text == "the queue is the heart of it" and virtio.duration > 3
    expected = (FIXTURES / "add" / "fast-boot.seed.txt").read_text().replace("{{BASE}}", base)
    assert (folder / "fast-boot-for-lightweight-guests.txt").read_text() == expected

    text = show.read_text()
    assert text.count("../seeds/kvm-forum-2019/*.txt") == 1
    assert "# The forum's podcast." in text and "# the years so far" in text
    listed = load_show(show).seeds
    assert len(listed) == 4 and all(p.resolve() in [s.resolve() for s in listed] for p in seeds)
    out = capsys.readouterr()
    assert "written 3, skipped 0, failed 0" in out.out

    before = snapshot(tmp_path / "p")
    assert add(f"{base}/kvm-forum-2019.xml", show) == 0
    assert snapshot(tmp_path / "p") == before
    out = capsys.readouterr()
    assert "written 0, skipped 3, failed 0 (nothing new)" in out.out
    assert out.err.count("skipped ") == 3

    shutil.copy(www / "kvm-forum-2019-more.xml", www / "kvm-forum-2019.xml")
    assert add(f"{base}/kvm-forum-2019.xml", show) == 0
    new = set(snapshot(tmp_path / "p")) - set(before)
    assert new == {"seeds/kvm-forum-2019/confidential-guests-on-kvm.txt"}
    assert "written 1, skipped 3, failed 0" in capsys.readouterr().out
    assert show.read_text() == text  # already listed: the show file is left alone
    guests = load_talk(folder / "confidential-guests-on-kvm.txt")
    assert [(s.name, s.organisation) for s in guests.speakers] == [
        ("Jane Doe", "Quire Semiconductors"),
        ("Max Weber", "Acme Cloud"),
    ]


def test_single_video_goes_to_the_show_year_and_is_known_by_its_page(site, tmp_path, capsys):
    www, base = site
    show = project(tmp_path / "p", "../seeds/base/*.txt", "../seeds/kvm-forum-*/*.txt")
    page = www / "talks" / "live-migration.html"
    when = dt.datetime(2019, 10, 30, 14, 30, tzinfo=dt.UTC).timestamp()
    os.utime(page, (when, when))  # served as Last-Modified: the talk's upload date
    show_before = show.read_bytes()

    assert add(f"{base}/talks/live-migration.html", show) == 0
    seed = tmp_path / "p" / "seeds" / "kvm-forum-2019" / "live-migration-at-scale.txt"
    talk = load_talk(seed)
    assert (talk.title, talk.playlist, talk.date) == (
        "Live Migration at Scale",
        "KVM Forum 2019",
        dt.date(2019, 10, 30),
    )
    assert talk.video_id == "live-migration" and talk.url == f"{base}/talks/live-migration.html"
    assert [s.name for s in talk.speakers] == ["Ana Lima"]
    assert show.read_bytes() == show_before  # "kvm-forum-*" already lists the folder
    capsys.readouterr()

    # The playlist gives the same page another id (its <guid>); the URL still matches.
    assert add(f"{base}/kvm-forum-2019.xml", show) == 0
    assert f'"Live Migration at Scale" (example-forum-live-migration) is already in {seed}' in (
        capsys.readouterr().err
    )
    assert len(list(seed.parent.glob("*.txt"))) == 3


def test_word_times_and_speaker_changes_survive_add(site, tmp_path):
    """json3 with tOffsetMs and ">>" -> add -> seed -> load_talk: the same Lines."""
    www, base = site

    def event(start: int, length: int, *words: tuple[str, int]) -> dict:
        return {"tStartMs": start, "dDurationMs": length, "segs": [
            {"utf8": w} | ({"tOffsetMs": t} if t else {}) for w, t in words
        ]}  # fmt: skip

    events = [
        event(0, 1374, ("thanks", 0), (" for", 420), (" coming", 777)),
        event(1374, 3438, ("so", 0), (" >>", 300), (" today", 512), (" I", 900)),
    ]
    json3 = json.dumps({"wireMagic": "pb3", "events": events})
    (www / "talks" / "live-migration.json3").write_text(json3)
    show = project(tmp_path / "p")
    assert add(f"{base}/talks/live-migration.html", show) == 0
    (seed,) = (tmp_path / "p" / "seeds").rglob("live-migration-at-scale.txt")

    def ms(lines: list[Line]) -> list[tuple]:
        """Text, turn, and start, end and word times to the ms."""
        return [
            (ln.text, ln.turn, [round(t, 3) for t in (ln.start, ln.end, *ln.word_times)])
            for ln in lines
        ]

    read = ms(load_talk(seed).transcript)
    assert read == ms(clean_transcript(parse_captions(json3.split("\n"), 1, Path("c.json3"))))
    assert [(text, turn, times[2:]) for text, turn, times in read] == [
        ("thanks for coming", False, [0.0, 0.42, 0.777]),
        ("so", False, [1.374]),
        ("today I", True, [1.886, 2.274]),
    ]


def test_talk_without_captions_gets_a_seed_without_them(site, tmp_path, capsys):
    """A talk with no English track is written with no Captions: section (the build
    transcribes it); a talk whose captions cannot be fetched still fails, alone."""
    www, base = site
    (www / "talks" / "gone.html").write_text(
        (www / "talks" / "fast-boot.html").read_text().replace("fast-boot.vtt", "gone.vtt")
    )  # a caption track that is not there
    (www / "mixed.xml").write_text(
        (www / "virt-days-2020.xml").read_text().replace("confidential-guests.html", "gone.html")
    )
    show = project(tmp_path / "p")
    assert add(f"{base}/mixed.xml", show) == 1
    out = capsys.readouterr()
    failed = [ln for ln in out.err.splitlines() if ln.startswith("publisher: error:")]
    assert len(failed) == 1 and failed[0].startswith(
        f'publisher: error: "Confidential Guests on KVM" ({base}/talks/gone.html): '
        "cannot fetch the en (manual, vtt) captions: HTTP Error 404"
    )
    folder = tmp_path / "p" / "seeds" / "virt-days-2020"
    seed = folder / "lightning-talks.txt"
    assert f"wrote {seed} (no captions: the build transcribes it)" in out.err
    assert "Virt Days 2020: written 1, skipped 0, failed 1" in out.out
    assert [p.name for p in folder.iterdir()] == [seed.name]
    assert "Captions:" not in seed.read_text()
    talk = load_talk(seed)
    page = f"{base}/talks/lightning-talks.html"
    assert (talk.title, talk.cues, talk.url) == ("Lightning Talks", [], page)


def test_a_plain_media_file_is_added_and_built_from_its_speech(site, tmp_path, capsys):
    """yt-dlp's generic extractor on a media file's URL: a seed without captions (the
    file's name as its title and id), which the build fetches and transcribes."""
    www, base = site
    clips = librivox()
    assert clips, "LibriVox clips missing: run scripts/setup.sh test"
    wav = join([c.path for c in clips[:2]], [0.8], tmp_path / "reading.wav")
    run = [need("ffmpeg"), "-v", "error", "-i", str(wav), "-b:a", "48k", str(www / "reading.mp3")]
    subprocess.run(run, check=True)
    show = project(tmp_path / "p", "../seeds/media/*.txt")
    assert add(f"{base}/reading.mp3", show, "--playlist", "Media") == 0
    seed = tmp_path / "p" / "seeds" / "media" / "reading.txt"
    talk = load_talk(seed)
    assert (talk.title, talk.video_id, talk.url, talk.cues) == (
        "reading", "reading", f"{base}/reading.mp3", [])  # fmt: skip
    out = tmp_path / "public"
    assert main(["build", str(show), "--out", str(out), "--cache-dir", str(tmp_path / "c")]) == 0
    assert len(list((out / "forum").rglob("*.mp3"))) >= 2  # the talk and its clip(s)
    plan = seed.with_suffix(".plan.toml").read_text().lower()
    assert "dashwood" in plan  # planned from the words heard


@pytest.mark.parametrize("where", ["404", "refused", "no video"])
def test_bad_url_is_one_line_and_writes_nothing(site, tmp_path, capsys, where):
    _, base = site
    with socket.socket() as unheard:  # bound, never listening: connections are refused
        unheard.bind(("127.0.0.1", 0))
        url = {
            "404": f"{base}/kvm-forum-2029.xml",
            "refused": f"http://127.0.0.1:{unheard.getsockname()[1]}/playlist.xml",
            "no video": f"{base}/talks/",  # a folder listing: a page without media
        }[where]
        show = project(tmp_path / "p")
        before = snapshot(tmp_path / "p")
        assert add(url, show) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"publisher: error: cannot list {url}: ") and "\n" not in err
    reason = {"404": "HTTP Error 404", "refused": "Connection refused"}.get(where)
    assert err.endswith("no playlist or video there") if reason is None else reason in err
    assert snapshot(tmp_path / "p") == before


def test_show_is_required_when_feeds_has_several(tmp_path, monkeypatch, capsys):
    (tmp_path / "feeds").mkdir()
    for name in ("a", "b"):
        (tmp_path / "feeds" / f"{name}.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    assert main(["add", "http://127.0.0.1:9/x.xml"]) == 2
    assert "2 show definitions in feeds/: pass --show" in capsys.readouterr().err


# --- add, then build ----------------------------------------------------------------


def test_added_talks_build_and_fetch_from_their_pages(site, tmp_path):
    _, base = site
    show = project(tmp_path / "p")
    assert add(f"{base}/kvm-forum-2019.xml", show) == 0
    out = tmp_path / "public"
    args = ["build", "--standin-audio", "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert main([*args, str(show)]) == 0
    feed = feedparser.parse(str(out / "forum" / "feed.xml"))
    assert not feed.bozo
    assert {e.title for e in feed.entries} == {
        "Booting Guests in Half the Time",
        "Fast Boot for Lightweight Guests",
        "Live Migration at Scale",
        "Virtio Performance Deep Dive",
    }
    assert "yt-example-forum-virtio-deep-dive" in {e.id for e in feed.entries}
    folder = tmp_path / "p" / "seeds" / "kvm-forum-2019"
    lonely = (folder / "virtio-performance-deep-dive.plan.toml").read_text()
    assert "# The seed lists no speakers: add them to " in lonely
    assert (
        "# The seed lists no speakers"
        not in (folder / "live-migration-at-scale.plan.toml").read_text()
    )

    # Without --standin-audio a build downloads from the seed's page URL.
    talk = load_talk(folder / "fast-boot-for-lightweight-guests.txt")
    audio = fetch_audio(talk, tmp_path / "fetched")
    assert audio.name == "fast-boot-1.ogg"
    assert audio.read_bytes() == (WWW / "talks" / "fast-boot.ogg").read_bytes()


# --- the seed text ------------------------------------------------------------------


def info(**changes) -> TalkInfo:
    base = {
        "video_id": "talk-7",
        "url": "https://media.example.org/talks/7",
        "youtube": False,
        "title": "Memory: the Last Frontier",
        "date": dt.date(2021, 9, 15),
        "description": "",
        "uploader": "Forum",
        "duration": 9.0,
        "cues": [Cue(0.5, 2.0, "[Music]", 1), Cue(2.0, 9.0, "so --> memory  is\tslow", 1)],
        "captions": "en (manual, vtt)",
    }
    return TalkInfo(**{**base, **changes})


def test_seed_text_round_trips_through_the_parser() -> None:
    description = (
        "Why memory is slow.\n\n\n\n---\nTitle: not a field\nCaptions: none here\n"
        "   Indented line\n\nLast: words."
    )
    people = People(
        [Speaker("Ada Quinn", organisation="Helios"), Speaker("Bo Li")], Speaker("Cy Dee")
    )
    text = seed_text(info(description=description), "Forum 2021", people)
    talk = parse_seed(text, Path("x.txt"))
    assert (talk.title, talk.date, talk.playlist) == (
        "Memory: the Last Frontier",
        dt.date(2021, 9, 15),
        "Forum 2021",
    )
    assert talk.description == (
        "Why memory is slow.\n\n---\nTitle: not a field\nCaptions: none here\n"
        "Indented line\n\nLast: words."
    )
    assert (talk.url, talk.video_id) == ("https://media.example.org/talks/7", "talk-7")
    assert [(s.name, s.organisation) for s in talk.speakers] == [
        ("Ada Quinn", "Helios"),
        ("Bo Li", ""),
    ]
    assert talk.moderator == Speaker("Cy Dee")
    assert [(c.start, c.end, c.text) for c in talk.cues] == [
        (0.5, 2.0, "[Music]"),
        (2.0, 9.0, "so -> memory is slow"),
    ]


def test_youtube_seed_has_no_video_id_line_and_chapters_join_the_description() -> None:
    yt = info(
        video_id="Xq3v9LpT0aB",
        url="https://www.youtube.com/watch?v=Xq3v9LpT0aB",
        youtube=True,
        description="About memory.",
        chapters=[(0.0, "Intro"), (65.0, "Caches")],
    )
    text = seed_text(yt, "Forum 2021", People())
    assert "Video ID:" not in text and "Presented by" not in text
    talk = parse_seed(text, Path("x.txt"))
    assert talk.video_id == "Xq3v9LpT0aB" and talk.speakers == []
    assert talk.description == "About memory.\n\nChapters:\n00:00 Intro\n01:05 Caches"
    # chapters already in the description (as YouTube's are) are not repeated
    listed = seed_text(
        info(description="00:00 Intro\n01:05 Caches", chapters=[(0.0, "Intro")]), "F", People()
    )
    assert listed.count("Intro") == 1


# --- the seed grammar's Video ID and people -------------------------------------------


def seed(url: str, video_id: str | None = None, people: str = "") -> str:
    vid = f"Video ID: {video_id}\n" if video_id is not None else ""
    return (
        f"Title: T\nPublication date: 2021-09-15\n{vid}Description: \n\tD\n\n{people}"
        f"Captions: \n\t00:00:00,000 --> 00:00:02,000\nhello\n\nYouTube URL: {url}\n"
    )


def test_video_id_lets_a_seed_use_any_http_url() -> None:
    talk = parse_seed(seed("http://127.0.0.1:8123/talks/a.html", "a-1"), Path("s.txt"))
    assert (talk.url, talk.video_id) == ("http://127.0.0.1:8123/talks/a.html", "a-1")
    youtube = parse_seed(seed("https://youtu.be/Xq3v9LpT0aB", "Xq3v9LpT0aB"), Path("s.txt"))
    assert youtube.video_id == "Xq3v9LpT0aB"


@pytest.mark.parametrize(
    ("url", "video_id", "message", "line"),
    [
        ("http://127.0.0.1:8123/talks/a.html", None, "no YouTube video id in URL", 10),
        ("http://127.0.0.1:8123/a", "a/1", "bad Video ID 'a/1'", 3),
        ("https://youtu.be/Xq3v9LpT0aB", "other", "Video ID 'other' is not the URL's", 3),
        ("ftp://example.org/a.mp3", "a-1", "not an http(s) URL", 11),
    ],
)
def test_video_id_errors_name_the_line(url, video_id, message, line) -> None:
    with pytest.raises(SeedError) as e:
        parse_seed(seed(url, video_id), Path("s.txt"))
    assert message in str(e.value) and e.value.line == line


def test_seed_without_people_and_a_name_with_only_an_organisation() -> None:
    bare = parse_seed(seed("https://youtu.be/Xq3v9LpT0aB", people="---\n\n"), Path("s.txt"))
    assert bare.speakers == [] and bare.moderator is None
    people = "Presented by Ana Lima and Bo Li\n\n---\n\nAna Lima\nNorthwind Cloud\n\nBo Li\n"
    talk = parse_seed(seed("https://youtu.be/Xq3v9LpT0aB", people=people), Path("s.txt"))
    assert [(s.name, s.title, s.organisation) for s in talk.speakers] == [
        ("Ana Lima", "", "Northwind Cloud"),
        ("Bo Li", "", ""),
    ]


def test_plan_file_says_when_the_seed_lists_no_speakers(tmp_path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(seed("https://youtu.be/Xq3v9LpT0aB"))
    talk = load_talk(path)
    save_plan(make_plan(talk), tmp_path / "s.plan.toml", talk)
    text = (tmp_path / "s.plan.toml").read_text()
    assert (
        f"# The seed lists no speakers: add them to {path} and run publisher plan --replan {path}\n"
        in text
    )
    assert load_plan(tmp_path / "s.plan.toml", talk).segments


# --- speakers from the description ----------------------------------------------------


@pytest.mark.parametrize(
    ("description", "speakers", "moderator"),
    [
        (
            "Fast boot.\nSpeakers: Lena Okafor (Brightfield Systems), Tom Ruiz (Acme Cloud)",
            [("Lena Okafor", "Brightfield Systems"), ("Tom Ruiz", "Acme Cloud")],
            None,
        ),
        (
            "Abstract.\n\nPresented by Ana Lima, Northwind Cloud.",
            [("Ana Lima", "Northwind Cloud")],
            None,
        ),
        (
            "Presented by Marcus Oyelaran, Priya Raman and Tomás Ferreira;"
            " moderated by Dana Whitfield",
            [("Marcus Oyelaran", ""), ("Priya Raman", ""), ("Tomás Ferreira", "")],
            "Dana Whitfield",
        ),
        (
            "Jane Doe - Quire Semiconductors\nMax Weber - Acme Cloud\n\nMemory encryption.",
            [("Jane Doe", "Quire Semiconductors"), ("Max Weber", "Acme Cloud")],
            None,
        ),
        (
            "Virtio without the virt - Michael Tsirkin, Red Hat & Jason Wang, Red Hat\n\nHardware.",
            [("Michael Tsirkin", "Red Hat"), ("Jason Wang", "Red Hat")],
            None,
        ),
        (
            "A panel.\n\nPanelists:\nWill Deacon, Arm\nMarc Zyngier (Arm)\n\n"
            "Moderator: Cornelia Huck (Red Hat)",
            [("Will Deacon", "Arm"), ("Marc Zyngier", "Arm")],
            "Cornelia Huck",
        ),
        (
            "Abstract here.\n\nJean-Luc van der Berg, Université de Lyon",
            [("Jean-Luc van der Berg", "Université de Lyon")],
            None,
        ),
        ("A talk by Sean O'Brien (Intel, Inc.)", [("Sean O'Brien", "Intel, Inc.")], None),
        ("Speakers: Alice Smith, Bob Jones", [("Alice Smith", ""), ("Bob Jones", "")], None),
        ("Speaker: Alice Smith, Red Hat", [("Alice Smith", "Red Hat")], None),
        ("Presented by Ana Lima, Acme Cloud", [("Ana Lima", "Acme Cloud")], None),
        ("Abstract.\n\nAlice Smith, Bob Jones", [], None),  # unlabelled: orgs needed
        # a host named in prose: the one in conversation with, interviewing or chairing
        (
            "Lisa Feldman Barrett, author of How Emotions Are Made, in conversation with"
            " Lex Fridman in MIT course 6.S099, then questions from the audience.",
            [],
            "Lex Fridman",
        ),
        ("A debate in London, chaired by Zeinab Badawi, on the motion.", [], "Zeinab Badawi"),
        (
            "Speakers: Ana Lima (Acme)\nInterviewed by Jan van der Berg.",
            [("Ana Lima", "Acme")],
            "Jan van der Berg",
        ),
    ],
)
def test_speakers_the_description_lists(description, speakers, moderator) -> None:
    found = find_people(description)
    assert [(s.name, s.organisation) for s in found.speakers] == speakers
    assert (found.moderator.name if found.moderator else None) == moderator


@pytest.mark.parametrize(
    "description",
    [
        "In this talk, we look at where virtio spends its time.\nThanks to Red Hat and Google.",
        "Presented by the KVM community and friends.",
        "Speakers: see the schedule at https://example.org/schedule",
        "Live Migration - Part 2\n\nWe continue where we left off.",
        "Deep Dive - Memory Management\n\nA look at the MMU.",
        "Hello, World\n\nA first program.",
        "Slides: https://example.org/slides.pdf\nVideo - KVM Forum 2019",
        "The talk covers: QEMU, KVM and libvirt.\n\nJoin us, everyone",
        "We present new work.\n\nThis talk was given by a team at Red Hat.",
        "A talk in conversation with the audience, moderated by the KVM community.",
        "",
    ],
)
def test_prose_is_not_taken_for_speakers(description) -> None:
    found = find_people(description)
    assert found.speakers == [] and found.moderator is None


def test_is_name() -> None:
    assert (
        is_name("Stefan Hajnoczi") and is_name("Ana María de la Cruz") and is_name("J. R. Okafor")
    )
    assert not is_name("Stefan") and not is_name("stefan hajnoczi") and not is_name("The Future")
    assert not is_name("Version 2 Release") and not is_name("Thanks Everyone")
