"""A one-talk build plans a long talk in a child process (publisher.apart), so the
planner's models leave before the encodes: the plan is the one made in-process."""

from __future__ import annotations

import operator
import shutil
from pathlib import Path

import pytest
from helpers import SHORT_SEED, build, make_show

from publisher.apart import Apart, Later
from publisher.errors import SeedError
from publisher.ingest.limits import read_input
from publisher.pipeline import stages
from publisher.plan.planfile import plan_path


class Counted(Apart):
    """Apart, counting the child processes it starts."""

    started: list[int] = []
    given: list[tuple[str, ...]] = []  # the names each give() passed, in order

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started.append(self.child.pid)

    def give(self, **values) -> None:
        self.given.append(tuple(sorted(values)))
        super().give(**values)


def test_a_plan_made_apart_is_the_plan_made_here(tmp_path: Path, monkeypatch):
    here, apart = tmp_path / "here", tmp_path / "apart"
    monkeypatch.setattr(stages, "Apart", Counted)
    assert build(here, make_show(here, [SHORT_SEED])) == 0
    assert Counted.started == []  # a short talk is planned in the build's own process
    monkeypatch.setattr(stages, "APART_SECONDS", 0.0)  # the short fixture counts as long
    shutil.copytree(here / "cache", apart / "cache")  # the same stand-in audio
    assert build(apart, make_show(apart, [SHORT_SEED])) == 0
    assert len(Counted.started) == 1
    assert Counted.given[:2] == [(), ("pauses",)]  # it starts once the decode frees a core
    made_here = plan_path(here / "seeds" / SHORT_SEED.name).read_text()
    assert plan_path(apart / "seeds" / SHORT_SEED.name).read_text() == made_here
    assert made_here.count("[[clip]]") >= 3


def test_a_long_talk_is_planned_apart_once_its_decode_is_done(tmp_path: Path, monkeypatch):
    here, later = tmp_path / "here", tmp_path / "later"
    assert build(here, make_show(here, [SHORT_SEED])) == 0
    monkeypatch.setattr(stages, "Apart", Counted)
    monkeypatch.setattr(stages, "APART_SECONDS", 0.0)
    monkeypatch.setattr(stages, "PLAN_DURING_DECODE", 0.0)  # and as longer still
    Counted.given.clear()
    assert build(later, make_show(later, [SHORT_SEED])) == 0
    assert Counted.given[0] == ("pauses",)  # nothing before the pauses: no early start
    made_here = plan_path(here / "seeds" / SHORT_SEED.name).read_text()
    assert plan_path(later / "seeds" / SHORT_SEED.name).read_text() == made_here


def test_an_error_apart_is_raised_here_naming_its_file(tmp_path: Path):
    missing = tmp_path / "nowhere.txt"
    with Apart(read_input, missing, "seed", SeedError) as call, pytest.raises(SeedError) as e:
        call.result()
    assert e.value.path == missing
    assert str(e.value).startswith(f"{missing}: ")


def test_a_later_argument_is_the_value_given_meanwhile():
    with Apart(operator.call, Later("value")) as call:
        call.give()  # the call starts, and waits for its value
        call.give(value=["given"])
        assert call.result() == ["given"]
    with Apart(operator.call, Later("value")) as call:
        assert call.result(value=3) == 3


def test_a_child_left_waiting_for_a_later_value_ends_quietly(capfd):
    with Apart(operator.call, Later("value")) as call:
        call.child.stdin.close()  # the caller gives up without giving it
        assert call.child.wait(timeout=30) == 0
    assert "Traceback" not in capfd.readouterr().err
