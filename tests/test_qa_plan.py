"""QA: hand edits that used to be silently ignored in a plan file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.errors import PlanError
from publisher.ingest import load_talk
from publisher.plan import make_plan
from publisher.plan.planfile import load_plan, save_plan

SEED = Path(__file__).resolve().parent / "fixtures" / "plan" / "storage-panel.txt"


@pytest.fixture
def saved(tmp_path):
    talk = load_talk(SEED)
    path = tmp_path / "storage-panel.plan.toml"
    save_plan(make_plan(talk), path, talk)
    return talk, path


def _line(path: Path, pattern: str) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, ln in enumerate(lines, 1) if re.match(pattern, ln))


def test_deleting_the_first_clip_header_is_an_error_not_a_dropped_clip(saved):
    # Deleting the first "[[clip]]" line leaves that clip's keys at the top level,
    # where TOML reads them as plan settings: the intro used to vanish silently.
    talk, path = saved
    text = path.read_text()
    path.write_text(re.sub(r"^\[\[clip\]\]\n", "", text, count=1, flags=re.M))
    with pytest.raises(PlanError) as err:
        load_plan(path, talk)
    assert str(err.value) == (
        f"{path}:{_line(path, r'start =')}: 'start' outside any [[clip]] table"
    )


def test_a_misspelt_clip_key_is_an_error_not_ignored(saved):
    talk, path = saved
    path.write_text(path.read_text().replace("title = ", "titel = ", 2))
    with pytest.raises(PlanError) as err:
        load_plan(path, talk)
    message = str(err.value)
    assert message.startswith(f"{path}:{_line(path, r'titel =')}: unknown clip key 'titel'")
    assert "\n" not in message
