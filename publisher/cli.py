"""The `publisher` command: a thin layer over the pipeline.

Errors the user can fix print as one line and exit 2 (bad input) or 1 (a
failed step); set PUBLISHER_DEBUG=1 to see tracebacks.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AudioError, InputError, PublisherError

if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import Talk
    from .show import Show
    from .speech.naming import Voices

FEEDS_DIR = Path("feeds")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except PublisherError as e:
        _fail(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        _fail("interrupted; published files were left as they were")
        return 130
    except OSError as e:
        if os.environ.get("PUBLISHER_DEBUG"):
            raise
        what = "disk full" if e.errno == errno.ENOSPC else e.strerror or str(e)
        _fail(f"{e.filename or ''}: {what}".lstrip(": "))
        return 1


def _fail(message: str) -> None:
    print(f"publisher: error: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="publisher", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the shows' audio, feeds and site")
    b.add_argument(
        "shows",
        nargs="*",
        type=Path,
        metavar="SHOW_TOML",
        help="show definitions (default: every feeds/*.toml)",
    )
    b.add_argument(
        "--out", type=Path, default=Path("public"), help="output folder (default public)"
    )
    b.add_argument(
        "--cache-dir", type=Path, default=Path(".cache"), help="cache folder (default .cache)"
    )
    b.add_argument(
        "--standin-audio",
        action="store_true",
        help="synthesise stand-in speech from the captions instead of fetching audio",
    )
    b.add_argument(
        "--replan",
        action="store_true",
        help="recompute plans, keeping the GUID of every clip that overlaps an old one",
    )
    b.add_argument(
        "--transcribe",
        action="store_true",
        help="transcribe the audio (faster-whisper) even for talks with captions",
    )
    b.add_argument(
        "--voices",
        action="store_true",
        help="hear who speaks (diarization) even in talks with captions",
    )
    b.add_argument("--base-url", help="override the shows' base URL")
    b.add_argument(
        "--jobs", type=int, default=None, help="talks built at once (default: the core count)"
    )
    b.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run the per-talk work on this Dask cluster (cache and output on shared storage)",
    )
    b.add_argument(
        "--wait", action="store_true", help="wait for another build of the same show to end"
    )
    b.set_defaults(run=_build)

    pl = sub.add_parser("plan", help="plan a talk's clips; writes SEED.plan.toml if none exists")
    pl.add_argument("seed", type=Path, metavar="SEED_FILE")
    pl.add_argument("--json", action="store_true", help="print the plan as JSON to stdout")
    pl.add_argument(
        "--replan", action="store_true", help="recompute, keeping GUIDs of overlapping clips"
    )
    pl.add_argument("--show", type=Path, help="show definition whose glossary applies")
    pl.add_argument(
        "--transcribe", action="store_true", help="transcribe the audio even if it has captions"
    )
    pl.add_argument(
        "--voices", action="store_true", help="hear who speaks even if the talk has captions"
    )
    pl.add_argument(
        "--cache-dir", type=Path, default=Path(".cache"),
        help="where a talk to transcribe finds (or fetches) its audio (default .cache)",
    )  # fmt: skip
    pl.set_defaults(run=_plan)

    a = sub.add_parser("add", help="add a playlist's (or one video's) talks to a show as seeds")
    a.add_argument("url", metavar="URL", help="a playlist or video URL")
    a.add_argument("--show", type=Path, help="show definition (default: the only feeds/*.toml)")
    a.add_argument(
        "--seeds-dir", type=Path, default=Path("seeds"), help="seeds folder (default seeds)"
    )
    a.add_argument(
        "--playlist", help="the talks' Playlist title (default: the playlist's own title)"
    )
    a.set_defaults(run=_add)

    v = sub.add_parser("validate", help="check feeds against Apple and Podcasting 2.0 rules")
    v.add_argument("feeds", nargs="+", type=Path, metavar="FEED_XML")
    v.add_argument(
        "--root", type=Path, help="folder the feed URLs map to (default: from its self link)"
    )
    v.set_defaults(run=_validate)

    s = sub.add_parser("serve", help="serve the output to browsers and podcast apps")
    s.add_argument("dir", nargs="?", type=Path, default=Path("public"))
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(run=_serve)

    d = sub.add_parser("deploy", help="upload a built show to S3-compatible storage")
    d.add_argument("dir", type=Path, metavar="SHOW_DIR", help="a built show, e.g. public/demo")
    d.add_argument("target", metavar="s3://BUCKET/PREFIX")
    d.add_argument("--endpoint-url", help="for R2, MinIO and other S3-compatible services")
    d.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or the default one)")
    d.add_argument(
        "--prune", action="store_true", help="delete published files the folder no longer has"
    )
    d.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
    d.set_defaults(run=_deploy)
    return p


def _build(args: argparse.Namespace) -> int:
    from .pipeline import Options, build
    from .show import load_shows, transcribing

    paths = args.shows or sorted(FEEDS_DIR.glob("*.toml"))
    if not paths:
        raise InputError("no show definitions given and none in feeds/")
    shows = load_shows(paths, base_url=args.base_url)
    if args.transcribe or args.voices:  # as [transcribe] enabled / voices = true
        shows = [transcribing(show, args.transcribe, args.voices) for show in shows]
    options = Options(
        out=args.out,
        cache_dir=args.cache_dir,
        standin=args.standin_audio,
        replan=args.replan,
        jobs=args.jobs,
        progress=sys.stderr.isatty(),
        scheduler=args.scheduler,
        wait=args.wait,
    )
    status = 0
    for show in shows:
        result = build(show, options)
        for e in result.errors:
            status = max(status, e.exit_code)
        published = sum(len(t.episodes) for t in result.tasks)
        if not result.published:
            kept = result.out_dir.joinpath("feed.xml").exists()
            print(
                f"{show.title}: nothing published"
                + (f"; {result.out_dir} kept as it was" if kept else "")
            )
            continue
        talks = ", ".join(
            f"{result.count(what)} {what}" for what in ("built", "reused", "failed", "kept")
        )
        print(
            f"{show.title}: {published} episodes in {result.seconds:.1f} s, "
            f"{result.encodes} encodes; talks: {talks}"
        )
        for f in result.feeds:
            print(f"  {f}")
        print(f"  {result.out_dir / 'index.html'}")
    return status


def _plan(args: argparse.Namespace) -> int:
    from .ingest import load_talk
    from .plan.planfile import describe, plan_path
    from .plan.store import plan_for
    from .show import find_show_for

    talk = load_talk(args.seed)
    show = find_show_for(args.seed, args.show)
    path = plan_path(args.seed)
    talk, pauses, voices = _heard(talk, show, args)
    glossary = show.glossary if show else {}
    old, plan = plan_for(talk, path, glossary, again=args.replan, pauses=pauses, voices=voices)
    if plan is not old:
        print(f"wrote {path}", file=sys.stderr)
    if args.json:
        json.dump([s.to_json() for s in plan.segments], sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    print("\n".join(describe(plan, old if args.replan else None)))
    if old is not None and not args.replan:
        print(f"{path} exists; edit it, or pass --replan", file=sys.stderr)
    return 0


def _heard(
    talk: Talk, show: Show | None, args: argparse.Namespace
) -> tuple[Talk, Callable[[], list[tuple[float, float]]] | None, Voices | None]:
    """The talk to plan, as a build plans it: a talk without captions (or any, with
    --transcribe or the show's [transcribe]) is transcribed from its audio (the
    cached file, else fetched), and its pauses are found in that audio; who speaks
    is heard in it too (speech/naming.py), or only that with --voices."""
    from .speech import Transcription

    was = show.transcribe if show else Transcription()
    wanted = Transcription(was.enabled or args.transcribe, was.model, was.voices or args.voices)
    if not wanted.hears_voices(talk):
        return talk, None, None
    from .audio import fetch_audio, silences

    try:
        source = fetch_audio(talk, args.cache_dir, progress=sys.stderr.isatty())
    except AudioError as e:
        asked = "transcription" if wanted.enabled else "who speaks"
        why = "it has no captions" if not talk.cues else f"{asked} was asked for"
        told = f"{e.message} (the talk is planned from its audio: {why}; see --cache-dir)"
        raise type(e)(told, e.path, e.line) from None
    from .speech.hearing import hear

    heard = hear(talk, source, args.cache_dir, wanted)
    pauses = (lambda: silences(source, args.cache_dir)) if heard.words is not None else None
    return heard.talk, pauses, heard.voices


def _add(args: argparse.Namespace) -> int:
    from .add import add_talks

    shows = [args.show] if args.show else sorted(FEEDS_DIR.glob("*.toml"))
    if len(shows) != 1:
        found = "no show definition" if not shows else f"{len(shows)} show definitions"
        raise InputError(f"{found} in {FEEDS_DIR}/: pass --show SHOW_TOML")

    def report(item: str | PublisherError) -> None:
        if isinstance(item, PublisherError):
            _fail(str(item))
        else:
            print(item, file=sys.stderr)

    result = add_talks(args.url, shows[0], args.seeds_dir, playlist=args.playlist, report=report)
    print(result.summary())
    return max((e.exit_code for e in result.failed), default=0)


def _validate(args: argparse.Namespace) -> int:
    from .feed import validate_feed

    problems = []
    for path in args.feeds:
        if not path.is_file():
            raise InputError("feed file not found", path)
        problems += validate_feed(path, root=args.root)
    for line in problems:
        print(line)
    if not problems:
        print(f"{len(args.feeds)} feed(s) valid")
    return 1 if problems else 0


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    if not args.dir.is_dir():
        raise InputError("no such folder to serve", args.dir)
    serve(args.dir, host=args.host, port=args.port)
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from .deploy import deploy

    summary = deploy(
        args.dir,
        args.target,
        endpoint_url=args.endpoint_url,
        profile=args.profile,
        prune=args.prune,
        dry_run=args.dry_run,
        report=print if args.dry_run else None,
    )
    print(summary.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
