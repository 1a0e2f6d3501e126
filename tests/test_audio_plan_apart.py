"""A one-talk build plans a long talk in a child process (publisher.apart), so the
planner's models leave before the encodes: the plan is the one made in-process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import SHORT_SEED, build, make_show

from publisher.apart import Apart
from publisher.errors import SeedError
from publisher.ingest.limits import read_input
from publisher.pipeline import stages
from publisher.plan.planfile import plan_path


class Counted(Apart):
    """Apart, counting the child processes it starts."""

    started: list[int] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started.append(self.child.pid)


def test_a_plan_made_apart_is_the_plan_made_here(tmp_path: Path, monkeypatch):
    here, apart = tmp_path / "here", tmp_path / "apart"
    monkeypatch.setattr(stages, "Apart", Counted)
    assert build(here, make_show(here, [SHORT_SEED])) == 0
    assert Counted.started == []  # a short talk is planned in the build's own process
    monkeypatch.setattr(stages, "APART_SECONDS", 0.0)  # the short fixture counts as long
    shutil.copytree(here / "cache", apart / "cache")  # the same stand-in audio
    assert build(apart, make_show(apart, [SHORT_SEED])) == 0
    assert len(Counted.started) == 1
    made_here = plan_path(here / "seeds" / SHORT_SEED.name).read_text()
    assert plan_path(apart / "seeds" / SHORT_SEED.name).read_text() == made_here
    assert made_here.count("[[clip]]") >= 3


def test_an_error_apart_is_raised_here_naming_its_file(tmp_path: Path):
    missing = tmp_path / "nowhere.txt"
    with Apart(read_input, missing, "seed", SeedError) as call, pytest.raises(SeedError) as e:
        call.result()
    assert e.value.path == missing
    assert str(e.value).startswith(f"{missing}: ")


def test_given_arguments_let_this_process_work_meanwhile(tmp_path: Path):
    seed = tmp_path / "talk.txt"
    seed.write_text("Title: a talk\n")
    with Apart(read_input, seed, "seed") as call:
        call.give(error=SeedError)  # the child reads it now, not at result()
        assert call.child.stdin.closed
        assert call.result() == "Title: a talk\n"
