"""Scale benchmark (issues 7 and 16): a year of talks through `publisher build`.

    .venv/bin/python benchmarks/year.py [--talks 100] [--dir /tmp/publisher-year]
        [--jobs J] [--keep] [--quick] [--sizes 100,500] [--clips 5] [--tracks] [--share N]
        [--dask]

    e.g. the FOSDEM-sized run: --talks 1000 --clips 5 --tracks [--share 48]

Generates --talks synthetic seeds (deterministic: seeded random): distinct titles
and video ids, dates in one year, 1-2 speakers, YouTube-style captions. By default
60-120 s talks, most of them panels where a moderator asks 2-4 questions, which the
planner cuts into clips. With --clips K: short talks (about 20 s of captions, so
stand-in speech and encodes stay cheap) each with a plan file of K question clips;
with --tracks: one playlist (track) per area, 12 tracks; with --share N (a quick mode):
the talks take their captions from N shared transcripts (N/12 per area), so the
content-keyed stand-in and render caches hold the audio of about N talks, and the
rest only tag, record and publish (titles, people, plans and video ids stay
distinct). Writes a show file (guid pinned), copies the package (DIR/code: others
editing the working tree meanwhile must not change the code's identity between
builds) and runs, as a child process,

    benchmarks/_year_build.py build --standin-audio --out DIR/public
        --cache-dir DIR/cache SHOW.toml [--jobs J]

(`publisher build` with its publish step timed), and prints
  1. unless --quick, cold builds of the first N/10 and N/2 talks (N/4 and N/2
     under 100 talks, or --sizes), then the cold build of all N: wall time, seconds
     per talk, the publish step (feeds + site + search), and the process tree's peak
     RSS (sampled every 20 ms; which processes held it at the peak);
  2. a no-op rebuild (target <= 5 s, 0 encodes);
  3. with --dask, the same cold build through --scheduler on a distributed
     LocalCluster of 2 worker processes sharing this machine's folders, and whether
     every published file has the bytes of the local build's;
  4. every feed and OPML file found in the output and its size (<= 1 MB each), the
     home page's size (<= 100 KB), and the bytes one search transfers
     (publisher.site.search_bytes, <= 300 KB);
  5. one new talk added: wall time and publish step (<= 10 s plus its audio), and
     which files the build added, removed, changed or rewrote with the same bytes
     (by inode, mtime and sha256): only its own files and the feeds and pages that
     list it should change;
  6. the per-talk cost at N over the smallest size (target <= 1.2x), and the
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
from _year_output import changes, digests, print_changes, report, snapshot

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
YEAR = 2024
WORDS_PER_SECOND = 2.8  # caption speech rate (espeak-ng speaks 175 wpm)
PAUSE = 1.2  # seconds between turns, on average
LINEAR_LIMIT = 1.2  # per-talk cost at N over the smallest size above this: not flat
NOOP_TARGET = 5.0  # seconds, a no-op rebuild (of 1,000 talks)
ADD_TARGET = 10.0  # seconds, adding one talk, plus its own audio
PUBLISH_TARGET = 30.0  # seconds, the publish step (feeds + site + search)
SUMMARY = re.compile(r"(\d+) episodes in ([\d.]+) s, (\d+) encodes")
PUBLISH = re.compile(r"^publish step: (.*)$", re.M)
CHILD_ENV = dict(os.environ)  # the builds' environment (PYTHONPATH: a frozen copy of the code)
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
    plan: str = ""  # a plan file written beside the seed ("": the planner makes one)


class Generator:
    """Deterministic synthetic talks: the same --talks always gives the same seeds.
    With `clips`, each talk is a short presentation (about 20 s of captions) with a
    plan file of that many question clips, so stand-in speech and per-talk work stay
    small; with `tracks`, each talk's playlist is its area's track (12 tracks)."""

    def __init__(self, seed: int = 7, clips: int = 0, tracks: bool = False, share: int = 0):
        self.rng = random.Random(seed)
        self.clips, self.tracks, self.share = clips, tracks, share
        self.shared: dict[tuple[str, int], tuple[str, float]] = {}  # (area, k): captions
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
        panel = index % 4 != 3 and not self.clips  # three panels, then a talk
        people = rng.sample(list(self.people), 3)
        speakers = people[: rng.choice((1, 2))]
        seconds = rng.uniform(60, 120) if not self.clips else 0  # of captions
        if panel:
            mod = people[2]
            credits = f"Discussion of {' and '.join(speakers)} moderated by {mod}"
            turns = self.panel(mod, speakers, area, terms, seconds)
        else:
            mod = None
            credits = f"Presented by {speakers[0]}"
            turns = self.solo(speakers[0], area, terms, seconds)
        captions, seconds = self.captions(turns)
        if self.share:  # the talk says what an earlier one of its area said
            captions, seconds = self.shared.setdefault(
                (area, index % max(1, self.share // len(AREAS))), (captions, seconds)
            )
        blocks = [self.person(n, area) for n in [*speakers, *([mod] if mod else [])]]
        url = f"https://youtu.be/{vid}" if index % 2 else f"https://www.youtube.com/watch?v={vid}"
        event = f"{area} Track" if self.tracks else EVENTS[(date.month - 1) // 4]
        kind = "panel" if panel else "talk"
        about = self.fill("A {kind} on {t} and {u}, and how they {r}.", terms, kind=kind)
        text = (
            f"Title: {title}\nPublication date: {date.isoformat()}\nPlaylist: {event} {YEAR}\n"
            f"Description: \n\t{about}\n\n{credits}\n\n---\n\n"
            + "\n\n".join(blocks)
            + f"\nCaptions: \n\t{captions}\n\nYouTube URL: {url}\n"
        )
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
        plan = self.plan(vid, area, terms, [*speakers, *([mod] if mod else [])], seconds)
        return Seed(f"{index + 1:04d}-{slug}.txt", text, panel, seconds, plan)

    def plan(self, vid: str, area: str, terms: list[str], people: list[str], seconds: float):
        """A plan file of self.clips question clips splitting the talk evenly ("" if none)."""
        if not self.clips:
            return ""
        step = (seconds - 1) / self.clips
        credits = ", ".join(f'"{n} (presenter)"' for n in people)
        clips = [
            f'[[clip]]\nstart = {i * step:.1f}\nend = {(i + 1) * step:.1f}\nkind = "question"\n'
            f'title = "{self.fill(self.rng.choice(QUESTIONS), terms).capitalize()}?"\n'
            f'topic = "{area}"\nspeakers = [{credits}]\n'
            for i in range(self.clips)
        ]
        return f'video_id = "{vid}"\n\n' + "\n".join(clips)

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
        if self.clips:  # as short as a talk with a few clips can be
            return [(speaker, f"{hello} {self.answer(terms, 12)} thank you")]
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


def make_seeds(count: int, clips: int = 0, tracks: bool = False, share: int = 0) -> list[Seed]:
    gen = Generator(clips=clips, tracks=tracks, share=share)
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
    publish: str  # the publish step's line ("12.3 s (records ..., feeds ..., site ...)")

    @property
    def per_talk(self) -> float:
        return self.measured.wall / self.talks

    @property
    def publish_s(self) -> float:
        return float(self.publish.split()[0]) if self.publish else 0.0


def prepare(folder: Path, seeds: list[Seed]) -> Path:
    """A fresh folder with the seeds and the show file; returns the show file."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "seeds").mkdir(parents=True)
    for seed in seeds:
        write_seed(folder, seed)
    show = folder / "year.toml"
    show.write_text(SHOW, encoding="utf-8")
    return show


def write_seed(folder: Path, seed: Seed) -> None:
    (folder / "seeds" / seed.name).write_text(seed.text, encoding="utf-8")
    if seed.plan:
        plan = (folder / "seeds" / seed.name).with_suffix(".plan.toml")
        plan.write_text(seed.plan, encoding="utf-8")


def build(show: Path, talks: int, what: str, jobs: int | None, scheduler: str = "") -> Run:
    """`publisher build` of the show as a child process (benchmarks/_year_build.py,
    which times the publish step), timed and measured."""
    folder = show.parent
    python = str(PYTHON if PYTHON.exists() else sys.executable)
    cmd = [python, str(ROOT / "benchmarks" / "_year_build.py"), "build"]
    cmd += ["--standin-audio", "--out", str(folder / "public")]
    cmd += ["--cache-dir", str(folder / "cache"), str(show)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    cmd += ["--scheduler", scheduler] if scheduler else []
    run = run_measured(cmd, cwd=ROOT, stderr=subprocess.PIPE, env=CHILD_ENV)
    summary = SUMMARY.search(run.stdout)
    if run.returncode or not summary:
        tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
        sys.exit(f"{what} of {talks} talks failed (exit {run.returncode}):\n{tail}")
    episodes, _, encodes = summary.groups()
    publish = m.group(1) if (m := PUBLISH.search(run.stdout)) else ""
    result = Run(what, talks, run, int(episodes), int(encodes), publish)
    print(
        f"{what:<14} {talks:4d} talks: {run.wall:7.1f} s ({result.per_talk:.2f} s/talk), "
        f"{episodes} episodes, {encodes} encodes, peak RSS {run.rss_mb:.0f} MB; "
        f"publish step {publish}",
        flush=True,
    )
    return result


def cold(root: Path, seeds: list[Seed], jobs: int | None, scheduler: str = "") -> tuple[Path, Run]:
    show = prepare(root / f"{len(seeds)}-talks{'-dask' if scheduler else ''}", seeds)
    return show, build(show, len(seeds), "cold build", jobs, scheduler)


def freeze_code(root: Path) -> None:
    """Build with a copy of the package taken now: others editing the working tree
    meanwhile would change the code's identity, and every talk would be rebuilt."""
    code = root / "code"
    shutil.rmtree(code, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "publisher", code / "publisher", ignore=ignore)
    CHILD_ENV["PYTHONPATH"] = str(code)


def show_dir(show: Path) -> Path:
    """The built show's folder: public/<slug>/ (the show file is named for the slug)."""
    return show.parent / "public" / show.stem


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def table(runs: list[Run]) -> None:
    print(f"\n{'run':<14} {'talks':>5} {'episodes':>8} {'wall s':>8} {'s/talk':>7}", end="")
    print(f" {'encodes':>7} {'RSS MB':>7} {'PSS MB':>7} {'publish s':>9}")
    for r in runs:
        m = r.measured
        print(
            f"{r.what:<14} {r.talks:5d} {r.episodes:8d} {m.wall:8.1f} {r.per_talk:7.2f} "
            f"{r.encodes:7d} {m.rss_mb:7.0f} {m.pss_mb:7.0f} {r.publish_s:9.2f}"
        )


def add_one(show: Path, new: Seed, talks: int, jobs: int | None) -> Run:
    """Add one talk to the built show and rebuild: what was rewritten."""
    public = show_dir(show)
    before = snapshot(public)
    write_seed(show.parent, new)
    run = build(show, talks + 1, "add one talk", jobs)
    after = snapshot(public)
    added = [f for f in after.keys() - before.keys() if f.startswith("episodes/")]
    folder = "/".join(added[0].split("/")[:2]) + "/" if added else "episodes/?/"
    print(f"adding one talk ({folder}) rewrote, by inode or mtime and by bytes:")
    print_changes(changes(before, after), folder)
    return run


def with_cluster(workers: int):
    """A distributed.LocalCluster of `workers` processes on 127.0.0.1 (its address)."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip


def dask_check(root: Path, seeds: list[Seed], local: Path) -> None:
    """The same cold build on a LocalCluster of 2 worker processes (sharing this
    machine's folders), and every published file compared with the local build's."""
    os.environ.update(CHILD_ENV)  # the workers run the same frozen code
    with with_cluster(2) as cluster:
        show, run = cold(root, seeds, None, cluster.scheduler_address)
    left, right = digests(local), digests(show_dir(show))
    compared = len(left.keys() | right.keys())
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    verdict = "SAME BYTES" if not differ else f"{len(differ)} DIFFER: {' '.join(differ[:10])}"
    print(
        f"dask (LocalCluster, 2 worker processes): {run.measured.wall:.1f} s; "
        f"{compared} published files vs the local build: {verdict}"
    )
    print("  (the cluster's worker processes are not children of the build: not in its RSS)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--talks", type=int, default=100, help="talks in the year (default 100)")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/publisher-year"), help="work folder")
    ap.add_argument("--jobs", type=int, help="passed to publisher build --jobs")
    ap.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    ap.add_argument("--quick", action="store_true", help="skip the scaling runs")
    ap.add_argument(
        "--sizes", help="the scaling runs' talk counts, e.g. 100,500 (default N/10 and N/2)"
    )
    ap.add_argument(
        "--clips", type=int, default=0,
        help="short talks (about 20 s) with plan files of this many clips each",
    )  # fmt: skip
    ap.add_argument("--tracks", action="store_true", help="one playlist per area: 12 tracks")
    ap.add_argument(
        "--share", type=int, default=0, metavar="N",
        help="quick mode: the talks share N transcripts (N/12 per area), so stand-in speech "
        "and encodes run for about N talks only",
    )  # fmt: skip
    ap.add_argument(
        "--dask", action="store_true",
        help="also build through --scheduler on a 2-process LocalCluster; compare the bytes",
    )  # fmt: skip
    args = ap.parse_args()
    if args.talks < 1:
        ap.error("--talks must be at least 1")
    every = make_seeds(args.talks + 1, args.clips, args.tracks, args.share)  # the last: added
    seeds = every[:-1]
    minutes = sum(s.seconds for s in seeds) / 60
    panels = sum(s.panel for s in seeds)
    load = os.getloadavg()[0]
    print(
        f"{args.talks} talks ({panels} panels), {minutes:.1f} min of captions; "
        f"jobs {args.jobs or 'default'}; load average {load:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    if args.share:
        distinct = len({s.text.split("Captions: ")[1].split("YouTube URL")[0] for s in every})
        print(
            f"quick mode (--share {args.share}): {distinct} distinct transcripts, so stand-in "
            "speech, decodes and encodes run for those only and the other talks find their "
            "audio in the render cache (skipped: per-talk synthesis and encoding). Every talk "
            "still gets its own tagged episodes, records, pages, feed items and search records.",
            flush=True,
        )
    freeze_code(args.dir)
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else scaling_sizes(args.talks)
    scaled = [] if args.quick else [smaller(args, seeds, n) for n in sizes]
    runs = [cold(args.dir, some, args.jobs)[1] for some in scaled]
    for n in [] if args.quick or args.keep else sizes:
        shutil.rmtree(args.dir / f"{n}-talks", ignore_errors=True)
    show, full = cold(args.dir, seeds, args.jobs)
    public = show.parent / "public"
    clips = len(list(public.glob("*/episodes/*/*.mp3"))) - args.talks
    out_mb, cache_mb = size_mb(public), size_mb(show.parent / "cache")
    print(f"  at peak memory: {full.measured.peak_summary()}", flush=True)
    noop = build(show, args.talks, "no-op rebuild", args.jobs)
    runs = [full, noop, *runs]
    if args.dask:
        dask_check(args.dir, seeds, show_dir(show))
    report(show_dir(show), args.talks)
    added = add_one(show, every[-1], args.talks, args.jobs)
    runs.insert(2, added)
    table(runs)
    summarise(args, runs, minutes, clips, out_mb, cache_mb)
    if not args.keep:
        for n in {args.talks, *sizes}:
            shutil.rmtree(args.dir / f"{n}-talks", ignore_errors=True)
        shutil.rmtree(args.dir / f"{args.talks}-talks-dask", ignore_errors=True)
        shutil.rmtree(args.dir / "code", ignore_errors=True)
        if args.dir.is_dir() and not any(args.dir.iterdir()):
            args.dir.rmdir()


def smaller(args, seeds: list[Seed], n: int) -> list[Seed]:
    """The first n talks, for a scaling run; with --share, they share transcripts in
    the proportion of the N talks (N/n times fewer, at least one per area), so each
    size encodes about the same share of its talks and the seconds per talk compare."""
    if not args.share:
        return seeds[:n]
    return make_seeds(n, args.clips, args.tracks, max(len(AREAS), args.share * n // args.talks))


def scaling_sizes(talks: int) -> list[int]:
    """The smaller cold builds that tell whether the cost per talk stays flat: N/10
    and N/2 from 100 talks on (100 and 500 at 1,000), N/4 and N/2 below."""
    first = talks // 10 if talks >= 100 else talks // 4
    return sorted({max(1, first), max(1, talks // 2)} - {talks})


def summarise(args, runs: list[Run], minutes: float, clips: int, out_mb: float, cache_mb: float):
    full, noop, added = runs[0], runs[1], runs[2]
    print(
        f"\ncold build: {full.measured.wall:.1f} s for {minutes:.1f} min of talks "
        f"({minutes * 60 / full.measured.wall:.1f}x real time), {clips} clips; "
        f"output {out_mb:.0f} MB, cache {cache_mb:.0f} MB"
    )
    slow = noop.measured.wall > NOOP_TARGET or noop.encodes
    print(
        f"no-op rebuild: {noop.measured.wall:.2f} s, {noop.encodes} encodes "
        f"(target <= {NOOP_TARGET:g} s, 0 encodes) -> {'SLOW' if slow else 'OK'}"
    )
    slow = added.measured.wall > ADD_TARGET + 5  # its own audio: about 5 s here
    print(
        f"add one talk: {added.measured.wall:.2f} s, {added.encodes} encodes, publish step "
        f"{added.publish} (target <= {ADD_TARGET:g} s + its audio) -> {'SLOW' if slow else 'OK'}"
    )
    worst = max(r.publish_s for r in runs)
    print(
        f"publish step: at most {worst:.1f} s (target <= {PUBLISH_TARGET:g} s) -> "
        f"{'SLOW' if worst > PUBLISH_TARGET else 'OK'}"
    )
    rss = max(r.measured.rss_mb for r in runs)
    print(
        f"peak RSS of the build's process tree: {rss:.0f} MB (target <= 1024 MB) -> "
        f"{'OVER' if rss > 1024 else 'OK'}"
    )
    scaling = sorted([full, *runs[3:]], key=lambda r: r.talks)
    if len(scaling) > 1:
        small = scaling[0]
        ratio = full.per_talk / small.per_talk
        verdict = "NOT FLAT" if ratio > LINEAR_LIMIT else "OK"
        per = ", ".join(
            f"{r.talks}: {r.per_talk:.2f} s/talk (publish {r.publish_s:.1f} s)" for r in scaling
        )
        print(f"cold build per talk: {per}")
        print(
            f"per-talk cost at {args.talks} vs {small.talks} talks: {ratio:.2f}x "
            f"(target <= {LINEAR_LIMIT}x) -> {verdict}"
        )
        added_s = [
            f"{a.talks}->{b.talks}: {(b.measured.wall - a.measured.wall) / (b.talks - a.talks):.2f}"
            for a, b in itertools.pairwise(scaling)
        ]
        print(f"seconds per added talk: {', '.join(added_s)}")
    print(f"load average now {os.getloadavg()[0]:.1f} (2 shared cores: figures are noisy)")


if __name__ == "__main__":
    main()
