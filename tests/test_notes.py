"""Show notes: Apple-safe HTML within 4000 bytes, timestamps, speakers, links, stand-in marker."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from episode_factory import make_talk

from publisher.model import Credit, Line, Place, Plan, Segment, Speaker, Talk, places
from publisher.notes import LIMIT, make_notes

URL = "https://www.youtube.com/watch?v=q22lu6l1Cdk"
MOD = Speaker("Stefan Hajnoczi", "Principal Software Engineer", "Red Hat")
PANEL = [
    Speaker("Peter Maydell", "Emulation Specialist", "Linaro"),
    Speaker("Cornelia Huck", "", "Red Hat"),
]
ALLOWED = {"p", "ol", "ul", "li", "a"}


def make_talk_and_plan(
    questions: int = 4, words: int = 8, title_words: int = 5
) -> tuple[Talk, Plan]:
    """A panel: an intro, then `questions` questions of 60 s, each asked then answered twice."""
    lines = [Line(0.0, 30.0, "welcome to the contributor panel", MOD.name)]
    segments = [
        Segment(0.0, 30.0, "intro", "Introduction", "Introduction", [], [], "yt-q22lu6l1Cdk-00000")
    ]
    for i in range(questions):
        s = 30.0 + 60 * i
        title = f"Question {i + 1} about " + " ".join(["migration"] * title_words) + "?"
        lines += [
            Line(
                s,
                s + 10,
                f"so question {i + 1} is how do we " + "really " * words + "test it",
                MOD.name,
            ),
            Line(s + 10, s + 40, "well " + "we use qtest " * words, PANEL[0].name),
            Line(s + 40, s + 60, "and avocado " * words, PANEL[1].name),
        ]
        credits = [
            Credit(MOD.name, "moderator", MOD.organisation),
            Credit(PANEL[0].name, "panelist", PANEL[0].organisation),
            Credit(PANEL[1].name, "panelist", PANEL[1].organisation),
        ]
        topic = ["Testing", "Security", "Live migration"][i % 3]
        segments.append(
            Segment(
                s, s + 60, "question", title, topic, [], credits, f"yt-q22lu6l1Cdk-{int(s):05d}"
            )
        )
    talk = make_talk(
        source=Path("seeds/panel.txt"),
        title="Contributor Q&A Panel",
        date=dt.date(2018, 11, 14),
        playlist="KVM Forum 2018",
        description="A technical Q&A panel on KVM and QEMU. Topics are chosen on the spot.",
        speakers=PANEL,
        moderator=MOD,
        transcript=lines,
        url=URL,
        video_id="q22lu6l1Cdk",
    )
    return talk, Plan(talk.video_id, segments, transcript=lines)


def chapters_of(plan: Plan, shift: float = 0.0) -> dict[str, Place]:
    """Each segment's Place, as Render.places makes it, `shift` seconds later."""
    spans = [(s, s.start + shift, s.duration) for s in plan.segments]
    return places(spans, plan.segments[-1].end + shift)


class Checker(HTMLParser):
    """Collects tags and attributes, and checks tags are balanced."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.stack.append(tag)
        self.attrs |= {k for k, _ in attrs}
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag

    def handle_data(self, data):
        self.text += data


def check_html(html: str) -> Checker:
    assert len(html.encode("utf-8")) <= LIMIT
    c = Checker()
    c.feed(html)
    c.close()
    assert not c.stack, "unclosed tags"
    assert c.tags <= ALLOWED, c.tags
    assert c.attrs <= {"href"}
    return c


def timestamps(text: str) -> list[str]:
    return re.findall(r"^(\d\d:\d\d(?::\d\d)?) ", text, flags=re.M)


def test_full_talk_notes_have_chapters_speakers_and_link():
    talk, plan = make_talk_and_plan()
    pages = {s.guid: f"https://pod.example.org/t.html#{s.guid}" for s in plan.segments}
    notes = make_notes(talk, plan, None, chapters_of(plan), standin=False, pages=pages)
    c = check_html(notes.html)
    assert timestamps(notes.text) == ["00:00", "00:30", "01:30", "02:30", "03:30"]
    assert "00:30 Question 1 about migration" in c.text
    assert "Stefan Hajnoczi (Moderator) — Principal Software Engineer, Red Hat" in c.text
    assert "Peter Maydell (Panelist) — Emulation Specialist, Linaro" in c.text
    assert URL in c.hrefs
    assert "https://pod.example.org/t.html#yt-q22lu6l1Cdk-00030" in c.hrefs
    assert "4 questions, on Testing, Security and Live migration." in notes.summary
    assert "<" not in notes.summary and len(notes.summary) <= 400
    assert "STAND-IN" not in notes.html.upper() and "STAND-IN" not in notes.text.upper()


def test_full_talk_timestamps_start_at_zero_even_when_first_chapter_does_not():
    talk, plan = make_talk_and_plan(questions=2)
    notes = make_notes(talk, plan, None, chapters_of(plan, shift=12.0), standin=False)
    stamps = timestamps(notes.text)
    assert stamps[0] == "00:00" and len(stamps) >= 3
    assert "00:42 Question 1" in notes.text


def test_huge_transcript_still_fits_and_keeps_what_matters():
    talk, plan = make_talk_and_plan(questions=150, words=400, title_words=40)
    talk.description = "word " * 5000
    notes = make_notes(talk, plan, None, chapters_of(plan), standin=True)
    c = check_html(notes.html)
    stamps = timestamps(notes.text)
    assert stamps[0] == "00:00" and len(stamps) >= 3
    assert re.search(r"…and \d+ more chapters", c.text)
    assert "STAND-IN" in c.text and URL in c.hrefs
    assert "Cornelia Huck (Panelist)" in c.text

    clip = make_notes(talk, plan, plan.segments[5], chapters_of(plan), standin=True)
    check_html(clip.html)
    assert "STAND-IN" in clip.html


def test_clip_notes_name_question_people_and_place_in_talk():
    talk, plan = make_talk_and_plan()
    seg = plan.segments[2]
    full_url = "https://pod.example.org/t.html"
    notes = make_notes(
        talk,
        plan,
        seg,
        chapters_of(plan, shift=0.4),  # floored: the notes show whole seconds
        standin=False,
        pages={f"yt-{talk.video_id}": full_url},
    )
    c = check_html(notes.html)
    assert notes.summary == "Stefan Hajnoczi asks Peter Maydell and Cornelia Huck: " + seg.title
    assert "so question 2 is how do we really" in c.text  # the question, from the transcript
    assert "we use qtest" not in c.text  # ...but not the answer
    assert "Question 2, at 01:30–02:30 of the full talk" in c.text
    assert "Asked by Stefan Hajnoczi (Moderator)" in c.text
    assert "Answered by Peter Maydell (Panelist) — Emulation Specialist, Linaro" in c.text
    assert f"{URL}&t=90" in c.hrefs and full_url in c.hrefs
    assert "&amp;t=90" in notes.html
    assert f"{URL}&t=90" in notes.text


def test_segment_summary_is_used_and_everything_is_escaped():
    talk, plan = make_talk_and_plan()
    seg = plan.segments[1]
    seg.summary = "Why <script>alert(1)</script> & friends matter."
    seg.title = '<b>Bold</b> "title"'
    notes = make_notes(talk, plan, seg, chapters_of(plan), standin=True)
    c = check_html(notes.html)
    assert "<script>" not in notes.html and "&lt;script&gt;" in notes.html
    assert notes.summary.startswith("Why <script>")  # plain text stays plain
    assert "STAND-IN AUDIO" in c.text and "not the original recording" in c.text
    full = make_notes(talk, plan, None, chapters_of(plan), standin=False)
    assert "&lt;b&gt;Bold&lt;/b&gt; &quot;title&quot;" in full.html


@pytest.mark.parametrize("standin", [True, False])
def test_standin_marker_only_when_standin(standin):
    talk, plan = make_talk_and_plan(questions=1)
    for seg in (None, plan.segments[1]):
        notes = make_notes(talk, plan, seg, chapters_of(plan), standin=standin)
        assert ("STAND-IN" in notes.html) is standin
        assert ("STAND-IN" in notes.text) is standin


def test_intro_clip_is_not_described_as_a_question():
    talk, plan = make_talk_and_plan(questions=2)
    intro = plan.segments[0]
    intro.speakers = [Credit(MOD.name, "moderator", MOD.organisation)]
    notes = make_notes(talk, plan, intro, chapters_of(plan), standin=False)
    c = check_html(notes.html)
    assert notes.summary == "Introduction: the intro of “Contributor Q&A Panel” (KVM Forum 2018)."
    assert "Introduction, at 00:00–00:30 of the full talk" in c.text
    assert "asks" not in notes.text and "Asked by" not in notes.text
    assert "Stefan Hajnoczi (Moderator) — Principal Software Engineer, Red Hat" in c.text


def test_a_retitled_question_gets_a_summary_with_its_new_title():
    talk, plan = make_talk_and_plan()
    seg = dataclasses.replace(plan.segments[2], title="A new title?", summary="")
    seg.speakers[:] = [seg.speakers[0], Credit("Peter Maydell", "panel")]
    seg.keywords[:] = ["qtest", "fuzzing", "CI", "coverage"]
    notes = make_notes(talk, plan, seg, chapters_of(plan), standin=False)
    assert notes.summary == (
        "Stefan Hajnoczi asks the panel: A new title? The answers cover qtest, fuzzing, CI."
    )


@pytest.mark.parametrize(
    ("credits", "asked", "answered"),
    [
        (  # nobody on the panel is shown speaking: "the panel", once
            [Credit("Audience", "audience"), *(Credit(p.name, "panel") for p in PANEL)],
            "Asked by a member of the audience",
            ["Answered by the panel"],
        ),
        (  # one named answerer: only they are credited as answering
            [
                Credit(MOD.name, "moderator"),
                Credit(PANEL[0].name, "panelist", "Linaro"),
                Credit(PANEL[1].name, "panel"),
            ],
            "Asked by Stefan Hajnoczi (Moderator) — Principal Software Engineer, Red Hat",
            ["Answered by Peter Maydell (Panelist) — Emulation Specialist, Linaro"],
        ),
    ],
)
def test_credits_name_who_speaks_and_the_panel_once(credits, asked, answered):
    talk, plan = make_talk_and_plan(questions=1)
    seg = plan.segments[1]
    seg.speakers = credits
    notes = make_notes(talk, plan, seg, chapters_of(plan), standin=False)
    said = [ln for ln in notes.text.splitlines() if ln.startswith(("Asked", "Answered", "With"))]
    assert said == [asked, *answered]
    assert "(Panel)" not in notes.text and "(audience)" not in notes.text.lower()
    assert sum("the panel" in ln for ln in said) <= 1
