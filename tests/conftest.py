"""Shared fixtures. Area-specific fixtures live in the area's own test module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUNDLED_SEED = ROOT / "seeds" / "kvm-forum-2018" / "contributor-qa-panel.txt"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    return path


@pytest.fixture(scope="session")
def bundled_seed() -> Path:
    return BUNDLED_SEED
