"""Caption formats, transcript cleaning, and fuzzing the seed parser."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from publisher.errors import SeedError
from publisher.ingest import load_talk, parse_seed
from publisher.ingest.captions import parse_captions
from publisher.ingest.transcript import clean_transcript
from publisher.model import Cue, Line

SEED = Path("talk.txt")
SHORT = Path(__file__).parent / "fixtures" / "seeds" / "short-panel.txt"

# As yt-dlp saves YouTube auto-captions: rolling lines, 10 ms hold cues,
# inline word timings, colour classes; plus a NOTE, a STYLE block and a cue id.
ROLLING_VTT = """\
WEBVTT
Kind: captions
Language: en

NOTE made by hand for the test

STYLE
::cue(c.colorE5E5E5) { color: #e5e5e5 }

00:00:00.000 --> 00:00:02.500 align:start position:0%
_
hello<00:00:00.500><c> there</c><00:00:01.000><c.colorE5E5E5> everyone</c>

00:00:02.500 --> 00:00:02.510 align:start position:0%
hello there everyone
_

intro-2
00:00:02.510 --> 00:00:05.000 align:start position:0%
hello there everyone
<00:00:02.900><c>welcome</c><00:00:03.400><c> to</c><00:00:04.000><c> Q&amp;A</c>

00:00:05.000 --> 00:00:05.010 align:start position:0%
welcome to Q&amp;A
_

00:00:05.010 --> 00:00:06.000 align:start position:0%
welcome to Q&amp;A
yeah

00:00:06.000 --> 00:00:06.010 align:start position:0%
yeah
_

00:00:06.010 --> 00:00:07.000 align:start position:0%
yeah
yeah

00:00:07.000 --> 00:00:07.010 align:start position:0%
yeah
_

00:08.000 --> 00:09.500 align:start position:0%
yeah
[Music]
""".replace("\n_\n", "\n \n")  # YouTube's one-space lines


def _body(text: str) -> list[str]:
    return text.split("\n")


def test_rolling_webvtt_is_deduplicated() -> None:
    cues = parse_captions(_body(ROLLING_VTT), 10, SEED)
    assert [c.text for c in cues] == [
        "hello there everyone",
        "welcome to Q&A",
        "yeah",
        "yeah",
        "[Music]",
    ]
    starts = [c.start for c in cues]
    assert starts == pytest.approx([0.0, 2.9, 5.01, 6.01, 8.0])  # inline time where it leads
    assert [c.end for c in cues] == pytest.approx([2.9, 5.01, 6.01, 8.0, 9.5])
    lines = ROLLING_VTT.split("\n")
    assert all("-->" in lines[c.line - 10] for c in cues)  # line numbers are file lines
    assert cues[1].line == 10 + lines.index("00:00:02.510 --> 00:00:05.000 align:start position:0%")


def test_plain_webvtt_and_srt_with_indices() -> None:
    vtt = "WEBVTT\n\n1\n00:01.000 --> 00:02.500\n<v Ann>Hi <b>all</b>\nof you\n\n2\n"
    vtt += "00:02.000 --> 00:03.000\nbye &lt;3"
    assert [(c.start, c.end, c.text) for c in parse_captions(_body(vtt), 1, SEED)] == [
        (1.0, 2.5, "Hi all of you"),  # not rolling: cues kept whole
        (2.0, 3.0, "bye <3"),
    ]
    srt = "1\n00:00:01,000 --> 00:00:02,000\ntwo\nlines\n\n2\n1:00:02,5 --> 1:00:03,000\n&amp;"
    cues = parse_captions(_body(srt), 7, SEED)
    assert [(c.start, c.end, c.text, c.line) for c in cues] == [
        (1.0, 2.0, "two lines", 8),
        (3602.5, 3603.0, "&amp;", 13),  # SRT text is kept verbatim
    ]


def test_json3() -> None:
    events = [
        {"tStartMs": 0, "dDurationMs": 2000, "segs": [{"utf8": "[Music]"}]},
        {"tStartMs": 1500, "dDurationMs": 3000, "segs": [{"utf8": "so"}, {"utf8": " my first"}]},
        {"tStartMs": 2500, "aAppend": 1, "segs": [{"utf8": "\n"}]},
        {"tStartMs": 3000, "dDurationMs": 2500, "segs": [{"utf8": "question", "tOffsetMs": 0}]},
        {"tStartMs": 5600, "dDurationMs": 100},
    ]
    body = json.dumps({"events": events}, indent=1).split("\n")
    cues = parse_captions(body, 40, SEED)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.0, 2.0, "[Music]"),
        (1.5, 4.5, "so my first"),
        (3.0, 5.5, "question"),
    ]
    assert [ln.text for ln in clean_transcript(cues)] == ["so my first", "question"]
    with pytest.raises(SeedError) as info:
        parse_captions(['{"events": [', "  {oops}", "]}"], 40, SEED)
    assert info.value.line == 41


@pytest.mark.parametrize(
    "body, line",
    [
        (["", "   "], 5),
        (["WEBVTT", "Kind: captions"], 5),
        (["WEBVTT", "", "00:01.000 --> 00:0x.000", "hi"], 7),
        (
            [
                "00:00:01,000 --> 00:00:02,000",
                "a",
                "",
                "00:00:05,000 --> 00:00:06,000",
                "b",
                "",
                "00:00:02,900 --> 00:00:04,000",
                "c",
            ],
            11,
        ),
        (['{"events": 3}'], 5),
        (['{"events": [{"tStartMs": "x", "segs": [{"utf8": "a"}]}]}'], 5),
        (["9" * 5000 + ":00:00,000 --> 00:00:01,000", "huge"], 5),
        (['{"events": [{"tStartMs": ' + "9" * 5000 + "}]}"], 5),
        (['{"events": ' + "[" * 10**5], 5),
    ],
)
def test_caption_errors(body: list[str], line: int) -> None:
    with pytest.raises(SeedError) as info:
        parse_captions(body, 5, SEED)
    assert info.value.line == line
    assert str(info.value).startswith(f"{SEED}:{line}: ")


def test_small_overlap_is_tolerated() -> None:
    body = ["00:00:05,000 --> 00:00:06,000", "a", "", "00:00:03,500 --> 00:00:04,000", "b"]
    cues = parse_captions(body, 1, SEED)
    assert [ln.text for ln in clean_transcript(cues)] == ["b", "a"]


# --- transcript rules -----------------------------------------------------------


def test_clean_transcript_rules() -> None:
    cues = [
        Cue(0.0, 4.0, "[Music]", 1),
        Cue(3.0, 8.0, "  okay   so\tthis is KVM  ", 4),
        Cue(5.0, 10.0, "[Laughter] the  part", 7),
        Cue(8.0, 12.0, ">> what's next [Applause]", 10),
        Cue(10.0, 14.0, "", 13),
        Cue(11.0, 20.0, "thanks", 16),
        Cue(15.0, 21.0, "[Applause]", 19),
        Cue(17.0, 21.0, "", 22),
    ]
    assert clean_transcript(cues) == [
        Line(3.0, 5.0, "okay so this is KVM"),
        Line(5.0, 8.0, "the part"),
        Line(8.0, 11.0, "what's next", turn=True),  # a ">>" left in a cue's text turns too
        Line(11.0, 15.0, "thanks"),  # the last line stops where the applause starts
    ]
    assert clean_transcript([Cue(1.0, 2.0, "only", 1)]) == [Line(1.0, 2.0, "only")]
    assert clean_transcript([Cue(1.0, 2.0, "[Music]", 1)]) == []


# --- fuzzing --------------------------------------------------------------------


def _mutations(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    kind = rng.randrange(6)
    if kind == 0:
        return text[: rng.randrange(len(text) + 1)]
    if kind == 1:
        i = rng.randrange(len(text) + 1)
        junk = "".join(rng.choice('\t\n :,->0123456789[]{}"<>=?&vV/.WEBVTT\x00é') for _ in range(8))
        return text[:i] + junk + text[i + rng.randrange(20) :]
    if kind == 2:
        del lines[rng.randrange(len(lines))]
    elif kind == 3:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 4:
        i = rng.randrange(len(lines))
        lines.insert(i, rng.choice(["WEBVTT", "{", "Captions:", "---", "Title:", "\t", " ", "1"]))
    else:
        i = rng.randrange(len(lines))
        lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


def test_fuzzed_seeds_give_seed_error_or_talk() -> None:
    rng = random.Random(1234)
    bases = [p.read_text(encoding="utf-8") for p in (SHORT, SHORT.with_suffix(".vtt.txt"))]
    outcomes = {"talk": 0, "error": 0}
    for _ in range(1500):
        text = rng.choice(bases)
        for _ in range(rng.randrange(1, 4)):
            text = _mutations(text, rng)
        try:
            parse_seed(text, SEED)
            outcomes["talk"] += 1
        except SeedError as e:
            assert "\n" not in str(e) and str(e).startswith(f"{SEED}:")
            outcomes["error"] += 1
    assert outcomes["talk"] and outcomes["error"]  # both paths were exercised


def test_fuzzed_bytes_via_load_talk(tmp_path: Path, bundled_seed: Path) -> None:
    rng = random.Random(99)
    base = bundled_seed.read_bytes()
    seed = tmp_path / "fuzz.txt"
    for _ in range(40):
        data = bytearray(base[: rng.randrange(len(base))])
        for _ in range(rng.randrange(4)):
            data[rng.randrange(len(data) or 1) : 0] = bytes([rng.randrange(256)])
        seed.write_bytes(bytes(data))
        try:
            load_talk(seed)
        except SeedError as e:
            assert "\n" not in str(e)
