"""Ingest: seed documents -> Talk, on the bundled seed and the short fixtures."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from publisher.errors import SeedError
from publisher.ingest import load_talk, parse_seed
from publisher.model import Talk

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SHORT = SEEDS / "short-panel.txt"
SHORT_VTT = SEEDS / "short-panel.vtt.txt"


def assert_clean(talk: Talk) -> None:
    """Transcript invariants: time-ordered, non-overlapping, no markers, tidy text."""
    lines = talk.transcript
    assert lines
    for a, b in zip(lines, lines[1:], strict=False):
        assert a.start <= b.start
        assert a.end == pytest.approx(b.start)
    for ln in lines:
        assert ln.start <= ln.end
        assert ln.text == " ".join(ln.text.split()) and ln.text
        assert "[" not in ln.text and "]" not in ln.text


# --- the bundled 42-minute seed --------------------------------------------------


def test_bundled_seed(bundled_seed: Path) -> None:
    talk = load_talk(bundled_seed)
    assert talk.title == "Contributor Q&A Panel"
    assert talk.date == dt.date(2018, 11, 14)
    assert talk.playlist == "KVM Forum 2018"
    assert talk.year == 2018
    assert talk.description.startswith("A technical Q&A panel discussion")
    assert talk.description.endswith("during the discussion.")
    assert talk.video_id == "q22lu6l1Cdk"
    assert talk.url == "https://www.youtube.com/watch?v=q22lu6l1Cdk"
    assert talk.moderator is not None
    assert talk.moderator.name == "Stefan Hajnoczi"
    assert talk.moderator.organisation == "Red Hat"
    assert talk.moderator.title == "Principle Software Engineer"
    assert talk.moderator.bio.count("\n") == 2  # three bio lines kept
    names = [s.name for s in talk.speakers]
    assert names == [
        "Christian Borntraeger",
        "Peter Feiner",
        "Cornelia Huck",
        "Wanpeng Li",
        "Peter Maydell",
    ]
    maydell = talk.speaker("Peter Maydell")
    assert maydell is not None and maydell.organisation == "Linaro"
    assert maydell.bio.startswith("Peter has been handling all things Arm")
    assert "Captions" not in maydell.bio
    assert talk.speaker("Wanpeng Li").organisation == "Tencent Cloud"
    assert 41 * 60 < talk.duration < 43 * 60
    assert len(talk.cues) == 900
    assert talk.cues[0].line == 51 and talk.cues[0].text == "[Music]"
    assert talk.transcript[0].text == "okay everyone thanks for coming to the"
    assert talk.transcript[-1].text == "workstations that can run Emacs"
    assert_clean(talk)


# --- the short fixtures ---------------------------------------------------------


def test_short_panel() -> None:
    talk = load_talk(SHORT)
    assert talk.video_id == "Xq3v9LpT0aB"
    assert talk.moderator is not None and talk.moderator.name == "Dana Whitfield"
    assert talk.moderator.organisation == "Open Infrastructure Foundation"
    assert [s.name for s in talk.speakers] == ["Marcus Oyelaran", "Priya Raman", "Tomás Ferreira"]
    assert all(s.title and s.organisation and s.bio for s in talk.speakers)
    assert 150 < talk.duration < 240
    text = " ".join(ln.text for ln in talk.transcript)
    for phrase in ("so my first question is", "next question", "question from the audience"):
        assert phrase in text
    assert talk.cues[0].text == "[Music]" and talk.cues[-1].text == ""
    assert_clean(talk)


def test_short_talk() -> None:
    talk = load_talk(SEEDS / "short-talk.txt")
    assert (talk.video_id, talk.moderator) == ("bT7nQ2xLk9Z", None)
    assert [(s.name, s.organisation) for s in talk.speakers] == [
        ("Lena Okafor", "Brightfield Systems")
    ]
    assert 45 < talk.duration < 70
    assert_clean(talk)


def test_vtt_fixture_gives_the_same_transcript() -> None:
    srt, vtt = load_talk(SHORT), load_talk(SHORT_VTT)
    assert [ln.text for ln in vtt.transcript] == [ln.text for ln in srt.transcript]
    for a, b in zip(srt.transcript, vtt.transcript, strict=True):
        assert abs(a.start - b.start) < 0.5 and abs(a.end - b.end) < 0.5
    assert_clean(vtt)
    # VTT cues are de-duplicated: no overlaps, and each points at its timing line.
    for a, b in zip(vtt.cues, vtt.cues[1:], strict=False):
        assert a.end <= b.start + 1e-9
    seed_lines = SHORT_VTT.read_text(encoding="utf-8").split("\n")
    assert all("-->" in seed_lines[c.line - 1] for c in vtt.cues)


def test_vtt_fixture_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("make_vtt", SEEDS / "make_vtt.py")
    make_vtt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_vtt)
    expected = make_vtt.convert(SHORT.read_text(encoding="utf-8"))
    assert SHORT_VTT.read_text(encoding="utf-8") == expected


# --- seed format variants -------------------------------------------------------


def test_talk_without_panel_line_has_no_moderator() -> None:
    text = _short().replace(
        "Discussion of Marcus Oyelaran, Priya Raman and Tomás Ferreira "
        "moderated by Dana Whitfield\n",
        "",
    )
    talk = parse_seed(text, SHORT)
    assert talk.moderator is None
    assert [s.name for s in talk.speakers][:2] == ["Marcus Oyelaran", "Dana Whitfield"]


@pytest.mark.parametrize(
    "credits",
    [
        "Speakers: Marcus Oyelaran, Priya Raman & Tomás Ferreira\nModerator: Dana Whitfield",
        "Presented by Marcus Oyelaran, Priya Raman, and Tomás Ferreira; "
        "moderated by: Dana Whitfield.",
        "A panel discussion with Marcus Oyelaran, Priya Raman and Tomas Ferreira, "
        "chaired by Dana Whitfield",
        "Discussion of Marcus Oyelaran (Northwind Cloud), Priya Raman and\n"
        "Tomás Ferreira moderated by Dana Whitfield (OIF)",
    ],
)
def test_credit_line_variants(credits: str) -> None:
    text = _short().replace(
        "Discussion of Marcus Oyelaran, Priya Raman and Tomás Ferreira moderated by Dana Whitfield",
        credits,
    )
    talk = parse_seed(text, SHORT)
    assert talk.moderator is not None and talk.moderator.title == "Program Committee Chair"
    assert [s.name for s in talk.speakers] == ["Marcus Oyelaran", "Priya Raman", "Tomás Ferreira"]


def test_named_person_without_block_and_block_layout_variants() -> None:
    text = (
        _short()
        .replace("Priya Raman and Tomás", "Priya Raman, Ada Quinn and Tomás")
        .replace("Kernel Developer\nHelios Systems\n\n", "Kernel Developer\nHelios Systems\n")
        .replace("Helios Systems.\n\n\n", "Helios Systems.\n\nShe also bakes.\n\n\n\n")
        .replace("\n\n---\n\n", "\n---\n")
    )
    talk = parse_seed(text, SHORT)
    names = [s.name for s in talk.speakers]
    assert names == ["Marcus Oyelaran", "Priya Raman", "Tomás Ferreira", "Ada Quinn"]
    priya = talk.speaker("Priya Raman")
    assert priya.organisation == "Helios Systems"
    assert priya.bio.endswith("Helios Systems.\n\nShe also bakes.")
    assert talk.speaker("Ada Quinn").organisation == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://youtu.be/Xq3v9LpT0aB",
        "https://www.youtube.com/embed/Xq3v9LpT0aB?start=3",
        "https://www.youtube.com/watch?feature=share&v=Xq3v9LpT0aB&t=10s",
        "https://m.youtube.com/shorts/Xq3v9LpT0aB",
    ],
)
def test_url_forms(url: str) -> None:
    text = _short().replace("https://www.youtube.com/watch?v=Xq3v9LpT0aB", url)
    talk = parse_seed(text, SHORT)
    assert talk.video_id == "Xq3v9LpT0aB" and talk.url == url


def test_crlf_bom_and_multi_paragraph_description(tmp_path: Path) -> None:
    text = _short().replace(
        "the audience.\n",
        "the audience.\n\t\n\tSecond paragraph\n\tcontinues here.\n",
    )
    seed = tmp_path / "crlf.txt"
    seed.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    talk = load_talk(seed)
    assert talk.title == "Infrastructure Maintainers Q&A Panel"
    assert talk.description.endswith("the audience.\n\nSecond paragraph\ncontinues here.")
    assert talk.transcript == load_talk(SHORT).transcript


# --- errors ---------------------------------------------------------------------


def _short() -> str:
    return SHORT.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _expect(text: str, line: int, *words: str) -> SeedError:
    with pytest.raises(SeedError) as info:
        parse_seed(text, SHORT)
    err = info.value
    msg = str(err)
    assert "\n" not in msg
    assert msg.startswith(f"{SHORT}:{line}: "), msg
    assert err.line == line
    for w in words:
        assert w.lower() in msg.lower()
    return err


def test_missing_sections() -> None:
    text = _short()
    n = text.count("\n") + 1
    _expect(text.replace("Title: Infrastructure Maintainers Q&A Panel\n", ""), 1, "Title")
    _expect(text.replace("Publication date: 2023-10-05\n", ""), 1, "Publication date")
    url_line = _line_of(text, "YouTube URL:")
    _expect(text.replace("Captions: \n", ""), url_line - 1, "Captions")
    _expect(text.replace("YouTube URL:", "Website:"), n, "YouTube URL")


@pytest.mark.parametrize("date", ["2023-13-05", "05/10/2023", "2023-10", ""])
def test_bad_date(date: str) -> None:
    _expect(_short().replace("2023-10-05", date), 2, "date")


@pytest.mark.parametrize(
    "bad",
    [
        "00:00:0x,032 --> 00:00:12,740",
        "00:61:07,032 --> 00:00:12,740",
        "00:00:07,032 -> 00:00:12,740 -->",
        "00:00:07,032 --> ",
    ],
)
def test_bad_timestamp(bad: str) -> None:
    text = _short()
    line = _line_of(text, "00:00:07,032 --> 00:00:12,740")
    _expect(text.replace("00:00:07,032 --> 00:00:12,740", bad), line, "timestamp")


def test_cue_errors() -> None:
    text = _short()
    line = _line_of(text, "00:00:07,032 --> 00:00:12,740")
    _expect(text.replace("00:00:07,032 --> 00:00:12,740", "00:00:07,032 --> 00:00:02,000"), line)
    late = _line_of(text, "00:00:12,740 --> ")
    _expect(text.replace("00:00:12,740 --> ", "00:00:01,000 --> ", 1), late, "out of order")
    first = _line_of(text, "\t00:00:00,000")
    _expect(text.replace("\t00:00:00,000", "hello there\n\n00:00:00,000"), first, "timestamp")


def test_no_captions_and_bad_url_and_duplicates() -> None:
    text = _short()
    head, _, tail = text.partition("Captions: \n")
    empty = head + "Captions: \n\nYouTube URL:" + tail.split("YouTube URL:")[1]
    _expect(empty, _line_of(text, "Captions:"), "no captions")
    url_line = _line_of(text, "YouTube URL:")
    _expect(text.replace("watch?v=Xq3v9LpT0aB", "watch?feature=share"), url_line, "video id")
    _expect(text.replace("watch?v=Xq3v9LpT0aB", "watch?v=short"), url_line, "video id")
    _expect(text.replace("Playlist:", "Title: again\nPlaylist:"), 3, "duplicate", "Title")


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    data = SHORT.read_bytes().replace(b"Priya works", b"Priya \xe9 works")
    seed = tmp_path / "latin1.txt"
    seed.write_bytes(data)
    with pytest.raises(SeedError) as info:
        load_talk(seed)
    assert str(info.value).startswith(f"{seed}:{_line_of(_short(), 'Priya works')}: ")
    assert "UTF-8" in str(info.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read"):
        load_talk(tmp_path / "missing.txt")
    with pytest.raises(SeedError, match="cannot read"):
        load_talk(tmp_path)


def test_minimal_talk() -> None:
    text = (
        "Title: Lightning talk\nPublication date: 2020-02-29\n"
        "Presented by 李明 and 王芳\nCaptions: 00:00:01,000 --> 00:00:03,500\nhello [Laughter]\n"
        "YouTube URL: https://youtu.be/abcdefghijk"
    )
    talk = parse_seed(text, SHORT)
    assert (talk.playlist, talk.description, talk.year) == ("", "", 2020)
    assert talk.moderator is None
    assert [s.name for s in talk.speakers] == ["李明", "王芳"]
    assert [(c.start, c.end, c.text, c.line) for c in talk.cues] == [
        (1.0, 3.5, "hello [Laughter]", 4)
    ]
    assert [(ln.start, ln.end, ln.text) for ln in talk.transcript] == [(1.0, 3.5, "hello")]


def test_values_on_unindented_lines() -> None:
    text = (
        _short()
        .replace("Description: \n\t", "Description:\n")
        .replace(
            "the moderator and from the audience.\n", "the moderator\nand from the audience.\n"
        )
        .replace("YouTube URL: https", "YouTube URL:\nhttps")
    )
    talk = parse_seed(text, SHORT)
    assert talk.description.startswith("Maintainers of the storage")
    assert talk.description.endswith("the moderator\nand from the audience.")
    assert talk.moderator.name == "Dana Whitfield" and len(talk.speakers) == 3
    assert talk.video_id == "Xq3v9LpT0aB"
