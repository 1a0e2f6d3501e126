"""The build stages. Each is a documented function of (session, task) that
fills in one field of the task; `publish_show` is the consumer that turns all
tasks into a show's feeds and site.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from .. import audio, feed  # the rest when used: a no-op rebuild imports none of them
from ..apart import Apart, Later
from ..errors import PublisherError, SeedError
from ..fsutil import copy_file
from ..ingest import parse_seed
from ..ingest.limits import read_input
from ..model import (
    Alternate,
    Chapter,
    Episode,
    Line,
    Piece,
    Place,
    Render,
    clip_page,
    full_guid,
    lines_between,
    talk_folder,
    talk_page,
    topic_names,
    video_at,
)
from ..plan import planfile
from ..plan.store import plan_for
from ..show import pin_guids
from . import records
from .tasks import BuildSession, TalkTask

if TYPE_CHECKING:
    from ..notes import Notes
    from ..show import Show


def read_talk(session: BuildSession, task: TalkTask) -> None:
    """Parse the seed document into a Talk with a clean transcript; remember what was
    read, for the talk's record."""
    text = read_input(task.seed, "seed", SeedError)
    task.talk = parse_seed(text, task.seed)
    task.seed_digest = planfile.text_digest(text)


def find_source(session: BuildSession, task: TalkTask) -> None:
    """Find the talk's audio: the cached file, a yt-dlp download, or stand-in speech;
    then transcribe it where the talk has no captions or the show asks (speech/); note
    where no cut may land (speech.spans.no_go)."""
    from ..speech import spans  # numpy: not on a no-op rebuild's path
    from ..speech.hearing import hear  # no model loads until one is needed

    assert task.talk
    cache = session.options.cache_dir
    if session.options.standin:
        task.source = audio.synthesise_standin(task.talk, cache)
    else:
        task.source = audio.fetch_audio(task.talk, cache, progress=session.progress)
    heard = hear(task.talk, task.source, cache, session.show.transcribe)
    task.talk, task.voices = heard.talk, heard.voices
    task.no_go = spans.no_go(task.talk.cues, task.source, cache, heard.words)


def plan_talk(session: BuildSession, task: TalkTask) -> None:
    """The talk's plan file, or a new plan saved for later builds (plan.store), checked
    against the clips the talk has published (its record)."""
    assert task.talk and task.source
    talk, path, source = task.talk, planfile.plan_path(task.seed), task.source
    pauses = functools.partial(audio.silences, source, session.options.cache_dir)
    call = functools.partial(
        plan_for, talk, path, session.show.glossary,
        again=session.options.replan,
        published=records.published_plan(session.published, talk.video_id),
        voices=task.voices,
    )  # fmt: skip
    planning = session.options.replan or not path.exists()
    if not (planning and session.plan_apart and talk.duration >= APART_SECONDS):
        _, task.plan = call(pauses=pauses)
        return
    # the planner in a child process, so its models leave before the encodes. It
    # imports while this one decodes the audio for its pauses, finds the questions
    # once the decode leaves a core free (its models and two ffmpeg would not fit the
    # memory aim together) or, in a long talk, once the decode is done, and snaps
    # their starts to the pauses while this one draws the talk's cover
    early = talk.duration < PLAN_DURING_DECODE
    with Apart(call.func, *call.args, **call.keywords, pauses=Later("pauses")) as planner:
        planner.give(pauses=pauses(freed=planner.give if early else None))
        talk_art(session, task)
        _, task.plan = planner.result()


APART_SECONDS = 600.0  # a talk this long is planned apart: the child's start-up is small next to it
# The child's peak while it finds the questions grows with the talk (127 MB at 60
# minutes, 155 MB at 3 hours): past this, it, this process (about 70 MB while it
# decodes) and the last half's ffmpeg (53 MB) would pass 250 MB together, so it waits
# for the decode (at 60 minutes waiting costs 0.5 s; the tree peaked at 226-243 MB
# in five runs without it).
PLAN_DURING_DECODE = 4200.0


def render_audio(session: BuildSession, task: TalkTask) -> None:
    """Cut the source into one MP3 per segment and the full episode (render-cached)."""
    assert task.talk and task.plan and task.source
    task.render = audio.render_talk(
        task.talk,
        task.plan,
        task.source,
        session.show.audio,
        session.options.cache_dir,
        standin=session.options.standin,
        jobs=session.encode_jobs,
        progress=session.progress,
        no_go=task.no_go,
    )


def make_episodes(session: BuildSession, task: TalkTask) -> None:
    """Stage the talk's files (audio, transcripts, chapters, art) and describe its episodes."""
    from .. import chapters

    assert task.talk and task.plan and task.render
    talk, render, show = task.talk, task.render, session.show
    rel = talk_folder(talk.video_id)
    folder = session.staging / rel
    art, embed = talk_art(session, task)
    copy_file(art, folder / "cover.jpg")
    # pubDates: the talk at noon, each clip at noon + its start, so apps keep question
    # order and dropping or adding a clip moves no other clip's date.
    noon = dt.datetime.combine(talk.date, dt.time(12), tzinfo=dt.UTC)

    clips = [p for p in render.pieces if p.segment]
    names = topic_names(task.plan.segments, session.topics)  # each topic's one name
    places = render.places()  # each clip's number, label and times: read by every output
    pages = {p.segment.guid: show.url(clip_page(talk.video_id, p.segment.guid)) for p in clips}
    chaps = chapters.chapters_from_render(render, url_of=lambda seg: pages[seg.guid])
    pages[full_guid(talk.video_id)] = show.url(talk_page(talk.video_id))
    chapters.write_chapters_json(chaps, folder / "chapters.json", title=talk.title)
    full = _episode(
        session, task, None, render.full, render.full_duration,
        lines=_retime(task.plan.transcript, render), chaps=chaps, when=noon, track=1,
        embed=embed, told=_notes(task, None, places, pages, names),
        links={"chapters": f"{rel}chapters.json"},
    )  # fmt: skip
    task.episodes = [full]
    for n, piece in enumerate(clips, 1):
        ep = _episode(
            session, task, piece, piece.path, piece.duration,
            lines=lines_between(task.plan.transcript, piece.start, piece.end), chaps=[],
            when=noon + dt.timedelta(seconds=int(piece.segment.start)), track=n,
            embed=embed, place=places[piece.segment.guid],
            told=_notes(task, piece, places, pages, names), topic=_topic(piece, names),
        )  # fmt: skip
        task.episodes.append(ep)


def talk_art(session: BuildSession, task: TalkTask) -> tuple[Path, Path]:
    """The talk's cover and its copy to embed, in the cache (made once), and the site's
    thumbnails of it (here, not all at publish)."""
    from .. import artwork
    from ..site import thumbs

    assert task.talk
    cache = session.options.cache_dir
    art = artwork.talk_artwork(task.talk, session.show, cache / "art" / f"{task.talk.video_id}.jpg")
    thumbs.prepare(art, cache)
    return art, artwork.embedded_cover(art)


def tag_episodes(session: BuildSession, task: TalkTask) -> None:
    """Tag each staged file and its alternates (ID3 or MP4: credits, topic, chapters,
    art, transcript)."""
    from .. import tags

    show, root = session.show, session.staging
    task.episodes = [
        tags.tag_episode(ep, root, feed_url=feed.home_feed_url(show, ep.kind))
        for ep in task.episodes
    ]


def publish_show(
    show: Show, out: Path, published: Path, cache_dir: Path, tasks: list[TalkTask]
) -> Show:
    """The consumer: number every talk's episodes and write the show's art, feeds and
    site into `out` (the staged show folder); `published` is the show as it is online.
    The show returned has every feed's podcast:guid pinned, for save_guids to store."""
    from .. import artwork, site

    episodes = _numbered([ep for t in tasks for ep in t.episodes])
    art = artwork.show_artwork(show, cache_dir / "art" / f"show-{show.slug}.jpg")
    copy_file(art, out / "artwork.jpg")
    feeds = feed.lineup(show, episodes, published)  # every feed, decided once
    show = pin_guids(show, feeds.paths.values())
    begun = site.start_site(show, episodes, out, feeds.retired, cache_dir)  # pagefind runs
    try:  # while the feeds are written and checked, and the pages rendered
        written = feed.write_feeds(show, episodes, out, feeds, published)
        retired_feeds = {out / "topics" / f"{slug}.xml" for slug in feeds.retired}
        xml = [p for p in written if p.suffix == ".xml"]
        _check_feeds(show, xml, out, published, retired_feeds)
        site.build_site(
            show, episodes, out, feeds.urls(show), feeds.retired, cache_dir=cache_dir,
            published=published, started=begun,
        )  # fmt: skip
    finally:
        begun.stop()
    return show


def _check_feeds(
    show: Show, feeds: list[Path], out: Path, published: Path, retired: set[Path]
) -> None:
    """Refuse to publish feeds that `publisher validate` rejects (the staged files and
    their enclosures checked, as they will be online); the first problem, named at
    its published path. A retired topic's feed may be empty (every clip it had was
    dropped): it stays at its URL for its subscribers, and no app is asked to list it.
    A feed linked from `published` (write_feeds: the same bytes) passed when published."""
    disk = feed.Disk()  # each linked file looked at once, not once per feed listing it
    online = {path: published / path.relative_to(out) for path in feeds}
    problems = [
        p
        for path in feeds
        if not (online[path].exists() and path.samefile(online[path]))
        for p in feed.validate_feed(path, out, show.base_url, disk)
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
    told: Notes,
    topic: str = "",
    links: dict[str, str] | None = None,
    place: Place | None = None,
) -> Episode:
    """Copy one rendered file into the staging tree, write its transcripts, describe it."""
    from .. import transcripts

    talk = task.talk
    assert talk and task.render
    seg = piece.segment if piece else None
    kind, guid = ("clip", seg.guid) if seg else ("full", full_guid(talk.video_id))
    rel = talk_folder(talk.video_id)
    named = (seg.file if seg else task.plan.full_file).removesuffix(".mp3")  # plan.names
    stem = named or ("full" if kind == "full" else guid)
    path = Path(f"{rel}{stem}.mp3")  # in the show folder
    staged = session.staging / path
    copy_file(src, staged)
    transcripts.write_vtt(lines, staged.with_suffix(".vtt"))
    transcripts.write_srt(lines, staged.with_suffix(".srt"))
    transcripts.write_json(lines, staged.with_suffix(".transcript.json"))
    return Episode(
        kind=kind,
        guid=guid,
        title=seg.title if seg else talk.title,
        talk=talk,
        segment=seg,
        path=path,
        duration=duration,
        size=staged.stat().st_size,
        pub_date=when,
        track=track,
        notes_html=told.html,
        notes_text=told.text,
        summary=told.summary,
        speakers=list(seg.speakers) if seg else talk.credits,
        topic=topic,
        keywords=list(seg.keywords) if seg else _talk_keywords(task),
        chapters=chaps,
        transcript=lines,
        source_url=video_at(talk.url, place.start) if place else talk.url,
        image=embed,
        cover=f"{rel}cover.jpg",
        standin=task.render.standin,
        links={"vtt": f"{rel}{stem}.vtt", "srt": f"{rel}{stem}.srt"}
        | {"json": f"{rel}{stem}.transcript.json"}
        | (links or {}),
        season=talk.year,
        alternates=_alternates(piece.alternates if piece else task.render.alternates, staged),
        place=place,
    )


def _alternates(sources: dict[str, Path], staged: Path) -> dict[str, Alternate]:
    """Copy each rendered alternate encoding beside the staged MP3 (same stem)."""
    out = {}
    for fmt, src in sources.items():
        copy_file(src, staged.with_suffix(f".{fmt}"))
        out[fmt] = Alternate(staged.with_suffix(f".{fmt}").stat().st_size)
    return out


def _notes(
    task: TalkTask,
    piece: Piece | None,
    places: dict[str, Place],
    pages: dict[str, str],
    names: dict[str, str],
) -> Notes:
    from .. import notes

    seg = piece.segment if piece else None
    return notes.make_notes(
        task.talk, task.plan, seg, places,
        standin=task.render.standin, pages=pages, topics=names,
    )  # fmt: skip


def _topic(piece: Piece, names: dict[str, str]) -> str:
    """A clip's topic, by the name every output shows; "" for an intro or outro."""
    seg = piece.segment
    return names.get(seg.topical_slug, "") if seg else ""


def _retime(lines: list[Line], render: Render) -> list[Line]:
    """Map source-time transcript lines into full-episode time, piece by piece."""
    out: list[Line] = []
    t = 0.0
    for p in render.pieces:
        for ln in lines_between(lines, p.start, p.end):
            out.append(Line(ln.start + t, ln.end + t, ln.text, ln.speaker))
        t += p.duration
    return out


def _numbered(episodes: list[Episode]) -> list[Episode]:
    """The episodes with full talks' itunes:episode numbers per season, in (date, talk)
    order. A clip has none: its number is its Place in its talk (feed/catalog says why)."""
    counters: dict[int, int] = {}
    numbers: dict[str, int] = {}
    for ep in sorted(episodes, key=lambda e: (e.pub_date, e.talk.title, e.track)):
        if ep.kind == "full":
            counters[ep.season] = numbers[ep.guid] = counters.get(ep.season, 0) + 1
    return [dataclasses.replace(ep, number=numbers.get(ep.guid, 0)) for ep in episodes]


def _talk_keywords(task: TalkTask) -> list[str]:
    seen: dict[str, None] = {}
    for seg in task.plan.segments:
        for k in seg.keywords:
            seen.setdefault(k, None)
    return list(seen)[:8]
