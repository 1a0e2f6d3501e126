"""The show file: its seed paths, as error messages name them."""

from __future__ import annotations

from helpers import SHORT_SEED, make_show

from publisher.show import load_show


def test_seed_paths_are_normalised_so_errors_read_seeds_not_feeds_dotdot(tmp_path):
    show = load_show(make_show(tmp_path, [SHORT_SEED]))  # seeds = ["../seeds/*.txt"]
    assert show.seeds == [tmp_path / "seeds" / SHORT_SEED.name]
