"""Transcript files (WebVTT, SRT, Podcasting 2.0 JSON) and JSON chapters, parsed back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srt
import webvtt

from publisher.chapters import chapters_from_render, write_chapters_json
from publisher.model import Chapter, Line, Piece, Render, Segment, lines_between
from publisher.transcripts import write_json, write_srt, write_vtt

LINES = [
    Line(0.0, 1.0, "[Music]"),
    Line(1.0, 6.5, "okay everyone thanks for coming", "Stefan Hajnoczi"),
    Line(6.5, 9.0, "what about <virtio> & vhost-user?", "Stefan Hajnoczi"),
    Line(9.0, 15.25, "we could\nmerge it --> next release", "Peter Maydell"),
    Line(15.25, 15.25, "uh", None),  # zero-length: must still make a valid cue
    Line(15.25, 20.0, "   ", "Peter Maydell"),  # blank: no cue at all
    Line(20.0, 3725.5, "a long answer", "Cornelia Huck"),
]


def test_vtt_parses_with_voices_and_escapes(tmp_path):
    path = tmp_path / "full.vtt"
    write_vtt(LINES, path)
    assert path.read_text().startswith("WEBVTT\n\n")
    cues = list(webvtt.read(str(path)))
    assert len(cues) == 6
    assert [c.voice for c in cues[:4]] == [
        None,
        "Stefan Hajnoczi",
        "Stefan Hajnoczi",
        "Peter Maydell",
    ]
    assert cues[2].text == "what about &lt;virtio&gt; &amp; vhost-user?"
    assert cues[3].text == "we could merge it -&gt; next release"  # one line, no arrow
    assert (cues[4].start, cues[4].end) == ("00:00:15.250", "00:00:15.350")
    assert (cues[5].start, cues[5].end) == ("00:00:20.000", "01:02:05.500")


def test_srt_parses_strictly_with_speaker_prefix(tmp_path):
    path = tmp_path / "full.srt"
    write_srt(LINES, path)
    subs = list(srt.parse(path.read_text(), ignore_errors=False))
    assert [s.index for s in subs] == list(range(1, 7))
    assert subs[1].content == "Stefan Hajnoczi: okay everyone thanks for coming"
    assert subs[0].content == "[Music]"
    assert subs[5].end.total_seconds() == 3725.5
    assert all(s.end > s.start for s in subs)


def test_json_transcript_is_podcasting20(tmp_path):
    path = tmp_path / "full.transcript.json"
    write_json(LINES, path)
    data = json.loads(path.read_text())
    assert data["version"] == "1.0.0"
    segs = data["segments"]
    assert len(segs) == 6
    assert "speaker" not in segs[0]
    assert segs[1] == {
        "speaker": "Stefan Hajnoczi",
        "startTime": 1.0,
        "endTime": 6.5,
        "body": "okay everyone thanks for coming",
    }
    assert all(isinstance(s["startTime"], float) for s in segs)


def test_clip_transcript_starts_at_zero(tmp_path):
    clip = lines_between(LINES, 6.5, 16.0)
    write_vtt(clip, tmp_path / "c.vtt")
    write_srt(clip, tmp_path / "c.srt")
    write_json(clip, tmp_path / "c.json")
    assert next(iter(webvtt.read(str(tmp_path / "c.vtt")))).start == "00:00:00.000"
    assert next(srt.parse((tmp_path / "c.srt").read_text())).start.total_seconds() == 0
    segs = json.loads((tmp_path / "c.json").read_text())["segments"]
    assert segs[0]["startTime"] == 0.0 and segs[0]["body"].startswith("what about")
    assert segs[-1]["endTime"] <= 9.5 + 0.1


def test_a_cut_inside_a_line_gives_each_side_its_own_words():
    # captions time lines, not words: a question often starts mid-line
    line = Line(10.0, 14.0, "the answer ends here okay so next question", "Stefan Hajnoczi")
    before, after = lines_between([line], 0.0, 11.8), lines_between([line], 11.8, 30.0)
    assert [ln.text for ln in before] == ["the answer ends here"]
    assert [(ln.start, ln.text, ln.speaker) for ln in after] == [
        (0.0, "okay so next question", "Stefan Hajnoczi")
    ]
    # one word is within the estimates' error: it stays with the rest of its line
    thanks = Line(291.11, 295.16, "love it okay thank you")  # "you" estimated at 292.91
    assert [ln.text for ln in lines_between([thanks], 280.0, 292.8)] == [thanks.text]
    assert lines_between([thanks], 292.8, 300.0) == []
    assert [ln.text for ln in lines_between([thanks], 291.4, 300.0)] == [thanks.text]
    # every word lands in exactly one of a run of contiguous pieces
    cuts = [0.0, 3.3, 6.6, 9.1, 15.0, 15.25, 3726.0]
    pieces = [lines_between(LINES, a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
    words = [w for piece in pieces for ln in piece for w in ln.text.split()]
    assert words == [w for ln in LINES for w in ln.text.split()]


def test_writes_are_atomic(tmp_path):
    target = tmp_path / "deep" / "dir" / "x.vtt"
    write_vtt(LINES, target)  # creates the folders
    assert target.exists()
    blocker = tmp_path / "taken"
    blocker.mkdir()
    with pytest.raises(OSError):
        write_srt(LINES, blocker)  # cannot replace a directory
    assert blocker.is_dir() and not list(tmp_path.glob(".*"))  # no temp file left


def _segment(start: float, end: float, title: str, kind: str = "question") -> Segment:
    return Segment(start, end, kind, title, "Topic", [], [], f"yt-vid-{int(start):05d}")


def test_chapters_from_render_cover_the_whole_file():
    segs = [
        _segment(2.0, 10.0, "Intro", "intro"),
        _segment(12.0, 30.0, "Q1"),
        _segment(30.0, 50.0, "Q2"),
    ]
    pieces = [
        Piece(0.0, 2.0, Path("gap0.mp3"), 2.0, None),
        Piece(2.0, 10.0, Path("a.mp3"), 8.0, segs[0]),
        Piece(10.0, 12.0, Path("gap1.mp3"), 2.0, None),
        Piece(12.0, 30.0, Path("b.mp3"), 18.0, segs[1]),
        Piece(30.0, 50.0, Path("c.mp3"), 20.0, segs[2]),
        Piece(50.0, 55.0, Path("gap2.mp3"), 5.0, None),
    ]
    render = Render(Path("src.webm"), False, pieces, Path("full.mp3"), 55.0)
    chapters = chapters_from_render(render, url_of=lambda s: f"https://x.org/{s.guid}.mp3")
    assert [(c.start, c.end, c.title, c.kind) for c in chapters] == [
        (0.0, 12.0, "Intro", "intro"),
        (12.0, 30.0, "Q1", "question"),
        (30.0, 55.0, "Q2", "question"),
    ]
    assert chapters[1].url == "https://x.org/yt-vid-00012.mp3"


def test_chapters_json_1_2(tmp_path):
    path = tmp_path / "chapters.json"
    chapters = [
        Chapter(0.0, 12.0, "Intro"),
        Chapter(12.0, 30.5, "Q1 — “live” migration", "https://x.org/q1"),
    ]
    write_chapters_json(chapters, path, title="The panel")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == "1.2.0" and data["title"] == "The panel"
    assert data["chapters"] == [
        {"startTime": 0.0, "title": "Intro", "endTime": 12.0},
        {
            "startTime": 12.0,
            "title": "Q1 — “live” migration",
            "endTime": 30.5,
            "url": "https://x.org/q1",
        },
    ]
    assert isinstance(data["chapters"][0]["startTime"], float)
