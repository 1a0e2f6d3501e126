"""ID3v2.3 tagging of real MP3s (made by ffmpeg), read back with mutagen and ffprobe."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest
from episode_factory import make_episodes, make_show, out_dir
from helpers import need
from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp3 import MP3

from publisher.errors import AudioError
from publisher.model import Chapter
from publisher.tags import tag_episode

FEED = "https://podcasts.example.org/test-show/feed.xml"


@pytest.fixture
def episodes(tmp_path):
    return make_episodes(tmp_path, make_show(tmp_path))


@pytest.fixture
def root(tmp_path):
    """The show folder the episodes' paths are in."""
    return out_dir(tmp_path, make_show(tmp_path))


def ffprobe(path) -> dict:
    out = subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_format", "-show_streams", "-show_chapters"]
        + ["-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_full_episode_tags_read_back_with_mutagen(episodes, root):
    full = episodes[0]
    talk = full.talk
    full = tag_episode(full, root, feed_url=FEED)
    tags = ID3(root / full.path)
    assert tags.version[:2] == (2, 3)
    assert tags["TIT2"].text == [talk.title]
    assert tags["TPE1"].text == ["Alice Moderator; Bob Panelist; Carol Panelist"]
    assert tags["TALB"].text == ["KVM Forum 2018"]
    assert tags["TRCK"].text == ["1"]
    assert str(tags["TDRC"].text[0]).startswith("2018")
    assert tags["TCON"].text == ["Podcast"]
    (cover,) = tags.getall("APIC")
    assert cover.type == 3 and cover.mime == "image/jpeg"
    assert cover.data == full.image.read_bytes()
    assert tags.getall("COMM")[0].text == [full.notes_text]
    uslt = tags.getall("USLT")[0].text
    assert uslt.splitlines()[0] == "[00:00] Alice Moderator: Welcome to the panel."
    assert len(uslt.splitlines()) == len(full.transcript)
    sylt = tags.getall("SYLT")[0]
    assert [ms for _, ms in sylt.text] == [int(ln.start * 1000) for ln in full.transcript]
    assert tags["WOAS"].url == talk.url
    assert tags["WFED"].url == FEED
    assert tags["TGID"].text == [full.guid]
    assert tags["PCST"].value == 1
    assert full.size == (root / full.path).stat().st_size


def test_full_episode_chapters_in_order_for_mutagen_and_ffprobe(episodes, root):
    full = episodes[0]
    # Titles of very different lengths: mutagen alone would sort these frames by size.
    titles = ["Intro"] + [f"Question {i}: " + "why? " * (13 - i) for i in range(1, 12)]
    chapters = [Chapter(i * 6.0, (i + 1) * 6.0, t) for i, t in enumerate(titles)]
    full = dataclasses.replace(full, chapters=chapters)
    tag_episode(full, root)
    tags = ID3(root / full.path)
    (toc,) = tags.getall("CTOC")
    assert toc.flags == CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    assert toc.child_element_ids == [f"chp{i:02d}" for i in range(12)]
    assert toc.sub_frames["TIT2"].text == [full.title]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    assert [chaps[e].sub_frames["TIT2"].text[0] for e in toc.child_element_ids] == titles

    probed = ffprobe(root / full.path)["chapters"]
    assert [c["tags"]["title"] for c in probed] == titles
    assert [float(c["start_time"]) for c in probed] == [i * 6.0 for i in range(12)]
    assert float(probed[-1]["end_time"]) == 72.0


def test_clip_tags_and_ffprobe_view(episodes, root):
    clip = episodes[2]
    tag_episode(clip, root, feed_url=FEED)
    tags = ID3(root / clip.path)
    assert tags["TALB"].text == [clip.talk.title]
    assert tags["TRCK"].text == ["2"]  # no total
    assert tags["WOAS"].url.endswith("&t=30")
    assert tags["TCAT"].text == ["Security"]
    assert tags.getall("USLT")[0].text.startswith("[00:00] Alice Moderator: Are Spectre")

    probe = ffprobe(root / clip.path)
    fmt = probe["format"]["tags"]
    assert fmt["title"] == clip.title
    assert fmt["artist"] == "Alice Moderator; Bob Panelist; Carol Panelist"
    assert fmt["album"] == clip.talk.title
    assert fmt["track"] == "2"
    assert fmt["genre"] == "Podcast"
    (pic,) = [s for s in probe["streams"] if s["disposition"].get("attached_pic")]
    assert (pic["width"], pic["height"]) == (1400, 1400)
    audio = [s for s in probe["streams"] if s["codec_type"] == "audio"]
    assert abs(float(audio[0]["duration"]) - clip.duration) < 0.1


def test_retagging_replaces_old_tags_and_keeps_audio(episodes, root):
    clip = episodes[1]
    before = MP3(root / clip.path)
    assert "TSSE" in before.tags  # ffmpeg's own ID3v2.4 encoder tag
    audio = (root / clip.path).read_bytes()[-20000:]
    tag_episode(clip, root)
    first = (root / clip.path).read_bytes()
    tag_episode(clip, root)
    assert (root / clip.path).read_bytes() == first  # same input, same bytes

    renamed = dataclasses.replace(clip, title="A new title", keywords=["kvm"])
    tag_episode(renamed, root)
    tags = ID3(root / clip.path)
    assert tags.getall("TIT2")[0].text == ["A new title"]
    assert len(tags.getall("TIT2")) == len(tags.getall("APIC")) == 1
    assert "TSSE" not in tags
    assert tags["TKWD"].text == ["kvm"]
    after = MP3(root / clip.path)
    assert abs(after.info.length - before.info.length) < 0.01
    assert (root / clip.path).read_bytes()[-20000:] == audio
    assert not list((root / clip.path).parent.glob(".*.tmp*"))


def test_missing_or_unsupported_file_is_one_line_error(episodes, root, tmp_path):
    clip = episodes[1]
    gone = dataclasses.replace(clip, path=tmp_path / "nowhere.mp3")
    with pytest.raises(AudioError) as err:
        tag_episode(gone, root)
    assert str(tmp_path / "nowhere.mp3") in str(err.value)
    assert clip.guid in str(err.value) and "\n" not in str(err.value)

    wav = tmp_path / "clip.wav"
    wav.write_bytes(b"RIFF")
    with pytest.raises(AudioError, match="unsupported format"):
        tag_episode(dataclasses.replace(clip, path=wav), root)


def test_bad_cover_leaves_file_untouched(episodes, root, tmp_path):
    clip = episodes[1]
    original = (root / clip.path).read_bytes()
    with pytest.raises(AudioError, match="cover"):
        tag_episode(dataclasses.replace(clip, image=tmp_path / "missing.jpg"), root)
    assert (root / clip.path).read_bytes() == original
