"""Speaker changes (">>") and word times, from the captions through ingest, the
glossary, the plan's words and `publisher add`; credits lines in a seed's Description."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from publisher.add.listing import TalkInfo
from publisher.add.seedtext import seed_text
from publisher.errors import SeedError
from publisher.ingest import parse_seed
from publisher.ingest.captions import parse_captions
from publisher.ingest.people import People, find_people
from publisher.ingest.seed import named_speakers
from publisher.ingest.transcript import clean_transcript
from publisher.model import WORD_SECONDS, Cue, Line, Speaker
from publisher.plan.glossary import apply_glossary
from publisher.plan.words import words_of

SEED = Path("talk.txt")


def json3(*events: dict) -> list[str]:
    return json.dumps({"events": list(events)}, indent=1).split("\n")


def ev(start: int, duration: int, *segs: tuple[str, int | None]) -> dict:
    """A json3 event; a seg's offset None leaves tOffsetMs out."""
    return {
        "tStartMs": start,
        "dDurationMs": duration,
        "segs": [{"utf8": u} | ({} if o is None else {"tOffsetMs": o}) for u, o in segs],
    }


def rounded(cues: list[Cue] | list[Line]) -> list[tuple]:
    return [
        (
            round(c.start, 3),
            round(c.end, 3),
            c.text,
            c.turn,
            tuple(round(t, 3) for t in c.word_times),
        )
        for c in cues
    ]


# --- captions -----------------------------------------------------------------------


def test_json3_word_times_and_a_turn_mid_line() -> None:
    body = json3(
        ev(1000, 4000, ("so", None), (" my", 300), (" >>", 600), (" what", 900), (" is", 1200)),
        {"tStartMs": 2500, "aAppend": 1, "segs": [{"utf8": "\n"}]},
        ev(5000, 2000, ("thanks everyone", None)),  # one seg, two words: not timed
        ev(7000, 2000, (">>", None), (" yes", 150)),
    )
    assert rounded(parse_captions(body, 40, SEED)) == [
        (1.0, 1.9, "so my", False, (1.0, 1.3)),
        (1.9, 5.0, "what is", True, (1.9, 2.2)),  # split at the mark, from its first word
        (5.0, 7.0, "thanks everyone", False, ()),
        (7.0, 9.0, "yes", True, (7.15,)),  # a leading mark keeps the cue's start
    ]


def srt(*texts: str) -> list[str]:
    return [f"{k + 1}\n00:00:{2 * k:02d},000 --> 00:00:{2 * k + 2:02d},000\n{t}\n" for k, t in
            enumerate(texts)]  # fmt: skip


def test_speaker_labels_name_who_speaks_and_start_turns() -> None:
    body = "\n".join(srt(
        "MARY SMITH: Welcome everyone.",  # a label that opens two cues
        "Our first question, then.",
        ">> Dr. Lee: Thanks. Note: this is it.",  # after a mark; "Note:" mid-text stays
        "Note: a caption that only looks like a label.",  # opens one cue only
        "MARY SMITH: Great answer.",
        "MARY SMITH: And a second line of it.",  # the same voice again: no new turn
        ">> and a turn whose speaker the captions don't name",
    )).split("\n")  # fmt: skip
    cues = parse_captions(body, 1, SEED)
    assert [(c.text, c.turn, c.speaker) for c in cues] == [
        ("Welcome everyone.", True, "MARY SMITH"),
        ("Our first question, then.", False, "MARY SMITH"),
        ("Thanks. Note: this is it.", True, "Dr. Lee"),
        ("Note: a caption that only looks like a label.", False, "Dr. Lee"),
        ("Great answer.", True, "MARY SMITH"),
        ("And a second line of it.", False, "MARY SMITH"),
        ("and a turn whose speaker the captions don't name", True, ""),
    ]
    lines = clean_transcript(cues)
    assert [ln.speaker for ln in lines] == ["MARY SMITH"] * 2 + ["Dr. Lee"] * 2 + [
        "MARY SMITH"
    ] * 2 + [None]
    words = words_of(lines)
    assert (words[0].speaker, words[0].turn, words[-1].speaker) == ("MARY SMITH", True, "")


def test_webvtt_voice_spans_name_the_speaker() -> None:
    body = ["WEBVTT", "", "00:00:01.000 --> 00:00:03.000", "<v Mary Smith>Welcome, everyone.",
            "", "00:00:03.000 --> 00:00:05.000", "<v Mary Smith>Our first question.", "",
            "00:00:05.000 --> 00:00:07.000", "<v.loud John>Hi <i>there</i>.", ""]  # fmt: skip
    cues = parse_captions(body, 1, SEED)
    assert [(c.text, c.turn, c.speaker) for c in cues] == [
        ("Welcome, everyone.", True, "Mary Smith"),
        ("Our first question.", False, "Mary Smith"),
        ("Hi there.", True, "John"),
    ]


def test_a_mark_that_ends_a_cue_turns_the_next_and_a_lone_mark_stays_empty() -> None:
    body = json3(
        ev(0, 2000, ("thanks", None), (" >>", 500)),
        ev(2000, 2000, ("hi", None)),
        ev(4000, 1000, (">>", None)),
        ev(5000, 2000, ("[Music]", None)),
        ev(7000, 2000, ("bye", None)),
    )
    cues = parse_captions(body, 1, SEED)
    assert [(c.text, c.turn) for c in cues] == [
        ("thanks", False),
        ("hi", True),
        ("", True),
        ("[Music]", True),
        ("bye", False),
    ]
    # the music has no words: its turn goes to the next line with speech
    assert [(ln.text, ln.turn) for ln in clean_transcript(cues)] == [
        ("thanks", False),
        ("hi", True),
        ("bye", True),
    ]


def test_rolling_webvtt_word_times_and_an_escaped_mark() -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n \n"
        "okay<00:00:01.400><c> thanks</c><00:00:02.000><c> &gt;&gt;</c><00:00:02.300><c> hi</c>"
        "<00:00:02.800><c> all</c>\n\n"
        "00:00:04.000 --> 00:00:06.000\nokay thanks &gt;&gt; hi all\nso<00:00:04.500><c> yes</c>\n"
    )
    assert rounded(parse_captions(vtt.split("\n"), 1, SEED)) == [
        (1.0, 2.3, "okay thanks", False, (1.0, 1.4)),
        (2.3, 4.0, "hi all", True, (2.3, 2.8)),
        (4.0, 6.0, "so yes", False, (4.0, 4.5)),  # the first word starts with the cue
    ]


def test_srt_and_plain_webvtt_have_no_word_times_and_split_at_an_estimate() -> None:
    srt = ["00:00:10,000 --> 00:00:20,000", "we are done >> my question is", ""]
    assert rounded(parse_captions(srt, 1, SEED)) == [
        (10.0, 10 + 3 * WORD_SECONDS, "we are done", False, ()),
        (10 + 3 * WORD_SECONDS, 20.0, "my question is", True, ()),
    ]
    vtt = ["WEBVTT", "", "00:01.000 --> 00:02.000", ">> hello there"]
    assert rounded(parse_captions(vtt, 1, SEED)) == [(1.0, 2.0, "hello there", True, ())]


@pytest.mark.parametrize("offset", ['"soon"', "-5", "null", '{"ms": 3}'])
def test_bad_word_offset_is_one_line_naming_file_and_line(offset: str) -> None:
    body = ['{"events": [', ' {"tStartMs": 0, "segs": [{"utf8": "a"},', "  {", "]}]}"]
    body[2] = f'  {{"utf8": " b", "tOffsetMs": {offset}}}'
    with pytest.raises(SeedError) as info:
        parse_captions(body, 12, SEED)
    assert str(info.value).startswith(f"{SEED}:12: bad json3 word time: tOffsetMs ")
    assert "\n" not in str(info.value) and info.value.line == 12


def test_bad_word_offset_in_a_seed_names_the_seed_line() -> None:
    text = (
        "Title: T\nPublication date: 2021-09-15\nDescription: D\n\nCaptions: \n"
        '\t{"events": [{"tStartMs": 0, "segs": [{"utf8": "a", "tOffsetMs": "x"}]}]}\n'
        "YouTube URL: https://youtu.be/Xq3v9LpT0aB\n"
    )
    with pytest.raises(SeedError) as info:
        parse_seed(text, SEED)
    assert str(info.value) == f"{SEED}:6: bad json3 word time: tOffsetMs 'x'"


# --- the transcript -------------------------------------------------------------


def test_markers_take_their_word_times_with_them() -> None:
    cues = [
        Cue(
            0.0, 3.0, "so [Music playing] we[Laughter] go", 1, word_times=(0.0, 1.0, 1.2, 2.0, 2.5)
        ),
        Cue(3.0, 5.0, "so[Music]on words", 2, word_times=(3.0, 4.0)),  # a word splits
        Cue(5.0, 7.0, "three words here", 3, word_times=(5.0, 6.0)),  # counts differ
        Cue(7.0, 9.0, "[Applause] >> next", 4, word_times=(7.0, 7.5, 8.0)),
    ]
    assert rounded(clean_transcript(cues)) == [
        (0.0, 3.0, "so we go", False, (0.0, 2.0, 2.5)),
        (3.0, 5.0, "so on words", False, ()),
        (5.0, 7.0, "three words here", False, ()),
        (7.0, 9.0, "next", True, (8.0,)),  # a mark after a marker still starts the line
    ]


# --- the plan's words -----------------------------------------------------------------


def test_words_use_real_times_and_their_gaps_as_pauses() -> None:
    timed = Line(10.0, 15.0, "so QEMU's live-migration", turn=True, word_times=(10.0, 10.2, 12.0))
    words = words_of([timed])
    assert [(w.text, w.time, w.turn) for w in words] == [
        ("so", 10.0, True),
        ("QEMU's", 10.2, False),
        ("live-migration", 12.0, False),
    ]
    assert [round(w.pause, 3) for w in words] == [0.0, round(12.0 - 10.2 - WORD_SECONDS, 3), 2.55]


def test_words_without_times_are_spread_as_before() -> None:
    words = words_of([Line(0.0, 10.0, "a b c"), Line(10.0, 11.0, "d e", turn=True)])
    assert [(w.time, w.pause, w.turn) for w in words] == [
        (0.0, 0.0, False),
        (WORD_SECONDS, 0.0, False),
        (2 * WORD_SECONDS, 10.0 - 3 * WORD_SECONDS, False),
        (10.0, 0.0, True),
        (10.45, pytest.approx(1.0 - 2 * WORD_SECONDS), False),
    ]


# --- the glossary -------------------------------------------------------------------


def test_glossary_keeps_word_times_and_turns() -> None:
    lines = [
        Line(0.0, 2.0, "ask peter fine er", turn=True, word_times=(0.0, 0.5, 1.0, 1.4)),
        Line(2.0, 4.0, "about k v", word_times=(2.0, 2.5, 3.0)),
        Line(4.0, 6.0, "m and kubernetes", word_times=(4.0, 4.5, 5.0)),
        Line(6.0, 8.0, "the qemu bits", word_times=(6.0, 6.5, 7.0)),
    ]
    glossary = {"peter fine er": "Peter Feiner", "k v m": "KVM", "qemu": "Q E M U"}
    fixed = apply_glossary(lines, glossary)
    assert rounded(fixed) == [
        (0.0, 2.0, "ask Peter Feiner", True, (0.0, 0.5, 1.0)),  # heard words' times in order
        (2.0, 4.0, "about KVM", False, (2.0, 2.5)),  # merged across the break: its first time
        (4.0, 6.0, "and kubernetes", False, (4.5, 5.0)),
        (6.0, 8.0, "the Q E M U bits", False, ()),  # more words than heard: not guessed
    ]
    assert all(len(ln.word_times) in (0, len(ln.text.split())) for ln in fixed)


# --- `publisher add` writes what it read -------------------------------------------------


def talk_info(cues: list[Cue]) -> TalkInfo:
    return TalkInfo(
        "talk-7", "https://media.example.org/7", False, "T", dt.date(2021, 9, 15), "", "", None,
        cues, "en (automatic, json3)",
    )  # fmt: skip


def test_add_round_trips_word_times_and_turns_through_the_seed() -> None:
    body = json3(
        ev(0, 1500, ("[Music]", None)),
        ev(1000, 4000, ("so", None), (" my", 300), (" >>", 600), (" what", 977), (" is", 1201)),
        ev(5000, 2000, ("thanks", None), (" Q&A <b>", 500), (" >>", 700)),
        ev(7000, 2000, (">>", None), (" yes", 123), (" -->", 400)),
        ev(9500, 1000, (">>", None)),
        ev(10000, 2000, ("ok", None)),
        ev(12000, 2000, ("ok", None)),
    )
    cues = parse_captions(body, 1, Path("captions.json3"))
    text = seed_text(talk_info(cues), "Forum 2021", People())
    assert "\tWEBVTT\n" in text and "\n>> <00:00:01.977>what <00:00:02.201>is\n" in text
    talk = parse_seed(text, SEED)
    expected = rounded(clean_transcript(cues))
    expected[3] = expected[3][:2] + ("yes ->",) + expected[3][3:]  # as the SRT writer did
    assert rounded(talk.transcript) == expected
    assert [ln.text for ln in talk.transcript] == ["so my", "what is", "thanks Q&A <b>"] + [
        "yes ->",
        "ok",
        "ok",
    ]
    assert [ln.turn for ln in talk.transcript] == [False, True, False, True, True, False]


def test_add_writes_srt_with_marks_when_no_word_is_timed() -> None:
    srt = ["00:00:01,000 --> 00:00:05,000", "hi >> so what", "", "00:00:05,000 --> 00:00:06,000"]
    cues = parse_captions([*srt, "ok"], 1, SEED)
    text = seed_text(talk_info(cues), "Forum 2021", People())
    assert "WEBVTT" not in text and "\n>> so what\n" in text
    talk = parse_seed(text, SEED)
    assert [(ln.text, ln.turn, ln.word_times) for ln in talk.transcript] == [
        ("hi", False, ()),
        ("so what", True, ()),
        ("ok", False, ()),
    ]
    assert rounded(talk.cues) == rounded(cues)


# --- credits inside the Description ----------------------------------------------------


def seed(description: str, people: str = "", after: str = "") -> str:
    desc = "\n".join(f"\t{ln}" if ln else "\t" for ln in description.split("\n"))
    return (
        f"Title: T\nPublication date: 2021-09-15\nDescription: \n{desc}\n\n{people}"
        "Captions: \n\t00:00:00,000 --> 00:00:02,000\nhello\n\n"
        f"YouTube URL: https://youtu.be/Xq3v9LpT0aB\n{after}"
    )


PANEL = (
    "How we test storage.\n\nQuestions come from the room.\n\n"
    "Panelists: Alice Smith (Acme), Bob Jones\n\nModerated by Carol White"
)


def test_credits_in_the_description_name_speakers_and_moderator() -> None:
    talk = parse_seed(seed(PANEL), SEED)
    assert [(s.name, s.organisation) for s in talk.speakers] == [
        ("Alice Smith", "Acme"),
        ("Bob Jones", ""),
    ]
    assert talk.moderator is not None and talk.moderator.name == "Carol White"
    assert talk.description == PANEL  # the text stays as it is
    assert talk.role("Alice Smith") == "panelist"


@pytest.mark.parametrize(
    ("description", "speakers", "moderator"),
    [
        (
            "A panel.\n\nDiscussion of Ana Lima, Bo Quist and Cy Dee moderated by Di Roe",
            ["Ana Lima", "Bo Quist", "Cy Dee"],
            "Di Roe",
        ),
        ("About boot.\nSpeakers: Ana Lima, Bo Quist", ["Ana Lima", "Bo Quist"], None),
        ("About boot.\n\nHosted by Di Roe", [], "Di Roe"),
        ("Speakers:\nAna Lima (Acme)\nBo Quist\n\nMore text.", ["Ana Lima", "Bo Quist"], None),
        ("Hosted by the KVM community and friends.", [], None),
        ("With: everyone who came to the summit.", [], None),
        ("A talk about speakers: how they work.", [], None),
        ("Jane Doe - Quire Semiconductors\n\nUnlabelled lines are no credits.", [], None),
    ],
)
def test_description_credits_and_prose(description, speakers, moderator) -> None:
    talk = parse_seed(seed(description), SEED)
    assert [s.name for s in talk.speakers] == speakers
    assert (talk.moderator.name if talk.moderator else None) == moderator


def test_the_seeds_own_credits_line_comes_first_and_blocks_keep_their_details() -> None:
    own = "Presented by Eve Park\n\n---\n\nEve Park\nStaff Engineer\nNorthwind\n\n"
    talk = parse_seed(seed(PANEL, own), SEED)
    assert [(s.name, s.organisation) for s in talk.speakers] == [("Eve Park", "Northwind")]
    assert talk.moderator is not None and talk.moderator.name == "Carol White"  # not given


def test_a_credits_line_among_the_people_or_after_the_url_is_no_speaker_block() -> None:
    people = "---\n\nAlice Smith\nAcme\n\nModerated by Carol White\n\n"
    talk = parse_seed(seed("About storage.", people), SEED)
    assert [(s.name, s.organisation, s.bio) for s in talk.speakers] == [("Alice Smith", "Acme", "")]
    assert talk.moderator is not None and talk.moderator.name == "Carol White"
    after = parse_seed(seed("About storage.", after="\nSpeakers: Ana Lima, Bo Quist\n"), SEED)
    assert [s.name for s in after.speakers] == ["Ana Lima", "Bo Quist"]


def test_add_reads_the_same_credits_grammar() -> None:
    found = find_people("Boot.\n\nDiscussion of Ana Lima and Bo Quist, hosted by Di Roe")
    assert [s.name for s in found.speakers] == ["Ana Lima", "Bo Quist"]
    assert found.moderator is not None and found.moderator.name == "Di Roe"


def test_a_speaker_label_takes_the_seeds_name_for_its_person() -> None:
    people = [Speaker("Mary Smith", ""), Speaker("Jane Lee", ""), Speaker("Sam Lee", "")]
    cues = [Cue(0, 1, "hi", 1, True, speaker=s) for s in ("MARY SMITH", "Dr. Smith", "mary")]
    cues += [Cue(1, 2, "yes", 5, True, speaker=s) for s in ("LEE", "Jane Lee", "AUDIENCE", "")]
    assert [c.speaker for c in named_speakers(cues, people)] == [
        "Mary Smith", "Mary Smith", "Mary Smith",
        "LEE",  # two people are Lee: left as the captions write it
        "Jane Lee", "AUDIENCE", "",
    ]  # fmt: skip
