"""The build stages. Each is a documented function of (session, task) that
fills in one field of the task; `publish_show` is the consumer that turns all
tasks into a show's feeds and site.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .. import artwork, audio, chapters, feed, notes, plan, site, tags, transcripts
from ..errors import PublisherError, SeedError
from ..fsutil import copy_file
from ..ingest import parse_seed
from ..ingest.limits import read_input
from ..model import (
    Alternate,
    Chapter,
    Credit,
    Episode,
    Line,
    Piece,
    Place,
    Render,
    Talk,
    clip_page,
    lines_between,
    talk_page,
    video_at,
)
from ..plan import planfile
from ..show import pin_guids
from . import records
from .tasks import TalkTask

if TYPE_CHECKING:
    from pathlib import Path

    from ..show import Show
    from .session import BuildSession


def read_talk(session: BuildSession, task: TalkTask) -> None:
    """Parse the seed document into a Talk with a clean transcript; remember what was
    read, for the talk's record."""
    text = read_input(task.seed, "seed", SeedError)
    task.talk = parse_seed(text, task.seed)
    task.seed_digest = planfile.text_digest(text)


def find_source(session: BuildSession, task: TalkTask) -> None:
    """Find the talk's audio: the cached file, a yt-dlp download, or stand-in speech."""
    assert task.talk
    cache = session.options.cache_dir
    if session.options.standin:
        task.source = audio.synthesise_standin(task.talk, cache)
        task.standin = True
    else:
        task.source = audio.fetch_audio(task.talk, cache, progress=session.progress)


def plan_talk(session: BuildSession, task: TalkTask) -> None:
    """Use the talk's plan file; without one, plan the talk and save the plan.

    Saving on first build is what keeps GUIDs forever: later builds read them
    back instead of recomputing. The talk's published clips (its record) are
    checked against the file: a published GUID changed by hand is refused. With
    --replan, or when the plan file is gone (a renamed seed, a deleted file), the
    talk is planned again from the plan it had, or else the one last published:
    every clip that overlaps an old one by half keeps its GUID, and edits are kept.
    """
    assert task.talk and task.source
    talk, glossary = task.talk, session.show.glossary
    path = planfile.plan_path(task.seed)
    published = records.published_plan(session.published, talk.video_id)
    old = None
    if path.exists():  # write_back: a clip without a GUID gets one stored, never to change
        clips = published.segments if published else None
        old = planfile.load_plan(path, talk, glossary, write_back=True, published=clips)
    if old and not session.options.replan:
        task.plan = old
        return
    pauses = audio.silences(task.source, session.options.cache_dir)
    new = plan.make_plan(talk, glossary, pauses=pauses)
    planfile.save_plan(planfile.replan(old or published, new), path, talk)
    task.plan = planfile.load_plan(path, talk, glossary)  # exactly what later builds will read


def render_audio(session: BuildSession, task: TalkTask) -> None:
    """Cut the source into one MP3 per segment and the full episode (render-cached)."""
    assert task.talk and task.plan and task.source
    task.render = audio.render_talk(
        task.talk,
        task.plan,
        task.source,
        session.show.audio,
        session.options.cache_dir,
        standin=task.standin,
        jobs=session.encode_jobs,
        progress=session.progress,
    )


def make_episodes(session: BuildSession, task: TalkTask) -> None:
    """Stage the talk's files (audio, transcripts, chapters, art) and describe its episodes."""
    assert task.talk and task.plan and task.render
    talk, render, show = task.talk, task.render, session.show
    rel = f"episodes/{talk.video_id}/"
    folder = session.staging / rel
    art = artwork.talk_artwork(
        talk, show, session.options.cache_dir / "art" / f"{talk.video_id}.jpg"
    )
    copy_file(art, folder / "cover.jpg")
    embed = artwork.embedded_cover(art)
    # pubDates: the talk at noon, each clip at noon + its start, so apps keep question
    # order and dropping or adding a clip moves no other clip's date.
    noon = dt.datetime.combine(talk.date, dt.time(12), tzinfo=dt.UTC)

    clips = [p for p in render.pieces if p.segment]
    places = render.places()  # each clip's number, label and times: read by every output
    pages = {p.segment.guid: show.url(clip_page(talk.video_id, p.segment.guid)) for p in clips}
    chaps = chapters.chapters_from_render(render, url_of=lambda seg: pages[seg.guid])
    pages[f"yt-{talk.video_id}"] = show.url(talk_page(talk.video_id))
    full = _episode(
        session, task, None, render.full, render.full_duration,
        lines=_retime(task.plan.transcript, render), chaps=chaps, when=noon, track=1,
        embed=embed,
    )  # fmt: skip
    full.notes_html, full.notes_text, full.summary = _notes(task, None, places, pages)
    chapters.write_chapters_json(chaps, folder / "chapters.json", title=talk.title)
    full.links["chapters"] = show.url(f"{rel}chapters.json")
    task.episodes = [full]
    for n, piece in enumerate(clips, 1):
        ep = _episode(
            session, task, piece, piece.path, piece.duration,
            lines=lines_between(task.plan.transcript, piece.start, piece.end), chaps=[],
            when=noon + dt.timedelta(seconds=int(piece.segment.start)), track=n,
            embed=embed, place=places[piece.segment.guid],
        )  # fmt: skip
        ep.notes_html, ep.notes_text, ep.summary = _notes(task, piece, places, pages)
        task.episodes.append(ep)


def tag_episodes(session: BuildSession, task: TalkTask) -> None:
    """Tag each staged file and its alternates (ID3 or MP4: credits, topic, chapters,
    art, transcript)."""
    for ep in task.episodes:
        tags.tag_episode(ep, feed_url=feed.home_feed_url(session.show, ep.kind))


def publish_show(
    show: Show, out: Path, published: Path, cache_dir: Path, tasks: list[TalkTask]
) -> Show:
    """The consumer: number every talk's episodes and write the show's art, feeds and
    site into `out` (the staged show folder); `published` is the show as it is online.
    The show returned has every feed's podcast:guid pinned, for save_guids to store."""
    episodes = [ep for t in tasks for ep in t.episodes]
    _number(episodes)
    art = artwork.show_artwork(show, cache_dir / "art" / f"show-{show.slug}.jpg")
    copy_file(art, out / "artwork.jpg")
    retired = feed.retired_topics(show, episodes, published)
    show = pin_guids(show, feed.feed_paths(show, episodes, retired).values())
    written = feed.write_feeds(show, episodes, out, retired)
    site.build_site(show, episodes, out, feed.feed_urls(show, episodes, retired), retired)
    retired_feeds = {out / "topics" / f"{slug}.xml" for slug in retired}
    _check_feeds(show, [p for p in written if p.suffix == ".xml"], out, published, retired_feeds)
    return show


def _check_feeds(
    show: Show, feeds: list[Path], out: Path, published: Path, retired: set[Path]
) -> None:
    """Refuse to publish feeds that `publisher validate` rejects (the staged files and
    their enclosures checked, as they will be online); the first problem, named at
    its published path. A retired topic's feed may be empty (every clip it had was
    dropped): it stays at its URL for its subscribers, and no app is asked to list it."""
    problems = [
        p
        for path in feeds
        for p in feed.validate_feed(path, out, show.base_url)
        if not (path in retired and p.endswith(": channel has no <item>"))
    ]
    if problems:
        first = problems[0].replace(str(out), str(published), 1)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PublisherError(
            f"{first}{more}: feeds `publisher validate` rejects are not published; "
            f"{published} left as it was"
        )


# --- helpers ------------------------------------------------------------------


def _episode(
    session: BuildSession,
    task: TalkTask,
    piece: Piece | None,
    src: Path,
    duration: float,
    *,
    lines: list[Line],
    chaps: list[Chapter],
    when: dt.datetime,
    track: int,
    embed: Path,
    place: Place | None = None,
) -> Episode:
    """Copy one rendered file into the staging tree, write its transcripts, describe it."""
    talk, show = task.talk, session.show
    assert talk and task.render
    seg = piece.segment if piece else None
    kind, guid = ("clip", seg.guid) if seg else ("full", f"yt-{talk.video_id}")
    rel = f"episodes/{talk.video_id}/"
    stem = "full" if kind == "full" else guid
    path = session.staging / rel / f"{stem}.mp3"
    copy_file(src, path)
    transcripts.write_vtt(lines, path.with_suffix(".vtt"))
    transcripts.write_srt(lines, path.with_suffix(".srt"))
    transcripts.write_json(lines, path.with_suffix(".transcript.json"))
    return Episode(
        kind=kind,
        guid=guid,
        title=seg.title if seg else talk.title,
        talk=talk,
        segment=seg,
        path=path,
        url=show.url(f"{rel}{stem}.mp3"),
        duration=duration,
        size=path.stat().st_size,
        pub_date=when,
        track=track,
        notes_html="",
        notes_text="",
        summary="",
        speakers=list(seg.speakers) if seg else _talk_credits(talk),
        topic=seg.topic if seg else talk.playlist,
        keywords=list(seg.keywords) if seg else _talk_keywords(task),
        chapters=chaps,
        transcript=lines,
        source_url=video_at(talk.url, place.start) if place else talk.url,
        image=embed,
        image_url=show.url(f"{rel}cover.jpg"),
        standin=task.standin,
        links={
            "vtt": show.url(f"{rel}{stem}.vtt"),
            "srt": show.url(f"{rel}{stem}.srt"),
            "json": show.url(f"{rel}{stem}.transcript.json"),
        },
        season=talk.year,
        alternates=_alternates(
            piece.alternates if piece else task.render.alternates, path, show.url(rel + stem)
        ),
        place=place,
    )


def _alternates(sources: dict[str, Path], path: Path, stem_url: str) -> dict[str, Alternate]:
    """Copy each rendered alternate encoding beside the episode's MP3 (same stem)."""
    out = {}
    for fmt, src in sources.items():
        copy_file(src, path.with_suffix(f".{fmt}"))
        out[fmt] = Alternate(f"{stem_url}.{fmt}", path.with_suffix(f".{fmt}").stat().st_size)
    return out


def _notes(task: TalkTask, piece: Piece | None, places: dict[str, Place], pages: dict[str, str]):
    n = notes.make_notes(
        task.talk,
        task.plan,
        piece.segment if piece else None,
        places,
        standin=task.standin,
        pages=pages,
    )
    return n.html, n.text, n.summary


def _retime(lines: list[Line], render: Render) -> list[Line]:
    """Map source-time transcript lines into full-episode time, piece by piece."""
    out: list[Line] = []
    t = 0.0
    for p in render.pieces:
        for ln in lines_between(lines, p.start, p.end):
            out.append(Line(ln.start + t, ln.end + t, ln.text, ln.speaker))
        t += p.duration
    return out


def _number(episodes: list[Episode]) -> None:
    """Full talks' itunes:episode numbers per season, in (date, talk) order. A clip has
    none: its number is its Place in its talk (feed/catalog says why)."""
    counters: dict[int, int] = {}
    order = sorted(episodes, key=lambda e: (e.pub_date, e.talk.title, e.track))
    for ep in order:
        if ep.kind == "full":
            counters[ep.season] = counters.get(ep.season, 0) + 1
            ep.number = counters[ep.season]


def _talk_credits(talk: Talk) -> list[Credit]:
    return [Credit(s.name, talk.role(s.name), s.organisation) for s in talk.people]


def _talk_keywords(task: TalkTask) -> list[str]:
    seen: dict[str, None] = {}
    for seg in task.plan.segments:
        for k in seg.keywords:
            seen.setdefault(k, None)
    return list(seen)[:8]
