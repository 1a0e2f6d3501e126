"""Small, real published episodes for tests: two talks (2018, 2019), three clips each.

Every file an Episode points at exists under out_dir (public/<slug>/): real MP3s
made by ffmpeg, JPEG covers made by Pillow, and the transcript/chapter files its
links name.  Shared by the feed and site tests.

    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)   # files under tmp_path/public/<slug>/
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import subprocess
import tempfile
from pathlib import Path

from mutagen.mp3 import MP3
from PIL import Image

from publisher.model import (
    Chapter,
    Credit,
    Cue,
    Episode,
    Line,
    Segment,
    Speaker,
    Talk,
    lines_between,
    places,
    timestamp,
)
from publisher.plan.names import clip_name, full_name
from publisher.show import Show
from publisher.transcripts import clock

ART_SIZE = 1400  # Apple's minimum; small and quick to write


def make_talk(**fields) -> Talk:
    """A Talk with plain defaults for every field, overridden by `fields`."""
    defaults = dict(
        source=Path("seeds/test/talk.txt"),
        title="Test panel",
        date=dt.date(2024, 1, 1),
        playlist="Conf 2024",
        description="",
        speakers=[],
        moderator=None,
        cues=[],
        transcript=[],
        url="https://www.youtube.com/watch?v=abcdefghijk",
        video_id="abcdefghijk",
    )
    return Talk(**(defaults | fields))


def make_show(
    tmp_path: Path, base_url: str = "https://podcasts.example.org/test-show/", **kw
) -> Show:
    """A Show like feeds/kvm-forum.toml; keyword arguments override fields."""
    fields = dict(
        path=tmp_path / "feeds" / "test-show.toml",
        slug="test-show",
        title="Test Forum",
        description="Talks and panels from the Test Forum, as a podcast.",
        author="Test Forum",
        owner_name="Test Forum organisers",
        owner_email="podcast@forum.example.org",
        language="en",
        category="Technology",
        subcategory="",
        base_url=base_url,
        seeds=[],
        copyright="Talks © their speakers.",
        link=base_url,
    )
    fields.update(kw)
    return Show(**fields)


def out_dir(tmp_path: Path, show: Show) -> Path:
    return tmp_path / "public" / show.slug


# (video_id, date, playlist, title, moderator, panelists, questions: (title, topic, start, end))
_TALKS = [
    (
        "AbCdEfGh018",
        dt.date(2018, 10, 25),
        "KVM Forum 2018",
        "QEMU & KVM Contributor Q&A Panel",
        Speaker("Alice Moderator", "Engineer", "Red Hat"),
        [Speaker("Bob Panelist", "Maintainer", "IBM"), Speaker("Carol Panelist", "", "Intel")],
        [
            ("How do we make live migration faster?", "Live migration", 10.0, 30.0),
            ("Are Spectre and Meltdown hype or real?", "Security", 30.0, 55.0),
            ("What about post-copy migration?", "Live migration", 55.0, 80.0),
        ],
    ),
    (
        "ZyXwVuTs019",
        dt.date(2019, 10, 30),
        "KVM Forum 2019",
        "Virtualization Maintainers Panel",
        Speaker("Dave Host", "", "SUSE"),
        [Speaker("Erin Guest", "Developer", "Google"), Speaker("Frank Guest", "", "")],
        [
            ("How should guests be isolated?", "Security", 10.0, 32.0),
            ("How do we test QEMU?", "Testing", 32.0, 56.0),
            ("Will migration ever be simple?", "Live migration", 56.0, 80.0),
        ],
    ),
]


def make_episodes(tmp_path: Path, show: Show) -> list[Episode]:
    """Write real files under tmp_path/public/<slug>/ and return their Episodes.

    Per talk: one "full" episode (80 s, chapters for intro + 3 questions) and
    three "clip" episodes, one per question.  Topics span both years.
    """
    root = out_dir(tmp_path, show)
    _write_jpeg(root / "artwork.jpg", (30, 60, 120))
    episodes: list[Episode] = []
    for n, spec in enumerate(_TALKS):
        episodes += _talk_episodes(tmp_path, show, root, n, *spec)
    return episodes


def _talk_episodes(tmp_path, show, root, n, vid, date, playlist, title, mod, panel, questions):
    ep_dir = root / "episodes" / vid
    end = questions[-1][3]
    lines = _lines(mod, panel, questions, end)
    talk = Talk(
        source=tmp_path / "seeds" / f"{vid}.txt",
        title=title,
        date=date,
        playlist=playlist,
        description=f"A panel at {playlist}.",
        speakers=panel,
        moderator=mod,
        cues=[Cue(ln.start, ln.end, ln.text.lower(), 10 + 4 * i) for i, ln in enumerate(lines)],
        transcript=lines,
        url=f"https://www.youtube.com/watch?v={vid}",
        video_id=vid,
    )
    panel_credits = [Credit(s.name, "panelist", s.organisation) for s in panel]
    host = Credit(mod.name, "moderator", mod.organisation)
    segments = [
        Segment(
            0.0,
            questions[0][2],
            "intro",
            "Introduction",
            "Introduction",
            ["intro"],
            [host],
            f"yt-{vid}-00000",
        )
    ] + [
        Segment(
            s,
            e,
            "question",
            q,
            topic,
            [topic.lower()],
            [host, *panel_credits],
            f"yt-{vid}-{int(s):05d}",
            summary=f"The panel answers: {q}",
        )
        for q, topic, s, e in questions
    ]
    cover = ep_dir / "cover.jpg"
    _write_jpeg(cover, (120 + 40 * n, 50, 50))
    noon = dt.datetime.combine(date, dt.time(12, 0), dt.UTC)
    base = dict(talk=talk, image=cover, cover=f"episodes/{vid}/cover.jpg")

    chapters = [Chapter(s.start, s.end, s.title, kind=s.kind, guid=s.guid) for s in segments]
    full = _episode(
        show,
        root,
        ep_dir / f"{full_name(talk)}.mp3",
        "full",
        f"yt-{vid}",
        title,
        None,
        end,
        440 + 10 * n,
        noon,
        1,
        [host, *panel_credits],
        chapters,
        lines,
        talk.url,
        links=_links(show, root, vid, "full", lines, chapters),
        **base,
    )
    clips = []
    questions_only = [s for s in segments if s.kind == "question"]
    for i, seg in enumerate(questions_only, 1):
        clip_lines = lines_between(lines, seg.start, seg.end)
        clip_chapters = [Chapter(0.0, seg.duration, seg.title, kind=seg.kind)]
        clips.append(
            _episode(
                show,
                root,
                ep_dir / f"{clip_name(talk, seg, i)}.mp3",
                "clip",
                seg.guid,
                seg.title,
                seg,
                seg.duration,
                500 + 100 * i + 10 * n,
                noon + dt.timedelta(minutes=i),
                i,
                seg.speakers,
                clip_chapters,
                clip_lines,
                f"{talk.url}&t={int(seg.start)}",
                links=_links(show, root, vid, seg.guid, clip_lines, []),
                **base,
            )
        )
    spots = places([(s, s.start, s.duration) for s in segments], end)  # as Render.places
    return [full, *(dataclasses.replace(c, place=spots[c.guid]) for c in clips)]


def _episode(
    show,
    root,
    path,
    kind,
    guid,
    title,
    segment,
    seconds,
    freq,
    pub,
    track,
    speakers,
    chapters,
    lines,
    source_url,
    links,
    **base,
) -> Episode:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_mp3(seconds, freq))
    items = "".join(f"<li>{timestamp(c.start)} {c.title}</li>" for c in chapters)
    summary = segment.summary if segment else f"The whole panel: {base['talk'].title}."
    notes = (
        f"<p>{summary}</p><ul>{items}</ul>"
        f'<p><a href="{source_url.replace("&", "&amp;")}">Watch the original video</a></p>'
    )
    return Episode(
        kind=kind,
        guid=guid,
        title=title,
        segment=segment,
        path=path.relative_to(root),  # in the show folder, as the build describes it
        duration=MP3(path).info.length,
        size=path.stat().st_size,
        pub_date=pub,
        track=track,
        notes_html=notes,
        notes_text=summary,
        summary=summary,
        speakers=list(speakers),
        topic=segment.topic if segment else "",
        keywords=segment.keywords if segment else [],
        chapters=chapters,
        transcript=lines,
        source_url=source_url,
        links=links,
        **base,
    )


def _lines(mod: Speaker, panel: list[Speaker], questions, end: float) -> list[Line]:
    """Intro by the moderator, then per question: the question, then two answers."""
    out = [
        Line(0.0, 5.0, "Welcome to the panel.", mod.name),
        Line(5.0, questions[0][2], "Let us start.", mod.name),
    ]
    for q, _topic, s, e in questions:
        third = (e - s) / 3
        out += [
            Line(s, s + third, q, mod.name),
            Line(s + third, s + 2 * third, f"I think {q.lower()}", panel[0].name),
            Line(s + 2 * third, e, "I agree with that.", panel[1].name),
        ]
    return out


def _links(show, root, vid, stem, lines, chapters) -> dict[str, str]:
    """Write small transcript (and chapter) files; their paths in the show folder."""
    rel = f"episodes/{vid}/"
    vtt = "WEBVTT\n\n" + "".join(
        f"{clock(ln.start, '.')} --> {clock(ln.end, '.')}\n<v {ln.speaker}>{ln.text}\n\n"
        for ln in lines
    )
    srt = "".join(
        f"{i}\n{clock(ln.start, ',')} --> {clock(ln.end, ',')}\n{ln.text}\n\n"
        for i, ln in enumerate(lines, 1)
    )
    segs = [
        {"speaker": ln.speaker, "startTime": ln.start, "endTime": ln.end, "body": ln.text}
        for ln in lines
    ]
    files = {
        "vtt": (f"{stem}.vtt", vtt),
        "srt": (f"{stem}.srt", srt),
        "json": (f"{stem}.transcript.json", json.dumps({"version": "1.0.0", "segments": segs})),
    }
    if chapters:
        chaps = [{"startTime": c.start, "title": c.title} for c in chapters]
        files["chapters"] = ("chapters.json", json.dumps({"version": "1.2.0", "chapters": chaps}))
    links: dict[str, str] = {}
    for key, (fname, text) in files.items():
        (root / rel / fname).write_text(text, encoding="utf-8")
        links[key] = rel + fname
    return links


@functools.cache
def _mp3(seconds: float, freq: int) -> bytes:
    """A mono 64k MP3 sine tone, made once per process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tone.mp3"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-nostdin",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={freq}:sample_rate=44100:duration={seconds}",
                "-ac",
                "1",
                "-b:a",
                "64k",
                "-y",
                str(out),
            ],
            check=True,
        )
        return out.read_bytes()


def _write_jpeg(path: Path, colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (ART_SIZE, ART_SIZE), colour).save(path, "JPEG", quality=80)
