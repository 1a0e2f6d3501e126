"""Feed sizes at scale (issue 16): every feed of a show of N synthetic talks.

    .venv/bin/python benchmarks/feeds.py [--talks 1000] [--clips 8] [--tracks 10]
        [--years 1] [--out DIR]

Builds N talks of --clips question clips each (8,000 clips at 1,000 talks) as
Episode objects without audio (sizes and durations made up), spread over --tracks
tracks (playlists) and --years years, with show notes shaped like the real ones
(summary, chapter list with links, speakers, video link: 2.5-4 KB per item, as the
issue measured), and renders every feed of the lineup and both OPMLs the way a
build does (publisher.feed). Prints each feed's items, bytes and gzip bytes (what
`publisher serve` and a gzip-serving host send), flags any over BUDGET, and the
render time. Nothing is written unless --out is given.

benchmarks/year.py can call `sizes(folder)` on a built show folder for the same
table of the feeds it published.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from episode_factory import make_show  # noqa: E402

from publisher.feed import lineup, write_feeds  # noqa: E402
from publisher.model import (  # noqa: E402
    Chapter,
    Credit,
    Episode,
    Segment,
    Talk,
    clip_page,
    full_guid,
    places,
    talk_folder,
)

BUDGET = 1_000_000  # bytes per feed (issue 16)
TOPICS = [f"Topic {c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWX"]  # 24 topics
PEOPLE = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds", "Margaret Hamilton", "Ken Thompson"]
BASE = "https://podcasts.example.org/fosdem/"


def _notes(talk: Talk, lines: list[str], speakers: list[Credit]) -> str:
    who = "".join(
        f"<li>{c.name} ({c.role.title()}) — Engineer, Example Corp</li>" for c in speakers
    )
    return (
        f"<p>{talk.description}</p><p>{talk.title}, {talk.playlist}, {talk.date:%d %B %Y}.</p>"
        f"<p>Chapters:</p><ul>{''.join(lines)}</ul><p>Speakers:</p><ul>{who}</ul>"
        f'<p>Watch the original video: <a href="{talk.url}">{talk.url}</a></p>'
    )


def talk_episodes(n: int, clips: int, tracks: int, years: int, rng: random.Random) -> list[Episode]:
    """One talk's full episode and its `clips` question clips, as a build makes them."""
    vid = f"{n:011d}"
    year = 2024 - n % years
    playlist = f"Bench Forum {year} track {n % tracks + 1}"
    date = dt.date(year, 2, 1) + dt.timedelta(days=n // (tracks * years) % 300)
    talk = Talk(
        source=Path(f"seeds/{vid}.txt"),
        title=f"Talk number {n}: how we made things faster",
        date=date,
        playlist=playlist,
        description="A panel on the block layer and live migration, and what surprised them.",
        speakers=[],
        moderator=None,
        cues=[],
        transcript=[],
        url=f"https://www.youtube.com/watch?v={vid}",
        video_id=vid,
    )
    people = [Credit(name, "panelist", "Example Corp") for name in rng.sample(PEOPLE, 3)]
    step = 90.0
    segs = [
        Segment(
            10 + i * step,
            10 + (i + 1) * step,
            "question",
            f"Question {i + 1}: where is {rng.choice(TOPICS).lower()} going next year?",
            rng.choice(TOPICS),
            [],
            people,
            f"{full_guid(vid)}-{10 + int(i * step):05d}",
            summary="The panel answers a question from the audience.",
        )
        for i in range(clips)
    ]
    end = 10 + clips * step
    spots = places([(s, s.start, s.duration) for s in segs], end)
    noon = dt.datetime.combine(date, dt.time(12), dt.UTC)
    folder = talk_folder(vid)
    page = f"{folder}index.html"

    def episode(kind, guid, title, seg, seconds, when, number, notes) -> Episode:
        stem = f"{folder}{guid}"
        links = {k: f"{stem}.{k}" for k in ("vtt", "srt", "json")} | {
            "chapters": f"{stem}.chapters.json"
        }
        return Episode(
            kind=kind,
            guid=guid,
            title=title,
            talk=talk,
            segment=seg,
            path=Path(f"{stem}.mp3"),
            duration=seconds,
            size=int(seconds * 8000),
            pub_date=when,
            track=number,
            notes_html=notes,
            notes_text="",
            summary="",
            speakers=people,
            topic=seg.topic if seg else "",
            keywords=[],
            chapters=[Chapter(s.start, s.end, s.title) for s in segs] if seg is None else [],
            transcript=[],
            source_url=talk.url,
            cover=f"{folder}cover.jpg",
            links=links,
            place=spots[guid] if seg else None,
        )

    chapters = [
        f'<li>{spots[s.guid].start // 60:02d}:00 <a href="{BASE}{page}#{s.guid}">{s.title}</a></li>'
        for s in segs
    ]
    full = episode(
        "full", full_guid(vid), talk.title, None, end, noon, 1, _notes(talk, chapters, people)
    )
    out = [full]
    for i, s in enumerate(segs, 1):
        href = BASE + clip_page(vid, s.guid)
        at = f'<li>At {spots[s.guid].start // 60:02d}:00 of <a href="{href}">{talk.title}</a></li>'
        when = noon + dt.timedelta(seconds=s.start)
        out.append(
            episode("clip", s.guid, s.title, s, s.duration, when, i, _notes(talk, [at], people))
        )
    return out


def synthetic(talks: int, clips: int, tracks: int, years: int) -> list[Episode]:
    rng = random.Random(16)
    return [e for n in range(talks) for e in talk_episodes(n, clips, tracks, years, rng)]


def sizes(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Each feed and OPML in a published show folder: relpath -> (items, bytes, gzip bytes)."""
    out = {}
    for path in sorted([*folder.rglob("*.xml"), *folder.glob("*.opml")]):
        data = path.read_bytes()
        items = data.count(b"<item>") or data.count(b"<outline ")
        out[path.relative_to(folder).as_posix()] = (items, len(data), len(gzip.compress(data, 6)))
    return out


def report(table: dict[str, tuple[int, int, int]], every: bool = False) -> list[str]:
    """The lines to print, biggest first (all if `every`, else the 12 biggest)."""
    rows = sorted(table.items(), key=lambda kv: -kv[1][1])
    shown = rows if every else rows[:12]
    lines = [f"{'feed':40} {'items':>6} {'bytes':>10} {'gzip':>9}"]
    for rel, (items, size, gz) in shown:
        flag = "  over budget" if size > BUDGET else ""
        lines.append(f"{rel:40} {items:6d} {size:10,d} {gz:9,d}{flag}")
    if len(rows) > len(shown):
        lines.append(f"... and {len(rows) - len(shown)} smaller feeds")
    over = [rel for rel, (_, size, _) in rows if size > BUDGET]
    lines.append(
        f"{len(rows)} files, largest {rows[0][1][1]:,d} bytes; over {BUDGET:,d}: {len(over)}"
    )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--talks", type=int, default=1000)
    ap.add_argument("--clips", type=int, default=8, help="question clips per talk")
    ap.add_argument("--tracks", type=int, default=10)
    ap.add_argument("--years", type=int, default=1)
    ap.add_argument("--out", type=Path, help="write the feeds here (default: a temp folder)")
    ap.add_argument("--all", action="store_true", help="print every feed, not the 12 biggest")
    args = ap.parse_args()
    episodes = synthetic(args.talks, args.clips, args.tracks, args.years)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        s = make_show(Path(tmp), base_url=BASE)  # the tests' show, its Show fields only
        start = time.perf_counter()
        feeds = lineup(s, episodes)
        write_feeds(s, episodes, out, feeds)
        took = time.perf_counter() - start
        print(
            f"{args.talks} talks, {len(episodes) - args.talks} clips, {args.tracks} tracks, "
            f"{args.years} year(s): {len(feeds.specs)} feeds rendered in {took:.1f} s"
        )
        print("\n".join(report(sizes(out), args.all)))


if __name__ == "__main__":
    main()
