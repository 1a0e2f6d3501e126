"""Scale benchmark (issue 7): a year of short talks through `publisher build`.

    .venv/bin/python benchmarks/year.py [--talks 100] [--dir /tmp/publisher-year]
        [--jobs J] [--keep] [--quick]

Generates --talks short synthetic seeds (deterministic: seeded random): distinct
titles and video ids, dates in one year, 1-2 speakers, 60-120 s of YouTube-style
captions; most are panels where a moderator asks 2-4 questions, so the planner
makes several clips per talk. Writes a show file for them (guid pinned), then
runs the CLI as a child process,

    .venv/bin/python -m publisher build --standin-audio --out DIR/public
        --cache-dir DIR/cache SHOW.toml [--jobs J]

and times
  1. the cold build (stand-in speech, plans, audio, tags, feeds, site): wall
     time and the process tree's peak memory (sampled every 20 ms; which
     processes held it at the peak);
  2. a no-op rebuild: wall time and encodes (target < 5 s for 100 talks, 0 encodes);
  3. unless --quick, the same cold build of the first N/4 and N/2 talks: seconds
     per talk at each size, and the per-talk cost at N over that at N/4 (flagged
     above 1.5x: the cost must grow linearly with the number of talks), and the
     seconds each added talk costs from one size to the next (start-up cancels out).
Each size builds in its own folder DIR/<n>-talks/ (seeds, show file, public,
cache), removed at the end unless --keep; a failed build leaves it for a look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _measure import Measured, run_measured

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
YEAR = 2024
WORDS_PER_SECOND = 2.8  # caption speech rate (espeak-ng speaks 175 wpm)
PAUSE = 1.2  # seconds between turns, on average
LINEAR_LIMIT = 1.5  # per-talk cost at N over N/4 above this: not linear
NOOP_TARGET = 5.0  # seconds, for 100 talks
SUMMARY = re.compile(r"(\d+) episodes in ([\d.]+) s, (\d+) encodes")
ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

# --- vocabulary ----------------------------------------------------------------

AREAS = {
    "Live Migration": "dirty page tracking|post copy|the migration stream|multifd channels|"
    "downtime limits|memory convergence|auto converge|the dirty ring",
    "Storage": "the block layer|io uring|virtio block|qcow2 images|disk snapshots|"
    "write caching|thin provisioning|backing chains",
    "Networking": "vhost user|packet queues|offload features|virtio net|the tap device|"
    "receive side scaling|flow steering|busy polling",
    "Confidential Computing": "memory encryption|remote attestation|secure boot|"
    "measured launch|the guest firmware|encrypted state|key brokers|trusted execution",
    "Device Passthrough": "interrupt remapping|the iommu|vfio|mediated devices|"
    "peer to peer transfers|device reset|hot plug|address translation",
    "Testing": "continuous integration|fuzzing|flaky tests|code coverage|bisecting|"
    "test images|acceptance tests|nightly runs",
    "Rust": "safe bindings|memory safety|the borrow checker|crates|unsafe blocks|"
    "device models|build tooling|ownership rules",
    "Scheduling": "vcpu pinning|halt polling|cpu frequency|numa placement|"
    "realtime guests|lock holder preemption|steal time|core scheduling",
    "Observability": "tracing|performance counters|flame graphs|event logs|"
    "metrics export|latency histograms|guest dumps|debug symbols",
    "Community": "code review|mentoring|the mailing list|release notes|documentation|"
    "maintainer handover|patch backlogs|newcomer bugs",
    "Memory": "huge pages|memory ballooning|page sharing|swap in guests|"
    "memory hot plug|virtio mem|overcommit|page faults",
    "Firmware": "uefi variables|acpi tables|the boot loader|direct kernel boot|"
    "firmware updates|option roms|boot order|the initial ram disk",
}
AREAS = {name: terms.split("|") for name, terms in AREAS.items()}
TITLES = [
    "{a} in Practice",
    "Faster {a} with {T}",
    "What's New in {a}",
    "{a}: Lessons from Production",
    "A Tour of {T}",
    "{a} Maintainers Panel",
    "Taming {T}",
    "{T} Without Tears",
    "The State of {a}",
    "Rethinking {T}",
    "{a} Q&A",
    "Debugging {T}",
]
FIRST = (
    "Lena Marcus Priya Tomás Dana Aiko Omar Ingrid Kwame Sofia Ravi Elena Jonas Mei "
    "Hugo Fatima Nikolai Chloe Tariq Greta Mateo Yusuf Hanna Diego Amara Linus"
)
LAST = (
    "Okafor Oyelaran Raman Ferreira Whitfield Tanaka Haddad Lindqvist Mensah Rossi "
    "Iyer Petrova Berg Chen Laurent Rahman Volkov Dubois Aziz Schmidt Alvarez Demir"
)
JOBS = "Software Engineer|Principal Engineer|Kernel Developer|Maintainer|Team Lead|Architect"
ORGS = "Northwind Cloud|Helios Systems|Fjordline Labs|Brightfield Systems|Corvid Data|Tessel"
EVENTS = ["Virt Dev Days", "Open Infra Summit", "Systems Summit"]
VERBS = "profile|rewrite|measure|simplify|automate|document|review|split up|rework|test"
RESULTS = (
    "paid off quickly|halved our latency|found dozens of bugs|saved a lot of memory|"
    "made upgrades boring|surprised everybody|took much longer than planned"
)
PROBLEMS = "gets slow|breaks in odd ways|hides timing bugs|wastes memory|is hard to debug"
WHEN = (
    "the guest is busy|the host is overcommitted|disks are slow|you scale past a few hundred "
    "machines|nobody watches the logs|a release is close"
)
ANSWERS = [
    "for us the hardest part is {t} because it {p} when {w}",
    "we spent most of last year on {t} and it {r}",
    "the trick is to {v} {t} before you touch {u}",
    "honestly {t} still {p} when {w}",
    "what helped a lot was {t} together with {u}",
    "we now {v} {t} on every release and that {r}",
    "I think the community should {v} {t} much earlier",
    "in production {t} {p} only after hours of load",
    "one thing people miss is that {t} depends on {u}",
    "our team tried to {v} {u} and it {r}",
]
QUESTIONS = [
    "how do you {v} {t} before it lands upstream",
    "what is the biggest problem you see with {t} today",
    "where do you see {t} going in the next few years",
    "how should new contributors get started with {t}",
    "why is {t} still so hard when {w}",
    "what would you change about {t} if you could start again",
]
ASKS = [
    "so my first question is {q}",
    "thanks next question {q}",
    "great let's take a question from the audience yes you in the back|hi my question is {q}",
    "okay let's move on to a different topic {q}",
    "we have a few minutes left so one last question {q}",
]


@dataclass
class Seed:
    name: str  # file name
    text: str
    panel: bool
    seconds: float  # caption length


class Generator:
    """Deterministic synthetic talks: the same --talks always gives the same seeds."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.titles: set[str] = set()
        names = [f"{f} {last}" for f in FIRST.split() for last in LAST.split()]
        self.rng.shuffle(names)
        pick = self.rng.choice
        self.people = {  # recurring speakers keep one profile
            n: (pick(JOBS.split("|")), pick(ORGS.split("|"))) for n in names[:60]
        }

    def fill(self, template: str, terms: list[str], **extra: str) -> str:
        """A template with two distinct terms of the area and random phrases."""
        t, u = self.rng.sample(terms, 2)
        words = {"t": t, "u": u, **extra}
        for key, pool in (("v", VERBS), ("r", RESULTS), ("p", PROBLEMS), ("w", WHEN)):
            words[key] = self.rng.choice(pool.split("|"))
        return template.format(**words)

    def video_id(self) -> str:
        while (vid := "".join(self.rng.choices(ID_CHARS, k=11))) in self.ids:
            pass
        self.ids.add(vid)
        return vid

    def title(self, area: str, terms: list[str]) -> str:
        for attempt in range(100):
            t = self.rng.choice(TITLES).format(a=area, T=self.rng.choice(terms).title())
            t = t[0].upper() + t[1:] + (f" (Part {attempt + 1})" if attempt >= 20 else "")
            if t not in self.titles:
                self.titles.add(t)
                return t
        raise RuntimeError("ran out of distinct titles")

    def talk(self, index: int) -> Seed:
        rng = self.rng
        date = dt.date(YEAR, 1, 1) + dt.timedelta(rng.randrange(365))
        area = rng.choice(list(AREAS))
        terms = AREAS[area]
        title, vid = self.title(area, terms), self.video_id()
        panel = index % 4 != 3  # three panels, then a talk
        people = rng.sample(list(self.people), 3)
        speakers = people[: rng.choice((1, 2))]
        seconds = rng.uniform(60, 120)  # of captions
        if panel:
            mod = people[2]
            credits = f"Discussion of {' and '.join(speakers)} moderated by {mod}"
            turns = self.panel(mod, speakers, area, terms, seconds)
        else:
            mod = None
            credits = f"Presented by {speakers[0]}"
            turns = self.solo(speakers[0], area, terms, seconds)
        captions, seconds = self.captions(turns)
        blocks = [self.person(n, area) for n in [*speakers, *([mod] if mod else [])]]
        url = f"https://youtu.be/{vid}" if index % 2 else f"https://www.youtube.com/watch?v={vid}"
        event = EVENTS[(date.month - 1) // 4]
        kind = "panel" if panel else "talk"
        about = self.fill("A {kind} on {t} and {u}, and how they {r}.", terms, kind=kind)
        text = (
            f"Title: {title}\nPublication date: {date.isoformat()}\nPlaylist: {event} {YEAR}\n"
            f"Description: \n\t{about}\n\n{credits}\n\n---\n\n"
            + "\n\n".join(blocks)
            + f"\nCaptions: \n\t{captions}\n\nYouTube URL: {url}\n"
        )
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
        return Seed(f"{index + 1:03d}-{slug}.txt", text, panel, seconds)

    def person(self, name: str, area: str) -> str:
        job, org = self.people[name]
        return f"{name}\n{job}\n{org}\n\n{name.split()[0]} works on {area.lower()} at {org}."

    def answer(self, terms: list[str], words: float) -> str:
        """Sentences about the area's terms, about `words` long (at least one)."""
        said: list[str] = []
        while not said or sum(len(s.split()) for s in said) < words - 5:
            said.append(self.fill(self.rng.choice(ANSWERS), terms))
        return " ".join(said)

    def fit(self, turns: list[tuple[str, str | None]], terms: list[str], seconds: float):
        """Fill the answer turns (None) so that the captions last about `seconds`."""
        fixed = sum(len(text.split()) for _, text in turns if text)
        room = (seconds - 10 - PAUSE * len(turns)) * WORDS_PER_SECOND - fixed
        per_answer = max(8, room / sum(text is None for _, text in turns))
        return [(who, text or self.answer(terms, per_answer)) for who, text in turns]

    def panel(self, mod: str, speakers: list[str], area: str, terms, seconds: float):
        """(speaker, text) turns: welcome, 2-4 questions each answered, thanks."""
        first = [s.split()[0] for s in speakers]
        welcome = (
            f"okay welcome everyone and thanks for coming I'm {mod.split()[0]} and with me "
            f"{'is' if len(first) == 1 else 'are'} {' and '.join(first)} to talk about "
            f"{area.lower()} so let's get right into it"
        )
        turns: list[tuple[str, str | None]] = [(mod, welcome)]
        questions = self.rng.randint(2, 4)
        for ask in [ASKS[0], *self.rng.sample(ASKS[1:], questions - 1)]:
            question = self.fill(self.rng.choice(QUESTIONS), terms)
            *intro, q = ask.split("|")
            turns += [(mod, i) for i in intro]
            turns.append((mod if not intro else "audience", q.format(q=question)))
            turns += [(s, None) for s in self.rng.sample(speakers, len(speakers))]
        closing = "okay that's all we have time for thank you to our panelists and thank you all"
        return self.fit([*turns, (mod, closing)], terms, seconds)

    def solo(self, speaker: str, area: str, terms, seconds: float):
        name = speaker.split()[0]
        hello = f"hi everyone I'm {name} and today I want to talk about {area.lower()}"
        turns = [(speaker, hello), (speaker, None), (speaker, "that's it for me thank you")]
        return [(speaker, " ".join(text for _, text in self.fit(turns, terms, seconds)))]

    def captions(self, turns: list[tuple[str, str]]) -> tuple[str, float]:
        """YouTube auto-caption style: no punctuation, each cue ending two
        cues later, [Music] first, [Applause] and an empty cue last."""
        starts, texts = [0.0], ["[Music]"]
        at = 4.0 + self.rng.uniform(0, 1.5)
        for _, text in turns:
            words = text.split()
            while words:
                n = self.rng.randint(5, 8)
                chunk, words = words[:n], words[n:]
                starts.append(at)
                texts.append(" ".join(chunk))
                at += len(chunk) / WORDS_PER_SECOND
            at += self.rng.uniform(0.5, 2 * PAUSE - 0.5)  # the next speaker takes the floor
        starts += [at, at + 2.3]
        texts += ["[Applause]", ""]
        end = at + 4.5
        ends = [*starts[2:], end, end]
        cues = [
            f"{stamp(s)} --> {stamp(e)}\n{t}\n" for s, e, t in zip(starts, ends, texts, strict=True)
        ]
        return "\n".join(cues), end


def stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def make_seeds(count: int) -> list[Seed]:
    gen = Generator()
    return [gen.talk(i) for i in range(count)]


# --- the show and the builds ---------------------------------------------------

SHOW = """\
# Benchmark show: a year of synthetic talks (benchmarks/year.py).
[show]
title = "A Year of Talks"
description = "Synthetic talks and panels, one year of them, for the scale benchmark."
author = "Publisher benchmarks"
owner_name = "Publisher benchmarks"
owner_email = "bench@example.org"
language = "en"
category = "Technology"
base_url = "http://localhost:8000/year/"
seeds = ["seeds/*.txt"]
guid = "5f0c3f0e-6f4b-5b8a-9d0e-7a1b2c3d4e5f"

[audio]
bitrate = "64k"
channels = 1
"""


@dataclass
class Run:
    what: str
    talks: int
    measured: Measured
    episodes: int
    encodes: int

    @property
    def per_talk(self) -> float:
        return self.measured.wall / self.talks


def prepare(folder: Path, seeds: list[Seed]) -> Path:
    """A fresh folder with the seeds and the show file; returns the show file."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "seeds").mkdir(parents=True)
    for seed in seeds:
        (folder / "seeds" / seed.name).write_text(seed.text, encoding="utf-8")
    show = folder / "year.toml"
    show.write_text(SHOW, encoding="utf-8")
    return show


def build(show: Path, talks: int, what: str, jobs: int | None) -> Run:
    """`publisher build` of the show as a child process, timed and measured."""
    folder = show.parent
    cmd = [str(PYTHON if PYTHON.exists() else sys.executable), "-m", "publisher", "build"]
    cmd += ["--standin-audio", "--out", str(folder / "public")]
    cmd += ["--cache-dir", str(folder / "cache"), str(show)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    run = run_measured(cmd, cwd=ROOT, stderr=subprocess.PIPE)
    summary = SUMMARY.search(run.stdout)
    if run.returncode or not summary:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        sys.exit(f"{what} of {talks} talks failed (exit {run.returncode}):\n{tail}")
    episodes, _, encodes = summary.groups()
    result = Run(what, talks, run, int(episodes), int(encodes))
    print(
        f"{what:<14} {talks:4d} talks: {run.wall:7.1f} s ({result.per_talk:.2f} s/talk), "
        f"{episodes} episodes, {encodes} encodes, peak RSS {run.rss_mb:.0f} MB",
        flush=True,
    )
    return result


def cold(root: Path, seeds: list[Seed], jobs: int | None) -> tuple[Path, Run]:
    show = prepare(root / f"{len(seeds)}-talks", seeds)
    return show, build(show, len(seeds), "cold build", jobs)


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def table(runs: list[Run]) -> None:
    print(f"\n{'run':<14} {'talks':>5} {'episodes':>8} {'wall s':>8} {'s/talk':>7}", end="")
    print(f" {'encodes':>7} {'RSS MB':>7} {'PSS MB':>7}")
    for r in runs:
        m = r.measured
        print(
            f"{r.what:<14} {r.talks:5d} {r.episodes:8d} {m.wall:8.1f} {r.per_talk:7.2f} "
            f"{r.encodes:7d} {m.rss_mb:7.0f} {m.pss_mb:7.0f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--talks", type=int, default=100, help="talks in the year (default 100)")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/publisher-year"), help="work folder")
    ap.add_argument("--jobs", type=int, help="passed to publisher build --jobs")
    ap.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    ap.add_argument("--quick", action="store_true", help="skip the scaling runs")
    args = ap.parse_args()
    if args.talks < 1:
        ap.error("--talks must be at least 1")
    seeds = make_seeds(args.talks)
    minutes = sum(s.seconds for s in seeds) / 60
    panels = sum(s.panel for s in seeds)
    load = os.getloadavg()[0]
    print(
        f"{args.talks} talks ({panels} panels), {minutes:.1f} min of captions; "
        f"jobs {args.jobs or 'default'}; load average {load:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    show, full = cold(args.dir, seeds, args.jobs)
    public = show.parent / "public"
    clips = len(list(public.glob("*/episodes/*/*.mp3"))) - args.talks
    out_mb, cache_mb = size_mb(public), size_mb(show.parent / "cache")
    print(f"  at peak memory: {full.measured.peak_summary()}", flush=True)
    noop = build(show, args.talks, "no-op rebuild", args.jobs)
    runs = [full, noop]
    sizes = sorted({max(1, args.talks // 4), max(1, args.talks // 2)} - {args.talks})
    for n in [] if args.quick else sizes:
        runs.append(cold(args.dir, seeds[:n], args.jobs)[1])
    table(runs)
    print(
        f"\ncold build: {full.measured.wall:.1f} s for {minutes:.1f} min of talks "
        f"({minutes * 60 / full.measured.wall:.1f}x real time), {clips} clips; "
        f"output {out_mb:.0f} MB, cache {cache_mb:.0f} MB"
    )
    slow = noop.measured.wall > NOOP_TARGET or noop.encodes
    print(
        f"no-op rebuild: {noop.measured.wall:.2f} s, {noop.encodes} encodes "
        f"(target < {NOOP_TARGET:g} s for 100 talks, 0 encodes) -> {'SLOW' if slow else 'OK'}"
    )
    if len(runs) > 2:
        small = runs[2]
        ratio = full.per_talk / small.per_talk
        verdict = "NOT LINEAR" if ratio > LINEAR_LIMIT else "OK"
        print(
            f"per-talk cost at {args.talks} vs {small.talks} talks: {ratio:.2f}x "
            f"(flagged above {LINEAR_LIMIT}x) -> {verdict}"
        )
        steps = sorted([full, *runs[2:]], key=lambda r: r.talks)  # start-up cost cancels out
        added = [
            f"{a.talks}->{b.talks}: {(b.measured.wall - a.measured.wall) / (b.talks - a.talks):.2f}"
            for a, b in itertools.pairwise(steps)
        ]
        print(f"seconds per added talk: {', '.join(added)}")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    if not args.keep:
        for n in {args.talks, *sizes}:
            shutil.rmtree(args.dir / f"{n}-talks", ignore_errors=True)
        if args.dir.is_dir() and not any(args.dir.iterdir()):
            args.dir.rmdir()


if __name__ == "__main__":
    main()
