"""Records written by older code still read: episodes named by absolute URLs then."""

from __future__ import annotations

import dataclasses

from episode_factory import make_episodes, make_show, out_dir

from publisher.model import Alternate
from publisher.pipeline import records

BASE = "https://podcasts.example.org/test-show/"


def as_recorded_before(ep):
    """The episode as a record pickled it when Episode held absolute URLs."""
    old = dataclasses.replace(
        ep,
        links={k: BASE + v for k, v in ep.links.items()},
        alternates={"m4a": Alternate(123)},
    )
    state = vars(old)
    state.pop("cover")
    state |= {"url": BASE + ep.path.as_posix(), "image_url": BASE + ep.cover}
    vars(old.alternates["m4a"])["url"] = BASE + "x.m4a"
    return old


def test_an_old_record_reads_back_with_paths_in_the_show_folder(tmp_path):
    show = make_show(tmp_path)
    episodes = make_episodes(tmp_path, show)
    talk = [e for e in episodes if e.talk.video_id == episodes[0].talk.video_id]
    folder = out_dir(tmp_path, show)
    old = records.Record("fp", talk[0].talk.video_id, [as_recorded_before(e) for e in talk])
    records.save(folder, old)
    (back,) = records.load_all(folder).values()
    assert [e.guid for e in back.episodes] == [e.guid for e in talk]
    for now, then in zip(back.episodes, talk, strict=True):
        assert now.cover == then.cover and now.links == then.links and now.path == then.path
        assert now.alternates == {"m4a": Alternate(123)} and "url" not in vars(now)
