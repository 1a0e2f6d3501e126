"""A show of many talks for the site's scale checks, without making their audio.

The factory's two talks (episode_factory.make_episodes: real files) are copied under
new video ids, titles, tracks, topics and transcripts; every copy's files are the
originals' (same paths), which is all the site reads. Deterministic for a seed.

    episodes = many_talks(make_episodes(tmp, show), 1000)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from publisher.model import Episode, Line

WORDS = (  # noqa: SIM905 (a sentence of words, read as one)
    "memory migration guest kernel device driver virtio network storage block cache "
    "scheduler latency security isolation firmware boot interrupt timer clock page table "
    "huge pages balloon hotplug snapshot backup encryption attestation confidential "
    "compute container image registry build test fuzzing bisect release review patch "
    "maintainer community documentation tracing profiling performance regression"
).split()
TRACKS = 70  # FOSDEM-sized: about seventy tracks a year
TOPICS = 120


def many_talks(base: list[Episode], n: int, seed: int = 16) -> list[Episode]:
    """`n` talks (each a full episode and its clips) made from the talks in `base`."""
    rng = random.Random(seed)
    talks = sorted({e.talk.video_id for e in base})
    out: list[Episode] = []
    for i in range(n):
        vid = f"T{i:09d}x"[:11]
        source = [e for e in base if e.talk.video_id == talks[i % len(talks)]]
        year = 2024 + i * 3 // n
        track = f"Track {rng.randrange(TRACKS):02d} {year}"
        title = " ".join(rng.sample(WORDS, 4)).capitalize() + f" ({i})"
        talk = dataclasses.replace(
            source[0].talk,
            video_id=vid,
            title=title,
            playlist=track,
            date=dt.date(year, 1 + i % 12, 1 + i % 28),
            transcript=_lines(rng, source[0].talk.transcript),
        )
        for e in source:
            guid = e.guid.replace(e.talk.video_id, vid)
            k = rng.randrange(TOPICS)
            topic = f"{WORDS[k % len(WORDS)].capitalize()} {k}" if e.topic else ""
            seg = e.segment and dataclasses.replace(e.segment, topic=topic, guid=guid)
            out.append(
                dataclasses.replace(
                    e,
                    talk=talk,
                    guid=guid,
                    title=e.title if e.kind == "full" else f"{e.title} {i}",
                    topic=topic,
                    segment=seg,
                    pub_date=e.pub_date.replace(
                        year=year, month=talk.date.month, day=talk.date.day
                    ),
                    transcript=_lines(rng, e.transcript),
                    cover=e.cover,
                )
            )
    return out


def _lines(rng: random.Random, lines: list[Line]) -> list[Line]:
    """The same timings with new words, about 2.5 words a second, as captions run."""
    return [
        dataclasses.replace(
            ln, text=" ".join(rng.choices(WORDS, k=max(3, int(2.5 * (ln.end - ln.start)))))
        )
        for ln in lines
    ]
