"""Train and measure the question model on a labelled corpus of real transcripts.

A corpus folder holds `<name>.labels.toml` files (format: benchmarks/corpus/README.md),
each beside its seed `<name>.txt` or naming one with `seed = "path from the repo root"`.
Used by scripts/train_planner.py (writes the shipped model) and
benchmarks/segmentation.py (cross-validated figures); not at build time.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..ingest import load_talk
from ..model import Talk
from .corpus_turns import marked_talk, read_turns
from .features import Candidates, Context, candidates, role_rows
from .glossary import talk_glossary
from .make import Asking, read_talk
from .planfile import parse_time
from .scorer import Model, asker_rows, fit, second_rows, start_rows
from .segment import asked_by_audience, choose_starts
from .wording import Tally

TOLERANCE = 10.0  # seconds: a start this close to a label matches it
POSITIVE = 5.0  # seconds: candidates this close to a label are trained as starts
L2 = 2.0
SWITCHES = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)  # log-odds: tried as the cost of a change of asker
STEP = 0.25  # log-odds between the decoding offsets tried
OFFSETS = tuple(np.arange(-2.5, 3.01, STEP))  # log-odds: tried as the decoding offset
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")  # a show's year, left out of its series
INNER = 5  # folds the training recordings' own wording columns are read out of


@dataclass(frozen=True)
class Question:
    start: float
    asker: str  # "moderator" or "audience"
    terms: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Recording:
    name: str
    shape: str
    captions: str
    talk: Talk
    questions: tuple[Question, ...]
    followups: tuple[float, ...]
    source: str
    licence: str
    original: str = ""  # a variant's recording (turn-marked); "" for an original
    fold: str = ""  # labels' `group`: recordings held out together (parts of one event)

    @property
    def group(self) -> str:
        """Its cross-validation fold: a variant is held out with its original, and
        recordings whose labels name the same `group` together."""
        return self.fold or self.original or self.name

    @property
    def series(self) -> str:
        """The show it is one of: its playlist, years left out ("Nobel Minds"); its
        group where it names none. The wording counts a show as one recording."""
        show = " ".join(_YEAR.sub(" ", self.talk.playlist).split()).lower()
        return f"series:{show}" if show else self.group


@dataclass(frozen=True)
class Prepared:
    """A recording with its candidates computed once (they don't depend on the model),
    and what tells which chosen starts the planner keeps (those whose turn asks)."""

    recording: Recording
    context: Context
    found: Candidates
    asking: Asking


def read_labels(data: dict) -> tuple[tuple[Question, ...], tuple[float, ...]]:
    """A labels file's questions and follow-up starts (its parsed TOML)."""
    questions = tuple(
        Question(
            parse_time(str(q["start"])),
            q.get("asker", "moderator"),
            tuple(q.get("terms", ())),
            q.get("text", ""),
        )
        for q in data.get("question", [])
    )
    return questions, tuple(parse_time(str(f["start"])) for f in data.get("followup", []))


def load_corpus(folder: Path, root: Path) -> list[Recording]:
    out = []
    for path in sorted(folder.glob("*.labels.toml")):
        data = tomllib.loads(path.read_text())
        name = path.name.removesuffix(".labels.toml")
        seed = root / data["seed"] if "seed" in data else path.with_name(f"{name}.txt")
        questions, followups = read_labels(data)
        rec = Recording(
            name,
            data.get("shape", "?"),
            data.get("captions", "?"),
            load_talk(seed),
            questions,
            followups,
            data.get("source", ""),
            data.get("licence", ""),
            fold=data.get("group", ""),
        )
        out.append(rec)
        marks = path.with_name(f"{name}.turns.tsv")
        if marks.exists():  # the same recording with its source's speaker changes marked
            talk, _ = marked_talk(seed, rec.talk, read_turns(marks))
            out.append(replace(rec, name=f"{name}+turns", talk=talk, original=name))
    return out


def prepare(rec: Recording) -> Prepared:
    glossary = talk_glossary(rec.talk, None)
    lines, words, ctx = read_talk(rec.talk, glossary)
    return Prepared(rec, ctx, candidates(words, ctx), Asking.of(rec.talk, lines, words, glossary))


def _target(prep: Prepared) -> np.ndarray:
    """Each candidate's target: 1 near a question start, 0 far from every start and
    follow-up, -1 neither (not trained on)."""
    times = np.asarray(prep.found.times)
    starts = np.array([q.start for q in prep.recording.questions])
    others = np.array(list(prep.recording.followups))
    near = _distance(times, starts)
    far = np.minimum(near, _distance(times, others))
    return np.where(near <= POSITIVE, 1, np.where(far > TOLERANCE, 0, -1))


def _targets(prep: Prepared, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and their 0/1 targets (_target), those trained on."""
    y = _target(prep)
    return rows[y >= 0], y[y >= 0].astype(float)


def _asker_target(prep: Prepared) -> np.ndarray:
    """Each candidate's asker: 1 the audience, 0 a moderator or host, at the labelled
    starts (labelled_starts); -1 elsewhere (not trained on)."""
    y = np.full(len(prep.found.times), -1)
    picked, ys = labelled_starts(prep)
    y[picked] = ys.astype(int)
    return y


@dataclass(frozen=True)
class Wording:
    """The labelled grams of every recording (wording.Tally), built once for all the
    folds that learn from some of them: `start` counts question starts against other
    candidates, `asker` the audience's questions against a moderator's."""

    start: Tally
    asker: Tally
    at: dict[str, int]  # a recording's name: its place in the tallies

    @classmethod
    def of(cls, preps: list[Prepared]) -> Wording:
        def tally(target: Callable[[Prepared], np.ndarray], anywhere: bool) -> Tally:
            talks = [(p.recording.series, p.found.grams, target(p)) for p in preps]
            return Tally(talks, anywhere)

        at = {p.recording.name: i for i, p in enumerate(preps)}
        return cls(tally(_target, True), tally(_asker_target, False), at)

    def weights(self, tally: Tally, preps: list[Prepared]) -> np.ndarray:
        return tally.weights(self.at[p.recording.name] for p in preps)

    def held_out(self, tally: Tally, preps: list[Prepared]) -> list[np.ndarray]:
        """Each recording's wording columns read with weights learnt from the others
        only (INNER folds of their groups), as a new talk's are."""
        groups = sorted({p.recording.group for p in preps})
        part = {g: k % INNER for k, g in enumerate(groups)}
        out: list[np.ndarray] = [np.empty(0)] * len(preps)
        for k in range(INNER):
            weights = self.weights(tally, [p for p in preps if part[p.recording.group] != k])
            for i, p in enumerate(preps):
                if part[p.recording.group] == k:
                    out[i] = tally.columns(self.at[p.recording.name], weights)
        return out

    def saved(self, tally: Tally, preps: list[Prepared]) -> dict[str, float]:
        """The weights a model trained on `preps` ships."""
        return tally.saved(self.weights(tally, preps))


def _distance(times: np.ndarray, marks: np.ndarray) -> np.ndarray:
    if not marks.size:
        return np.full(len(times), np.inf)
    return np.abs(times[:, None] - marks[None, :]).min(axis=1)


def labelled_starts(prep: Prepared) -> tuple[list[int], np.ndarray]:
    """The candidate nearest each labelled question (within POSITIVE + 2 s), in time
    order, and 1 where its asker is in the audience."""
    times = np.asarray(prep.found.times)
    picked, ys = [], []
    for q in prep.recording.questions:
        if not len(times):
            break
        k = int(np.argmin(np.abs(times - q.start)))
        if abs(times[k] - q.start) <= POSITIVE + 2:
            picked.append(k)
            ys.append(float(q.asker == "audience"))
    return picked, np.array(ys)


def _asking(prep: Prepared, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the role model reads (as Model.asking: features, the asker wording's `sums`,
    its own) at each labelled question's start, and whether the audience asks."""
    picked, ys = labelled_starts(prep)
    return asker_rows(prep.found, sums, picked), ys


def _asker_rows(prep: Prepared, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The role model's rows (features.role_rows of _asking) and targets."""
    rows, ys = _asking(prep, sums)
    return role_rows(rows, prep.context), ys


def fit_model(preps: list[Prepared], wording: Wording | None = None) -> Model:
    """Gram weights (wording.py), weights (the first stage, then the second on its
    scores in `preps`), then the decoding settings (_decoding): offset, short and
    penalty on the talks that don't say who speaks, then the offset of those that do
    (`Model.voiced`), whose scores are surer. `wording`: the tally of a corpus
    holding `preps` (built from them if None)."""
    wording = wording or Wording.of(preps)
    held = wording.held_out(wording.start, preps)
    first = [start_rows(p.found, c) for p, c in zip(preps, held, strict=True)]
    asked = wording.held_out(wording.asker, preps)
    start = _fit_rows([_targets(p, r) for p, r in zip(preps, first, strict=True)])
    rows = [second_rows(r, p.found.times, r @ start) for p, r in zip(preps, first, strict=True)]
    second = _fit_rows([_targets(p, r) for p, r in zip(preps, rows, strict=True)])
    audience = _fit_rows([_asker_rows(p, a) for p, a in zip(preps, asked, strict=True)])
    names = tuple(p.recording.name for p in preps)
    scored = [(p, r @ second) for p, r in zip(preps, rows, strict=True)]  # their start_logits
    plain = [(p, lg) for p, lg in scored if not p.found.voiced] or scored
    voiced = [(p, lg) for p, lg in scored if p.found.voiced]
    chosen = _decoding(
        plain,
        [
            Model(tuple(start), tuple(audience), float(offset), short, penalty, tuple(second))
            for offset, short, penalty in itertools.product(
                OFFSETS, (30.0, 60.0, 90.0), (0.0, 1.0, 2.0, 4.0)
            )
        ],
    )
    if voiced:
        chosen = _decoding(voiced, [replace(chosen, voiced=float(v)) for v in OFFSETS])
    return replace(
        chosen,
        switch=_fit_switch(preps, asked),
        trained_on=names,
        words=wording.saved(wording.start, preps),
        asker_words=wording.saved(wording.asker, preps),
    )


def _decoding(scored: list[tuple[Prepared, np.ndarray]], models: list[Model]) -> Model:
    """Of `models`, the steadiest by pooled F1 on `scored` (each recording with its
    logits) of those that cut no question out of a recording that has none."""
    f1: dict[Model, float] = {}
    allowed = []
    for model in models:
        found = [counts(p, model, lg) for p, lg in scored]
        hits = sum(found)
        f1[model] = 2 * hits[0] / max(hits[1] + hits[2], 1)
        if not any(c[1] and not c[2] for c in found):
            allowed.append(model)  # else: a question in a talk that takes none
    return steadiest(f1, allowed)


def steadiest(f1: Mapping[Model, float], allowed: list[Model]) -> Model:
    """Of `allowed`, the model whose F1 averaged with its neighbours' (the same model
    a STEP of offset either way) is best; ties: the more sparing. One at the edge of
    what `f1` tried is not chosen, since half its neighbourhood is unknown (unless
    none is inside). The optimum is flat and noisy: a setting whose neighbours also
    do well keeps its starts when a talk's scores move a little (another caption
    chunking, say)."""

    def near(model: Model) -> list[Model]:
        level = _sparing(model)
        return [_shifted(model, level + d) for d in (-STEP, 0.0, STEP)]

    inside = [m for m in allowed if all(n in f1 for n in near(m))] or allowed
    return max(
        inside,
        key=lambda m: (float(np.mean([f1[n] for n in near(m) if n in f1])), _sparing(m)),
    )


def _sparing(model: Model) -> float:
    """The offset a model's decoding is tuned by (the voiced one where it has one):
    the higher, the more sparing."""
    return model.offset if model.voiced is None else model.voiced


def _shifted(model: Model, level: float) -> Model:
    """`model` with the offset _sparing reads set to `level`."""
    if model.voiced is None:
        return replace(model, offset=level)
    return replace(model, voiced=level)


def _fit_rows(targets: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    rows, ys = zip(*targets, strict=True)
    return fit(np.vstack(rows), np.concatenate(ys), L2)


def _fit_switch(preps: list[Prepared], sums: list[np.ndarray]) -> float:
    """The cost of a change of asker between questions (decode.roles) that gets the
    most roles right, each recording's roles read as the planner reads them
    (segment.asked_by_audience) by an audience model that saw none of its show (leave
    one show out, within `preps`: a new show's roles are read less surely than a
    sibling's, and want more smoothing; `sums`: each one's held-out asker wording)."""
    reads = [_asking(p, a) for p, a in zip(preps, sums, strict=True)]
    asked = {
        p.recording.name: (role_rows(rows, p.context), ys)
        for p, (rows, ys) in zip(preps, reads, strict=True)
    }
    held = []
    for p, (rows, ys) in zip(preps, reads, strict=True):
        if p.recording.original:
            continue  # its roles are its original's
        show = p.recording.series  # held out whole, as the wording's floor counts shows
        others = [asked[q.recording.name] for q in preps if q.recording.series != show]
        if not others:
            continue  # one show: nothing to read its roles by
        held.append((rows, p.context, tuple(_fit_rows(others)), ys > 0.5))

    def right(switch: float) -> int:
        total = 0
        for rows, ctx, weights, audience in held:
            model = Model((), weights, 0.0, 0.0, 0.0, switch=switch)
            total += int((asked_by_audience(rows, ctx, model) == audience).sum())
        return total

    return max(SWITCHES, key=right)  # the first, 0, when nothing was held out


def cross_validated(preps: list[Prepared]) -> Iterator[tuple[Prepared, Model]]:
    """Each recording with a model trained on all the others (leave one out; a
    turn-marked variant and its original are left out together)."""
    models: dict[str, Model] = {}
    wording = Wording.of(preps)
    for prep in preps:
        group = prep.recording.group
        if group not in models:
            models[group] = fit_model([p for p in preps if p.recording.group != group], wording)
        yield prep, models[group]


def counts(prep: Prepared, model: Model, logits: np.ndarray) -> np.ndarray:
    """(hits, hypotheses, labels) of `model` on `prep`, whose `logits` it gave: the
    starts it chooses that make_plan keeps (their turn asks)."""
    chosen = choose_starts(prep.found, logits, model, prep.context)
    chosen = [chosen[i] for i in prep.asking.kept([prep.found.words[k] for k in chosen])]
    hyp = [prep.found.times[k] for k in chosen]
    rec = prep.recording
    m = match([q.start for q in rec.questions], hyp, list(rec.followups))
    return np.array([len(m.pairs), m.hypotheses, len(rec.questions)])


@dataclass(frozen=True)
class Match:
    pairs: list[tuple[int, int]]  # (label index, hypothesis index)
    hypotheses: int  # hypotheses that count: not matched to a follow-up only


def match(
    ref: list[float], hyp: list[float], neutral: list[float], tol: float = TOLERANCE
) -> Match:
    """One-to-one matching within `tol`, closest pairs first. A hypothesis left
    unmatched but within `tol` of a follow-up is neither right nor wrong."""
    pairs = sorted(
        (abs(h - r), i, j)
        for i, r in enumerate(ref)
        for j, h in enumerate(hyp)
        if abs(h - r) <= tol
    )
    used_r, used_h, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_r and j not in used_h:
            used_r.add(i)
            used_h.add(j)
            out.append((i, j))
    free = [h for j, h in enumerate(hyp) if j not in used_h]
    neutral_n = sum(any(abs(h - f) <= tol for f in neutral) for h in free)
    return Match(sorted(out), len(hyp) - neutral_n)


__all__ = [
    "Recording",
    "Prepared",
    "load_corpus",
    "read_labels",
    "prepare",
    "fit_model",
    "cross_validated",
    "counts",
    "match",
]
