"""Fixtures shared by several test modules. Area-specific fixtures live in the area's own
test module; plain helpers and constants are in helpers.py."""

from __future__ import annotations

import functools
import shutil
import threading
from pathlib import Path

import pytest
from helpers import (
    BUNDLED_SEED,
    PLAN_FIXTURES,
    ROOT,
    SHORT_SEED,
    SHORT_TALK,
    WWW,
    QuietHandler,
    QuietServer,
    build,
    make_show,
    need,
)

from publisher.ingest import load_talk
from publisher.model import Plan, Talk
from publisher.plan import make_plan
from publisher.plan.planfile import save_plan

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def bundled_seed() -> Path:
    return BUNDLED_SEED


@pytest.fixture(scope="session")
def bundled_standin(tmp_path_factory) -> tuple[Talk, Path]:
    """The bundled seed's talk and its stand-in audio, synthesised once (9 s): the
    cache folder is the fixture's own, so a test's cache starts empty."""
    from publisher.audio.standin import synthesise_standin

    talk = load_talk(BUNDLED_SEED)
    return talk, synthesise_standin(talk, tmp_path_factory.mktemp("bundled-standin"))


@pytest.fixture(scope="session")
def corpus() -> tuple:
    """The labelled corpus (plan.training.Recording, frozen), loaded once: 9 s."""
    from publisher.plan.training import load_corpus

    return tuple(load_corpus(ROOT / "benchmarks" / "corpus", ROOT))


@pytest.fixture()
def site(tmp_path: Path):
    """A copy of fixtures/add/www served on 127.0.0.1, playlists pointing at it."""
    www = tmp_path / "www"
    shutil.copytree(WWW, www)
    httpd = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(www)))
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    for playlist in www.glob("*.xml"):
        playlist.write_text(playlist.read_text().replace("{{BASE}}", base))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield www, base
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A two-talk show, built and published once, with its plans saved."""
    root = tmp_path_factory.mktemp("published")
    assert build(root, make_show(root, [SHORT_SEED, SHORT_TALK])) == 0
    return root


@pytest.fixture
def show(published: Path, tmp_path: Path) -> Path:
    """A copy of the published show (its cache shared: it is keyed by content)."""
    for part in ("seeds", "feeds", "public"):
        shutil.copytree(published / part, tmp_path / part, symlinks=True)
    return tmp_path


# --- plan files: the storage-panel plan fixture -----------------------------------------


@pytest.fixture(scope="module")
def talk() -> Talk:
    """The talk of the storage-panel plan fixture."""
    return load_talk(PLAN_FIXTURES / "storage-panel.txt")


@pytest.fixture
def saved(talk: Talk, tmp_path: Path) -> tuple[Plan, Path]:
    """A fresh plan of `talk`, saved as a plan file: the plan and the file."""
    plan = make_plan(talk)
    path = tmp_path / "storage-panel.plan.toml"
    save_plan(plan, path, talk)
    return plan, path
