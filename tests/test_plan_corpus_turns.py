"""Turn-marked corpus variants: a source's speaker changes become ">>" marks."""

from __future__ import annotations

from pathlib import Path

from publisher.ingest import load_talk
from publisher.plan.corpus_turns import Turn, label, marked_talk, read_turns, spoiled
from publisher.plan.training import cross_validated, load_corpus, prepare

PLAN = Path(__file__).parent / "fixtures" / "plan"
SEED = PLAN / "storage-panel.txt"


def _turns(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "x.turns.tsv"
    path.write_text("# time, speaker, first words\n" + "\n".join(lines) + "\n")
    return path


def test_a_turn_is_marked_before_its_first_word(tmp_path):
    cue = next(c for c in load_talk(SEED).cues[10:] if len(c.text.split()) >= 6)
    said = cue.text.split()
    turns = read_turns(
        _turns(
            tmp_path,
            [
                f"{cue.start:.3f}\tANA\t{' '.join(said[2:6])}",  # mid-cue
                f"{cue.start:.3f}\tBOB\tnothing like this is said here",
            ],
        )
    )
    talk, found = marked_talk(SEED, load_talk(SEED), turns)
    assert found == 1
    turned = [c for c in talk.cues if c.turn]
    assert len(turned) == 1
    assert turned[0].text.split()[:4] == said[2:6]
    assert turned[0].speaker == "Ana Lindqvist"  # its label "ANA:", the seed's Ana
    assert cue.start < turned[0].start < cue.end
    assert len(talk.cues) == len(load_talk(SEED).cues) + 1  # the cue was cut in two


def test_a_source_speaker_becomes_a_caption_label():
    assert [label(s) for s in ("1", "Dan Friedman", "qx()", "CJ Dixon (NYC Cyber Command)")] == [
        "SPEAKER 1:", "DAN FRIEDMAN:", "QX:", "CJ DIXON NYC CYBER:"]  # fmt: skip
    assert label("()") == ""


def test_a_variant_is_held_out_with_its_original(tmp_path):
    for name in ("storage-panel.txt", "storage-panel.labels.toml"):
        (tmp_path / name).write_text((PLAN / name).read_text())
    talk = load_talk(SEED)
    starts = [c for c in talk.cues if len(c.text.split()) >= 3][5::20]
    _turns(tmp_path, [f"{c.start:.3f}\tX\t{' '.join(c.text.split()[:3])}" for c in starts])
    (tmp_path / "x.turns.tsv").rename(tmp_path / "storage-panel.turns.tsv")
    (tmp_path / "other.txt").write_text((PLAN / "talk-with-qa.txt").read_text())
    (tmp_path / "other.labels.toml").write_text((PLAN / "talk-with-qa.labels.toml").read_text())
    recs = load_corpus(tmp_path, tmp_path)
    assert [r.name for r in recs] == ["other", "storage-panel", "storage-panel+turns"]
    variant = recs[2]
    assert variant.original == "storage-panel" and variant.questions == recs[1].questions
    assert sum(c.turn for c in variant.talk.cues) == len(starts)
    preps = [prepare(r) for r in recs]
    folds = {p.recording.name: m.trained_on for p, m in cross_validated(preps)}
    assert folds["storage-panel"] == folds["storage-panel+turns"] == ("other",)
    assert folds["other"] == ("storage-panel", "storage-panel+turns")


def test_spoiled_turns_are_missed_false_and_given_other_voices():
    talk = load_talk(SEED)
    lines = SEED.read_text().split("\n")
    said = [c for c in talk.cues if lines[c.line].split()]
    turns = [Turn(c.start, "AB"[k % 2], tuple(lines[c.line].split()[:3])) for k, c in
             enumerate(said[::10])]  # fmt: skip
    assert spoiled(turns, lines, talk, (0.0, 0.0, 0.0)) == turns
    error = (0.3, 1.0, 0.25)
    assert spoiled(turns, lines, talk, error) == spoiled(turns, lines, talk, error)  # each time
    missed = spoiled(turns, lines, talk, (0.5, 0.0, 0.0))
    assert set(missed) < set(turns) and 0.3 < len(missed) / len(turns) < 0.7
    false = spoiled(turns, lines, talk, (0.0, 2.0, 0.0))
    assert len(false) == len(turns) + round(2 * talk.duration / 60)
    assert {t.words for t in false} <= {tuple(line.split()[:3]) for line in lines}
    wrong = spoiled(turns, lines, talk, (0.0, 0.0, 0.5))
    moved = sum(a.speaker != b.speaker for a, b in zip(turns, wrong, strict=True))
    assert [t.time for t in wrong] == [t.time for t in turns] and 0 < moved < len(turns)


def test_recordings_of_one_event_are_held_out_together(tmp_path):
    fixtures = {"a": "storage-panel", "b": "talk-with-qa", "c": "storage-panel"}
    for name, fixture in fixtures.items():
        (tmp_path / f"{name}.txt").write_text((PLAN / f"{fixture}.txt").read_text())
        labels = (PLAN / f"{fixture}.labels.toml").read_text()
        grouped = 'group = "one-event"\n' if name in "ab" else ""
        (tmp_path / f"{name}.labels.toml").write_text(grouped + labels)
    recs = load_corpus(tmp_path, tmp_path)
    assert [r.group for r in recs] == ["one-event", "one-event", "c"]
    folds = {p.recording.name: m.trained_on for p, m in cross_validated([prepare(r) for r in recs])}
    assert folds == {"a": ("c",), "b": ("c",), "c": ("a", "b")}
