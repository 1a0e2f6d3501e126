"""The question-start model: logistic regression over `features.NAMES` and the
wording around each candidate (`wording.NAMES`, read with the model's own gram
weights), then a second over those and what the first stage's scores around each
candidate say (`neighbours.NAMES`).

Its weights live in `publisher/data/question_model.json`, written by
`scripts/train_planner.py` from the labelled corpus in `benchmarks/corpus/`.
Only numpy is needed to use it; `fit` (Newton's method with an L2 penalty) is
here too so training and use share one definition of the model.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from . import neighbours, wording
from .features import ASKING_NAMES, NAMES, ROLE_NAMES, Candidates

MODEL_FILE = "question_model.json"
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / MODEL_FILE


@dataclass(frozen=True)
class Model:
    start: tuple[float, ...]  # weights of NAMES + wording.NAMES: a question start? (first stage)
    audience: tuple[float, ...]  # of NAMES + ASKER_NAMES + ASKING_NAMES + ROLE_NAMES: audience?
    offset: float  # log-odds a start needs to be taken (decode.choose)
    short: float  # seconds: a question shorter than this is penalised ...
    penalty: float  # ... by up to this much log-odds
    second: tuple[float, ...] = ()  # of NAMES + wording.NAMES + neighbours.NAMES; () none
    switch: float = 0.0  # log-odds a change of asker costs between questions (decode.roles)
    voiced: float | None = None  # the offset in a talk that says who speaks; None: `offset`
    names: tuple[str, ...] = (
        tuple(NAMES)
        + wording.NAMES
        + neighbours.NAMES
        + wording.ASKER_NAMES
        + ASKING_NAMES
        + ROLE_NAMES
    )
    trained_on: tuple[str, ...] = ()  # corpus recordings, for the record
    words: Mapping[str, float] = field(default_factory=dict, hash=False)  # grams: a start?
    asker_words: Mapping[str, float] = field(default_factory=dict, hash=False)  # the audience?

    def rows(self, found: Candidates) -> np.ndarray:
        """The first stage's rows: each candidate's features and its wording's columns."""
        return start_rows(found, found.grams.columns(self.words))

    def asking(self, found: Candidates) -> np.ndarray:
        """What the role model reads of each candidate (before features.role_rows adds
        the talk's own): its features, its wording's columns under `asker_words`, and
        its own (features.ASKING_NAMES)."""
        return asker_rows(found, found.grams.columns(self.asker_words))

    def start_logits(self, found: Candidates) -> np.ndarray:
        rows = self.rows(found)
        first = rows @ np.asarray(self.start)
        if not self.second:
            return first
        return second_rows(rows, found.times, first) @ np.asarray(self.second)

    def offset_for(self, found: Candidates) -> float:
        """The log-odds a start needs in this talk: `voiced` where it says who speaks
        (its voices read at some candidate), which makes the model surer."""
        if self.voiced is not None and found.voiced:
            return self.voiced
        return self.offset

    def moved(self, by: float) -> Model:
        """The model with its offsets moved by `by` log-odds."""
        voiced = None if self.voiced is None else self.voiced + by
        return replace(self, offset=self.offset + by, voiced=voiced)

    def audience_probability(self, rows: np.ndarray) -> np.ndarray:
        """`rows`: of NAMES + ASKER_NAMES + ASKING_NAMES + ROLE_NAMES (role_rows of `asking`)."""
        return sigmoid(rows @ np.asarray(self.audience))

    def save(self, path: Path) -> None:
        data = asdict(self)
        data["start"] = [round(w, 6) for w in self.start]
        data["audience"] = [round(w, 6) for w in self.audience]
        data["second"] = [round(w, 6) for w in self.second]
        data["words"] = dict(sorted(self.words.items()))
        data["asker_words"] = dict(sorted(self.asker_words.items()))
        path.write_text(json.dumps(data, indent=0) + "\n")


def start_rows(found: Candidates, sums: np.ndarray) -> np.ndarray:
    """The first stage's rows: each candidate's features, then its wording's `sums`
    (Grams.columns: under the model's weights, or held out in training)."""
    return np.hstack([found.rows, sums])


def asker_rows(found: Candidates, sums: np.ndarray, at: Sequence[int] | None = None) -> np.ndarray:
    """The role model's rows (before features.role_rows): each candidate's features, its
    asker wording's `sums`, then its own columns; only the candidates `at`, if given."""
    pick = slice(None) if at is None else list(at)
    return np.hstack([found.rows[pick], sums[pick], found.asker_rows[pick]])


def second_rows(rows: np.ndarray, times: Sequence[float], first: np.ndarray) -> np.ndarray:
    """The second stage's rows: each candidate's own (`rows`, the first stage's), then
    what its neighbours' first-stage scores say."""
    return np.hstack([rows, neighbours.columns(np.asarray(times), first)])


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def fit(rows: np.ndarray, labels: np.ndarray, l2: float = 1.0, iters: int = 30) -> np.ndarray:
    """Logistic-regression weights (the first column is the bias, not penalised)."""
    w = np.zeros(rows.shape[1])
    reg = np.full(rows.shape[1], l2)
    reg[0] = 1e-6
    for _ in range(iters):
        p = sigmoid(rows @ w)
        grad = rows.T @ (p - labels) + reg * w
        hess = (rows * (p * (1 - p))[:, None]).T @ rows + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


@functools.lru_cache(maxsize=1)
def bundled_model() -> Model:
    """The model shipped with the package; its feature names must match the code's."""
    data = json.loads(MODEL_PATH.read_text())
    model = Model(
        start=tuple(data["start"]),
        audience=tuple(data["audience"]),
        offset=float(data["offset"]),
        short=float(data["short"]),
        penalty=float(data["penalty"]),
        second=tuple(data.get("second", ())),
        switch=float(data.get("switch", 0.0)),
        voiced=None if data.get("voiced") is None else float(data["voiced"]),
        names=tuple(data["names"]),
        trained_on=tuple(data.get("trained_on", ())),
        words=data.get("words", {}),
        asker_words=data.get("asker_words", {}),
    )
    if model.names != Model.names:
        raise RuntimeError(f"{MODEL_PATH} was trained on other features: retrain it")
    return model
