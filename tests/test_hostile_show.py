"""Hostile show files, settings, disks and server requests, end to end through
`publisher.cli.main` and the real server. Each case edits a copy of a published
two-talk show, runs the command, and asserts the exit code, ONE error line that
names the right file (and line), and that the published show is byte-identical.
Faults the machine can't make on demand (EXDEV, EINVAL, ENOSPC, a kill between two
renames) are injected at the os/libc call or at ffmpeg's edge; everything else is real."""

from __future__ import annotations

import errno
import http.client
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import ROOT, SHORT_SEED, Case, digest, enclosures, error_lines
from helpers import run as hostile_run
from mutagen.id3 import ID3

from publisher import fsutil
from publisher.cli import main
from publisher.serve import serving

SHOW = "feeds/demo.toml"


def run(root: Path, published: Path, *argv: str) -> int:
    """`publisher build` in `root` (errors name paths as the table gives them)."""
    return hostile_run(root, published, "build", SHOW, "--standin-audio", *argv)


def set_key(key: str, value: str) -> Callable[[Path], int]:
    """Set `key = value` in the show file's [show] table; the line it is on."""

    def apply(root: Path) -> int:
        path = root / SHOW
        lines = path.read_text().splitlines()
        at = next((i for i, ln in enumerate(lines) if ln.startswith(f"{key} =")), None)
        if at is None:
            at = lines.index("[show]") + 1
            lines.insert(at, "")
        lines[at] = f"{key} = {value}"
        path.write_text("\n".join(lines) + "\n")
        return at + 1

    return apply


def set_audio(key: str, value: str) -> Callable[[Path], int]:
    def apply(root: Path) -> int:
        path = root / SHOW
        text = path.read_text()
        path.write_text(text + f"[audio]\n{key} = {value}\n")
        return len(text.splitlines()) + 2

    return apply


def seed_that_is(make: Callable[[Path], None]) -> Callable[[Path], int]:
    """A non-file in seeds/ that the show's glob matches: the error names it, and the
    show file's seeds line in its message."""

    def apply(root: Path) -> int:
        make(root / "seeds" / "zz.txt")
        return 0

    return apply


def artwork(data: bytes | None) -> Callable[[Path], int]:
    """Artwork that can't be used: the error names the file, and the show file's line
    in its message."""

    def apply(root: Path) -> int:
        if data is not None:
            (root / "feeds" / "art.png").write_bytes(data)
        assert set_key("artwork", '"art.png"')(root) == 2
        return 0

    return apply


def clash(text: Callable[[str], str], key: str) -> Callable[[Path], int]:
    """A second show file beside the first, made from it by `text`; the line of the
    clashing setting, `key`, in it."""

    def apply(root: Path) -> int:
        lines = text((root / SHOW).read_text()).splitlines()
        (root / "feeds" / "second.toml").write_text("\n".join(lines) + "\n")
        return next(i for i, ln in enumerate(lines, 1) if ln.startswith(f"{key} ="))

    return apply


def other_slug(text: str) -> str:
    """The same base_url (so the same podcast:guid), another folder, no guid pinned."""
    lines = [ln for ln in text.splitlines() if not ln.startswith("guid")]
    return "\n".join(lines).replace("[show]", '[show]\nslug = "second"', 1)


def same_slug(text: str) -> str:
    """The same folder (public/demo/), another base_url."""
    text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("guid"))
    return text.replace("[show]", '[show]\nslug = "Demo"', 1).replace("/demo/", "/other/")


def _cases() -> list[Case]:
    show_keys = [
        ("slug-dot", "slug", '"."', "slug '.' is not one plain folder name"),
        ("slug-dotdot", "slug", '".."', "slug '..' is not one plain folder name"),
        ("slug-up", "slug", '"../x"', "slug '../x' is not one plain folder name"),
        ("slug-deep", "slug", '"a/b"', "slug 'a/b' is not one plain folder name"),
        ("slug-absolute", "slug", '"/tmp/x"', "is not one plain folder name"),
        ("slug-backup-name", "slug", '"demo.old"', "is not one plain folder name"),
        ("slug-number", "slug", "7", "slug must be text in quotes, not 7"),
        ("base-js", "base_url", '"javascript:alert(1)//"', "is not an http:// or https:// URL"),
        ("base-no-scheme", "base_url", '"example.org/demo/"', "is not an http:// or https://"),
        ("base-no-host", "base_url", '"http:///demo/"', "has no host name"),
        ("base-ftp", "base_url", '"ftp://x/demo/"', "is not an http:// or https:// URL"),
        ("base-query", "base_url", '"https://x.org/?a=1"', "has a query or fragment"),
        ("base-space", "base_url", '"https://x.org/my show/"', "has a space"),
        ("base-bad-port", "base_url", '"http://x.org:99999/"', "is not a URL"),
        ("link-js", "link", '"javascript:alert(1)"', "link 'javascript:alert(1)' is not an"),
        ("email", "owner_email", '"organisers"', "owner_email 'organisers' is not an email"),
        ("email-space", "owner_email", '"o rg@x.org"', "is not an email address"),
        ("language", "language", '"klingon!!"', "language 'klingon!!' is not a language tag"),
        ("language-number", "language", "1", "language must be text in quotes, not 1"),
        ("category", "category", '"Cooking"', "category 'Cooking' is not one of Apple's"),
        ("subcategory", "subcategory", '"Cooking"', "subcategory 'Cooking' is not a subcat"),
        ("title-number", "title", "123", "title must be text in quotes, not 123"),
        ("title-table", "title", "{a = 1}", "title must be text in quotes, not {'a': 1}"),
        ("seeds-number", "seeds", "42", "seeds must be a pattern in quotes or a list of them"),
        ("seeds-list-number", "seeds", "[42]", "seeds must be a pattern in quotes or a list"),
        ("seeds-none", "seeds", '"../nothing/*.txt"', "matches no file"),
        ("explicit-string", "explicit", '"yes"', "explicit must be true or false, not 'yes'"),
        ("guid", "guid", '"not-a-uuid"', "guid 'not-a-uuid' is not a UUIDv5"),
    ]
    audio_keys = [
        ("rate-zero", "sample_rate", "0", "[audio] sample_rate 0 is not one of 8000,"),
        ("rate-odd", "sample_rate", "44101", "[audio] sample_rate 44101 is not one of"),
        ("rate-string", "sample_rate", '"44100"', "sample_rate must be a whole number"),
        ("rate-huge", "sample_rate", "9" * 30, "sample_rate 999999999999999999999999999999 is"),
        ("bitrate-zero", "bitrate", '"0"', "[audio] bitrate '0' is not a bitrate"),
        ("bitrate-junk", "bitrate", '"fast"', "[audio] bitrate 'fast' is not a bitrate"),
        ("bitrate-option", "bitrate", '"64k -f null"', "bitrate '64k -f null' is not a bit"),
        ("bitrate-huge", "bitrate", '"9999k"', "[audio] bitrate '9999k' is not a bitrate"),
        ("bitrate-number", "bitrate", "64000", "bitrate must be text in quotes, not 64000"),
        ("channels", "channels", "3", "[audio] channels must be 1 or 2, not 3"),
        ("channels-bool", "channels", "true", "channels must be a whole number, not True"),
        ("formats", "formats", '["m4a"]', '[audio] formats must start with "mp3"'),
    ]
    cases = [Case(n, set_key(k, v), SHOW, s) for n, k, v, s in show_keys]
    cases += [Case(f"audio-{n}", set_audio(k, v), SHOW, s) for n, k, v, s in audio_keys]
    matched = "(matched by seeds in feeds/demo.toml:"
    art = "file Pillow can read (the artwork set in feeds/demo.toml:2)"
    cases += [
        Case("seed-fifo", seed_that_is(os.mkfifo), "seeds/zz.txt", f"not a regular file {matched}"),
        Case(
            "seed-loop",
            seed_that_is(lambda p: p.symlink_to(p.name)),
            "seeds/zz.txt",
            "cannot read seed: Too many levels of symbolic links",
        ),
        Case("seed-folder", seed_that_is(Path.mkdir), "seeds/zz.txt", "not a regular file"),
        Case(
            "seed-dangling",
            seed_that_is(lambda p: p.symlink_to("gone.txt")),
            "seeds/zz.txt",
            "cannot read seed: No such file",
        ),
        Case("art-not-image", artwork(b"GIF89a junk"), "feeds/art.png", f"not an image {art}"),
        Case("art-missing", artwork(None), "feeds/art.png", "cannot read artwork: No such file"),
        Case("art-fifo", _fifo_art, "feeds/art.png", "artwork is not a regular file (the art"),
        Case("clash-slug", clash(same_slug, "slug"), "feeds/second.toml", "slug 'demo' is also"),
        Case("clash-guid", clash(other_slug, "base_url"), "feeds/second.toml", "podcast:guid '"),
    ]
    for flag in ("ftp://x/", "javascript:alert(1)//", "example.org/demo/", "http://"):
        says = f"--base-url {flag!r} "
        cases.append(Case(f"flag-{flag[:6]}", lambda root: 0, "", says, argv=("--base-url", flag)))
    return cases


def _fifo_art(root: Path) -> int:
    os.mkfifo(root / "feeds" / "art.png")
    return artwork(None)(root)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.name)
def test_hostile_show_file(case: Case, show: Path, published: Path, capsys) -> None:
    before = digest(show / "public")
    line = case.change(show)
    capsys.readouterr()
    code = run(show, published, *case.argv)
    errors = error_lines(capsys.readouterr().err)
    assert code == 2
    assert len(errors) == 1, errors
    where = f"{case.names}:{line}: " if line else f"{case.names}: " if case.names else ""
    assert errors[0].startswith(f"publisher: error: {where}"), errors[0]
    assert case.says in errors[0], errors[0]
    assert "0x" not in errors[0] and len(errors[0]) < 300, errors[0]
    assert digest(show / "public") == before
    assert not list((show / "public").glob(".*staging"))
    assert {p.name for p in (show / "public").iterdir() if not p.name.startswith(".")} == {"demo"}


def test_a_clash_names_both_files(show: Path, published: Path, capsys) -> None:
    clash(same_slug, "slug")(show)
    assert run(show, published) == 2
    [error] = error_lines(capsys.readouterr().err)
    assert "feeds/second.toml:" in error and "also that of feeds/demo.toml" in error


# --- the validator before the swap ----------------------------------------------------


def test_feeds_the_validator_rejects_are_not_published(show: Path, published: Path, capsys):
    """A setting only the feed shows to be wrong (a description longer than Apple
    allows): the staged feeds are validated, and nothing is swapped in."""
    before = digest(show / "public")
    set_key("description", '"' + "Long. " * 800 + '"')(show)
    assert run(show, published) == 1
    [error] = error_lines(capsys.readouterr().err)
    assert error.startswith("publisher: error: public/demo/feed.xml:"), error
    assert "description is 4799 bytes; Apple allows 4000" in error
    assert "public/demo left as it was" in error
    assert digest(show / "public") == before
    assert not list((show / "public").glob(".*staging"))


def test_every_feed_of_the_build_passes_the_gate(show: Path, published: Path, capsys):
    """The gate holds no good build back: a rebuild passes it, changing nothing."""
    before = digest(show / "public")
    assert run(show, published) == 0
    assert not error_lines(capsys.readouterr().err)
    assert digest(show / "public") == before


# --- the swap's fallback: EXDEV, EINVAL, a kill between the renames ------------------


@pytest.mark.parametrize("err", [errno.EXDEV, errno.EINVAL, errno.ENOSYS])
def test_a_swap_that_cannot_exchange_falls_back(err, show, published, monkeypatch, capsys):
    before = digest(show / "public")
    monkeypatch.setattr(fsutil, "_renameat2", lambda a, b, flags: err)
    assert run(show, published) == 0
    assert digest(show / "public") == before
    assert sorted(p.name for p in (show / "public").iterdir() if p.is_dir()) == ["demo"]


def retitled(show: Path) -> str:
    """Retitle a talk, so the next build publishes (an unchanged show is left as it is);
    the seed's text as it was."""
    seed = show / "seeds" / SHORT_SEED.name
    text = seed.read_text()
    seed.write_text(text.replace("Title: ", "Title: New ", 1))
    return text


def test_a_second_rename_that_fails_puts_the_show_back(show, published, monkeypatch, capsys):
    before = digest(show / "public")
    retitled(show)
    monkeypatch.setattr(fsutil, "_renameat2", lambda a, b, flags: errno.EXDEV)
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "demo" and ".staging" in str(src):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    assert run(show, published) == 1
    [error] = error_lines(capsys.readouterr().err)
    assert "Invalid cross-device link while publishing 'Demo Forum'" in error
    assert digest(show / "public") == before


KILL = """
import errno, os, sys
from publisher import fsutil
from publisher.cli import main
fsutil._renameat2 = lambda a, b, flags: errno.EINVAL
real = os.replace
def replace(src, dst, *args, **kwargs):
    real(src, dst, *args, **kwargs)
    if str(dst).endswith(".demo.old"):
        os._exit(9)  # killed between the two renames
os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def kill_between_renames(root: Path, published: Path) -> None:
    """A build of a changed show killed between the fallback's two renames; the seed
    is then put back, so the show published before is the one to restore."""
    argv = ["build", SHOW, "--standin-audio", "--out", "public"]
    argv += ["--cache-dir", str(published / "cache")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    text = retitled(root)
    done = subprocess.run([sys.executable, "-c", KILL, *argv], cwd=root, env=env, timeout=120)
    (root / "seeds" / SHORT_SEED.name).write_text(text)
    assert done.returncode == 9
    assert not (root / "public" / "demo").exists()  # the gap the fallback leaves
    assert (root / "public" / ".demo.old").is_dir()


def test_a_kill_between_renames_is_undone_by_the_next_build(show, published, capsys):
    before = digest(show / "public" / "demo")
    kill_between_renames(show, published)
    assert run(show, published) == 0
    assert digest(show / "public" / "demo") == before
    assert not (show / "public" / ".demo.old").exists()


def test_a_kill_between_renames_is_undone_by_the_server(show, published):
    before = digest(show / "public" / "demo")
    kill_between_renames(show, published)
    with serving(show / "public") as url:
        status, body = get(url, "/demo/feed.xml")
    assert status == 200 and body == (show / "public" / "demo" / "feed.xml").read_bytes()
    assert digest(show / "public" / "demo") == before


def test_the_server_restores_a_show_whose_swap_was_killed_while_it_ran(show, published):
    before = digest(show / "public" / "demo")
    with serving(show / "public") as url:
        os.rename(show / "public" / "demo", show / "public" / ".demo.old")
        status, _ = get(url, "/demo/")
        assert status == 200
        assert get(url, "/.demo.old/feed.xml")[0] == 404  # a backup is never served
    assert digest(show / "public" / "demo") == before


# --- a full disk names the folder that is full ---------------------------------------


def test_a_full_out_folder_is_named(show, published, monkeypatch, capsys):
    """Every copy into the staged show fails as a full disk does (sendfile: ENOSPC)."""
    before = digest(show / "public")
    text = (show / "seeds" / SHORT_SEED.name).read_text()
    (show / "seeds" / SHORT_SEED.name).write_text(text.replace("Title: ", "Title: New ", 1))

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "sendfile", full)
    assert run(show, published) == 1
    errors = error_lines(capsys.readouterr().err)
    assert errors
    for error in errors:
        assert error.startswith("publisher: error: public: No space left on device: the --out")
    assert digest(show / "public") == before


def test_a_full_cache_folder_is_named(show, published, tmp_path_factory, capsys):
    """ffmpeg fails writing into the cache as it does on a full disk; the stand-in
    feeding it gets a broken pipe. A fresh cache: the talks are rendered again."""
    bin_dir = tmp_path_factory.mktemp("bin")
    ffmpeg = bin_dir / "ffmpeg"
    ffmpeg.write_text(
        f'#!/bin/sh\ncase "$*" in *fresh-cache*)\n'
        '  echo "[flac @ 0x55] Error writing: No space left on device" >&2; exit 1;;\n'
        f'esac\nexec {shutil.which("ffmpeg")} "$@"\n'
    )
    ffmpeg.chmod(0o755)
    before = digest(show / "public")
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{bin_dir}:{path}"
    try:
        cwd = Path.cwd()
        os.chdir(show)
        argv = ["build", SHOW, "--standin-audio", "--out", "public", "--cache-dir", "fresh-cache"]
        argv.append("--replan")  # no talk relinked: each goes to the stand-in
        try:
            code = main(argv)
        finally:
            os.chdir(cwd)
    finally:
        os.environ["PATH"] = path
    errors = error_lines(capsys.readouterr().err)
    assert code == 1 and len(errors) == 2, errors  # each talk; their episodes kept
    for error in errors:
        assert error.startswith(
            "publisher: error: fresh-cache: No space left on device: the --cache-dir folder is"
        ), error
    assert digest(show / "public") == before


# --- tags: dropping a clip changes no other clip's bytes ------------------------------


def test_dropping_a_clip_leaves_every_other_published_mp3_as_it_was(show, published, capsys):
    out = show / "public" / "demo" / "episodes"
    files = enclosures(out.parent, "clips.xml")  # guid -> file
    before = {p: p.read_bytes() for p in files.values()}
    assert all("/" not in str(ID3(p)["TRCK"]) for p in before)  # no total
    plan = show / "seeds" / "short-panel.plan.toml"
    text = plan.read_text()
    last = text.rindex("[[clip]]")
    dropped = text[last:].split('guid = "', 1)[1].split('"', 1)[0]
    plan.write_text(text[:last])
    assert run(show, published) == 0
    kept = {p: data for p, data in before.items() if p != files[dropped]}
    assert len(kept) == len(before) - 1 >= 3
    assert {p: p.read_bytes() for p in kept} == kept


# --- the server ------------------------------------------------------------------------


def get(url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    host, port = url.split("//")[1].rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("rng", ["items=0-5", "Items = 0-5", "lines=1-2", "seconds=0-"])
def test_an_unknown_range_unit_is_ignored(rng, published):
    """RFC 9110 14.2: a Range in a unit the server doesn't know is ignored: 200, whole."""
    feed = published / "public" / "demo" / "feed.xml"
    with serving(published / "public") as url:
        status, body = get(url, "/demo/feed.xml", {"Range": rng})
    assert status == 200 and body == feed.read_bytes()


@pytest.mark.parametrize(
    ("port", "says"),
    [
        ("99999", "--port 99999 is not a port number (0 to 65535)"),
        ("-1", "--port -1 is not a port number (0 to 65535)"),
    ],
)
def test_serve_refuses_a_port_in_one_line(port, says, published, capsys):
    assert main(["serve", str(published / "public"), "--port", port]) == 2
    assert error_lines(capsys.readouterr().err) == [f"publisher: error: {says}"]


def test_serve_on_a_busy_port_is_one_line(published, capsys):
    with serving(published / "public") as url:
        port = url.rstrip("/").rsplit(":", 1)[1]
        assert main(["serve", str(published / "public"), "--port", port]) == 1
    [error] = error_lines(capsys.readouterr().err)
    assert error.startswith(f"publisher: error: cannot serve on 127.0.0.1:{port}: "), error
