"""The optional M4A (AAC-LC) format: rendering, tags and chapters, feeds and site.

Real ffmpeg, mutagen, ffprobe, feedparser and the validator; the 41 s stand-in
talk and the short seed of helpers.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import struct
import subprocess
from pathlib import Path

import feedparser
import numpy as np
import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import SHORT_SEED, build, db, envelope_of, loudness, make_plan, make_talk, need, probe
from helpers import make_show as make_show_toml
from lxml import etree
from mutagen.id3 import ID3
from mutagen.mp4 import MP4, MP4Cover

from publisher.audio import render_talk, synthesise_standin
from publisher.audio.analyse import FRAME_S
from publisher.cli import main
from publisher.errors import ShowError
from publisher.feed.ext import PODCAST_NS
from publisher.model import Alternate, AudioSettings, Chapter
from publisher.show import load_show
from publisher.tags import tag_episode
from publisher.transcripts import plain_text

BOTH = AudioSettings(formats=("mp3", "m4a"))
FEED = "https://podcasts.example.org/test-show/feed.xml"
# An MP3 piece holds its encoder delay and padding (1105-2256 samples at 44.1 kHz:
# 25-51 ms) on top of the cut; the M4A piece is the cut, to the sample (edit list).
MP3_EXTRA = 0.052


def seconds(path: Path) -> float:
    return float(probe(path, "format=duration"))


def top_atoms(path: Path) -> list[str]:
    """The MP4 file's top-level boxes, in file order."""
    data, names, i = path.read_bytes(), [], 0
    while i + 8 <= len(data):
        size, name = struct.unpack(">I4s", data[i : i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8 : i + 16])[0]
        names.append(name.decode("latin-1"))
        i += size or len(data)
    return names


# --- rendering ----------------------------------------------------------------


@pytest.fixture(scope="module")
def talk():
    need("espeak-ng")
    return make_talk()


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("m4a-cache")


@pytest.fixture(scope="module")
def source(talk, cache) -> Path:
    return synthesise_standin(talk, cache)


@pytest.fixture(scope="module")
def render(talk, source, cache):
    return render_talk(talk, make_plan(), source, BOTH, cache)


def test_pieces_and_full_episode_in_both_formats(render):
    assert render.encodes == 3 + 3 + 1  # MP3 pieces, M4A pieces, the full M4A in one encode
    for p in render.pieces:
        m4a = p.alternates["m4a"]
        assert m4a.suffix == ".m4a" and m4a.parent == p.path.parent
        assert probe(m4a, "stream=codec_name,profile,channels,sample_rate") == "aac,LC,44100,1"
        assert top_atoms(m4a).index("moov") < top_atoms(m4a).index("mdat")  # faststart
        assert abs(seconds(m4a) - (p.end - p.start)) < 0.005
        assert abs(seconds(m4a) - seconds(p.path)) < MP3_EXTRA
    full = render.alternates["m4a"]
    assert abs(seconds(full) - seconds(render.full)) < 0.05
    assert top_atoms(full).index("moov") < top_atoms(full).index("mdat")


def test_m4a_is_at_minus_16_lufs_under_minus_1_dbtp(render):
    for path in [*(p.alternates["m4a"] for p in render.pieces), render.alternates["m4a"]]:
        lufs, peak = loudness(path)
        assert abs(lufs + 16) <= 1.0, (path.name, lufs)
        assert peak <= -1.0, (path.name, peak)


def test_full_m4a_keeps_the_mp3_timeline_without_gaps(render):
    """Joined by stream copy, the AAC pieces lose their edit lists: every piece's 1024
    priming samples play, the first piece starts 2 frames late, and the whole is 81 ms
    short of the MP3 here. One encode padded to the MP3 pieces keeps every piece where
    the chapters (timed on the MP3) say it starts, and the same length to the ms."""
    assert abs(seconds(render.alternates["m4a"]) - seconds(render.full)) < 0.005
    mp3, m4a = db(envelope_of(render.full)), db(envelope_of(render.alternates["m4a"]))
    for p in render.pieces:
        a = int(render.offset(p) / FRAME_S) + 5
        b = min(a + int(p.duration / FRAME_S) - 10, len(mp3) - 5, len(m4a))
        fit = {k: np.corrcoef(mp3[a + k : b + k], m4a[a:b])[0, 1] for k in range(-5, 6)}
        lag = max(fit, key=fit.get)
        assert abs(lag) <= 1 and fit[lag] > 0.95, (p.start, lag, fit[lag])


def test_a_noop_rerender_runs_no_encode(talk, source, cache, render):
    again = render_talk(talk, make_plan(), source, BOTH, cache)
    assert again.encodes == 0
    assert again.alternates == render.alternates
    assert [p.alternates for p in again.pieces] == [p.alternates for p in render.pieces]


def test_moving_one_boundary_rerenders_its_pieces_in_both_formats(talk, source, cache, render):
    moved = render_talk(talk, make_plan(bounds=(10.0, 27.5)), source, BOTH, cache)
    assert moved.encodes == 2 + 2 + 1  # two pieces in each format, and the full M4A
    assert moved.pieces[0].alternates == render.pieces[0].alternates
    assert moved.pieces[1].alternates != render.pieces[1].alternates
    assert moved.alternates != render.alternates


def test_mp3_only_renders_no_m4a(talk, source, cache, render):
    plain = render_talk(talk, make_plan(), source, AudioSettings(), cache)
    assert plain.encodes == 0  # the MP3s are the very same, from the cache
    assert plain.alternates == {} and all(p.alternates == {} for p in plain.pieces)
    assert [p.path for p in plain.pieces] == [p.path for p in render.pieces]


# --- the show setting ---------------------------------------------------------


def show_with_formats(tmp_path: Path, formats: str | None) -> Path:
    toml = make_show_toml(tmp_path, [SHORT_SEED])
    if formats is not None:
        toml.write_text(toml.read_text() + f"[audio]\nformats = {formats}\n")
    return toml


def test_formats_default_to_mp3_and_take_m4a(tmp_path):
    assert load_show(show_with_formats(tmp_path, None)).audio.formats == ("mp3",)
    both = load_show(show_with_formats(tmp_path, '["mp3", "m4a"]'))
    assert both.audio.formats == ("mp3", "m4a")


@pytest.mark.parametrize(
    "formats, problem",
    [
        ('["m4a"]', 'must start with "mp3"'),
        ('["m4a", "mp3"]', 'must start with "mp3"'),
        ("[]", 'must start with "mp3"'),
        ('["mp3", "ogg"]', "unknown format 'ogg'"),
        ('["mp3", "m4a", "m4a"]', "lists a format twice"),
        ('"mp3"', "must be a list of strings"),
    ],
)
def test_bad_formats_are_a_one_line_show_error(tmp_path, formats, problem):
    toml = show_with_formats(tmp_path, formats)
    with pytest.raises(ShowError) as caught:
        load_show(toml)
    message = str(caught.value)
    line = len(toml.read_text().splitlines())  # formats = is the last line
    assert message.startswith(f"{toml}:{line}: [audio] formats") and problem in message
    assert "\n" not in message


# --- tags ---------------------------------------------------------------------


def with_m4a(episode, root: Path, seconds_long: float = 80.0):
    """Give a factory episode (in the show folder `root`) a real AAC file beside its MP3."""
    path = root / episode.alternate_path("m4a")
    subprocess.run(
        [need("ffmpeg"), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={seconds_long}", "-ac", "1", "-c:a", "aac", "-b:a",
         "32k", "-f", "ipod", str(path)],
        check=True,
    )  # fmt: skip
    alternate = Alternate(path.stat().st_size)
    return dataclasses.replace(episode, alternates={"m4a": alternate})


def test_m4a_tags_read_back_with_mutagen_and_match_the_id3(tmp_path):
    show = make_show(tmp_path)
    full, clip = make_episodes(tmp_path, show)[:2]
    root = out_dir(tmp_path, show)
    full = tag_episode(with_m4a(full, root), root, feed_url=FEED)
    m4a = root / full.alternate_path("m4a")
    tags, id3 = MP4(m4a).tags, ID3(root / full.path)
    assert tags["©nam"] == [full.title] == id3["TIT2"].text
    assert tags["©ART"] == id3["TPE1"].text == ["Alice Moderator; Bob Panelist; Carol Panelist"]
    assert tags["©alb"] == id3["TALB"].text == ["KVM Forum 2018"]
    assert tags["trkn"] == [(1, 0)]  # no total
    assert tags["©day"] == ["2018-10-25"] and tags["©gen"] == ["Podcast"]
    assert tags["©cmt"] == tags["ldes"] == [full.notes_text]
    assert tags["desc"] == id3["TDES"].text
    assert tags["©lyr"] == [plain_text(full.transcript)]
    assert tags["pcst"] is True and tags["stik"] == [21]
    assert tags["purl"] == [FEED] and tags["egid"] == [full.guid]
    assert "catg" not in tags and "keyw" not in tags  # the full talk has neither
    (cover,) = tags["covr"]
    assert cover.imageformat == MP4Cover.FORMAT_JPEG and bytes(cover) == full.image.read_bytes()
    assert full.alternates["m4a"].size == m4a.stat().st_size
    assert full.size == (root / full.path).stat().st_size

    clip = tag_episode(with_m4a(clip, root, 20.0), root, feed_url=FEED)
    tags, id3 = MP4(root / clip.alternate_path("m4a")).tags, ID3(root / clip.path)
    assert tags["catg"] == id3["TCAT"].text == ["Live migration"]
    assert tags["keyw"] == id3["TKWD"].text == ["live migration"]
    assert tags["©alb"] == id3["TALB"].text == [clip.talk.title]
    assert tags["trkn"] == [(clip.track, 0)]


def test_full_m4a_chapters_survive_tagging_and_retagging_is_stable(tmp_path):
    show = make_show(tmp_path)
    root = out_dir(tmp_path, show)
    full = with_m4a(make_episodes(tmp_path, show)[0], root)
    titles = ["Intro", "Q1: a = b; #2", "Question\\three"] + [f"Q{i}" for i in range(4, 12)]
    full = dataclasses.replace(
        full, chapters=[Chapter(i * 7.0, (i + 1) * 7.0, t) for i, t in enumerate(titles)]
    )
    tag_episode(full, root, feed_url=FEED)
    m4a = root / full.alternate_path("m4a")
    found = subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_entries", "chapter=start_time:chapter_tags=title",
         "-of", "csv=p=0", str(m4a)], capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert [ln.split(",", 1) for ln in found] == [
        [f"{c.start:.6f}", c.title] for c in full.chapters
    ]
    assert MP4(m4a).tags["©nam"] == [full.title]
    before = hashlib.sha256(m4a.read_bytes()).hexdigest()
    tag_episode(full, root, feed_url=FEED)
    assert hashlib.sha256(m4a.read_bytes()).hexdigest() == before
    clip = dataclasses.replace(full, chapters=[])  # same file, no chapters: they go
    tag_episode(clip, root)
    assert probe(m4a, "chapter=start_time") == ""


# --- a whole build ------------------------------------------------------------


def alternates_of(feed: Path) -> list[etree._Element]:
    return etree.parse(str(feed)).getroot().findall(f".//{{{PODCAST_NS}}}alternateEnclosure")


def test_build_with_m4a_publishes_alternates_and_keeps_every_mp3(tmp_path, capsys):
    toml = show_with_formats(tmp_path, None)
    assert build(tmp_path, toml) == 0
    out = tmp_path / "public" / "demo"
    feeds = sorted(out.rglob("*.xml"))
    # off (the default): nothing of the M4A anywhere
    assert not list(out.rglob("*.m4a"))
    assert not any(alternates_of(f) for f in feeds)
    assert "Download M4A" not in "".join(p.read_text() for p in out.rglob("*.html"))
    mp3s = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*.mp3")}
    before = feedparser.parse(str(out / "clips.xml")).entries

    toml.write_text(toml.read_text() + '[audio]\nformats = ["mp3", "m4a"]\n')
    capsys.readouterr()
    assert build(tmp_path, toml) == 0
    encodes = f", {len(mp3s)} encodes"  # an M4A for each clip and the full talk: no MP3
    assert encodes in capsys.readouterr().out
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*.mp3")} == mp3s
    assert main(["validate", *map(str, feeds)]) == 0, capsys.readouterr().out
    for name in ("feed.xml", "clips.xml"):
        parsed = feedparser.parse(str(out / name))
        assert not parsed.bozo, parsed.get("bozo_exception")
        for entry, item in zip(parsed.entries, alternates_of(out / name), strict=True):
            assert entry.enclosures[0].type == "audio/mpeg"
            assert entry.enclosures[0].href.endswith(".mp3")
            assert item.get("type") == "audio/mp4" and item.get("bitrate") == "64000"
            (src,) = item.findall(f"{{{PODCAST_NS}}}source")
            local = out / src.get("uri").removeprefix("http://127.0.0.1:8000/demo/")
            assert local.suffix == ".m4a" and local.stat().st_size == int(item.get("length"))
            assert local.with_suffix(".mp3").name == Path(entry.enclosures[0].href).name
            assert MP4(local).tags["egid"] == [entry.id]
    after = feedparser.parse(str(out / "clips.xml")).entries
    assert [(e.id, e.enclosures[0].href) for e in after] == [
        (e.id, e.enclosures[0].href) for e in before
    ]
    page = next(out.glob("episodes/*/index.html")).read_text()
    m4as = [p.name for p in out.glob("episodes/*/*.m4a")]  # the full talk's and each clip's
    assert len(m4as) == len(mp3s) >= 3
    assert all(f'href="{name}" download="{name}"' in page for name in m4as)
